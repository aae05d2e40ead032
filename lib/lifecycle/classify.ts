/**
 * Classifies what an accepted HR event means for a person's access. Pure; used by the
 * employee workflow and by `jml plan`.
 */
import type { EmployeeRecord } from '../hr/employee';
import type { HrEvent } from '../hr/event';

export type Transition = 'join' | 'move' | 'leave' | 'rehire' | 'none';

/** A termination, whether typed or a snapshot whose status says so. */
export function isTermination(event: Pick<HrEvent, 'type' | 'employee'>): boolean {
  return event.type === 'terminate' || (event.type === undefined && event.employee?.status === 'terminated');
}

/** Statuses under which a person holds access. `leave` (of absence) keeps accounts. */
export function holdsAccess(status: EmployeeRecord['status'] | undefined): boolean {
  return status === 'active' || status === 'leave';
}

/**
 * The snapshot an event asks for. An explicit `type` wins over the record's status, because
 * HR adapters often send the pre-change record with a "terminate" envelope.
 */
export function snapshotOf(event: Pick<HrEvent, 'type' | 'employee'>): EmployeeRecord {
  switch (event.type) {
    case 'hire':
    case 'rehire':
      return { ...event.employee, status: 'active' };
    case 'terminate':
      return { ...event.employee, status: 'terminated' };
    default:
      return event.employee;
  }
}

/**
 * `previous` is the last applied snapshot (undefined for someone never seen). `everProvisioned`
 * distinguishes a re-hire (accounts exist, deactivated) from a first hire after a
 * pre-hire termination (nothing to reactivate).
 */
export function classifyTransition(
  previous: EmployeeRecord | undefined,
  next: EmployeeRecord,
  everProvisioned: boolean,
): Transition {
  const had = holdsAccess(previous?.status);
  const has = holdsAccess(next.status);
  if (!had && has) return everProvisioned ? 'rehire' : 'join';
  if (had && !has) return next.status === 'terminated' ? 'leave' : 'none';
  if (had && has) return previous !== undefined && sameRecord(previous, next) ? 'none' : 'move';
  return 'none';
}

/** Field-by-field equality that ignores key order (snapshots cross JSON boundaries). */
export function sameRecord(a: EmployeeRecord, b: EmployeeRecord): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Names of HR fields whose values differ (for the mover's audit and summaries). */
export function changedFields(a: EmployeeRecord, b: EmployeeRecord): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys]
    .filter((k) => canonical((a as Record<string, unknown>)[k]) !== canonical((b as Record<string, unknown>)[k]))
    .sort();
}
