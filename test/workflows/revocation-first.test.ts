/**
 * The revocation invariant under adversarial conditions, end to end on the embedded engine
 * against reference SCIM apps: for every termination, every app ends inactive within the SLA,
 * or an alert has gone out and `status` shows exactly what failed. Nothing in front of
 * revocation (a dead audit store, a broken alert webhook), no termination dropped silently,
 * no implausible ordering value making later terminations stale.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuditStore, type AppendInput } from '../../lib/audit';
import type { PolicyConfig } from '../../lib/config/types';
import type { EmployeeStatus } from '../../lib/temporal/contract';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';
import { TEST_AUDIT_KEY } from '../helpers/audit-targets';

jest.setTimeout(180_000);

const MINUTE = 60_000;
const LEAVER_SLA_MS = 15 * MINUTE;

/** An alert webhook whose answer the test sets (204, 404, 500). */
async function alertWebhook(): Promise<{
  server: Server;
  url: string;
  delivered: Record<string, unknown>[];
  answered: number[];
  status: { code: number };
}> {
  const delivered: Record<string, unknown>[] = [];
  const answered: number[] = [];
  const status = { code: 204 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      answered.push(status.code);
      if (status.code < 300) delivered.push(JSON.parse(body) as Record<string, unknown>);
      res.statusCode = status.code;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    delivered,
    answered,
    status,
  };
}

/**
 * The real PGlite audit store, except that every milestone write is refused the way PostgreSQL
 * refuses a string it cannot store (22P05) — an HR string with U+0000 used to do exactly this to
 * every write of a person's milestones. SCIM request records still go through.
 */
function milestonesRefused(store: AuditStore): AuditStore {
  const refusing = Object.create(store) as AuditStore;
  refusing.append = async (input: AppendInput) => {
    if (input.kind === 'milestone')
      throw Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' });
    return store.append(input);
  };
  refusing.appendAll = async (inputs: AppendInput[]) => {
    if (inputs.some((i) => i.kind === 'milestone'))
      throw Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' });
    return store.appendAll(inputs);
  };
  return refusing;
}

const userIn = (stack: LifecycleStack, app: string, employeeId: string) =>
  stack.apps.apps[app]!.server.users().find((u) => u.externalId === employeeId);
const allInactive = (stack: LifecycleStack, employeeId: string) =>
  ['slack', 'github'].every((app) => userIn(stack, app, employeeId)?.active === false);

