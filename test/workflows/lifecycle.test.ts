/**
 * Joiner, mover and leaver end to end on the embedded engine with time skipping, against
 * reference SCIM servers standing in for Slack (deactivate-only, groups), GitHub EMU (hard
 * delete after 90 days, pre-created teams) and Canva (no PATCH, no DELETE, OAuth2).
 * Assertions are on what the apps actually received and hold.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PolicyConfig } from '../../lib/config/types';
import { hrEvent, received, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(120_000);

const DAY = 24 * 60 * 60_000;

/** Everyone also gets Canva, so one person spans all three kinds of app. */
function withCanvaForEveryone(policy: PolicyConfig): PolicyConfig {
  const rules = [
    ...policy.access.rules,
    { name: 'test-canva-everyone', when: {}, grant: [{ app: 'canva', groups: [] }] },
  ];
  return { ...policy, access: { rules } };
}

function userIn(stack: LifecycleStack, app: string, employeeId: string) {
  const users = stack.apps.apps[app]!.server.users().filter((u) => u.externalId === employeeId);
  expect(users.length).toBeLessThanOrEqual(1);
  return users[0];
}

/** The id in a patch marker's details (`{"id": …, "deprecated": …}`, JSON). */
function patchId(data: Uint8Array): string {
  return (JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id;
}

function groupsOf(stack: LifecycleStack, app: string, scimId: string): string[] {
  return stack.apps.apps[app]!.server.groups()
    .filter((g) => (g.members ?? []).some((m) => m.value === scimId))
    .map((g) => g.displayName)
    .sort();
}

describe('lifecycle workflows', () => {
  let stack: LifecycleStack;
  let seq = 0;
  const next = () => ++seq;
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();

  beforeAll(async () => {
    stack = await startLifecycleStack({ policy: withCanvaForEveryone });
  });
  afterAll(async () => {
    if (process.env.JML_RECORD_HISTORIES === '1' && stack) await recordHistories(stack);
    await stack?.stop();
  });

  async function hire(employeeId: string, department = 'Engineering') {
    await stack.send(
      hrEvent(
        'hire',
        { employeeId, department },
        { eventId: `${employeeId}-hire`, effectiveAt: await now(), sequence: next() },
      ),
    );
    return stack.waitFor(
      employeeId,
      (s) => s.stage === 'idle' && s.accounts.length === 3 && s.accounts.every((a) => a.state === 'active'),
    );
  }

  async function terminate(employeeId: string, eventId = `${employeeId}-term`) {
    await stack.send(hrEvent('terminate', { employeeId }, { eventId, effectiveAt: await now(), sequence: next() }));
    return stack.waitFor(employeeId, (s) => s.stage === 'idle' && s.accounts.every((a) => a.state !== 'active'));
  }

  it('joiner: creates accounts in three apps with different capabilities, with groups', async () => {
    const status = await hire('J1');
    expect(status.accounts.map((a) => a.app)).toEqual(['canva', 'github', 'slack']);
    const slack = userIn(stack, 'slack', 'J1')!;
    const github = userIn(stack, 'github', 'J1')!;
    const canva = userIn(stack, 'canva', 'J1')!;
    expect([slack.active, github.active, canva.active]).toEqual([true, true, true]);
    expect(slack.userName).toBe('j1@example.com');
    expect(groupsOf(stack, 'slack', slack.id!)).toEqual(['all-staff', 'announcements', 'engineering']);
    expect(groupsOf(stack, 'github', github.id!)).toEqual(['eng-Engineering', 'eng-all']);
    expect(status.accounts.find((a) => a.app === 'github')?.scimId).toBe(github.id);
    // Canva has no PATCH: nothing but POST/PUT/GET may have reached it.
    expect(received(stack, 'canva', { writesOnly: true }).every((r) => /^(POST|PUT) /.test(r))).toBe(true);
  });

  it('mover: department change swaps groups, updates attributes, revokes GitHub after the grace period', async () => {
    await hire('M1');
    const slackId = userIn(stack, 'slack', 'M1')!.id!;
    await stack.send(
      hrEvent(
        'update',
        { employeeId: 'M1', department: 'Marketing', title: 'Brand Lead' },
        { eventId: 'M1-move', effectiveAt: await now(), sequence: next() },
      ),
    );
    await stack.waitFor('M1', (s) => s.stage === 'idle' && groupsOf(stack, 'slack', slackId).length === 2);
    expect(groupsOf(stack, 'slack', slackId)).toEqual(['all-staff', 'announcements']);
    expect(userIn(stack, 'slack', 'M1')!.title).toBe('Brand Lead');
    // The shipped policy keeps lost access for 24 h (handover), then revokes it.
    expect(userIn(stack, 'github', 'M1')!.active).toBe(true);
    const after = await stack.waitFor(
      'M1',
      (s) => s.accounts.find((a) => a.app === 'github')?.state === 'deactivated',
      2 * DAY,
    );
    expect(userIn(stack, 'github', 'M1')!.active).toBe(false);
    expect(after.accounts.find((a) => a.app === 'slack')?.state).toBe('active');
  });

  it('leaver: deactivates everywhere at once, deletes GitHub after its retention, leaves deactivate-only apps deactivated', async () => {
    await hire('L1');
    const githubBefore = received(stack, 'github').length;
    const status = await terminate('L1');
    expect(status.accounts.map((a) => [a.app, a.state])).toEqual([
      ['canva', 'deactivated'],
      ['github', 'deactivated'],
      ['slack', 'deactivated'],
    ]);
    for (const app of ['slack', 'github', 'canva']) expect(userIn(stack, app, 'L1')!.active).toBe(false);
    // The revocation is the first request: the SCIM id was known, so no lookup before it. Then the
    // group memberships go (policy leaver.removeGroupMemberships), each removal confirmed.
    const sent = received(stack, 'github').slice(githubBefore);
    expect(sent[0]).toMatch(/^PATCH \/scim\/v2\/Users\//);
    expect(sent.slice(1).every((r) => /^(PATCH|GET) \/scim\/v2\/Groups\/[^?]+$/.test(r))).toBe(true);
    expect(groupsOf(stack, 'github', userIn(stack, 'github', 'L1')!.id!)).toEqual([]);
    expect(groupsOf(stack, 'slack', userIn(stack, 'slack', 'L1')!.id!)).toEqual([]);
    expect(status.pendingDeletion.map((d) => d.app)).toEqual(['github']);

    await stack.env.sleep(31 * DAY);
    expect(userIn(stack, 'github', 'L1')).toBeDefined(); // GitHub keeps 90 days (policy.retention.perApp)
    const done = await stack.waitFor(
      'L1',
      (s) => s.accounts.find((a) => a.app === 'github')?.state === 'deleted',
      70 * DAY,
    );
    expect(userIn(stack, 'github', 'L1')).toBeUndefined();
    expect(userIn(stack, 'slack', 'L1')!.active).toBe(false);
    expect(userIn(stack, 'canva', 'L1')!.active).toBe(false);
    expect(done.accounts.find((a) => a.app === 'slack')?.state).toBe('deactivated');
    expect(received(stack, 'slack').some((r) => r.startsWith('DELETE'))).toBe(false);
    expect(received(stack, 'canva').some((r) => r.startsWith('DELETE'))).toBe(false);
  });

  it('a new run records one patch marker, its baseline, and one TemporalChangeVersion upsert', async () => {
    // L1 has been hired, terminated (with its leaver recheck) and deleted from GitHub above.
    for (const [workflowId, baseline] of [
      ['employee-L1', 'employee-baseline-v1'],
      ['leaver-L1-L1-term', 'leaver-baseline-v1'],
    ] as const) {
      const events = (await stack.env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      const patches = events
        .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
        .map((e) => patchId(e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data!));
      expect(patches).toEqual([baseline]);
      const changeVersions = events.filter(
        (e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion,
      );
      expect(changeVersions).toHaveLength(1);
    }
  });

  it('re-hire on day 12 reactivates the same accounts, cancels deletion and creates no duplicates', async () => {
    await hire('R1');
    const ids = Object.fromEntries(['slack', 'github', 'canva'].map((app) => [app, userIn(stack, app, 'R1')!.id]));
    await terminate('R1');
    await stack.env.sleep(12 * DAY);
    await stack.send(
      hrEvent('rehire', { employeeId: 'R1' }, { eventId: 'R1-rehire', effectiveAt: await now(), sequence: next() }),
    );
    const status = await stack.waitFor(
      'R1',
      (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'active'),
    );
    expect(status.pendingDeletion).toEqual([]);
    for (const app of ['slack', 'github', 'canva']) {
      const user = userIn(stack, app, 'R1')!;
      expect(user.id).toBe(ids[app]);
      expect(user.active).toBe(true);
    }
    await stack.env.sleep(100 * DAY);
    expect(userIn(stack, 'github', 'R1')?.active).toBe(true);
  });

  it('legal hold blocks deletion past the retention period until released', async () => {
    await hire('H1');
    await terminate('H1');
    const handle = stack.env.client.workflow.getHandle('employee-H1');
    await handle.signal('placeLegalHold', { caseId: 'CASE-7', reason: 'litigation' });
    await stack.env.sleep(120 * DAY);
    const held = await stack.status('H1');
    expect(held.legalHold?.caseId).toBe('CASE-7');
    const heldId = userIn(stack, 'github', 'H1')?.id;
    expect(heldId).toBeDefined();
    expect(received(stack, 'github').filter((r) => r === `DELETE /scim/v2/Users/${heldId}`)).toHaveLength(0);
    await handle.signal('releaseLegalHold', { caseId: 'CASE-7' });
    await stack.waitFor('H1', (s) => s.accounts.find((a) => a.app === 'github')?.state === 'deleted', DAY);
    expect(userIn(stack, 'github', 'H1')).toBeUndefined();
  });

  it('holds a future-dated termination until its effective time; a corrected date replaces it, a cancel withdraws it', async () => {
    await hire('F1');
    const nowMs = await stack.env.currentTimeMs();
    // Friday 17:00 in Berlin, three days out, as HR sends it: an explicit offset.
    const friday = new Date(nowMs + 3 * DAY).toISOString().replace('Z', '+00:00');
    await stack.send(
      hrEvent('terminate', { employeeId: 'F1' }, { eventId: 'F1-term', effectiveAt: friday, sequence: next() }),
    );
    const pending = await stack.waitFor('F1', (s) => s.pendingEvents.length === 1);
    expect(pending.pendingEvents[0]).toMatchObject({
      eventId: 'F1-term',
      type: 'terminate',
      dueAtMs: Date.parse(friday),
    });
    // HR corrects the date to a week out: the new event replaces the pending one.
    const nextWeek = new Date(nowMs + 7 * DAY).toISOString();
    await stack.send(
      hrEvent('terminate', { employeeId: 'F1' }, { eventId: 'F1-term-fix', effectiveAt: nextWeek, sequence: next() }),
    );
    await stack.waitFor('F1', (s) => s.pendingEvents.length === 1 && s.pendingEvents[0]!.eventId === 'F1-term-fix');
    await stack.env.sleep(4 * DAY);
    expect(userIn(stack, 'slack', 'F1')!.active).toBe(true);
    const done = await stack.waitFor('F1', (s) => s.accounts.every((a) => a.state === 'deactivated'), 5 * DAY);
    expect(done.pendingEvents).toEqual([]);
    expect(userIn(stack, 'slack', 'F1')!.active).toBe(false);

    // A future-dated hire withdrawn by a cancel never provisions anything.
    const start = new Date((await stack.env.currentTimeMs()) + 10 * DAY).toISOString();
    await stack.send(
      hrEvent('hire', { employeeId: 'F2' }, { eventId: 'F2-hire', effectiveAt: start, sequence: next() }),
    );
    await stack.waitFor('F2', (s) => s.pendingEvents.length === 1);
    await stack.send({
      ...hrEvent('cancel', { employeeId: 'F2' }, { eventId: 'F2-cancel', effectiveAt: await now(), sequence: next() }),
      cancelsEventId: 'F2-hire',
    });
    await stack.waitFor('F2', (s) => s.pendingEvents.length === 0);
    await stack.env.sleep(11 * DAY);
    expect(userIn(stack, 'slack', 'F2')).toBeUndefined();
  });

  it('ignores duplicate and stale events and applies out-of-order ones by sequence', async () => {
    await hire('O1');
    const before = received(stack, 'slack', { writesOnly: true }).length;
    const at = await now();
    const move = hrEvent(
      'update',
      { employeeId: 'O1', title: 'Staff Engineer' },
      { eventId: 'O1-move', effectiveAt: at, sequence: 50 },
    );
    const older = hrEvent(
      'update',
      { employeeId: 'O1', title: 'Junior Engineer' },
      { eventId: 'O1-older', effectiveAt: at, sequence: 40 },
    );
    await stack.send(move);
    await stack.send(move);
    await stack.send(older);
    await stack.waitFor('O1', (s) => s.stage === 'idle');
    await stack.env.sleep(60_000);
    const timeline = (await stack.timeline('O1'))!;
    expect(timeline.filter((t) => t.kind === 'event-duplicate').map((t) => t.eventId)).toEqual(['O1-move']);
    expect(timeline.filter((t) => t.kind === 'event-stale').map((t) => t.eventId)).toEqual(['O1-older']);
    expect(userIn(stack, 'slack', 'O1')!.title).toBe('Staff Engineer');
    // One mover's worth of writes to Slack (a PATCH of the title), not two.
    expect(received(stack, 'slack', { writesOnly: true }).length - before).toBe(1);
  });
});

/**
 * `JML_RECORD_HISTORIES=1 npx jest test/workflows/lifecycle.test.ts` refreshes the histories
 * that replay.test.ts replays in CI (one per workflow type), after a deliberate, versioned
 * change to workflow code. With `JML_HISTORY_SUFFIX=-<patch>` they are written beside the
 * existing ones (`employee-L1-<patch>.json`), so histories of the old path keep guarding it.
 */
async function recordHistories(stack: LifecycleStack): Promise<void> {
  const dir = path.join(__dirname, 'histories');
  await mkdir(dir, { recursive: true });
  const ids = [
    'employee-L1',
    'joiner-J1-J1-hire',
    'mover-M1-M1-move',
    'leaver-L1-L1-term',
    'rehire-R1-R1-rehire',
    'employee-H1',
  ];
  const executions: string[] = [];
  for await (const info of stack.env.client.workflow.list({ query: `WorkflowType = "deletionWorkflow"` }))
    executions.push(info.workflowId);
  for (const id of [...ids, ...executions.slice(0, 1)]) {
    const history = await stack.env.client.workflow.getHandle(id).fetchHistory();
    await writeFile(path.join(dir, `${id}${process.env.JML_HISTORY_SUFFIX ?? ''}.json`), JSON.stringify(history));
  }
}
