/**
 * Conformance: workflow-task failures must not hang a workflow. A plain Error thrown in
 * workflow code fails the workflow task (not the workflow); the server retries the task until
 * a fixed worker is deployed. A non-deterministic change fails tasks the same way until the
 * old code is back. A signal that arrives while a workflow task is in flight is buffered and
 * delivered in the next task.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundle, deferred, eventually, startHarness, type Harness } from './harness';

jest.setTimeout(60_000);

const Cause = temporal.api.enums.v1.WorkflowTaskFailedCause;

const gates = new Map<
  string,
  { started: ReturnType<typeof deferred<void>>; release: ReturnType<typeof deferred<void>> }
>();
const gate = (key: string) => gates.get(key) ?? gates.set(key, { started: deferred(), release: deferred() }).get(key)!;

const activities = {
  async step(name: string): Promise<string> {
    return `step ${name}`;
  },
  async slowLocal(key: string): Promise<string> {
    gate(key).started.resolve();
    await gate(key).release.promise;
    return 'local done';
  },
};

async function taskFailures(handle: WorkflowHandle): Promise<number[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.workflowTaskFailedEventAttributes)
    .map((e) => Number(e.workflowTaskFailedEventAttributes!.cause));
}

describe('conformance: workflow-task failure recovery', () => {
  let h: Harness;
  let v2: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    [h, v2] = await Promise.all([
      startHarness({ workflowsFile: 'recovery-v1.ts', activities }),
      bundle('recovery-v2.ts'),
    ]);
  });

  afterAll(async () => {
    await h?.teardown();
  });

  it('buffers a signal sent while a workflow task is in flight and delivers it in the next task', async () => {
    const key = randomUUID();
    const handle = await h.start('signalDuringTask', { args: [key] });
    await gate(key).started.promise;
    await handle.signal('add', 'during');
    gate(key).release.resolve();
    await expect(handle.result()).resolves.toEqual(['local done', 'during']);
    const events = (await handle.fetchHistory()).events ?? [];
    const marker = events.findIndex((e) => e.markerRecordedEventAttributes);
    const signal = events.findIndex((e) => e.workflowExecutionSignaledEventAttributes);
    const firstTaskCompleted = events.findIndex((e) => e.workflowTaskCompletedEventAttributes);
    expect(marker).toBeGreaterThan(firstTaskCompleted);
    expect(signal).toBeGreaterThan(firstTaskCompleted);
  });

  it('answers a query sent while a workflow task is in flight once the task completes', async () => {
    const key = randomUUID();
    const handle = await h.start('signalDuringTask', { args: [key] });
    await gate(key).started.promise;
    const answer = handle.query<string[]>('got');
    // Give the query time to reach the server while the task is still held open (the outcome is the same either way).
    await new Promise((resolve) => setTimeout(resolve, 200));
    gate(key).release.resolve();
    await expect(answer).resolves.toEqual(['local done']);
    await handle.signal('add', 'after');
    await expect(handle.result()).resolves.toEqual(['local done', 'after']);
  });

  it('retries a failing workflow task until a fix is deployed, then a non-deterministic change until it is rolled back', async () => {
    // Not tracked for the final replay: its history only replays on the fixed code (checked below).
    // A worker that stops mid-task leaves it to the task timeout (10 s by default) to be retried elsewhere.
    const workflowTaskTimeout = '1s';
    const buggy = await h.env.client.workflow.start('buggy', {
      taskQueue: h.taskQueue,
      workflowId: `buggy-${randomUUID()}`,
      workflowTaskTimeout,
    });
    const versioned = await h.start('versioned', { workflowTaskTimeout });
    const firstFailure = await eventually(
      () => taskFailures(buggy),
      (c) => c.length > 0,
    );
    expect(firstFailure[0]).toBe(Cause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE);
    expect((await buggy.describe()).status.name).toBe('RUNNING');
    await eventually(
      async () => (await versioned.fetchHistory()).events?.some((e) => e.activityTaskCompletedEventAttributes),
      Boolean,
    );

    // Deploy v2: the bug is fixed, but `versioned` no longer matches its history.
    await h.stopWorker();
    const second = await h.runWorker({ workflowBundle: v2 });
    await expect(buggy.result()).resolves.toBe('fixed');
    await versioned.signal('go');
    const causes = await eventually(
      () => taskFailures(versioned),
      (c) => c.includes(Cause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR),
    );
    expect(causes).toContain(Cause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR);
    expect((await versioned.describe()).status.name).toBe('RUNNING');

    // Roll back to v1: the task succeeds and the signal that was already delivered completes it.
    await second.stop();
    await h.runWorker();
    await expect(versioned.result()).resolves.toBe('v1 after step a');
    h.track(versioned);
    await expect(
      Worker.runReplayHistory({ workflowBundle: v2 }, await buggy.fetchHistory(), buggy.workflowId),
    ).resolves.toBeUndefined();
  });

  it('histories of these workflows replay', async () => {
    await expect(h.replayTracked()).resolves.toEqual({});
  });
});
