/**
 * A mover's grace period (`mover.revokeGrace`, 24 h in the shipped policy) across a second
 * event inside it, end to end on the embedded engine with time skipping against the reference
 * apps: moving back re-grants the app (its pending revocation is withdrawn), moving on does not
 * extend the first grace period, and a termination revokes everything at once.
 *
 * Shipped rules: Engineering gets Slack and GitHub, Marketing gets Slack and Canva, Sales Slack.
 */
import type { EmployeeStatus } from '../../lib/temporal/contract';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(180_000);

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

describe('mover grace period across later events', () => {
  let stack: LifecycleStack;
  let seq = 0;
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();

  beforeAll(async () => {
    stack = await startLifecycleStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const stateOf = (s: EmployeeStatus, app: string) => s.accounts.find((a) => a.app === app)?.state;
  const activeIn = (app: string, employeeId: string) =>
    stack.apps.apps[app]!.server.users().find((u) => u.externalId === employeeId)?.active;

  async function send(type: 'hire' | 'update' | 'terminate', employeeId: string, department: string, tag: string) {
    await stack.send(
      hrEvent(
        type,
        { employeeId, department },
        { eventId: `${employeeId}-${tag}`, effectiveAt: await now(), sequence: ++seq },
      ),
    );
  }

  async function hireInEngineering(employeeId: string) {
    await send('hire', employeeId, 'Engineering', 'hire');
    return stack.waitFor(
      employeeId,
      (s) => s.stage === 'idle' && stateOf(s, 'slack') === 'active' && stateOf(s, 'github') === 'active',
    );
  }

  /** Waits until `eventId`'s run is done (its milestone is on the timeline). */
  async function settled(employeeId: string, eventId: string) {
    await stack.waitFor(
      employeeId,
      (s) => s.stage === 'idle' && (s.recentEvents ?? []).some((e) => e.eventId === eventId),
    );
    for (let i = 0; i < 60; i++) {
      const timeline = (await stack.timeline(employeeId)) ?? [];
      if (timeline.some((t) => t.kind === 'lifecycle-completed' && t.eventId === eventId)) return;
      await stack.env.sleep(1_000);
    }
    throw new Error(`${eventId} did not complete`);
  }

  async function revocationRuns(employeeId: string) {
    const timeline = (await stack.timeline(employeeId)) ?? [];
    return timeline.filter((t) => t.kind === 'lifecycle-started' && t.lifecycle === 'revocation').map((t) => t.eventId);
  }

  it('A→B→A within the grace period: the app granted again is kept after the first grace period ends', async () => {
    await hireInEngineering('G1');
    await send('update', 'G1', 'Marketing', 'to-marketing');
    await settled('G1', 'G1-to-marketing');
    const moved = await stack.status('G1');
    expect((moved.pendingRevocations ?? []).map((r) => r.app)).toEqual(['github']);
    expect(stateOf(moved, 'canva')).toBe('active');

    await stack.env.sleep(2 * HOUR);
    await send('update', 'G1', 'Engineering', 'back-to-engineering');
    await settled('G1', 'G1-back-to-engineering');
    const back = await stack.status('G1');
    // GitHub is granted again: nothing to revoke there; Canva is now the app on its grace period.
    expect((back.pendingRevocations ?? []).map((r) => r.app)).toEqual(['canva']);

    // Past the first move's grace period (24 h after it), GitHub must still be active.
    await stack.env.sleep(DAY - HOUR);
    const mid = await stack.status('G1');
    expect(stateOf(mid, 'github')).toBe('active');
    expect(activeIn('github', 'G1')).toBe(true);

    // Canva goes 24 h after the move back.
    const after = await stack.waitFor('G1', (s) => stateOf(s, 'canva') === 'deactivated', 2 * DAY);
    expect(activeIn('canva', 'G1')).toBe(false);
    expect(stateOf(after, 'github')).toBe('active');
    expect(activeIn('github', 'G1')).toBe(true);
    expect(stateOf(after, 'slack')).toBe('active');
    expect(after.pendingRevocations).toEqual([]);
    expect(await revocationRuns('G1')).toEqual(['G1-back-to-engineering']);
  });

  it('A→B→C within the grace period: the first app goes when its own grace period ends, not later', async () => {
    await hireInEngineering('G2');
    await send('update', 'G2', 'Marketing', 'to-marketing');
    await settled('G2', 'G2-to-marketing');
    const firstMoveAt = await stack.env.currentTimeMs();

    await stack.env.sleep(2 * HOUR);
    await send('update', 'G2', 'Sales', 'to-sales');
    await settled('G2', 'G2-to-sales');
    const moved = await stack.status('G2');
    // GitHub keeps the first move's due time; Canva, lost now, gets its own.
    const due = Object.fromEntries((moved.pendingRevocations ?? []).map((r) => [r.app, r]));
    expect(Object.keys(due).sort()).toEqual(['canva', 'github']);
    expect(due.github!.eventId).toBe('G2-to-marketing');
    expect(due.github!.revokeAtMs).toBeLessThanOrEqual(firstMoveAt + DAY);
    expect(due.canva!.eventId).toBe('G2-to-sales');

    const githubGone = await stack.waitFor('G2', (s) => stateOf(s, 'github') === 'deactivated', 2 * DAY);
    expect(await stack.env.currentTimeMs()).toBeLessThan(firstMoveAt + DAY + 2 * HOUR);
    expect(stateOf(githubGone, 'canva')).toBe('active');
    expect(activeIn('github', 'G2')).toBe(false);

    const after = await stack.waitFor('G2', (s) => stateOf(s, 'canva') === 'deactivated', 2 * DAY);
    expect(activeIn('canva', 'G2')).toBe(false);
    expect(stateOf(after, 'slack')).toBe('active');
    expect(after.pendingRevocations).toEqual([]);
    // One deferred revocation per lost app: GitHub is not revoked a second time.
    expect(await revocationRuns('G2')).toEqual(['G2-to-marketing', 'G2-to-sales']);
  });

  it('a termination during the grace period revokes everything at once, the app on its grace period included', async () => {
    await hireInEngineering('G3');
    await send('update', 'G3', 'Marketing', 'to-marketing');
    await settled('G3', 'G3-to-marketing');
    await stack.env.sleep(HOUR);

    await send('terminate', 'G3', 'Marketing', 'term');
    const terminatedAt = await stack.env.currentTimeMs();
    const gone = await stack.waitFor(
      'G3',
      (s) => s.stage === 'idle' && s.accounts.length === 3 && s.accounts.every((a) => a.state === 'deactivated'),
      15 * 60_000,
    );
    expect(await stack.env.currentTimeMs()).toBeLessThan(terminatedAt + 15 * 60_000);
    expect(['slack', 'github', 'canva'].map((app) => activeIn(app, 'G3'))).toEqual([false, false, false]);
    // Nothing is left to revoke later.
    expect(gone.pendingRevocations).toEqual([]);

    // After the grace period no revocation run starts for the deactivated account.
    await stack.env.sleep(DAY);
    const later = await stack.status('G3');
    expect(later.accounts.every((a) => a.state === 'deactivated' || a.state === 'deleted')).toBe(true);
    expect(await revocationRuns('G3')).toEqual([]);
  });
});
