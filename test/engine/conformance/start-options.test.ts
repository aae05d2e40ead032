/**
 * Conformance: StartWorkflowExecution options through the SDK — id reuse and conflict
 * policies, request-id dedup, memo, search attributes, run and execution timeouts.
 */
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { ServiceError, WorkflowFailedError } from '@temporalio/client';
import {
  type Duration,
  defineSearchAttributeKey,
  SearchAttributeType,
  TypedSearchAttributes,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/common';
import { startHarness, type Harness } from './harness';

jest.setTimeout(60_000);

const KEYWORD = defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.KEYWORD);
const INT = defineSearchAttributeKey('CustomIntField', SearchAttributeType.INT);

describe('conformance: start options', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ workflowsFile: 'client-api.ts' });
  });

  afterAll(async () => {
    await h?.teardown();
  });

  const statusOf = async (workflowId: string, runId?: string) =>
    (await h.env.client.workflow.getHandle(workflowId, runId).describe()).status.name;

  describe('workflow id reuse policy (closed run with the same id)', () => {
    it('ALLOW_DUPLICATE starts a new run after a completed one', async () => {
      const first = await h.start('echo', { args: [1] });
      await first.result();
      const second = await h.start('echo', {
        args: [2],
        workflowId: first.workflowId,
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
      await expect(second.result()).resolves.toBe(2);
      expect(second.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
    });

    it('REJECT_DUPLICATE refuses any closed run', async () => {
      const first = await h.start('echo', { args: [1] });
      await first.result();
      await expect(
        h.start('echo', { args: [2], workflowId: first.workflowId, workflowIdReusePolicy: 'REJECT_DUPLICATE' }),
      ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    });

    it('ALLOW_DUPLICATE_FAILED_ONLY refuses after success and allows after failure', async () => {
      const ok = await h.start('echo', { args: [1] });
      await ok.result();
      await expect(
        h.start('echo', { args: [2], workflowId: ok.workflowId, workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' }),
      ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      const failed = await h.start('failWith', { args: ['Boom'] });
      await expect(failed.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      const again = await h.start('echo', {
        args: [3],
        workflowId: failed.workflowId,
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      });
      await expect(again.result()).resolves.toBe(3);
    });
  });

  describe('workflow id conflict policy (running workflow with the same id)', () => {
    it('refuses by default with WorkflowExecutionAlreadyStartedError', async () => {
      const running = await h.start('collect', { args: [1] });
      const err = await h.start('collect', { args: [1], workflowId: running.workflowId }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      expect((err as WorkflowExecutionAlreadyStartedError).workflowId).toBe(running.workflowId);
      await running.terminate('cleanup');
    });

    it('USE_EXISTING returns the running run', async () => {
      const running = await h.start('collect', { args: [1] });
      const same = await h.start('collect', {
        args: [1],
        workflowId: running.workflowId,
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      expect(same.firstExecutionRunId).toBe(running.firstExecutionRunId);
      await running.signal('add', 'x');
      await expect(same.result()).resolves.toEqual(['x']);
    });

    it('TERMINATE_EXISTING terminates the running run and starts a new one', async () => {
      const running = await h.start('collect', { args: [1] });
      const replacement = await h.start('echo', {
        args: ['new'],
        workflowId: running.workflowId,
        workflowIdConflictPolicy: 'TERMINATE_EXISTING',
      });
      expect(replacement.firstExecutionRunId).not.toBe(running.firstExecutionRunId);
      await expect(replacement.result()).resolves.toBe('new');
      await expect(statusOf(running.workflowId, running.firstExecutionRunId)).resolves.toBe('TERMINATED');
    });
  });

  it('deduplicates a retried StartWorkflowExecution with the same request id', async () => {
    const workflowId = `dedup-${randomUUID()}`;
    const request = {
      namespace: h.env.namespace,
      workflowId,
      workflowType: { name: 'collect' },
      taskQueue: { name: h.taskQueue },
      input: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('1') }] },
      requestId: randomUUID(),
      identity: 'conformance',
    };
    const service = h.env.client.workflowService;
    const first = await service.startWorkflowExecution(request);
    const retried = await service.startWorkflowExecution(request);
    expect(retried.runId).toBe(first.runId);
    const handle = h.env.client.workflow.getHandle(workflowId);
    h.track(handle);
    await handle.signal('add', 'once');
    await expect(handle.result()).resolves.toEqual(['once']);
  });

  it('carries memo and search attributes to describe and to the workflow', async () => {
    const tag = randomUUID();
    const handle = await h.start('selfInfo', {
      memo: { owner: 'it', nested: { n: 1 } },
      typedSearchAttributes: new TypedSearchAttributes([
        { key: KEYWORD, value: tag },
        { key: INT, value: 7 },
      ]),
    });
    const seen = (await handle.result()) as { memo: unknown; searchAttributes: Record<string, unknown> };
    expect(seen.memo).toEqual({ owner: 'it', nested: { n: 1 } });
    expect(seen.searchAttributes).toMatchObject({ CustomKeywordField: [tag], CustomIntField: [7] });
    const described = await handle.describe();
    expect(described.memo).toEqual({ owner: 'it', nested: { n: 1 } });
    expect(described.typedSearchAttributes.get(KEYWORD)).toBe(tag);
    expect(described.typedSearchAttributes.get(INT)).toBe(7);
  });

  it('rejects a search attribute that is not registered', async () => {
    const unknown = defineSearchAttributeKey(`NotRegistered${randomUUID().slice(0, 8)}`, SearchAttributeType.KEYWORD);
    const err = await h
      .start('echo', { args: [1], typedSearchAttributes: new TypedSearchAttributes([{ key: unknown, value: 'x' }]) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    const cause = (err as ServiceError).cause as { code?: number; details?: string };
    expect(cause.code).toBe(grpcStatus.INVALID_ARGUMENT);
    expect(cause.details).toMatch(/search attribute/i);
  });

  it('times out a run after its run timeout', async () => {
    const handle = await h.start('sleeper', { args: ['1 day'], workflowRunTimeout: '2s' });
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).message).toMatch(/timed out/i);
    await expect(statusOf(handle.workflowId)).resolves.toBe('TIMED_OUT');
  });

  it('times out an execution after its execution timeout, across continue-as-new', async () => {
    // Virtual hours with time skipping; a real server has to wait in real time.
    const [step, timeout]: Duration[] = h.env.supportsTimeSkipping ? ['1 hour', '3.5 hours'] : ['1s', '3.5s'];
    const handle = await h.start('sleepAndContinue', { args: [step], workflowExecutionTimeout: timeout });
    await expect(handle.result()).rejects.toThrow(/timed out/i);
    const latest = await handle.describe();
    expect(latest.status.name).toBe('TIMED_OUT');
    expect(latest.runId).not.toBe(handle.firstExecutionRunId);
    await expect(statusOf(handle.workflowId, handle.firstExecutionRunId)).resolves.toBe('CONTINUED_AS_NEW');
  });

  it('reports the run timeout to the workflow', async () => {
    const handle = await h.start('selfInfo', { workflowRunTimeout: '1 hour' });
    await expect(handle.result()).resolves.toMatchObject({ runTimeoutMs: 3_600_000 });
  });

  it('histories of these workflows replay', async () => {
    await expect(h.replayTracked()).resolves.toEqual({});
  });
});
