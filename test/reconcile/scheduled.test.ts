/**
 * Scheduled reconciliation end to end on the embedded engine with time skipping: the
 * `reconcile-<app>` workflows started the way the worker starts them (idempotently), a leaver
 * re-enabled by hand in a reference app deactivated by the next round without any operator, the
 * run in the audit store and the alert delivered; a run triggered by the `runReconciliation`
 * Update (a second one at the same time refused); a failing reconciliation activity recorded
 * and alerted while the schedule goes on (across continue-as-new).
 */
import { ApplicationFailure } from '@temporalio/common';
import { AuditStore } from '../../lib/audit';
import type { PolicyConfig } from '../../lib/config/types';
import { ScimClients } from '../../lib/scim';
import { createLogger } from '../../lib/logger';
import {
  reconciliationStatusQuery,
  reconciliationWorkflowId,
  type ReconciliationStatus,
} from '../../lib/temporal/contract';
import {
  ReconciliationRejectedError,
  runReconciliationNow,
  startReconciliationWorkflows,
} from '../../lib/temporal/reconciliation-client';
import { run as reconcileCommand } from '../../cli/commands/reconcile';
import { startWorkerRuntime } from '../../workers/lifecycle';
import { TEST_AUDIT_KEY } from '../helpers/audit-targets';
import { startAlertReceiver, type AlertReceiver } from '../helpers/alert-receiver';
import { runCli } from '../helpers/cli';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(240_000);

const DAY = 86_400_000;

