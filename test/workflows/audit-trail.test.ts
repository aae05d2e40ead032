/**
 * The audit trail a real leaver run leaves behind: SCIM request records and milestones from
 * the activities, an intact hash chain, and a leaver timeline built from the store alone —
 * after the workflows are gone from Temporal.
 */
import { AuditStore, buildLeaverTimeline, renderCsv } from '../../lib/audit';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(120_000);

const DAY = 24 * 60 * 60_000;

describe('audit trail of a leaver', () => {
  let store: AuditStore;
  let stack: LifecycleStack;

  beforeAll(async () => {
    store = await AuditStore.open();
    stack = await startLifecycleStack({ auditStore: store });
  });
  afterAll(async () => {
    await stack?.stop();
    await store?.close();
  });

  it('records every request and milestone and yields the timeline security teams need', async () => {
    const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
    await stack.send(hrEvent('hire', { employeeId: 'A1' }, { eventId: 'A1-hire', effectiveAt: await now(), sequence: 1 }));
    await stack.waitFor('A1', (s) => s.stage === 'idle' && s.accounts.length === 2);
    const terminatedAt = await now();
    await stack.send(hrEvent('terminate', { employeeId: 'A1' }, { eventId: 'A1-term', effectiveAt: terminatedAt, sequence: 2, initiator: 'hr.partner@example.com' }));
    await stack.waitFor('A1', (s) => s.accounts.every((a) => a.state === 'deactivated'));
    await stack.waitFor('A1', (s) => s.accounts.find((a) => a.app === 'github')?.state === 'deleted', 100 * DAY);
    await stack.env.sleep(60_000);

    // Nothing from Temporal from here on: the workflow is terminated and its history not read.
    await stack.env.client.workflow.getHandle('employee-A1').terminate('history retention passed');
    const records = await store.records({ employeeId: 'A1' });
    expect(records.filter((r) => r.kind === 'scim-request').length).toBeGreaterThan(5);
    expect(await store.verify({ employeeId: 'A1' })).toMatchObject({ ok: true, problems: [] });
    expect((await store.getAccounts('A1')).map((a) => [a.app, a.state])).toEqual([['github', 'deleted'], ['slack', 'deactivated']]);

    const timeline = buildLeaverTimeline('A1', records, { temporalUiUrl: 'http://localhost:8233', namespace: 'default' });
    expect(timeline.terminations).toHaveLength(1);
    const term = timeline.terminations[0]!;
    expect(term).toMatchObject({ eventId: 'A1-term', hrEffectiveAtMs: Date.parse(terminatedAt), initiator: 'hr.partner@example.com', sla: 'met' });
    // The SLA clock starts at the later of HR's effective time and our receipt of the event.
    expect(term.slaDeadlineMs).toBe(Math.max(term.hrEffectiveAtMs!, term.receivedAtMs) + 15 * 60_000);
    expect(term.workflowUrl).toMatch(/^http:\/\/localhost:8233\/namespaces\/default\/workflows\/employee-A1\//);
    const byApp = Object.fromEntries(term.apps.map((a) => [a.app, a]));
    expect(byApp.slack).toMatchObject({ status: 200, deletionNote: expect.stringContaining('deactivate-only') });
    expect(byApp.slack!.deactivatedAtMs).toEqual(expect.any(Number));
    expect(byApp.github!.deletionDueAtMs).toEqual(expect.any(Number));
    expect(byApp.github!.deletedAtMs).toEqual(expect.any(Number));
    const csv = renderCsv([timeline]);
    expect(csv.split('\n')[1]).toContain('A1,A1-term,');
  });

  it('does not duplicate records when milestones are handed over again (retries, replays)', async () => {
    const before = await store.records({ employeeId: 'A1' });
    const milestones = before.filter((r) => r.kind === 'milestone').slice(0, 3);
    for (const m of milestones) await store.append({ key: m.key, kind: 'milestone', employeeId: 'A1', occurredAtMs: m.occurredAtMs, data: m.data });
    expect(await store.records({ employeeId: 'A1' })).toHaveLength(before.length);
  });
});
