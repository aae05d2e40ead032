/**
 * `readEmployeeStatus` on real workflows (engine with time skipping, reference apps): a step
 * that keeps failing shows its attempt, next retry and last error beside the app that is done;
 * a mover's grace period shows the revocation and its due time; a legal hold shows who, which
 * case, why and when, and the deletions it pauses; a repeated HR event shows its verdict. The
 * JSON has ISO 8601 times and the table renders the same facts.
 */
import { readEmployeeStatus, renderStatusTable, type EmployeeStatusView } from '../../../lib/status';
import { placeLegalHoldSignal } from '../../../lib/temporal/contract';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../../helpers/lifecycle-stack';

jest.setTimeout(120_000);

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let stack: LifecycleStack;
const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
const read = async (id: string) => (await readEmployeeStatus(stack.env.client, id))!;

beforeAll(async () => {
  stack = await startLifecycleStack();
});
afterAll(async () => {
  await stack?.stop();
});

test('a step that keeps failing: attempt, next retry and last error, beside the app already revoked', async () => {
  await stack.send(
    hrEvent('hire', { employeeId: 'ST1' }, { eventId: 'ST1-hire', effectiveAt: await now(), sequence: 1 }),
  );
  await stack.waitFor('ST1', (s) => s.stage === 'idle' && s.accounts.length === 2);
  const github = stack.apps.apps.github!.server;
  github.setFaults({ rate5xx: 1, methods: ['PATCH'] });
  await stack.send(
    hrEvent(
      'terminate',
      { employeeId: 'ST1', status: 'terminated' },
      { eventId: 'ST1-term', effectiveAt: await now(), sequence: 2 },
    ),
  );
  await stack.waitFor(
    'ST1',
    () => stack.apps.apps.slack!.server.users().find((u) => u.externalId === 'ST1')?.active === false,
  );

  let view: EmployeeStatusView | undefined;
  for (let i = 0; i < 40; i++) {
    view = await read('ST1');
    if ((view.accounts.find((a) => a.app === 'github')?.step?.attempt ?? 0) >= 2) break;
    await stack.env.sleep(5_000);
  }
  expect(view!.stage).toBe('leaver');
  const gh = view!.accounts.find((a) => a.app === 'github')!;
  expect(gh).toMatchObject({
    state: 'active',
    step: { workflowId: 'leaver-ST1-ST1-term', activity: 'deactivateAccount' },
  });
  expect(gh.scimId).toEqual(expect.any(String));
  expect(gh.step!.attempt).toBeGreaterThanOrEqual(2);
  expect(gh.step!.lastFailure).toMatchObject({
    type: expect.stringMatching(/^SCIM_/),
    message: expect.stringContaining('503'),
  });
  if (gh.step!.state === 'scheduled') expect(gh.step!.nextAttemptAt).toMatch(ISO);
  const slack = view!.accounts.find((a) => a.app === 'slack')!;
  expect(slack).toMatchObject({ state: 'deactivated' });
  expect(slack.step).toBeUndefined();
  expect(slack.deactivatedAt).toMatch(ISO);
  expect(slack.lastChangeAt).toMatch(ISO);

  const table = renderStatusTable(view!, await stack.env.currentTimeMs());
  expect(table).toMatch(/^employee ST1: stage leaver \(event ST1-term\)/);
  expect(table).toMatch(/github\s+active\s+\S+\s+.*SCIM_\w+: .*deactivateAccount \w+, attempt \d+/);
  expect(table).toMatch(/slack\s+deactivated/);
  expect(table).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(/);

  github.setFaults({});
  await stack.waitFor(
    'ST1',
    (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'),
    60 * 60_000,
  );
});

test('a legal hold: who, case, reason, when, and the deletions it pauses; a repeated event and its verdict', async () => {
  await stack.env.client.workflow
    .getHandle('employee-ST1')
    .signal(placeLegalHoldSignal, { caseId: 'LIT-7', reason: 'litigation', placedBy: 'legal@example.com' });
  // The same termination again (HR retried the delivery): dropped as a duplicate.
  await stack.send(
    hrEvent(
      'terminate',
      { employeeId: 'ST1', status: 'terminated' },
      { eventId: 'ST1-term', effectiveAt: await now(), sequence: 2 },
    ),
  );
  await stack.waitFor(
    'ST1',
    (s) => s.legalHold !== undefined && (s.recentEvents ?? []).some((e) => e.verdict === 'duplicate'),
    60_000,
  );
  const view = await read('ST1');
  expect(view.legalHold).toEqual({
    caseId: 'LIT-7',
    reason: 'litigation',
    placedBy: 'legal@example.com',
    placedAt: expect.stringMatching(ISO),
  });
  // Slack only deactivates (its connector's delete mode); GitHub deletes after 90 days.
  expect(view.pendingDeletion.map((d) => d.app)).toEqual(['github']);
  for (const d of view.pendingDeletion) expect(d).toMatchObject({ dueAt: expect.stringMatching(ISO), onHold: true });
  expect(view.accounts.find((a) => a.app === 'github')!.pendingDeletion).toMatchObject({ mode: 'hard', onHold: true });
  expect(Date.parse(view.pendingDeletion[0]!.dueAt) - (await stack.env.currentTimeMs())).toBeGreaterThan(
    80 * 86_400_000,
  );
  expect(view.recentEvents.map((e) => [e.eventId, e.verdict])).toEqual([
    ['ST1-hire', 'accepted'],
    ['ST1-term', 'accepted'],
    ['ST1-term', 'duplicate'],
  ]);
  for (const e of view.recentEvents) expect(e.at).toMatch(ISO);
  const table = renderStatusTable(view, await stack.env.currentTimeMs());
  expect(table).toContain('legal hold: case LIT-7 by legal@example.com since ');
  expect(table).toMatch(/delete due \d{4}-\d\d-\d\d .* \(paused: legal hold\)/);
  expect(table).toMatch(/ST1-term\s+terminate\s+duplicate/);
});

test("a mover's grace period: the app they lose, with its due time", async () => {
  await stack.send(
    hrEvent('hire', { employeeId: 'ST2' }, { eventId: 'ST2-hire', effectiveAt: await now(), sequence: 1 }),
  );
  await stack.waitFor('ST2', (s) => s.stage === 'idle' && s.accounts.length === 2);
  const movedAt = await stack.env.currentTimeMs();
  await stack.send(
    hrEvent(
      'update',
      { employeeId: 'ST2', department: 'Marketing' },
      { eventId: 'ST2-move', effectiveAt: new Date(movedAt).toISOString(), sequence: 2 },
    ),
  );
  await stack.waitFor(
    'ST2',
    (s) => s.stage === 'idle' && s.accounts.some((a) => a.app === 'canva' && a.state === 'active'),
  );
  const view = await read('ST2');
  expect(view.pendingRevocations).toEqual([{ app: 'github', dueAt: expect.stringMatching(ISO), eventId: 'ST2-move' }]);
  // The shipped policy keeps lost access for 24 h.
  expect(Date.parse(view.pendingRevocations[0]!.dueAt) - movedAt).toBeGreaterThanOrEqual(24 * 3_600_000);
  expect(view.accounts.find((a) => a.app === 'github')).toMatchObject({
    state: 'active',
    pendingRevocation: { eventId: 'ST2-move' },
  });
  expect(renderStatusTable(view, movedAt)).toMatch(/github\s+active.*revoke due .*\(mover grace\)/);
});

test("a leaver's recheck: each app it deactivated, with its due time, until it has run", async () => {
  await stack.send(
    hrEvent('hire', { employeeId: 'ST3' }, { eventId: 'ST3-hire', effectiveAt: await now(), sequence: 1 }),
  );
  await stack.waitFor('ST3', (s) => s.stage === 'idle' && s.accounts.length === 2);
  await stack.send(
    hrEvent(
      'terminate',
      { employeeId: 'ST3', status: 'terminated' },
      { eventId: 'ST3-term', effectiveAt: await now(), sequence: 2 },
    ),
  );
  await stack.waitFor('ST3', (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'));
  const view = await read('ST3');
  const readAt = await stack.env.currentTimeMs();
  const doneAt = Math.max(...view.accounts.map((a) => Date.parse(a.deactivatedAt!)));
  expect(view.pendingRechecks.map((r) => r.app).sort()).toEqual(['github', 'slack']);
  for (const r of view.pendingRechecks) {
    expect(r).toEqual({ app: r.app, dueAt: expect.stringMatching(ISO), eventId: 'ST3-term' });
    // The shipped policy's leaver.recheckAfter: 10 minutes after the leaver completed (after the
    // deactivations, before this read).
    expect(Date.parse(r.dueAt) - doneAt).toBeGreaterThanOrEqual(10 * 60_000);
    expect(Date.parse(r.dueAt) - readAt).toBeLessThanOrEqual(10 * 60_000);
  }
  expect(view.accounts.find((a) => a.app === 'slack')!.pendingRecheck).toEqual({
    dueAt: view.pendingRechecks.find((r) => r.app === 'slack')!.dueAt,
    eventId: 'ST3-term',
  });
  expect(renderStatusTable(view, doneAt)).toMatch(/slack\s+deactivated.*recheck due .*\(after leaver\)/);

  await stack.env.sleep(Date.parse(view.pendingRechecks[0]!.dueAt) - readAt + 60_000);
  await stack.waitFor('ST3', (s) => s.stage === 'idle' && (s.pendingRechecks ?? []).length === 0, 60_000);
  const after = await read('ST3');
  expect(after.pendingRechecks).toEqual([]);
  expect(after.accounts.every((a) => a.pendingRecheck === undefined)).toBe(true);
});
