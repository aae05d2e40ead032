/**
 * The employee workflow hands its milestones to the audit store after the fact, in one round
 * per event: the burst a run produces (received, started, completed) waits until the main loop
 * is done with the event, or a bounded time when the run is long, so no milestone waits behind
 * a run stuck on a failing app. Counted from the engine's histories and the real store.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { AuditStore } from '../../lib/audit';
import { AUDIT_ROUND_LINGER_MS } from '../../workflows/employee/workflow';
import { TEST_AUDIT_KEY } from '../helpers/audit-targets';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(120_000);

async function auditRounds(handle: WorkflowHandle): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordMilestones').length;
}

async function storedMilestones(store: AuditStore, employeeId: string): Promise<string[]> {
  const records = await store.records({ employeeId });
  return records.filter((r) => r.kind === 'milestone').map((r) => String(r.data.kind));
}

describe('audit rounds of the employee workflow', () => {
  let store: AuditStore;
  let stack: LifecycleStack;
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();

  beforeAll(async () => {
    store = await AuditStore.open({ key: TEST_AUDIT_KEY });
    stack = await startLifecycleStack({ auditStore: store });
  });
  afterAll(async () => {
    await stack?.stop();
    await store?.close();
  });

  it('hands over a hire and a termination in one round each, and every milestone arrives', async () => {
    const id = 'AR1';
    await stack.send(
      hrEvent('hire', { employeeId: id }, { eventId: `${id}-hire`, effectiveAt: await now(), sequence: 1 }),
    );
    await stack.waitFor(id, (s) => s.stage === 'idle' && s.accounts.length === 2 && s.audit?.unaudited === 0);
    const employee = stack.env.client.workflow.getHandle(`employee-${id}`);
    expect(await auditRounds(employee)).toBe(1);
    await stack.send(
      hrEvent('terminate', { employeeId: id }, { eventId: `${id}-term`, effectiveAt: await now(), sequence: 2 }),
    );
    await stack.waitFor(
      id,
      (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated') && s.audit?.unaudited === 0,
    );
    expect(await auditRounds(employee)).toBe(2);
    const timeline = (await stack.timeline(id))!;
    const stored = await storedMilestones(store, id);
    expect(stored.sort()).toEqual(timeline.map((t) => t.kind).sort());
  });

  it('hands over the milestones of a run stuck on a failing app within the linger time', async () => {
    const id = 'AR2';
    const github = stack.apps.apps.github!.server;
    github.setFaults({ rate5xx: 1, methods: ['POST'] });
    try {
      const sentAtMs = await stack.env.currentTimeMs();
      await stack.send(
        hrEvent('hire', { employeeId: id }, { eventId: `${id}-hire`, effectiveAt: await now(), sequence: 1 }),
      );
      await stack.waitFor(id, (s) => s.stage === 'joiner');
      await stack.env.sleep(AUDIT_ROUND_LINGER_MS + 1_000);
      const status = await stack.waitFor(id, (s) => s.audit?.unaudited === 0, 10_000);
      // Still retrying GitHub: the run has not finished, its milestones are in the store anyway.
      expect(status.stage).toBe('joiner');
      expect(await stack.env.currentTimeMs()).toBeLessThan(sentAtMs + AUDIT_ROUND_LINGER_MS + 15_000);
      expect(await storedMilestones(store, id)).toEqual(
        expect.arrayContaining(['event-received', 'lifecycle-started']),
      );
    } finally {
      github.setFaults({});
    }
  });
});
