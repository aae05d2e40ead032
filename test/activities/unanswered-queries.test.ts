/**
 * Activities that query workflows, when the workflow cannot answer: its worker has stopped, so
 * nobody polls its task queue and the query would wait forever (as it does while the caller's
 * own worker shuts down).
 *
 * - The mass-change guard's `guardSettings` gives up on a `reconcile-<app>` count after its
 *   deadline: a count it knew keeps applying, an unknown one leaves only `maxCount`, and the
 *   guard's status says which. A worker shutting down while the activity waits on such a query
 *   finishes its shutdown instead of waiting for it.
 * - Listing everyone's status (reconciliation, roster inference) fails within its deadline
 *   instead of hanging — and fails rather than return a list missing the person.
 * - The operator commands (`jml app status`, `jml employee status`, `jml reconcile
 *   --schedule-now`, run as processes) give up after their deadline and say in one line to
 *   check that a worker runs.
 *
 * Real embedded engine (no time skipping: the deadline is wall-clock), the real bundled
 * workflows and the real activities.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Writable } from 'node:stream';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createGuardSettingsActivity } from '../../activities/guard';
import { loadConfig } from '../../lib/config';
import type { LoadedConfig } from '../../lib/config/types';
import { createLogger } from '../../lib/logger';
import { ScimClients } from '../../lib/scim';
import { MASS_CHANGE_GUARD_WORKFLOW_ID, reconciliationStatusQuery } from '../../lib/temporal/contract';
import { massChangeGuardStatus, startMassChangeGuard } from '../../lib/temporal/guard-client';
import { TemporalDeadlineError } from '../../lib/temporal/deadline';
import { deliverHrEvent, listEmployeeStatuses } from '../../lib/temporal/employee-client';
import { startReconciliationWorkflows } from '../../lib/temporal/reconciliation-client';
import { startAppHealthWorkflows } from '../../lib/temporal/app-client';
import { createLifecycleWorker } from '../../workers/lifecycle';
import { CONFIG_DIR, hrEvent } from '../helpers/lifecycle-stack';
import { createTestEnv, type TemporalTestEnv } from '../helpers/temporal-env';

jest.setTimeout(120_000);

const silent = () => createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });

describe('queries nobody answers', () => {
  let env: TemporalTestEnv;
  let config: LoadedConfig;
  let scim: ScimClients;
  /** The queue of `reconcile-slack`, whose worker has stopped: its queries are never answered. */
  const deadQueue = `jml-test-stopped-${randomUUID()}`;

  const worker = async (taskQueue: string, options: { readTimeoutMs?: number } = {}) => {
    const logger = silent();
    const activities = createActivities({ config: () => config, scim, logger, temporal: env.client });
    if (options.readTimeoutMs !== undefined)
      activities.guardSettings = createGuardSettingsActivity({
        config: () => config,
        temporal: env.client,
        logger,
        readTimeoutMs: options.readTimeoutMs,
      });
    // Shutdown waits as long as it takes: what ends it must be the activity finishing, not a forced stop.
    const w: Worker = await createLifecycleWorker({
      connection: env.nativeConnection,
      namespace: env.namespace,
      taskQueue,
      activities,
      shutdownGraceTime: '10 minutes',
      shutdownForceTime: '11 minutes',
    });
    return { worker: w, running: w.run() };
  };

  beforeAll(async () => {
    config = await loadConfig(CONFIG_DIR);
    scim = new ScimClients({ logger: silent() });
    env = await createTestEnv({ timeSkipping: false });
    // reconcile-slack runs on a worker that then stops: the workflow is open, its queries go unanswered.
    const first = await worker(deadQueue);
    await startReconciliationWorkflows(env.client, { taskQueue: deadQueue, apps: ['slack'], everyMs: 3_600_000 });
    await startAppHealthWorkflows(env.client, { taskQueue: deadQueue, apps: ['slack'], probeEveryMs: 3_600_000 });
    const status = await env.client.workflow.getHandle('reconcile-slack').query(reconciliationStatusQuery);
    expect(status.app).toBe('slack');
    first.worker.shutdown();
    await first.running;
    // A person whose workflow is started on that queue after its worker stopped: nobody answers for them either.
    await deliverHrEvent(env.client, deadQueue, hrEvent('hire', { employeeId: 'Q1' }, { eventId: 'Q1-hire' }));
  });

  afterAll(async () => {
    await scim?.close();
    await env?.teardown();
  });

  it('answers within its deadline: a known count keeps applying, an unknown one leaves only maxCount', async () => {
    const logged: { msg?: string; apps?: string[] }[] = [];
    const logger = createLogger({
      level: 'warn',
      destination: new Writable({
        write: (chunk: Buffer, _e, done) => done(void logged.push(JSON.parse(chunk.toString()) as never)),
      }),
    });
    const settings = createGuardSettingsActivity({
      config: () => config,
      temporal: env.client,
      logger,
      readTimeoutMs: 500,
    });

    const unknown = await settings();
    expect(unknown.accounts).toEqual({});
    expect(unknown.apps).toEqual(['canva', 'github', 'slack']);
    expect(unknown.accountNotes?.slack).toMatch(/reconcile-slack did not answer within 0\.5 s.*only maxCount/);
    // No schedule at all is an answer, not a failure to read: no count to keep.
    expect(unknown.accountNotes?.github).toMatch(/no reconciliation schedule \(reconcile-github\)/);
    // The worker's log warns of the count it could not ask for; an app without a schedule is no news.
    expect(logged.map((l) => [l.msg, l.apps])).toEqual([
      [expect.stringContaining('mass-change guard: account counts not read'), ['slack']],
    ]);

    const kept = await settings({ known: { slack: 40, github: 12 } });
    expect(kept.accounts).toEqual({ slack: 40 });
    expect(kept.accountNotes?.slack).toMatch(/did not answer within 0\.5 s.*the last known count \(40\) applies/);
    expect(kept.accountNotes?.github).toMatch(/no reconciliation schedule/);
    expect(kept.policy).toEqual(config.policy.guard);
  });

  it('a worker shutting down while the guard reads the counts finishes its shutdown, and the guard runs on', async () => {
    const taskQueue = `jml-test-${randomUUID()}`;
    const { worker: w, running } = await worker(taskQueue, { readTimeoutMs: 2_000 });
    await startMassChangeGuard(env.client, taskQueue);
    const guard = env.client.workflow.getHandle(MASS_CHANGE_GUARD_WORKFLOW_ID);
    // The guard's first task schedules guardSettings; wait until a worker has it in hand.
    for (let i = 0; ; i++) {
      const pending = (await guard.describe()).raw.pendingActivities ?? [];
      if (pending.some((a) => a.activityType?.name === 'guardSettings' && a.state === 2 /* STARTED */)) break;
      if (i > 200) throw new Error('guardSettings never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    w.shutdown();
    await running; // before the deadline, this waited for the unanswered query (shutdownForceTime)

    // The next worker answers the guard's status: slack's percent limit is off, and the status says why.
    const next = await worker(taskQueue, { readTimeoutMs: 2_000 });
    try {
      let slack;
      for (let i = 0; i < 200 && !slack?.accountsNote; i++) {
        slack = (await massChangeGuardStatus(env.client)).apps.find((a) => a.app === 'slack');
        if (!slack?.accountsNote) await new Promise((r) => setTimeout(r, 100));
      }
      expect(slack?.accountsNote).toMatch(/reconcile-slack did not answer within 2 s.*only maxCount/);
      expect(slack?.limit).toBe(config.policy.guard.maxCount);
    } finally {
      await guard.terminate('test over').catch(() => undefined);
      next.worker.shutdown();
      await next.running;
    }
  });

  it("listing everyone's status fails within its deadline rather than hang or leave the person out", async () => {
    // employee-Q1 is on the stopped worker's queue: listed by visibility, its query never answered.
    const listing = listEmployeeStatuses(env.client, { queryTimeoutMs: 500 });
    if (env.engine) await expect(listing).rejects.toThrow(TemporalDeadlineError);
    await expect(listing).rejects.toThrow(/employee-Q1/);
  });

  it.each([
    ['app status', ['app', 'status', 'slack'], 1],
    ['employee status', ['employee', 'status', 'Q1'], 1],
    // Exit 1 means findings for reconcile; an error is 2. The run itself is not bounded, only its acceptance.
    ['reconcile --schedule-now', ['reconcile', '--schedule-now', '--app', 'slack'], 2],
  ])('jml %s gives up after its deadline and says to check the worker', async (_name, args, code) => {
    const jml = promisify(execFile)(process.execPath, [path.join(__dirname, '../../bin/jml.js'), ...args], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_NAMESPACE: env.namespace,
        JML_CLI_ANSWER_TIMEOUT_MS: '1000',
      },
      timeout: 90_000,
    });
    const failed = (await jml.then(
      () => undefined,
      (e: unknown) => e,
    )) as { code: number; stderr: string; killed?: boolean } | undefined;
    expect(failed?.killed).toBeFalsy();
    expect(failed?.code).toBe(code);
    const lines = failed!.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/no answer within 1 s: workflows answer only while a worker runs .*is one running\?/);
  });
});
