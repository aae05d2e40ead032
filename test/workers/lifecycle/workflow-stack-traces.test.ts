/**
 * The lifecycle worker's workflow threads run without the SDK's stack-trace promise hook unless
 * asked: a person's workflow still runs and answers its queries, the `__stack_trace` query says
 * stack traces are not enabled, and with `workflowStackTraces` it answers with the workflow's
 * stack as the SDK's own threads do. Real embedded engine, the real bundled workflows.
 */
import { randomUUID } from 'node:crypto';
import { deliverHrEvent } from '../../../lib/temporal/employee-client';
import { hrEvent } from '../../helpers/lifecycle-stack';
import { useLifecycleWorker } from '../../helpers/lifecycle-worker';

jest.setTimeout(120_000);

const lifecycle = useLifecycleWorker();

/** A hire effective in a month: the person's workflow waits on its timer, open for queries. */
async function waitingEmployee(workflowStackTraces: boolean | undefined) {
  const { env } = lifecycle;
  const taskQueue = `jml-test-stack-${randomUUID()}`;
  const worker = await lifecycle.createWorker(
    taskQueue,
    workflowStackTraces === undefined ? {} : { workflowStackTraces },
  );
  const running = worker.run();
  const id = `ST${randomUUID().slice(0, 8)}`;
  const effectiveAt = new Date(Date.now() + 30 * 24 * 3600_000).toISOString();
  const { workflowId } = await deliverHrEvent(
    env.client,
    taskQueue,
    hrEvent('hire', { employeeId: id }, { eventId: `${id}-hire`, effectiveAt }),
  );
  const handle = env.client.workflow.getHandle(workflowId);
  return {
    handle,
    stop: async () => {
      await handle.terminate('test over');
      worker.shutdown();
      await running;
    },
  };
}

test('by default the workflows run and answer queries, and __stack_trace says stack traces are off', async () => {
  const { handle, stop } = await waitingEmployee(undefined);
  try {
    const status = await handle.query<{ employeeId?: string }>('status');
    expect(status).toEqual(expect.objectContaining({ employeeId: expect.any(String) }));
    await expect(handle.query('__stack_trace')).rejects.toThrow(/stack traces are not enabled/i);
  } finally {
    await stop();
  }
});

test('workflowStackTraces: __stack_trace answers with where the workflow waits', async () => {
  const { handle, stop } = await waitingEmployee(true);
  try {
    const trace = await handle.query<string>('__stack_trace');
    expect(trace).toMatch(/\bat\b.*workflows\//);
  } finally {
    await stop();
  }
});