describe('revocation first', () => {
  let stack: LifecycleStack;
  let store: AuditStore;
  let hook: Awaited<ReturnType<typeof alertWebhook>>;
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();

  beforeAll(async () => {
    hook = await alertWebhook();
    store = await AuditStore.open({ key: TEST_AUDIT_KEY });
    const policy = (p: PolicyConfig): PolicyConfig => ({ ...p, notifications: { webhookUrl: hook.url } });
    stack = await startLifecycleStack({ policy, auditStore: milestonesRefused(store) });
  });
  afterAll(async () => {
    await stack?.stop();
    await store?.close();
    hook?.server.close();
  });
  beforeEach(() => {
    hook.status.code = 204;
  });

  it('deactivates every app within the SLA while the audit store refuses every milestone, and says so', async () => {
    await stack.send(
      hrEvent(
        'hire',
        { employeeId: 'AU1' },
        { eventId: 'AU1-hire', effectiveAt: await now(), sequence: 1, initiator: 'hr\u0000bot' },
      ),
    );
    await stack.waitFor(
      'AU1',
      (s) => s.stage === 'idle' && s.accounts.filter((a) => a.state === 'active').length === 2,
    );
    const terminatedAtMs = await stack.env.currentTimeMs();
    await stack.send(
      hrEvent(
        'terminate',
        { employeeId: 'AU1' },
        { eventId: 'AU1-term', effectiveAt: new Date(terminatedAtMs).toISOString(), sequence: 2 },
      ),
    );

    const done = await stack.waitFor(
      'AU1',
      (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'),
      LEAVER_SLA_MS,
    );
    expect(await stack.env.currentTimeMs()).toBeLessThanOrEqual(terminatedAtMs + LEAVER_SLA_MS);
    expect(allInactive(stack, 'AU1')).toBe(true);
    const timeline = (await stack.timeline('AU1'))!;
    expect(timeline.find((t) => t.kind === 'lifecycle-completed' && t.eventId === 'AU1-term')).toMatchObject({
      slaBreached: false,
    });
    expect(timeline.some((t) => t.kind === 'sla-breached')).toBe(false);

    // The failure is loud: status shows the store failing and what is not yet in it; an alert went out.
    expect(done.audit).toMatchObject({
      state: 'failing',
      lastError: expect.stringContaining('unsupported Unicode escape sequence'),
    });
    expect(done.audit!.unaudited).toBeGreaterThan(0);
    expect(timeline.some((t) => t.kind === 'audit-failed')).toBe(true);
    await stack.waitFor('AU1', (s) => (s.undeliveredAlerts ?? []).length === 0, 5 * MINUTE);
    expect(hook.delivered.filter((a) => a.kind === 'audit-failed' && a.employeeId === 'AU1')).toHaveLength(1);
    // The SCIM requests themselves were recorded: evidence of the deactivations exists.
    const requests = (await store.records({ employeeId: 'AU1' })).filter((r) => r.kind === 'scim-request');
    expect(requests.some((r) => (r.data as { operation?: string }).operation === 'deactivate-user')).toBe(true);
  });

  it('keeps the employee workflow and its state when the alert webhook answers 404 and then 500', async () => {
    hook.status.code = 404;
    await stack.send(
      hrEvent('hire', { employeeId: 'AW1' }, { eventId: 'AW1-hire', effectiveAt: await now(), sequence: 1 }),
    );
    await stack.waitFor('AW1', (s) => s.stage === 'idle' && s.accounts.length === 2);
    await stack.env.client.workflow
      .getHandle('employee-AW1')
      .signal('placeLegalHold', { caseId: 'LIT-1', reason: 'litigation' });

    const github = stack.apps.apps.github!.server;
    github.setFaults({ rate5xx: 1, methods: ['PATCH'] });
    await stack.send(
      hrEvent('terminate', { employeeId: 'AW1' }, { eventId: 'AW1-term', effectiveAt: await now(), sequence: 2 }),
    );
    await stack.waitFor('AW1', () => userIn(stack, 'slack', 'AW1')?.active === false);
    // The SLA passes while GitHub answers 503: the breach alert meets a 404 and is not delivered.
    await stack.env.sleep(LEAVER_SLA_MS + 5 * MINUTE);
    expect(hook.answered).toContain(404);
    hook.status.code = 500;
    github.setFaults({});

    const after = await stack.waitFor(
      'AW1',
      (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'),
      4 * 60 * MINUTE,
    );
    expect(allInactive(stack, 'AW1')).toBe(true);
    expect(after.legalHold).toMatchObject({ caseId: 'LIT-1' });
    expect(after.pendingDeletion.map((d) => d.app)).toEqual(['github']);
    // (This stack's audit store refuses milestones, so an audit-failed alert waits here too.)
    expect(after.undeliveredAlerts!.filter((a) => a.kind !== 'audit-failed')).toEqual([
      expect.objectContaining({ kind: 'sla-breached', lastError: expect.stringMatching(/HTTP (404|500)/) }),
    ]);
    const timeline = (await stack.timeline('AW1'))!;
    expect(timeline.filter((t) => t.kind === 'alert-failed').length).toBeGreaterThanOrEqual(2);
    expect(timeline.find((t) => t.kind === 'deletion-held')).toMatchObject({
      eventId: 'AW1-term',
      app: 'github',
      detail: 'held: case LIT-1',
    });

    // A later event is still processed by the same workflow, and the alert finally goes out.
    await stack.send(
      hrEvent('rehire', { employeeId: 'AW1' }, { eventId: 'AW1-rehire', effectiveAt: await now(), sequence: 3 }),
    );
    await stack.waitFor('AW1', (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'active'));
    hook.status.code = 204;
    const delivered = await stack.waitFor('AW1', (s) => (s.undeliveredAlerts ?? []).length === 0, 2 * 60 * MINUTE);
    expect(
      hook.delivered.some((a) => a.kind === 'sla-breached' && a.employeeId === 'AW1' && a.eventId === 'AW1-term'),
    ).toBe(true);
    expect(delivered.pendingDeletion).toEqual([]);
    const cancelled = (await stack.timeline('AW1'))!.find((t) => t.kind === 'deletion-cancelled');
    expect(cancelled).toMatchObject({
      eventId: 'AW1-term',
      app: 'github',
      detail: expect.stringContaining('cancelled by re-hire AW1-rehire'),
    });
  });

  it('does not let a hire dated 9999-12-31 with sequence 2^53-1 make a later real termination stale', async () => {
    await stack.send(
      hrEvent(
        'hire',
        { employeeId: 'OR1' },
        {
          eventId: 'OR1-hire',
          effectiveAt: await now(),
          occurredAt: '9999-12-31T00:00:00Z',
          sequence: Number.MAX_SAFE_INTEGER,
        },
      ),
    );
    const hired = await stack.waitFor('OR1', (s) => s.stage === 'idle' && s.accounts.length === 2);
    expect(hired.recentEvents).toEqual([
      expect.objectContaining({
        eventId: 'OR1-hire',
        verdict: 'accepted',
        reason: expect.stringMatching(/occurredAt 9999-12-31.*sequence 9007199254740991/),
      }),
    ]);
    await stack.send(
      hrEvent(
        'terminate',
        { employeeId: 'OR1' },
        { eventId: 'OR1-term', effectiveAt: await now(), occurredAt: await now(), sequence: 2 },
      ),
    );
    const status = await stack.waitFor(
      'OR1',
      (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'),
      LEAVER_SLA_MS,
    );
    expect(allInactive(stack, 'OR1')).toBe(true);
    expect(status.recentEvents!.at(-1)).toMatchObject({ eventId: 'OR1-term', verdict: 'accepted' });
  });

  it('shows, alerts and asks an operator about a stale termination that loses to a newer hire', async () => {
    await stack.send(
      hrEvent('hire', { employeeId: 'ST1' }, { eventId: 'ST1-hire', effectiveAt: await now(), sequence: 5 }),
    );
    await stack.waitFor('ST1', (s) => s.stage === 'idle' && s.accounts.length === 2);
    await stack.send(
      hrEvent('terminate', { employeeId: 'ST1' }, { eventId: 'ST1-old-term', effectiveAt: await now(), sequence: 3 }),
    );
    const status = await stack.waitFor('ST1', (s) => (s.recentEvents ?? []).some((e) => e.eventId === 'ST1-old-term'));
    expect(status.recentEvents!.find((e) => e.eventId === 'ST1-old-term')).toMatchObject({
      verdict: 'stale',
      type: 'terminate',
    });
    expect(status.needsOperator).toEqual([
      expect.objectContaining({ eventId: 'ST1-old-term', reason: expect.stringContaining('judged stale') }),
    ]);
    await stack.waitFor('ST1', (s) => (s.undeliveredAlerts ?? []).length === 0);
    expect(hook.delivered.find((a) => a.kind === 'event-rejected' && a.eventId === 'ST1-old-term')?.message).toMatch(
      /HR's newer record says active/,
    );
    expect((await stack.timeline('ST1'))!.find((t) => t.kind === 'event-stale')).toMatchObject({
      eventId: 'ST1-old-term',
      eventType: 'terminate',
    });
  });

  it('a leaver run that fails as a whole leaves the workflow standing, and a repeated termination finishes it', async () => {
    await stack.send(
      hrEvent('hire', { employeeId: 'RT1' }, { eventId: 'RT1-hire', effectiveAt: await now(), sequence: 1 }),
    );
    await stack.waitFor('RT1', (s) => s.stage === 'idle' && s.accounts.length === 2);
    await stack.env.client.workflow.getHandle('employee-RT1').signal('placeLegalHold', { caseId: 'LIT-2' });
    const github = stack.apps.apps.github!.server;
    github.setFaults({ rate5xx: 1, methods: ['PATCH'] });
    await stack.send(
      hrEvent('terminate', { employeeId: 'RT1' }, { eventId: 'RT1-term', effectiveAt: await now(), sequence: 2 }),
    );
    await stack.waitFor('RT1', () => userIn(stack, 'slack', 'RT1')?.active === false);
    // The leaver run dies (terminated by hand, a timeout, a bug): its result is lost.
    await stack.env.client.workflow.getHandle('leaver-RT1-RT1-term').terminate('operator mistake');
    const failed = await stack.waitFor('RT1', (s) => s.stage === 'idle' && s.failedApps.length === 2);
    expect(failed.legalHold).toMatchObject({ caseId: 'LIT-2' });
    expect(failed.needsOperator).toEqual([
      expect.objectContaining({
        eventId: 'RT1-term',
        lifecycle: 'leaver',
        reason: expect.stringContaining('failed as a whole'),
      }),
    ]);
    await stack.waitFor('RT1', (s) => (s.undeliveredAlerts ?? []).length === 0);
    expect(hook.delivered.some((a) => a.kind === 'lifecycle-failed' && a.eventId === 'RT1-term')).toBe(true);
    github.setFaults({});

    // HR (or the intake's retry) sends the same termination again: a duplicate, yet not a no-op.
    await stack.send(
      hrEvent('terminate', { employeeId: 'RT1' }, { eventId: 'RT1-term', effectiveAt: await now(), sequence: 2 }),
    );
    const status = await stack.waitFor(
      'RT1',
      (s: EmployeeStatus) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'),
      LEAVER_SLA_MS,
    );
    expect(allInactive(stack, 'RT1')).toBe(true);
    expect(status.recentEvents!.filter((e) => e.eventId === 'RT1-term').map((e) => e.verdict)).toEqual([
      'accepted',
      'duplicate',
    ]);
    expect(status.needsOperator).toEqual([]);
    await stack.waitFor('RT1', (s) => (s.undeliveredAlerts ?? []).length === 0);
    expect(hook.delivered.find((a) => a.kind === 'event-rejected' && a.eventId === 'RT1-term')?.message).toMatch(
      /deactivating what is still live: github, slack/,
    );
  });

  it('a termination cuts short a joiner stuck on a failing app, and the leaver revokes what it created', async () => {
    const github = stack.apps.apps.github!.server;
    github.setFaults({ rate5xx: 1, methods: ['POST'] });
    await stack.send(
      hrEvent('hire', { employeeId: 'PE1' }, { eventId: 'PE1-hire', effectiveAt: await now(), sequence: 1 }),
    );
    // Slack is provisioned; GitHub answers 503 and the joiner would keep retrying for hours.
    await stack.waitFor('PE1', () => userIn(stack, 'slack', 'PE1')?.active === true);
    const terminatedAtMs = await stack.env.currentTimeMs();
    await stack.send(
      hrEvent(
        'terminate',
        { employeeId: 'PE1' },
        { eventId: 'PE1-term', effectiveAt: new Date(terminatedAtMs).toISOString(), sequence: 2 },
      ),
    );
    const status = await stack.waitFor(
      'PE1',
      (s) => s.stage === 'idle' && s.accounts.length === 2 && s.accounts.every((a) => a.state === 'deactivated'),
      LEAVER_SLA_MS,
    );
    github.setFaults({});
    expect(await stack.env.currentTimeMs()).toBeLessThanOrEqual(terminatedAtMs + LEAVER_SLA_MS);
    expect(userIn(stack, 'slack', 'PE1')?.active).toBe(false);
    expect(userIn(stack, 'github', 'PE1')?.active ?? false).toBe(false);
    expect(status.failedApps).toEqual([]);
    const timeline = (await stack.timeline('PE1'))!;
    const hire = timeline.filter((t) => t.eventId === 'PE1-hire');
    const cutShort = hire.find((t) => t.kind === 'lifecycle-failed' && t.lifecycle === 'joiner');
    if (cutShort) {
      // The usual order: the cancel finds GitHub's step between attempts and the joiner stops.
      expect(cutShort.detail).toBe('cut short by termination PE1-term');
    } else {
      // The cancel reached GitHub's step while an attempt was in flight: that attempt's 503 ends
      // the step (a server does not retry an activity whose cancellation was asked for), so the
      // joiner finishes with a result instead of being cancelled — and says exactly what it did.
      expect(hire).toContainEqual(
        expect.objectContaining({ kind: 'lifecycle-completed', lifecycle: 'joiner', detail: '1 ok, 1 failed' }),
      );
      expect(hire).toContainEqual(expect.objectContaining({ kind: 'app-failed', app: 'github', action: 'failed' }));
    }
    // Either way no record claims an account GitHub never created, and the leaver made its SLA.
    expect(hire.filter((t) => t.app === 'github' && t.kind === 'app-succeeded')).toEqual([]);
    expect(timeline.find((t) => t.kind === 'lifecycle-completed' && t.eventId === 'PE1-term')).toMatchObject({
      slaBreached: false,
    });
  });

  it('a repeated future-dated termination is noted as already scheduled, not sent to an operator, and still fires', async () => {
    await stack.send(
      hrEvent('hire', { employeeId: 'FD1' }, { eventId: 'FD1-hire', effectiveAt: await now(), sequence: 1 }),
    );
    await stack.waitFor('FD1', (s) => s.stage === 'idle' && s.accounts.length === 2);
    const friday = new Date((await stack.env.currentTimeMs()) + 2 * 60 * MINUTE).toISOString();
    const term = hrEvent('terminate', { employeeId: 'FD1' }, { eventId: 'FD1-term', effectiveAt: friday, sequence: 2 });
    await stack.send(term);
    await stack.send(term);
    const waiting = await stack.waitFor('FD1', (s) => (s.recentEvents ?? []).length === 3);
    expect(waiting.recentEvents!.map((e) => e.verdict)).toEqual(['accepted', 'accepted', 'duplicate']);
    expect(waiting.needsOperator).toEqual([]);
    expect(waiting.pendingEvents.map((p) => p.eventId)).toEqual(['FD1-term']);
    await stack.waitFor('FD1', (s) => (s.undeliveredAlerts ?? []).length === 0);
    expect(hook.delivered.find((a) => a.kind === 'event-rejected' && a.eventId === 'FD1-term')?.message).toMatch(
      /already scheduled for/,
    );
    await stack.waitFor(
      'FD1',
      (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'),
      3 * 60 * MINUTE,
    );
    expect(allInactive(stack, 'FD1')).toBe(true);
  });
});

describe('revocation first, when the policy cannot be read', () => {
  let stack: LifecycleStack;
  const planning = { broken: false };
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();

  beforeAll(async () => {
    stack = await startLifecycleStack({
      wrapActivities: (real) => ({
        ...real,
        planLifecycle: async (input) => {
          if (planning.broken)
            throw Object.assign(new Error('config/policy.yaml: unreadable (EACCES)'), { name: 'ConfigError' });
          return real.planLifecycle(input);
        },
      }),
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('deactivates every app under the default SLA, schedules no deletion, and asks for an operator', async () => {
    await stack.send(
      hrEvent('hire', { employeeId: 'PL1' }, { eventId: 'PL1-hire', effectiveAt: await now(), sequence: 1 }),
    );
    await stack.waitFor('PL1', (s) => s.stage === 'idle' && s.accounts.length === 2);
    planning.broken = true;
    const terminatedAtMs = await stack.env.currentTimeMs();
    await stack.send(
      hrEvent(
        'terminate',
        { employeeId: 'PL1' },
        { eventId: 'PL1-term', effectiveAt: new Date(terminatedAtMs).toISOString(), sequence: 2 },
      ),
    );
    const status = await stack.waitFor(
      'PL1',
      (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'),
      LEAVER_SLA_MS,
    );
    expect(await stack.env.currentTimeMs()).toBeLessThanOrEqual(terminatedAtMs + LEAVER_SLA_MS);
    expect(allInactive(stack, 'PL1')).toBe(true);
    expect(status.pendingDeletion).toEqual([]);
    expect(status.needsOperator!.map((n) => n.reason)).toEqual([
      expect.stringMatching(/^leaver PL1-term: planning failed .*no deletion scheduled/),
    ]);
    planning.broken = false;
  });
});
