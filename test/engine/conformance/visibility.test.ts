/**
 * Conformance: List/CountWorkflowExecutions with the query subset users write, over system
 * attributes and typed custom search attributes (the dev server's Custom*Field set plus a
 * KeywordList registered through the OperatorService). Polls, since a real server's
 * visibility is eventually consistent.
 */
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { ServiceError } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { AGAINST_REAL_SERVER, eventually, startHarness, type Harness } from './harness';

jest.setTimeout(60_000);

const LIST_NAME = 'ConformanceKeywordList';
const KEYWORD = defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.KEYWORD);
const INT = defineSearchAttributeKey('CustomIntField', SearchAttributeType.INT);
const TEXT = defineSearchAttributeKey('CustomTextField', SearchAttributeType.TEXT);
const TIME = defineSearchAttributeKey('CustomDatetimeField', SearchAttributeType.DATETIME);
const LIST = defineSearchAttributeKey(LIST_NAME, SearchAttributeType.KEYWORD_LIST);

describe('conformance: visibility (List/Count)', () => {
  let h: Harness;
  const tag = randomUUID();
  const ids: string[] = [];
  const scoped = (q: string) => `CustomKeywordField = '${tag}' AND ${q}`;

  async function list(query: string, pageSize?: number): Promise<string[]> {
    const found: string[] = [];
    for await (const wf of h.env.client.workflow.list({ query, pageSize })) found.push(wf.workflowId);
    return found;
  }

  async function registerKeywordList(): Promise<void> {
    const operator = h.env.client.connection.operatorService;
    const existing = await operator.listSearchAttributes({ namespace: h.env.namespace });
    if (existing.customAttributes?.[LIST_NAME]) return;
    await operator.addSearchAttributes({
      namespace: h.env.namespace,
      searchAttributes: { [LIST_NAME]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST },
    });
  }

  beforeAll(async () => {
    h = await startHarness({ workflowsFile: 'client-api.ts' });
    await registerKeywordList();
    // Four runs: n = 1..4; odd ones complete (echo), even ones keep running (collect).
    for (const n of [1, 2, 3, 4]) {
      const attrs = new TypedSearchAttributes([
        { key: KEYWORD, value: tag },
        { key: INT, value: n },
        { key: TEXT, value: n % 2 ? 'Moved to Finance team' : 'Joined Legal' },
        { key: TIME, value: new Date(Date.UTC(2026, 0, n)) },
        { key: LIST, value: n <= 2 ? ['slack', 'github'] : ['canva'] },
      ]);
      const handle = await h.start(n % 2 ? 'echo' : 'collect', {
        args: [n],
        workflowId: `vis-${n}-${tag}`,
        typedSearchAttributes: attrs,
      });
      ids.push(handle.workflowId);
      if (n % 2) await handle.result();
    }
    await eventually(
      () => list(scoped("ExecutionStatus = 'Completed'")),
      (v) => v.length === 2,
    );
  });

  afterAll(async () => {
    for (const id of [ids[1], ids[3]])
      await h?.env.client.workflow
        .getHandle(id!)
        .terminate('test over')
        .catch(() => undefined);
    await h?.teardown();
  });

  const pick = (...ns: number[]) => ns.map((n) => ids[n - 1]).sort();

  it.each([
    ['CustomIntField >= 1', [1, 2, 3, 4]],
    ["ExecutionStatus = 'Running'", [2, 4]],
    ["ExecutionStatus != 'Running'", [1, 3]],
    ["WorkflowType = 'echo'", [1, 3]],
    ['CustomIntField BETWEEN 2 AND 3', [2, 3]],
    ['CustomIntField IN (1, 4)', [1, 4]],
    ['CustomIntField NOT IN (1, 4)', [2, 3]],
    ['(CustomIntField < 2 OR CustomIntField > 3)', [1, 4]],
    ['CustomIntField != 1', [2, 3, 4]],
    ['CloseTime IS NULL', [2, 4]],
    ['CloseTime IS NOT NULL', [1, 3]],
    ["WorkflowId STARTS_WITH 'vis-2'", [2]],
    ["CustomDatetimeField > '2026-01-02T12:00:00Z'", [3, 4]],
    [`${LIST_NAME} = 'github'`, [1, 2]],
    [`${LIST_NAME} IN ('canva', 'nope')`, [3, 4]],
    ["CustomTextField = 'finance'", [1, 3]],
  ] as const)('%s', async (query, expected) => {
    const want = pick(...expected);
    const found = await eventually(
      () => list(scoped(query)),
      (v) => v.length === want.length,
    );
    expect(found.sort()).toEqual(want);
    await expect(h.env.client.workflow.count(scoped(query))).resolves.toMatchObject({ count: want.length });
  });

  it('finds child workflows by ParentWorkflowId', async () => {
    const parent = await h.start('parentOfEcho', { args: ['x'] });
    await parent.result();
    const query = `ParentWorkflowId = '${parent.workflowId}'`;
    await expect(
      eventually(
        () => list(query),
        (v) => v.length === 1,
      ),
    ).resolves.toEqual([`${parent.workflowId}-child`]);
    await expect(list(`WorkflowId = '${parent.workflowId}' AND ParentWorkflowId IS NULL`)).resolves.toEqual([
      parent.workflowId,
    ]);
  });

  it('finds runs by typed upserts of Keyword, Bool and Datetime attributes', async () => {
    const own = randomUUID();
    const handle = await h.start('typedUpserter', { args: [own, '2026-03-01T09:00:00Z'] });
    await handle.result();
    const query = `CustomKeywordField = '${own}' AND CustomBoolField = true AND CustomDatetimeField BETWEEN '2026-03-01T00:00:00Z' AND '2026-03-02T00:00:00Z'`;
    await expect(
      eventually(
        () => list(query),
        (v) => v.length === 1,
      ),
    ).resolves.toEqual([handle.workflowId]);
    await expect(list(`CustomKeywordField = '${own}' AND CustomBoolField = false`)).resolves.toEqual([]);
  });

  it('lists across pages', async () => {
    const found = await list(scoped('CustomIntField >= 1'), 1);
    expect(found.sort()).toEqual(pick(1, 2, 3, 4));
  });

  (AGAINST_REAL_SERVER ? it.skip : it)(
    'orders by a search attribute (Elasticsearch visibility only on a real server)',
    async () => {
      await expect(list(`CustomKeywordField = '${tag}' ORDER BY CustomIntField DESC`)).resolves.toEqual(
        [4, 3, 2, 1].map((n) => ids[n - 1]),
      );
    },
  );

  it.each([
    ["NoSuchAttribute = 'x'", /NoSuchAttribute/],
    ["CustomIntField = 'not a number'", /CustomIntField/],
    ["WorkflowId = 'x' AND", /.+/],
  ])('rejects %s with INVALID_ARGUMENT', async (query, message) => {
    const err = await list(query).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    const cause = (err as ServiceError).cause as { code?: number; details?: string };
    expect(cause.code).toBe(grpcStatus.INVALID_ARGUMENT);
    expect(cause.details).toMatch(message);
  });

  it('histories of these workflows replay', async () => {
    await expect(h.replayTracked()).resolves.toEqual({});
  });
});
