/** Builds the `status` query answer from the employee workflow's state (pure). */
import { auditHealth, type EmployeeState } from './state';
import type { EmployeeStatus } from '../../lib/temporal/contract';

export function describeStatus(
  s: EmployeeState,
  stage: EmployeeStatus['stage'],
  currentEventId?: string,
  heldByGuard: EmployeeStatus['heldByGuard'] = [],
): EmployeeStatus {
  return {
    employeeId: s.employeeId,
    stage,
    currentEventId,
    employeeStatus: s.snapshot?.status,
    snapshot: s.snapshot,
    accounts: Object.values(s.accounts).sort((a, b) => a.app.localeCompare(b.app)),
    pendingEvents: s.pending.map((p) => ({ eventId: p.event.eventId, type: p.event.type, dueAtMs: p.dueAtMs })),
    pendingDeletion: s.deletions.map((d) => ({ app: d.app, deleteAtMs: d.deleteAtMs, mode: 'hard' })),
    pendingRevocations: s.revocations.map((r) => ({ app: r.app, revokeAtMs: r.revokeAtMs, eventId: r.eventId })),
    pendingRechecks: s.rechecks.map((r) => ({ app: r.app, dueAtMs: r.dueAtMs, eventId: r.eventId })),
    legalHold: s.legalHold,
    failedApps: Object.values(s.accounts)
      .filter((a) => a.state === 'failed')
      .map((a) => a.app),
    recentEvents: s.recentEvents,
    audit: auditHealth(s),
    undeliveredAlerts: s.outbox.map((o) => ({
      kind: o.alert.kind,
      message: o.alert.message,
      attempts: o.attempts,
      nextAttemptAtMs: o.nextAttemptAtMs,
      ...(o.lastError === undefined ? {} : { lastError: o.lastError }),
    })),
    needsOperator: s.attention,
    ...(heldByGuard.length > 0 ? { heldByGuard } : {}),
  };
}
