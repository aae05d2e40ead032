/**
 * A full roster is HR's whole company: the people this product knows as not terminated who are
 * missing from it have, by inference, left. The termination events for them (pure; the roster
 * workflow's activity sends them): each carries `inferredFrom: { rosterId }` so the mass-change
 * guard can hold them, and the eventId `roster-<rosterId>-<employeeId>`, so a re-delivered
 * roster sends nothing new.
 */
import type { EmployeeRecord } from '../hr/employee';
import { rosterEventId, type EmployeeStatus, type HrEventDelivery } from '../temporal/contract';

/** Known people (their last HR snapshot) not in `present` and not terminated, sorted by id. */
export function missingFromRoster(
  known: readonly Pick<EmployeeStatus, 'employeeId' | 'snapshot'>[],
  present: ReadonlySet<string>,
): { employeeId: string; snapshot: EmployeeRecord }[] {
  return known
    .filter((p) => p.snapshot && p.snapshot.status !== 'terminated' && !present.has(p.employeeId))
    .map((p) => ({ employeeId: p.employeeId, snapshot: p.snapshot! }))
    .sort((a, b) => a.employeeId.localeCompare(b.employeeId));
}

/**
 * `occurredAt` is the roster's `asOf` (orders it against HR's own events); `effectiveAt` is when
 * it is delivered — when this product learnt of the change, which is what SLA timers start from
 * (a snapshot exported hours before it was sent must not be an SLA breach on arrival).
 */
export function inferredTermination(
  rosterId: string,
  asOf: string,
  person: { employeeId: string; snapshot: EmployeeRecord },
  effectiveAt: string = asOf,
): HrEventDelivery {
  return {
    eventId: rosterEventId(rosterId, person.employeeId),
    type: 'terminate',
    effectiveAt,
    occurredAt: asOf,
    source: 'roster',
    initiator: `roster ${rosterId} (missing from a full roster)`,
    employee: { ...person.snapshot, status: 'terminated' },
    inferredFrom: { rosterId },
  };
}

/** A person's event from a roster: a snapshot (no `type`), which the employee workflow classifies. */
export function rosterEvent(
  rosterId: string,
  asOf: string,
  employee: EmployeeRecord,
  source?: string,
  effectiveAt: string = asOf,
): HrEventDelivery {
  return {
    eventId: rosterEventId(rosterId, employee.employeeId),
    effectiveAt,
    occurredAt: asOf,
    source: source ?? 'roster',
    initiator: `roster ${rosterId}`,
    employee,
  };
}
