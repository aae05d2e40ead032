/**
 * Conformance: the reads the Temporal UI makes beyond the SDK's own — status counts
 * (`GROUP BY ExecutionStatus`), task-queue pollers, cluster info, reverse history, history
 * size / state transitions / root execution in describe, and the RootWorkflowId and
 * TemporalNamespaceDivision attributes. Raw WorkflowService calls only, so the file runs
 * unchanged against a real server (TEMPORAL_ADDRESS).
 */
import { randomUUID } from 'node:crypto';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { eventually, startHarness, type Harness } from './harness';

jest.setTimeout(60_000);

const KEYWORD = defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.KEYWORD);
const { TaskQueueType } = temporal.api.enums.v1;

function semverAtLeast(version: string, min: [number, number]): boolean {
  const [major, minor] = version.split(/[.-]/).map(Number);
  return major! > min[0] || (major === min[0] && minor! >= min[1]);
}

describe('conformance: what the Temporal UI reads', () => {
  let h: Harness;
  const tag = randomUUID();
  let running: string;
  let parentId: string;
  const service = () => h.env.client.workflowService;

  beforeAll(async () => {
    // An activity makes the worker poll the activity queue too.
    h = await startHarness({ workflowsFile: 'client-api.ts', activities: { noop: async () => undefined } });
    const attrs = new TypedSearchAttributes([{ key: KEYWORD, value: tag }]);
    const done = await h.start('echo', { args: ['one'], typedSearchAttributes: attrs });
    await done.result();
    const open = await h.start('collect', { args: [5], typedSearchAttributes: attrs });
    running = open.workflowId;
    const parent = await h.start('parentOfEcho', { args: ['x'], typedSearchAttributes: attrs });
    await parent.result();
    parentId = parent.workflowId;
  });

  afterAll(async () => {
    await h?.env.client.workflow
      .getHandle(running)
      .terminate('test over')
      .catch(() => undefined);
    await h?.teardown();
  });

  it('counts by ExecutionStatus with GROUP BY', async () => {
    const query = `CustomKeywordField = '${tag}' GROUP BY ExecutionStatus`;
    const res = await eventually(
      () => service().countWorkflowExecutions({ namespace: h.env.namespace, query }),
      (r) => Number(r.count) === 3,
    );
    const groups = Object.fromEntries(
      (res.groups ?? []).map((g) => [
        JSON.parse(Buffer.from(g.groupValues![0]!.data!).toString()) as string,
        Number(g.count),
      ]),
    );
    expect(groups).toEqual({ Running: 1, Completed: 2 });
    const system = await service().getSystemInfo({});
    expect(system.capabilities?.countGroupByExecutionStatus).toBe(true);
  });

  it('rejects GROUP BY on any other attribute', async () => {
    const query = `CustomKeywordField = '${tag}' GROUP BY WorkflowType`;
    await expect(service().countWorkflowExecutions({ namespace: h.env.namespace, query })).rejects.toThrow(
      /ExecutionStatus/,
    );
  });

  it('describes a task queue with its workflow and activity pollers', async () => {
    for (const taskQueueType of [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]) {
      const res = await eventually(
        () =>
          service().describeTaskQueue({ namespace: h.env.namespace, taskQueue: { name: h.taskQueue }, taskQueueType }),
        (r) => (r.pollers?.length ?? 0) > 0,
      );
      const poller = res.pollers![0]!;
      expect(poller.identity).toMatch(/\S/);
      const seconds = Number(poller.lastAccessTime?.seconds);
      expect(Math.abs(seconds * 1000 - Date.now())).toBeLessThan(10 * 60_000);
    }
    const none = await service().describeTaskQueue({
      namespace: h.env.namespace,
      taskQueue: { name: `nobody-${tag}` },
    });
    expect(none.pollers ?? []).toEqual([]);
  });

  it('answers GetClusterInfo with a server version the UI accepts', async () => {
    const info = await service().getClusterInfo({});
    expect(semverAtLeast(info.serverVersion!, [1, 19])).toBe(true);
    expect(info.clusterId).toMatch(/\S/);
  });

  it('reads history in reverse, across pages', async () => {
    const handle = h.env.client.workflow.getHandle(parentId);
    const forward = (await handle.fetchHistory()).events!.map((e) => Number(e.eventId));
    const reversed: number[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await service().getWorkflowExecutionHistoryReverse({
        namespace: h.env.namespace,
        execution: { workflowId: parentId },
        maximumPageSize: 3,
        nextPageToken,
      });
      reversed.push(...(page.history?.events ?? []).map((e) => Number(e.eventId)));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    expect(reversed).toEqual([...forward].reverse());
  });

  it('describes history size, state transitions and the root execution', async () => {
    const parent = await service().describeWorkflowExecution({
      namespace: h.env.namespace,
      execution: { workflowId: parentId },
    });
    const info = parent.workflowExecutionInfo!;
    expect(Number(info.historySizeBytes)).toBeGreaterThan(100);
    expect(Number(info.stateTransitionCount)).toBeGreaterThan(0);
    expect(info.rootExecution?.workflowId).toBe(parentId);
    const child = await service().describeWorkflowExecution({
      namespace: h.env.namespace,
      execution: { workflowId: `${parentId}-child` },
    });
    expect(child.workflowExecutionInfo?.rootExecution?.workflowId).toBe(parentId);
  });

  it('finds a workflow tree by RootWorkflowId; user workflows have no TemporalNamespaceDivision', async () => {
    const ids = async (query: string) => {
      const res = await service().listWorkflowExecutions({ namespace: h.env.namespace, query });
      return (res.executions ?? []).map((e) => e.execution!.workflowId!).sort();
    };
    const tree = await eventually(
      () => ids(`RootWorkflowId = '${parentId}'`),
      (v) => v.length === 2,
    );
    expect(tree).toEqual([parentId, `${parentId}-child`].sort());
    const mine = await eventually(
      () => ids(`CustomKeywordField = '${tag}' AND TemporalNamespaceDivision IS NULL`),
      (v) => v.length === 3,
    );
    expect(mine).toHaveLength(3);
  });
});
