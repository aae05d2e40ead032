/**
 * What the employee workflow checks on an event before ordering, and what a termination it
 * could not apply still has to do. Pure.
 *
 * The promise: a termination is never dropped silently. One the workflow rejects (duplicate,
 * stale, invalid) is shown in `status`, in the timeline and as an alert; and while HR's latest
 * word is "terminated", accounts still active are deactivated whatever the verdict.
 */
import type { HrEvent } from '../../lib/hr/event';
import { holdsAccess, isTermination } from '../../lib/lifecycle/classify';
import { admitEvent, type OrderingLimits } from './ordering';
import type { EmployeeState } from './state';

/** Why an event cannot be applied at all, or undefined. The intake API validates too; this is the workflow's own check. */
export function invalidReason(event: HrEvent, employeeId: string): string | undefined {
  if (!event || typeof event !== 'object') return 'not an HR event';
  if (!event.employee || typeof event.employee !== 'object') return 'the event has no employee record';
  if (event.employee.employeeId !== employeeId) {
    return `the event is for employee ${String(event.employee.employeeId)}, not ${employeeId}`;
  }
  if (typeof event.effectiveAt !== 'string' || Number.isNaN(Date.parse(event.effectiveAt))) {
    return `effectiveAt ${JSON.stringify(event.effectiveAt)} is not a date-time`;
  }
  if (event.type === 'cancel' && !event.cancelsEventId) return 'a cancel event needs cancelsEventId';
  return undefined;
}

export { isTermination };

/** Apps where the person may still hold access: active, or a failed step other than a deletion. */
export function liveApps(state: EmployeeState): string[] {
  return Object.values(state.accounts)
    .filter((a) => a.state === 'active' || (a.state === 'failed' && a.failedLifecycle !== 'deletion'))
    .map((a) => a.app)
    .sort();
}

/**
 * Apps to deactivate now because HR's latest applied word is "no access" while accounts are
 * still live: after a termination the classifier calls "no change" (a repeated termination, a
 * leaver whose apps failed), or one judged duplicate or stale. Empty while HR says the person
 * holds access (a newer hire or re-hire wins over a late termination — that one is alerted).
 */
export function appsToRevoke(state: EmployeeState): string[] {
  if (!state.snapshot || holdsAccess(state.snapshot.status)) return [];
  return liveApps(state);
}

/**
 * A termination received, due now and admissible while another run (joiner, re-hire, mover)
 * is still going: that run is cut short so the leaver does not wait behind it.
 */
export function waitingTermination(state: EmployeeState, nowMs: number, limits: OrderingLimits): string | undefined {
  const seen = new Set(state.seenEventIds);
  for (const { event } of state.inbox) {
    if (!isTermination(event) || invalidReason(event, state.employeeId)) continue;
    if (Date.parse(event.effectiveAt) > nowMs) continue;
    if (admitEvent(event, seen, state.lastVersion, nowMs, limits).verdict === 'accept') return event.eventId;
  }
  return undefined;
}

/**
 * While a termination inferred from a roster waits for the mass-change guard, HR's own word wins:
 * a termination HR sent (whatever its verdict: a rejected one still revokes what is live) or any
 * other admissible event due now cuts the inferred run short, so nothing HR sends waits behind a
 * hold. Another inferred termination does not.
 */
export function supersedesInferred(state: EmployeeState, nowMs: number, limits: OrderingLimits): string | undefined {
  const seen = new Set(state.seenEventIds);
  for (const { event } of state.inbox) {
    if ((event as { inferredFrom?: unknown }).inferredFrom) continue;
    if (invalidReason(event, state.employeeId)) continue;
    if (Date.parse(event.effectiveAt) > nowMs) continue;
    if (isTermination(event)) return event.eventId;
    if (admitEvent(event, seen, state.lastVersion, nowMs, limits).verdict === 'accept') return event.eventId;
  }
  return undefined;
}