describe('scheduled reconciliation', () => {
  let stack: LifecycleStack;
  let store: AuditStore;
  let scim: ScimClients;
  let hook: AlertReceiver;
  let failReconcile = false;
  let firstRunId = '';
  let seq = 0;
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
  const status = (app: string): Promise<ReconciliationStatus> =>
    stack.env.client.workflow.getHandle(reconciliationWorkflowId(app)).query(reconciliationStatusQuery);
  /** Lets virtual time pass in small steps until round `n` of `app` has finished. */
  const untilRound = async (app: string, n: number): Promise<ReconciliationStatus> => {
    let last: ReconciliationStatus | undefined;
    for (let i = 0; i < 200; i++) {
      last = await status(app);
      if (last.round >= n && !last.running) return last;
      await stack.env.sleep(5_000);
    }
    throw new Error(`round ${n} of ${app} not finished; last status ${JSON.stringify(last)}`);
  };

  beforeAll(async () => {
    hook = await startAlertReceiver();
    store = await AuditStore.open({ key: TEST_AUDIT_KEY });
    const policy = (p: PolicyConfig): PolicyConfig => ({
      ...p,
      access: { rules: p.access.rules.filter((r) => r.grant.every((g) => g.app !== 'canva')) },
      notifications: { webhookUrl: hook.url },
      // The leaver's own recheck would find the leaver re-enabled by hand first; here the schedule must.
      leaver: { ...p.leaver, recheckAfterMs: 0 },
    });
    stack = await startLifecycleStack({
      policy,
      auditStore: store,
      wrapActivities: (real) => ({
        ...real,
        reconcileApp: async (input) => {
          if (failReconcile)
            throw ApplicationFailure.create({ type: 'TEST_OUTAGE', message: 'people could not be listed' });
          return real.reconcileApp(input);
        },
      }),
    });
    scim = new ScimClients({ logger: createLogger({ level: 'silent' }) });
    for (const id of ['S1', 'S2']) {
      await stack.send(
        hrEvent(
          'hire',
          { employeeId: id, department: 'Engineering' },
          { eventId: `${id}-hire`, effectiveAt: await now(), sequence: ++seq },
        ),
      );
      await stack.waitFor(
        id,
        (s) => s.stage === 'idle' && s.accounts.length === 2 && s.accounts.every((a) => a.state === 'active'),
      );
    }
    await stack.send(
      hrEvent('terminate', { employeeId: 'S2' }, { eventId: 'S2-term', effectiveAt: await now(), sequence: ++seq }),
    );
    await stack.waitFor('S2', (s) => s.stage === 'idle' && s.accounts.every((a) => a.state !== 'active'));
  });
  afterAll(async () => {
    await scim?.close();
    await stack?.stop();
    await store?.close();
    await hook?.close();
  });

  it('starts one schedule per app, idempotently', async () => {
    const options = {
      taskQueue: stack.taskQueue,
      apps: ['github', 'slack'],
      everyMs: stack.config.policy.reconciliation.everyMs,
      roundsPerRun: 2,
    };
    expect(stack.config.policy.reconciliation.everyMs).toBe(DAY);
    expect(await startReconciliationWorkflows(stack.env.client, options)).toEqual({ started: ['github', 'slack'] });
    // A second worker start (or a restart) leaves the running schedules alone.
    expect(await startReconciliationWorkflows(stack.env.client, options)).toEqual({ started: [] });
    expect((await status('slack')).round).toBe(0);
    firstRunId = (await stack.env.client.workflow.getHandle(reconciliationWorkflowId('slack')).describe()).runId;
  });

  it('deactivates a leaver re-enabled by hand at the next round, records the run and alerts, with no operator', async () => {
    const slackServer = stack.apps.apps.slack!.server;
    const leaver = slackServer.users().find((u) => u.externalId === 'S2')!;
    await scim.get(stack.config.connectors.slack!).reactivateUser(leaver.id!);
    expect(slackServer.users().find((u) => u.id === leaver.id)!.active).toBe(true);

    await stack.env.sleep(DAY);
    const after = await untilRound('slack', 1);
    expect(slackServer.users().find((u) => u.id === leaver.id)!.active).toBe(false);
    expect(after.lastRun).toEqual(
      expect.objectContaining({
        round: 1,
        trigger: 'schedule',
        findings: { 'active-leaver': 1 },
        activeLeavers: [{ employeeId: 'S2', scimId: leaver.id, repaired: 'yes' }],
      }),
    );
    expect(after.lastRun!.error).toBeUndefined();
    await untilRound('github', 1);

    const records = await store.records({ kind: 'reconciliation' });
    const slackRecord = records.find((r) => r.employeeId === reconciliationWorkflowId('slack'))!;
    expect(slackRecord.data).toEqual(
      expect.objectContaining({
        app: 'slack',
        round: 1,
        trigger: 'schedule',
        findings: { 'active-leaver': 1 },
        details: [expect.objectContaining({ kind: 'active-leaver', employeeId: 'S2', repaired: 'yes' })],
      }),
    );
    // Kinds and ids, never a person's attribute values.
    expect(JSON.stringify(slackRecord.data)).not.toContain('s2@example.com');
    expect(records.find((r) => r.employeeId === reconciliationWorkflowId('github'))!.data).toEqual(
      expect.objectContaining({ app: 'github', findings: {} }),
    );

    const alert = hook.alerts.find((a) => a.kind === 'active-leaver' && a.app === 'slack');
    expect(alert).toEqual(expect.objectContaining({ employeeId: 'S2', workflowId: reconciliationWorkflowId('slack') }));
    expect(String(alert!.message)).toContain('deactivated');
    // No findings, no alert.
    expect(hook.alerts.filter((a) => a.app === 'github')).toEqual([]);
  });

  it('runs now when an operator asks, and refuses a second run while one is in progress', async () => {
    const before = await status('slack');
    const results = await Promise.allSettled([
      runReconciliationNow(stack.env.client, 'slack', 'ops@example.com'),
      runReconciliationNow(stack.env.client, 'slack', 'ops@example.com'),
    ]);
    const done = results
      .filter((r) => r.status === 'fulfilled')
      .map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof runReconciliationNow>>>).value);
    const refused = results
      .filter((r) => r.status === 'rejected')
      .map((r) => (r as PromiseRejectedResult).reason as Error);
    expect(done).toEqual([
      expect.objectContaining({
        app: 'slack',
        round: before.round + 1,
        trigger: 'operator',
        requestedBy: 'ops@example.com',
        findings: {},
      }),
    ]);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(ReconciliationRejectedError);
    expect(refused[0]!.message).toContain('already running');
    expect(
      (await store.records({ kind: 'reconciliation' }))
        .filter((r) => r.employeeId === 'reconcile-slack')
        .map((r) => (r.data as { trigger: string }).trigger),
    ).toEqual(['schedule', 'operator']);
  });

  it('records and alerts a failed run, keeps running (across continue-as-new) and succeeds the next round', async () => {
    const handle = stack.env.client.workflow.getHandle(reconciliationWorkflowId('slack'));
    const round = (await status('slack')).round;
    // Two rounds per run here: after the second the history was handed over, the rounds go on counting.
    expect(round).toBe(2);
    expect((await handle.describe()).runId).not.toBe(firstRunId);
    failReconcile = true;
    await stack.env.sleep(DAY);
    const failed = await untilRound('slack', round + 1);
    expect(failed.lastRun).toEqual(expect.objectContaining({ round: round + 1, trigger: 'schedule', findings: {} }));
    expect(failed.lastRun!.error).toContain('people could not be listed');
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(hook.alerts.find((a) => a.kind === 'reconciliation' && String(a.message).includes('failed'))).toBeDefined();

    failReconcile = false;
    await stack.env.sleep(DAY);
    const recovered = await untilRound('slack', round + 2);
    expect(recovered.lastRun!.error).toBeUndefined();
    expect((await handle.describe()).status.name).toBe('RUNNING');
  });

  it('jml reconcile --schedule-now --app APP runs it and prints the run; an app without a schedule is exit 2', async () => {
    const before = (await status('slack')).round;
    const run = await runCli(stack.env, reconcileCommand, ['--schedule-now', '--app', 'slack', '--format', 'json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toEqual(
      expect.objectContaining({ app: 'slack', round: before + 1, trigger: 'operator', findings: {} }),
    );
    const none = await runCli(stack.env, reconcileCommand, ['--schedule-now', '--app', 'canva']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('no scheduled reconciliation of "canva"');
    await expect(runCli(stack.env, reconcileCommand, ['--schedule-now'])).rejects.toThrow('exactly one --app');
  });

  it('a worker started with its Temporal settings starts the schedules it lacks and leaves running ones alone', async () => {
    const slackRunId = (await stack.env.client.workflow.getHandle(reconciliationWorkflowId('slack')).describe()).runId;
    const logger = createLogger({ level: 'silent' });
    const runtime = await startWorkerRuntime({
      config: stack.config,
      connection: stack.env.nativeConnection,
      namespace: stack.env.namespace,
      // A second worker process (the SDK allows one worker per queue and connection).
      taskQueue: `${stack.taskQueue}-2`,
      logger,
      temporal: { address: stack.env.address, namespace: stack.env.namespace, taskQueue: `${stack.taskQueue}-2` },
    });
    try {
      let canva: ReconciliationStatus | undefined;
      for (let i = 0; i < 50 && !canva; i++) {
        canva = await status('canva').catch(() => undefined);
        if (!canva) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(canva).toEqual(expect.objectContaining({ app: 'canva', round: 0, everyMs: DAY, running: false }));
      expect((await stack.env.client.workflow.getHandle(reconciliationWorkflowId('slack')).describe()).runId).toBe(
        slackRunId,
      );
    } finally {
      await runtime.stop();
    }
  });
});
