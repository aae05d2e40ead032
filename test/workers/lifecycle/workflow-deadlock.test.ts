/**
 * The worker's own workflow threads (workflow-threads.ts: the SDK's, started from our entry
 * without the stack-trace hook) keep the SDK's deadlock detection. A workflow task that never
 * yields is interrupted after `isolateExecutionTimeout` and its task failed (and retried), so it
 * cannot hold a workflow thread — and with it every other run on that thread, leavers
 * included — while workflows beside it keep running. Embedded engine, a real SDK worker.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { WorkerWithoutStackTraces } from '../../../workers/lifecycle/workflow-threads';
import { createTestEnv, type TemporalTestEnv } from '../../helpers/temporal-env';

jest.setTimeout(120_000);

const { EventType } = temporal.api.enums.v1;

/** Not in WorkerOptions' type, but the SDK honours it (default 5 s): 1 s keeps the test short. */
const SHORT_DEADLOCK_TIMEOUT = { isolateExecutionTimeout: '1s' };

let env: TemporalTestEnv;
beforeAll(async () => {
  env = await createTestEnv({ timeSkipping: false });
});
afterAll(async () => {
  await env?.teardown();
});

test('a workflow task that never yields is interrupted and failed, and other runs on its thread go on', async () => {
  const taskQueue = `jml-test-deadlock-${randomUUID()}`;
  const worker = await WorkerWithoutStackTraces.create({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue,
    workflowsPath: path.join(__dirname, 'workflows', 'yielding.ts'),
    ...SHORT_DEADLOCK_TIMEOUT,
    // One thread: the run beside it must be served by the very thread the spin was on.
    workflowThreadPoolSize: 1,
  });
  const running = worker.run();
  const stuck = await env.client.workflow.start('neverYields', { taskQueue, workflowId: `spin-${randomUUID()}` });
  try {
    let failed: temporal.api.history.v1.IHistoryEvent | undefined;
    for (let i = 0; i < 100 && !failed; i++) {
      const events = (await stuck.fetchHistory()).events ?? [];
      failed = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
      if (!failed) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // The SDK's own words for it (the task is retried; the Temporal UI shows this failure).
    expect(failed?.workflowTaskFailedEventAttributes?.failure?.message).toMatch(/timed out after 1000ms/);
    const other = await env.client.workflow.execute('yieldsAndAnswers', {
      taskQueue,
      workflowId: `answer-${randomUUID()}`,
    });
    expect(other).toBe('answered');
  } finally {
    await stuck.terminate('test over').catch(() => undefined);
    worker.shutdown();
    await running;
  }
});
