/**
 * Groups by identity, end to end on the embedded engine, against a Slack stand-in that keeps
 * groups the way some third-party servers do (`lax-groups`: names not unique, a member added
 * twice listed twice, 204 for a PATCH that changes nothing) and where the connector may create
 * groups. Assertions are on what the app holds, what the timeline says, and what was alerted.
 */
import type { PolicyConfig } from '../../lib/config/types';
import type { QuirkProfileInput } from '../../scim-server';
import { startAlertReceiver, type AlertReceiver } from '../helpers/alert-receiver';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(180_000);

const LAX: QuirkProfileInput = { base: 'lax-groups', userDelete: 'deactivate' };

describe('groups by identity on an app without unique group names', () => {
  let stack: LifecycleStack;
  let hook: AlertReceiver;
  let seq = 0;
  const next = () => ++seq;
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
  const slack = () => stack.apps.apps.slack!.server;
  const userId = (employeeId: string) =>
    slack()
      .users()
      .find((u) => u.externalId === employeeId)?.id;
  const named = (name: string) =>
    slack()
      .groups()
      .filter((g) => g.displayName === name);
  /** Every group listing the person, once per listing (a duplicate member shows twice). */
  const listings = (employeeId: string) => {
    const id = userId(employeeId);
    return slack()
      .groups()
      .flatMap((g) => (g.members ?? []).filter((m) => m.value === id).map(() => g.displayName))
      .sort();
  };

  beforeAll(async () => {
    hook = await startAlertReceiver();
    const policy = (p: PolicyConfig): PolicyConfig => ({
      ...p,
      notifications: { webhookUrl: hook.url },
      access: {
        rules: [
          ...p.access.rules,
          { name: 'test-department-group', when: {}, grant: [{ app: 'slack', groups: ['dept-{{department}}'] }] },
        ],
      },
    });
    stack = await startLifecycleStack({
      policy,
      connector: (c) => (c.id === 'slack' ? { ...c, groups: { ...c.groups, create: true } } : c),
      serverOptions: (app) => (app === 'slack' ? { profile: LAX, rateLimit: null } : {}),
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await hook?.close();
  });
  afterEach(() => slack().setProfile(LAX));

  async function hire(employeeId: string, department: string) {
    await stack.send(
      hrEvent(
        'hire',
        { employeeId, department },
        { eventId: `${employeeId}-hire-${next()}`, effectiveAt: await now(), sequence: seq },
      ),
    );
  }
  const timeline = async (employeeId: string) => (await stack.timeline(employeeId)) ?? [];
  const slackAccount = async (employeeId: string) =>
    (await stack.status(employeeId)).accounts.find((a) => a.app === 'slack');
  const idle = (
    employeeId: string,
    check: (s: Awaited<ReturnType<LifecycleStack['status']>>) => boolean = () => true,
    maxMs?: number,
  ) => stack.waitFor(employeeId, (s) => s.stage === 'idle' && check(s), maxMs);

  it('concurrent joiners into one department end with one group, each member listed once, its id remembered', async () => {
    const people = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6'];
    await Promise.all(people.map((p) => hire(p, 'Sales')));
    for (const p of people) await idle(p, (s) => s.accounts.find((a) => a.app === 'slack')?.state === 'active');
    expect(named('dept-Sales')).toHaveLength(1);
    expect(named('all-staff')).toHaveLength(1);
    const sales = named('dept-Sales')[0]!;
    expect((sales.members ?? []).map((m) => m.value).sort()).toEqual(people.map(userId).sort());
    for (const p of people) {
      expect(listings(p)).toEqual(['all-staff', 'announcements', 'dept-Sales']);
      expect((await slackAccount(p))?.groupIds).toMatchObject({
        'dept-Sales': sales.id,
        'all-staff': named('all-staff')[0]!.id,
      });
    }
  });

  it('a mover leaves the group it joined, by id, although another group now has that name; the removal is confirmed', async () => {
    await hire('M1', 'Ops');
    await idle('M1', (s) => s.accounts.find((a) => a.app === 'slack')?.state === 'active');
    const original = named('dept-Ops')[0]!;
    const impostor = slack().seedGroup({ displayName: 'dept-Ops' });
    await stack.send(
      hrEvent(
        'update',
        { employeeId: 'M1', department: 'Finance' },
        { eventId: 'M1-move', effectiveAt: await now(), sequence: next() },
      ),
    );
    const status = await idle(
      'M1',
      (s) => s.accounts.find((a) => a.app === 'slack')?.groups.includes('dept-Finance') === true,
    );
    expect(listings('M1')).toEqual(['all-staff', 'announcements', 'dept-Finance']);
    expect(status.accounts.find((a) => a.app === 'slack')?.groupIds?.['dept-Ops']).toBeUndefined();
    const removed = (await timeline('M1')).filter((t) => t.kind === 'group-removed');
    expect(removed).toEqual([
      expect.objectContaining({ app: 'slack', group: 'dept-Ops', groupId: original.id, lifecycle: 'mover' }),
    ]);
    expect(impostor.id).not.toBe(original.id);
  });

  it('a removal the app acknowledges but does not perform is never claimed; once the app performs it, it is recorded', async () => {
    await hire('U1', 'Support');
    await idle('U1', (s) => s.accounts.find((a) => a.app === 'slack')?.state === 'active');
    slack().setProfile({ ...LAX, memberRemoval: 'ignored' });
    await stack.send(
      hrEvent(
        'update',
        { employeeId: 'U1', department: 'Research' },
        { eventId: 'U1-move', effectiveAt: await now(), sequence: next() },
      ),
    );
    await stack.env.sleep(5 * 60_000);
    const during = await stack.status('U1');
    expect(during.accounts.find((a) => a.app === 'slack')?.groups).toContain('dept-Support');
    expect(listings('U1')).toContain('dept-Support');
    expect((await timeline('U1')).some((t) => t.kind === 'group-removed')).toBe(false);
    const attempts = slack().requests.filter((r) => r.method === 'PATCH' && r.path.includes('/Groups/')).length;
    expect(attempts).toBeGreaterThan(2);

    slack().setProfile(LAX);
    const after = await idle(
      'U1',
      (s) => s.accounts.find((a) => a.app === 'slack')?.groups.includes('dept-Research') === true,
    );
    expect(after.accounts.find((a) => a.app === 'slack')?.groups).not.toContain('dept-Support');
    expect(listings('U1')).toEqual(['all-staff', 'announcements', 'dept-Research']);
    const removed = (await timeline('U1')).filter((t) => t.kind === 'group-removed');
    expect(removed.map((t) => t.group)).toEqual(['dept-Support']);
  });

  it('a leaver is deactivated and ends with no memberships; each removal is a timeline step', async () => {
    await hire('L1', 'Sales');
    await idle('L1', (s) => s.accounts.find((a) => a.app === 'slack')?.state === 'active');
    expect(listings('L1')).toEqual(['all-staff', 'announcements', 'dept-Sales']);
    await stack.send(
      hrEvent('terminate', { employeeId: 'L1' }, { eventId: 'L1-term', effectiveAt: await now(), sequence: next() }),
    );
    const status = await idle('L1', (s) => s.accounts.every((a) => a.state !== 'active'));
    expect(
      slack()
        .users()
        .find((u) => u.externalId === 'L1')?.active,
    ).toBe(false);
    expect(listings('L1')).toEqual([]);
    expect(status.accounts.find((a) => a.app === 'slack')?.groups).toEqual([]);
    const removed = (await timeline('L1')).filter((t) => t.kind === 'group-removed' && t.app === 'slack');
    expect(removed.map((t) => t.group).sort()).toEqual(['all-staff', 'announcements', 'dept-Sales']);
    expect(removed.every((t) => t.lifecycle === 'leaver' && t.eventId === 'L1-term')).toBe(true);
  });

  it('a leaver whose group removals the app does not perform: deactivated, and the memberships left are alerted and need an operator', async () => {
    await hire('L2', 'Treasury');
    await idle('L2', (s) => s.accounts.find((a) => a.app === 'slack')?.state === 'active');
    slack().setProfile({ ...LAX, memberRemoval: 'ignored' });
    await stack.send(
      hrEvent('terminate', { employeeId: 'L2' }, { eventId: 'L2-term', effectiveAt: await now(), sequence: next() }),
    );
    const status = await idle('L2', (s) => s.accounts.every((a) => a.state !== 'active'));
    expect(
      slack()
        .users()
        .find((u) => u.externalId === 'L2')?.active,
    ).toBe(false);
    expect(listings('L2')).toEqual(['all-staff', 'announcements', 'dept-Treasury']);
    const attention = (status.needsOperator ?? []).filter((n) => n.app === 'slack' && n.eventId === 'L2-term');
    expect(attention).toHaveLength(1);
    expect(attention[0]!.reason).toMatch(/still lists L2 in all-staff .*announcements .*dept-Treasury/);
    const alerted = await hook.waitFor((a) => a.kind === 'groups-not-removed' && a.employeeId === 'L2');
    expect(alerted[0]).toMatchObject({ app: 'slack', eventId: 'L2-term', lifecycle: 'leaver' });
    // A leaver whose removals are confirmed raises no such alert (the case above this one).
    expect(hook.alerts.some((a) => a.kind === 'groups-not-removed' && a.employeeId === 'L1')).toBe(false);
  });

  it("a leaver's memberships the app would not remove are tried again at the leaver's recheck; once gone, the operator entry is settled", async () => {
    await hire('L3', 'Finance');
    await idle('L3', (s) => s.accounts.find((a) => a.app === 'slack')?.state === 'active');
    slack().setProfile({ ...LAX, memberRemoval: 'ignored' });
    await stack.send(
      hrEvent('terminate', { employeeId: 'L3' }, { eventId: 'L3-term', effectiveAt: await now(), sequence: next() }),
    );
    const left = await idle('L3', (s) => s.accounts.every((a) => a.state !== 'active'));
    expect(listings('L3')).toEqual(['all-staff', 'announcements', 'dept-Finance']);
    expect(left.accounts.find((a) => a.app === 'slack')?.groups.sort()).toEqual([
      'all-staff',
      'announcements',
      'dept-Finance',
    ]);
    const asked = (s: typeof left) =>
      (s.needsOperator ?? []).filter((n) => n.app === 'slack' && n.eventId === 'L3-term');
    expect(asked(left)).toHaveLength(1);
    await hook.waitFor((a) => a.kind === 'groups-not-removed' && a.employeeId === 'L3');

    // The app removes members again (the storm is over); the recheck is due 10 minutes after the leaver.
    slack().setProfile(LAX);
    await stack.env.sleep(11 * 60_000);
    const after = await idle(
      'L3',
      (s) => (s.pendingRechecks ?? []).length === 0 && s.accounts.find((a) => a.app === 'slack')?.groups.length === 0,
      60_000,
    );
    expect(listings('L3')).toEqual([]);
    expect(asked(after)).toEqual([]);
    const entries = (await timeline('L3')).filter((t) => t.eventId === 'L3-term' && t.app === 'slack');
    expect(
      entries
        .filter((t) => t.kind === 'group-removed')
        .map((t) => t.group)
        .sort(),
    ).toEqual(['all-staff', 'announcements', 'dept-Finance']);
    expect(entries.find((t) => t.kind === 'leaver-rechecked')?.detail).toMatch(
      /^still inactive; -all-staff \(confirmed by .*-dept-Finance \(confirmed /,
    );
    // The alert went out once, at the leaver; the recheck's success raises none.
    expect(hook.alerts.filter((a) => a.kind === 'groups-not-removed' && a.employeeId === 'L3')).toHaveLength(1);
    expect(
      slack()
        .users()
        .find((u) => u.externalId === 'L3')?.active,
    ).toBe(false);
  });

  it('a re-hire adds only memberships the person does not already have (no duplicates where the app allows them)', async () => {
    stack.config.policy.leaver.removeGroupMemberships = false;
    try {
      await hire('R1', 'Sales');
      await idle('R1', (s) => s.accounts.find((a) => a.app === 'slack')?.state === 'active');
      await stack.send(
        hrEvent('terminate', { employeeId: 'R1' }, { eventId: 'R1-term', effectiveAt: await now(), sequence: next() }),
      );
      await idle('R1', (s) => s.accounts.every((a) => a.state !== 'active'));
      // Memberships kept by the leaver (policy off): the re-hire must not add them a second time.
      expect(listings('R1')).toEqual(['all-staff', 'announcements', 'dept-Sales']);
      await stack.send(
        hrEvent(
          'rehire',
          { employeeId: 'R1', department: 'Sales' },
          { eventId: 'R1-rehire', effectiveAt: await now(), sequence: next() },
        ),
      );
      await idle('R1', (s) => s.accounts.every((a) => a.state === 'active'));
      expect(listings('R1')).toEqual(['all-staff', 'announcements', 'dept-Sales']);
    } finally {
      stack.config.policy.leaver.removeGroupMemberships = true;
    }
  });

  it('several groups already share the granted name: no guess — the app fails, alerted and shown in status', async () => {
    const a = slack().seedGroup({ displayName: 'dept-Legal' });
    const b = slack().seedGroup({ displayName: 'dept-Legal' });
    await hire('D1', 'Legal');
    const status = await idle('D1', (s) => s.accounts.find((x) => x.app === 'slack')?.state === 'failed');
    const account = status.accounts.find((x) => x.app === 'slack')!;
    expect(account.lastError).toMatchObject({ type: 'SCIM_GROUP_AMBIGUOUS', nonRetryable: true });
    expect(account.lastError?.message).toContain('"dept-Legal"');
    expect(status.failedApps).toContain('slack');
    expect(listings('D1')).not.toContain('dept-Legal');
    for (const g of [a, b])
      expect(
        slack()
          .groups()
          .find((x) => x.id === g.id)?.members ?? [],
      ).toEqual([]);
    const alert = hook.alerts.find((x) => x.kind === 'app-failed' && x.employeeId === 'D1' && x.app === 'slack');
    expect(String(alert?.message)).toContain('dept-Legal');
  });

  it('a joiner step that failed after adding some groups: the leaver removes them too', async () => {
    // D1's joiner created the account and added all-staff and announcements, then failed on dept-Legal.
    expect(listings('D1')).toEqual(['all-staff', 'announcements']);
    await stack.send(
      hrEvent('terminate', { employeeId: 'D1' }, { eventId: 'D1-term', effectiveAt: await now(), sequence: next() }),
    );
    await idle('D1', (s) => s.accounts.every((a) => a.state !== 'active' && a.state !== 'failed'));
    expect(
      slack()
        .users()
        .find((u) => u.externalId === 'D1')?.active,
    ).toBe(false);
    expect(listings('D1')).toEqual([]);
  });
});
