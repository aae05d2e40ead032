/**
 * Event ordering for one employee. Pure and deterministic: imported by the employee workflow.
 *
 * Two clocks matter and are kept apart on purpose:
 * - the *version* (HR `sequence`, else `occurredAt`) says which record is newer — an older
 *   version arriving late is stale and must not overwrite newer HR truth;
 * - the *effective time* says when a change applies — future-dated events wait on a timer.
 */
import type { HrEvent } from '../../lib/hr/event';

/** Comparable version of an event: sequence first, then the recording time. */
export interface EventVersion {
  sequence?: number;
  occurredAtMs?: number;
}

export function eventVersion(event: Pick<HrEvent, 'sequence' | 'occurredAt'>): EventVersion {
  return {
    sequence: event.sequence,
    occurredAtMs: event.occurredAt === undefined ? undefined : Date.parse(event.occurredAt),
  };
}

/**
 * Negative when `a` is older than `b`. Sequences compare only with sequences (HR counters are
 * per system); otherwise recording times; an event with neither is treated as newest, because
 * HR systems that send neither deliver in order.
 */
export function compareVersions(a: EventVersion, b: EventVersion): number {
  if (a.sequence !== undefined && b.sequence !== undefined) return a.sequence - b.sequence;
  if (a.occurredAtMs !== undefined && b.occurredAtMs !== undefined) return a.occurredAtMs - b.occurredAtMs;
  return 0;
}

export type Admission =
  | { verdict: 'accept' }
  | { verdict: 'duplicate'; reason: string }
  | { verdict: 'stale'; reason: string };

/**
 * Decides whether an incoming event may change state: a repeated `eventId` is a duplicate;
 * a version not newer than the last accepted one is stale. Equal versions from different
 * event ids are accepted (HR sometimes sends two changes with one timestamp).
 */
export function admitEvent(
  event: Pick<HrEvent, 'eventId' | 'sequence' | 'occurredAt'>,
  seenEventIds: ReadonlySet<string>,
  lastAccepted: EventVersion | undefined,
): Admission {
  if (seenEventIds.has(event.eventId)) {
    return { verdict: 'duplicate', reason: `event ${event.eventId} was already received` };
  }
  if (lastAccepted !== undefined && compareVersions(eventVersion(event), lastAccepted) < 0) {
    return { verdict: 'stale', reason: `event ${event.eventId} is older than the last accepted change` };
  }
  return { verdict: 'accept' };
}

/** Keeps the most recent ids only, so the set survives continue-as-new at a bounded size. */
export function rememberEventId(ids: string[], eventId: string, limit = 500): string[] {
  const next = ids.filter((id) => id !== eventId);
  next.push(eventId);
  return next.length > limit ? next.slice(next.length - limit) : next;
}
