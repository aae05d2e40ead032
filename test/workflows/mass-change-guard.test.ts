/**
 * The mass-change guard end to end on the embedded engine with time skipping, against the
 * reference apps: a roster-like burst of inferred terminations (40 % of the people) passes the
 * per-app limit, one alert per app goes out, nothing past the limit is deactivated until an
 * operator approves, then everything proceeds; HR terminations in the same window are never held
 * (they count); an HR termination of a held person cuts the hold short; deletions over the limit
 * wait for an approval too; a guard that was terminated blocks no HR termination and is started
 * again by the next request.
 */
import type { PolicyConfig } from '../../lib/config/types';
import { MASS_CHANGE_GUARD_WORKFLOW_ID, type EmployeeStatus, type HrEventDelivery } from '../../lib/temporal/contract';
import {
  approveApp,
  ApproveRejectedError,
  massChangeGuardStatus,
  startMassChangeGuard,
} from '../../lib/temporal/guard-client';
import { createGuardSettingsActivity } from '../../activities/guard';
import { run as appCommand } from '../../cli/commands/app';
import { runReconciliationNow, startReconciliationWorkflows } from '../../lib/temporal/reconciliation-client';
import { startAlertReceiver, type AlertReceiver } from '../helpers/alert-receiver';
import { runCli, type CliRun } from '../helpers/cli';
import { recordHistory } from '../helpers/histories';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(300_000);

const DAY = 86_400_000;
const APPS = ['github', 'slack'];

/** Runs `jml app …` against the stack's engine; the exit code and what it printed. */
async function jmlApp(stack: LifecycleStack, args: string[]): Promise<CliRun> {
  return runCli(stack.env, appCommand, args);
}

