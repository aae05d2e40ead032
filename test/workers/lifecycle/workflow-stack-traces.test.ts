/**
 * The lifecycle worker's workflow threads run without the SDK's stack-trace promise hook unless
 * asked: a person's workflow still runs and answers its queries, the `__stack_trace` query says
 * stack traces are not enabled, and with `workflowStackTraces` it answers with the workflow's
 * stack as the SDK's own threads do. Real embedded engine, the real bundled workflows.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../../activities';
import { loadConfig } from '../../../lib/config';
import { createLogger } from '../../../lib/logger';
import { ScimClients } from '../../../lib/scim';
import { deliverHrEvent } from '../../../lib/temporal/employee-client';
import { createLifecycleWorker } from '../../../workers/lifecycle';
import { CONFIG_DIR, hrEvent } from '../../helpers/lifecycle-stack';
import { createTestEnv, type TemporalTestEnv } from '../../helpers/temporal-env';

jest.setTimeout(120_000);

let env: TemporalTestEnv;
let scim: ScimClients;

beforeAll(async () => {
  env = await createTestEnv({ timeSkipping: false });
  scim = new ScimClients({ logger: silent() });
});
afterAll(async () => {
  await scim?.close();
  await env?.teardown();
});

function silent() {
  return createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
}

/** A hire effective in a month: the person's workflow waits on its timer, open for queries. */
async function waitingEmployee(workflowStackTraces: boolean | undefined) {
  const config = await loadConfig(CONFIG_DIR);
  const taskQueue = `jml-test-stack-${randomUUID()}`;
  const worker: Worker = await createLifecycleWorker({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue,
    activities: createActivities({ config: () => config, scim, logger: silent() }),
    ...(workflowStackTraces === undefined ? {} : { workflowStackTraces }),
  });
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
