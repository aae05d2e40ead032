/**
 * The audit trail a real leaver run leaves behind: SCIM request records and milestones from
 * the activities, an intact hash chain, and a leaver timeline built from the store alone —
 * after the workflows are gone from Temporal.
 */
import { buildLeaverTimeline, renderCsv, type AppendInput, type AuditStore } from '../../lib/audit';
import { auditTargets, uniqueEmployeeId } from '../helpers/audit-targets';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(120_000);

const DAY = 24 * 60 * 60_000;

/**
 * The store as the worker sees it, except that the first write of each milestone commits and
 * then throws, as when the connection drops before the acknowledgement: the activity fails
 * after its records are in, and Temporal retries it.
 */
function ackLostOnce(store: AuditStore, lost: string[]): AuditStore {
  const flaky = Object.create(store) as AuditStore;
  flaky.append = async (input: AppendInput) => {
    const record = await store.append(input);
    if (input.kind === 'milestone' && !lost.includes(input.key)) {
      lost.push(input.key);
      throw new Error('connection terminated before the commit was acknowledged');
    }
    return record;
  };
  // The milestones of one hand-over are appended together: all commit, then the answer is lost.
  flaky.appendAll = async (inputs: AppendInput[]) => {
    const records = await store.appendAll(inputs);
    const first = inputs.filter((i) => i.kind === 'milestone' && !lost.includes(i.key));
    if (first.length > 0) {
      lost.push(...first.map((i) => i.key));
      throw new Error('connection terminated before the commit was acknowledged');
    }
    return records;
  };
  return flaky;
}

describe.each(auditTargets)('audit trail of a leaver on %s', (_name, open) => {
  let store: AuditStore;
  let stack: LifecycleStack;
  const lost: string[] = [];
  const A1 = uniqueEmployeeId('A1');

  beforeAll(async () => {
    store = await open();
    stack = await startLifecycleStack({ auditStore: ackLostOnce(store, lost) });
  });
  afterAll(async () => {
    await stack?.stop();
    await store?.close();
  });

  it('records every request and milestone and yields the timeline security teams need', async () => {
    const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
    await stack.send(
      hrEvent('hire', { employeeId: A1 }, { eventId: `${A1}-hire`, effectiveAt: await now(), sequence: 1 }),
    );
    await stack.waitFor(A1, (s) => s.stage === 'idle' && s.accounts.length === 2);
    const terminatedAt = await now();
    await stack.send(
      hrEvent(
        'terminate',
        { employeeId: A1 },
        { eventId: `${A1}-term`, effectiveAt: terminatedAt, sequence: 2, initiator: 'hr.partner@example.com' },
      ),
    );
    await stack.waitFor(A1, (s) => s.accounts.every((a) => a.state === 'deactivated'));
    await stack.waitFor(A1, (s) => s.accounts.find((a) => a.app === 'github')?.state === 'deleted', 100 * DAY);
    await stack.env.sleep(60_000);

    // Nothing from Temporal from here on: the workflow is terminated and its history not read.
    await stack.env.client.workflow.getHandle(`employee-${A1}`).terminate('history retention passed');
    const records = await store.records({ employeeId: A1 });
    expect(records.filter((r) => r.kind === 'scim-request').length).toBeGreaterThan(5);
    expect(await store.verify({ employeeId: A1 })).toMatchObject({ ok: true, problems: [] });
    expect((await store.getAccounts(A1)).map((a) => [a.app, a.state])).toEqual([
      ['github', 'deleted'],
      ['slack', 'deactivated'],
    ]);

    const timeline = buildLeaverTimeline(A1, records, { temporalUiUrl: 'http://localhost:8233', namespace: 'default' });
    expect(timeline.terminations).toHaveLength(1);
    const term = timeline.terminations[0]!;
    expect(term).toMatchObject({
      eventId: `${A1}-term`,
      hrEffectiveAtMs: Date.parse(terminatedAt),
      initiator: 'hr.partner@example.com',
      sla: 'met',
    });
    // The SLA clock starts at the later of HR's effective time and our receipt of the event.
    expect(term.slaDeadlineMs).toBe(Math.max(term.hrEffectiveAtMs!, term.receivedAtMs) + 15 * 60_000);
    expect(term.workflowUrl).toContain(`http://localhost:8233/namespaces/default/workflows/employee-${A1}/`);
    const byApp = Object.fromEntries(term.apps.map((a) => [a.app, a]));
    expect(byApp.slack).toMatchObject({ status: 200, deletionNote: expect.stringContaining('deactivate-only') });
    expect(byApp.slack!.deactivatedAtMs).toEqual(expect.any(Number));
    expect(byApp.github!.deletionDueAtMs).toEqual(expect.any(Number));
    expect(byApp.github!.deletedAtMs).toEqual(expect.any(Number));
    const csv = renderCsv([timeline]);
    expect(csv.split('\n')[1]).toContain(`${A1},${A1}-term,`);
  });

  it('does not duplicate records when a milestone write is retried after its acknowledgement was lost', async () => {
    const records = await store.records({ employeeId: A1 });
    const milestones = records.filter((r) => r.kind === 'milestone');
    // Every milestone of this run was written, "failed", and written again by the retried activity.
    const ours = lost.filter((k) => milestones.some((m) => m.key === k));
    expect(ours.length).toBe(milestones.length);
    expect(new Set(milestones.map((m) => m.key)).size).toBe(milestones.length);
    // One record per milestone key, keys gap-free: joiner, leaver and the deletion run, once each.
    const seqs = milestones.map((m) => Number(m.key.split('#').pop())).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: milestones.length }, (_, i) => i));
    const kinds = milestones.map((m) => (m.data as { kind: string }).kind);
    expect(kinds.filter((k) => k === 'event-received')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'lifecycle-started')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'lifecycle-completed')).toHaveLength(3);
    expect(await store.verify({ employeeId: A1 })).toMatchObject({ ok: true });
  });
});