describe('mass-change guard', () => {
  let stack: LifecycleStack;
  let hook: AlertReceiver;
  let seq = 0;
  const people = Array.from({ length: 10 }, (_, i) => `G${i + 1}`);
  const inferred = ['G1', 'G2', 'G3', 'G4']; // 40 % missing from the roster
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
  const active = (app: string, id: string) =>
    stack.apps.apps[app]!.server.users().find((u) => u.externalId === id)?.active;
  const exists = (app: string, id: string) => stack.apps.apps[app]!.server.users().some((u) => u.externalId === id);
  const heldAlerts = (app: string) => hook.alerts.filter((a) => a.kind === 'mass-change-held' && a.app === app);
  const hrTerminate = async (id: string) =>
    stack.send(
      hrEvent('terminate', { employeeId: id }, { eventId: `${id}-term`, effectiveAt: await now(), sequence: ++seq }),
    );
  const inferTerminate = async (id: string, rosterId: string) => {
    const event: HrEventDelivery = {
      ...hrEvent(
        'terminate',
        { employeeId: id },
        { eventId: `roster-${rosterId}-${id}`, effectiveAt: await now(), sequence: ++seq },
      ),
      inferredFrom: { rosterId },
    };
    await stack.send(event);
  };
  /** Lets virtual time pass until `check` holds. */
  const until = async (what: string, check: () => boolean | Promise<boolean>, steps = 60, stepMs = 5_000) => {
    for (let i = 0; i < steps; i++) {
      if (await check()) return;
      await stack.env.sleep(stepMs);
    }
    const guard = await massChangeGuardStatus(stack.env.client).catch((e: unknown) => String(e));
    throw new Error(
      `not reached: ${what}; guard: ${JSON.stringify(guard)}; github: ${JSON.stringify(stack.apps.apps.github!.server.users().map((u) => [u.externalId, u.active]))}; G1: ${JSON.stringify(await stack.status('G1'))}`,
    );
  };
  const allInactive = (s: EmployeeStatus) =>
    s.stage === 'idle' && s.accounts.length === 2 && s.accounts.every((a) => a.state === 'deactivated');

  beforeAll(async () => {
    hook = await startAlertReceiver();
    const policy = (p: PolicyConfig): PolicyConfig => ({
      ...p,
      retention: { defaultMs: DAY, perAppMs: {} },
      guard: { windowMs: 3_600_000, maxCount: 3, holdHrTerminations: false, allApps: {}, apps: {} },
      notifications: { webhookUrl: hook.url },
    });
    stack = await startLifecycleStack({ policy });
    expect(await startMassChangeGuard(stack.env.client, stack.taskQueue)).toBe(true);
    expect(await startMassChangeGuard(stack.env.client, stack.taskQueue)).toBe(false);
    for (const id of people) {
      await stack.send(
        hrEvent(
          'hire',
          { employeeId: id, department: 'Engineering' },
          { eventId: `${id}-hire`, effectiveAt: await now(), sequence: ++seq },
        ),
      );
    }
    for (const id of people)
      await stack.waitFor(
        id,
        (s) => s.stage === 'idle' && s.accounts.length === 2 && s.accounts.every((a) => a.state === 'active'),
      );
  });
  afterAll(async () => {
    await stack?.stop();
    await hook?.close();
  });

  it('holds a roster burst past the limit, never an HR termination, and lets it proceed on approval', async () => {
    // An HR termination first: deactivated at once, and counted (1 of 3 per app).
    await hrTerminate('G9');
    await stack.waitFor('G9', allInactive);
    await until('G9 counted', async () =>
      (await massChangeGuardStatus(stack.env.client)).apps
        .filter((a) => APPS.includes(a.app))
        .every((a) => a.count === 1),
    );

    for (const id of inferred) await inferTerminate(id, 'R1');
    // Per app: two more fit under the limit of 3, the other two wait.
    await until('two held per app', async () => {
      const g = await massChangeGuardStatus(stack.env.client);
      return APPS.every((app) => g.apps.find((a) => a.app === app)!.held.length === 2);
    });
    await stack.env.sleep(60_000);
    for (const app of APPS) {
      expect(inferred.filter((id) => active(app, id) === false)).toHaveLength(2);
      expect(inferred.filter((id) => active(app, id) === true)).toHaveLength(2);
      expect(heldAlerts(app)).toHaveLength(1);
      expect(String(heldAlerts(app)[0]!.message)).toContain(`jml app approve ${app}`);
      expect(heldAlerts(app)[0]!.workflowId).toBe(MASS_CHANGE_GUARD_WORKFLOW_ID);
    }
    const guard = await massChangeGuardStatus(stack.env.client);
    const slack = guard.apps.find((a) => a.app === 'slack')!;
    expect(slack).toEqual(
      expect.objectContaining({
        count: 3,
        limit: 3,
        windowMs: 3_600_000,
        heldReason: expect.stringContaining('limit 3'),
      }),
    );
    expect(slack.held.map((h) => h.cause)).toEqual(['inferred-termination', 'inferred-termination']);

    // The held people show it in their status, with the reason.
    const heldPeople = [...new Set(guard.apps.flatMap((a) => a.held.map((h) => h.employeeId)))].sort();
    for (const id of heldPeople) {
      const s = await stack.status(id);
      expect(s.stage).toBe('leaver');
      expect(s.heldByGuard).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            eventId: `roster-R1-${id}`,
            action: 'deactivate',
            reason: expect.stringContaining('jml app approve'),
          }),
        ]),
      );
    }

    // HR terminations in the same window are never held (and they count).
    await hrTerminate('G10');
    await stack.waitFor('G10', allInactive, 10 * 60_000);
    // An HR termination of a held person cuts the hold short: HR's word never waits.
    const overruled = heldPeople[0]!;
    await hrTerminate(overruled);
    await stack.waitFor(overruled, (s) => allInactive(s) && !s.heldByGuard, 10 * 60_000);
    await until('withdrawn from the guard', async () =>
      (await massChangeGuardStatus(stack.env.client)).apps.every((a) =>
        a.held.every((h) => h.employeeId !== overruled),
      ),
    );
    const stillHeld = inferred.filter((id) => id !== overruled && APPS.some((app) => active(app, id)));
    expect(stillHeld.length).toBeGreaterThan(0);
    await stack.env.sleep(30 * 60_000);
    expect(inferred.filter((id) => id !== overruled && APPS.some((app) => active(app, id)))).toEqual(stillHeld);

    // `jml app status` shows the window and what is held.
    const shown = await jmlApp(stack, ['status']);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('mass-change guard (window 1h');
    expect(shown.out).toMatch(/slack\s+\d+\s+3\s+/);
    expect(shown.out).toContain('approve with: jml app approve slack');
    // Approval releases what is held for that app only: slack through the CLI, github through the client.
    const counts: Record<string, number> = {};
    for (const app of APPS)
      counts[app] = (await massChangeGuardStatus(stack.env.client)).apps.find((a) => a.app === app)!.held.length;
    const approved = await jmlApp(stack, ['approve', 'slack', '--by', 'ops@example.com']);
    expect(approved).toEqual(expect.objectContaining({ code: 0, err: '' }));
    expect(approved.out).toContain(`slack: approved by ops@example.com: ${counts.slack} held`);
    const again = await jmlApp(stack, ['approve', 'slack']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('jml app approve slack: refused: nothing is held for slack');
    expect((await massChangeGuardStatus(stack.env.client)).apps.find((a) => a.app === 'github')!.held).toHaveLength(
      counts.github!,
    );
    const result = await approveApp(stack.env.client, 'github', 'ops@example.com');
    expect(result).toEqual(
      expect.objectContaining({ app: 'github', released: counts.github, approvedBy: 'ops@example.com' }),
    );
    await expect(approveApp(stack.env.client, 'github')).rejects.toThrow(ApproveRejectedError);
    await expect(approveApp(stack.env.client, 'github')).rejects.toThrow('nothing is held for github');
    for (const id of inferred) await stack.waitFor(id, (s) => allInactive(s) && !s.heldByGuard, 10 * 60_000);
    for (const app of APPS) expect(inferred.every((id) => active(app, id) === false)).toBe(true);
    const after = await massChangeGuardStatus(stack.env.client);
    for (const app of APPS)
      expect(after.apps.find((a) => a.app === app)!.lastApproval).toEqual(
        expect.objectContaining({ by: 'ops@example.com', released: counts[app] }),
      );
    // One alert per hold episode.
    for (const app of APPS) expect(heldAlerts(app)).toHaveLength(1);
    // Histories of the new paths: the guard itself, a leaver held and released, a leaver that reported.
    const released = stillHeld[0]!;
    await recordHistory(stack.env.client, MASS_CHANGE_GUARD_WORKFLOW_ID, 'mass-change-guard');
    await recordHistory(
      stack.env.client,
      `leaver-${released}-roster-R1-${released}`,
      `leaver-${released}-inferred-mass-change-guard`,
    );
    await recordHistory(stack.env.client, 'leaver-G10-G10-term', 'leaver-G10-G10-term-mass-change-guard');
  });

  it('a guard that is gone blocks no HR termination, and the next request starts it again', async () => {
    await stack.env.client.workflow.getHandle(MASS_CHANGE_GUARD_WORKFLOW_ID).terminate('test: guard gone');
    await hrTerminate('G8');
    await stack.waitFor('G8', allInactive, 10 * 60_000);
    await inferTerminate('G7', 'R2');
    await stack.waitFor('G7', allInactive, 10 * 60_000);
    const guard = await massChangeGuardStatus(stack.env.client);
    // A fresh window: only G7's permits were counted (G8's report reached no guard).
    expect(guard.apps.filter((a) => APPS.includes(a.app)).map((a) => a.count)).toEqual([1, 1]);
  });

  it('holds deletions past the limit until approved', async () => {
    // github deletes for real after the retention (1 day here; the window is empty by then); slack only
    // deactivates. Three fit under the limit, the other five wait.
    const deactivated = ['G1', 'G2', 'G3', 'G4', 'G7', 'G8', 'G9', 'G10'];
    await stack.env.sleep(DAY);
    await until(
      'github deletions held',
      async () => {
        const github = (await massChangeGuardStatus(stack.env.client)).apps.find((a) => a.app === 'github')!;
        return github.held.length === deactivated.length - 3;
      },
      120,
    );
    expect(deactivated.filter((id) => !exists('github', id))).toHaveLength(3);
    const github = (await massChangeGuardStatus(stack.env.client)).apps.find((a) => a.app === 'github')!;
    expect(github.held.every((h) => h.action === 'delete' && h.cause === 'deletion')).toBe(true);
    expect(heldAlerts('github')).toHaveLength(2);
    const waiting = github.held[0]!.employeeId;
    expect((await stack.status(waiting)).heldByGuard).toEqual([
      expect.objectContaining({ app: 'github', action: 'delete' }),
    ]);

    // A re-hire of a person whose deletion is held does not wait behind the hold: it cancels it.
    await stack.send(
      hrEvent(
        'rehire',
        { employeeId: waiting, department: 'Engineering' },
        { eventId: `${waiting}-rehire`, effectiveAt: await now(), sequence: ++seq },
      ),
    );
    const back = await stack.waitFor(
      waiting,
      (s) => s.stage === 'idle' && s.accounts.length === 2 && s.accounts.every((a) => a.state === 'active'),
      10 * 60_000,
    );
    expect(back.pendingDeletion).toEqual([]);
    expect(back.heldByGuard).toBeUndefined();
    expect(active('github', waiting)).toBe(true);
    await until('withdrawn', async () =>
      (await massChangeGuardStatus(stack.env.client)).apps
        .find((a) => a.app === 'github')!
        .held.every((h) => h.employeeId !== waiting),
    );

    const result = await approveApp(stack.env.client, 'github', 'ops@example.com');
    expect(result.released).toBe(deactivated.length - 4);
    const gone = deactivated.filter((id) => id !== waiting);
    await until('all deleted', () => gone.every((id) => !exists('github', id)), 120);
    expect(active('github', waiting)).toBe(true);
    for (const id of gone) expect(exists('slack', id)).toBe(true);
    const deleted = gone.find((id) => id.startsWith('G1'))!;
    const eventOf = (id: string) =>
      id === 'G7' ? 'roster-R2-G7' : inferred.includes(id) ? `roster-R1-${id}` : `${id}-term`;
    await recordHistory(
      stack.env.client,
      `deletion-${deleted}-${eventOf(deleted)}`,
      `deletion-${deleted}-mass-change-guard`,
    );
  });

  it("learns each app's account count from its last reconciliation scan; unknown without one", async () => {
    const settings = createGuardSettingsActivity({ config: () => stack.config, temporal: stack.env.client });
    expect((await settings()).accounts).toEqual({});
    await startReconciliationWorkflows(stack.env.client, {
      taskQueue: stack.taskQueue,
      apps: ['slack'],
      everyMs: stack.config.policy.reconciliation.everyMs,
    });
    const run = await runReconciliationNow(stack.env.client, 'slack');
    expect(run.scanned?.users).toBeGreaterThan(0);
    const learned = await settings();
    expect(learned.accounts).toEqual({ slack: run.scanned!.users });
    expect(learned.apps).toEqual(['canva', 'github', 'slack']);
    expect(learned.policy).toEqual(stack.config.policy.guard);
  });
});
