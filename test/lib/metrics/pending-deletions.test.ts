/** `jml_pending_deletions` from the audit store's milestones: scheduled, cancelled by a re-hire, done. */
import type { AuditStore } from '../../../lib/audit';
import type { TimelineEntry } from '../../../lib/lifecycle/types';
import { countPendingDeletions } from '../../../lib/metrics';
import { auditTargets, uniqueEmployeeId } from '../../helpers/audit-targets';

describe.each(auditTargets)('pending deletions on %s', (_name, open) => {
  let store: AuditStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store.close();
  });

  let n = 0;
  const add = (employeeId: string, entry: Omit<TimelineEntry, 'atMs'>, atMs: number) =>
    store.append({
      key: `pd-${employeeId}-${++n}`,
      kind: 'milestone',
      employeeId,
      workflowId: `employee-${employeeId}`,
      occurredAtMs: atMs,
      data: { atMs, ...entry },
    });

  test('only accounts whose latest deletion milestone schedules a DELETE are pending', async () => {
    // A unique app name per run: a PostgreSQL database keeps earlier runs' records.
    const app = uniqueEmployeeId('app');
    const before = (await countPendingDeletions(store))[app] ?? 0;
    const t = Date.parse('2026-11-01T00:00:00Z');
    const [pending, rehired, deleted, noDelete] = ['P', 'R', 'D', 'N'].map((p) => uniqueEmployeeId(p));
    await add(pending!, { kind: 'deletion-scheduled', app, dueAtMs: t + 30 * 86_400_000 }, t);
    await add(rehired!, { kind: 'deletion-scheduled', app, dueAtMs: t + 30 * 86_400_000 }, t);
    await add(rehired!, { kind: 'deletion-cancelled', app }, t + 1_000);
    await add(deleted!, { kind: 'deletion-scheduled', app, dueAtMs: t + 1_000 }, t);
    await add(deleted!, { kind: 'app-succeeded', app, lifecycle: 'deletion', action: 'deleted' }, t + 2_000);
    // A deactivate-only app: scheduled without a due time, never deleted.
    await add(noDelete!, { kind: 'deletion-scheduled', app, detail: 'no delete: deactivate-only' }, t);
    expect((await countPendingDeletions(store))[app]).toBe(before + 1);
  });
});
