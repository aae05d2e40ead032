/**
 * The embedded engine under the real, unchanged SDK: activities with retries, a 30-day timer
 * skipped, signals and queries, a child workflow, continue-as-new, and replay of a history the
 * engine wrote.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createTestEnv, type TemporalTestEnv } from '../helpers/temporal-env';

jest.setTimeout(60_000);

describe('embedded engine with the real SDK', () => {
  let env: TemporalTestEnv;
  let bundle: WorkflowBundleWithSourceMap;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `engine-smoke-${randomUUID()}`;
  const attempts = new Map<string, number>();

  beforeAll(async () => {
    env = await createTestEnv({ timeSkipping: true });
    bundle = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'workflows', 'basic.ts'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace,
      taskQueue,
      workflowBundle: bundle,
      activities: {
        echo: async (s: string) => `echo: ${s}`,
        flaky: async (n: number) => {
          const { Context } = await import('@temporalio/activity');
          const id = Context.current().info.workflowExecution?.workflowId ?? '';
          const seen = (attempts.get(id) ?? 0) + 1;
          attempts.set(id, seen);
          if (seen < n) throw ApplicationFailure.retryable(`attempt ${seen} fails`, 'Flaky');
          return seen;
        },
      },
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  const start = (name: string, args: unknown[]) =>
    env.client.workflow.start(name, { taskQueue, workflowId: `${name}-${randomUUID()}`, args });

  it('runs an activity', async () => {
    const handle = await start('echoWorkflow', ['hi']);
    await expect(handle.result()).resolves.toBe('echo: hi');
  });

  it('skips a 30-day timer', async () => {
    const before = await env.currentTimeMs();
    const handle = await start('longTimer', [30]);
    await expect(handle.result()).resolves.toBe('woke');
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(30 * 24 * 3600_000);
  });

  it('delivers signals and answers queries on open and closed workflows', async () => {
    const handle = await start('signalsAndQuery', [3]);
    for (const n of [1, 2, 3]) await handle.signal('bump', n);
    await expect(handle.result()).resolves.toBe(6);
    await expect(handle.query('total')).resolves.toBe(6);
  });

  it('retries a failing activity with backoff', async () => {
    const handle = await start('retrying', []);
    await expect(handle.result()).resolves.toBe(3);
  });

  it('runs a child workflow', async () => {
    const handle = await start('parent', []);
    await expect(handle.result()).resolves.toBe('parent got echo: from child');
  });

  it('follows continue-as-new to the last run', async () => {
    const handle = await start('looping', [2]);
    await expect(handle.result()).resolves.toBe('done after continue-as-new');
  });

  it('writes histories that replay cleanly', async () => {
    const handle = await start('parent', []);
    await handle.result();
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, handle.workflowId);
  });
});
