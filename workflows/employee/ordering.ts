/**
 * Event ordering for one employee. Pure and deterministic: imported by the employee workflow.
 *
 * Two clocks matter and are kept apart on purpose:
 * - the *version* (HR `sequence`, else `occurredAt`) says which record is newer — an older
 *   version arriving late is stale and must not overwrite newer HR truth;
 * - the *effective time* says when a change applies — future-dated events wait on a timer.
 *
 * Only plausible values become the high-water mark: an `occurredAt` far ahead of workflow time
 * or a `sequence` that jumps implausibly would make every later real event — a termination —
 * look stale. The intake API rejects such events; this is the workflow's own defence.
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
  | { verdict: 'accept'; /** What was ignored for ordering, when something was. */ note?: string }
  | { verdict: 'duplicate'; reason: string }
  | { verdict: 'stale'; reason: string };

/** Bounds on ordering values the workflow believes. */
export interface OrderingLimits {
  /** How far `occurredAt` may lie ahead of workflow time (HR and Temporal clocks differ). */
  maxFutureSkewMs: number;
  /**
   * How far `sequence` may jump past the last accepted one. A first sequence only has to leave
   * that much room below 2^53 − 1 (HR counters may start anywhere, e.g. at epoch milliseconds).
   */
  maxSequenceJump: number;
}

/**
 * Generous defaults: clocks differ by seconds, not a day; HR counters (even epoch-millisecond
 * ones) do not leap by 2^40 between two changes of one person.
 */
export const DEFAULT_ORDERING_LIMITS: OrderingLimits = { maxFutureSkewMs: 24 * 60 * 60_000, maxSequenceJump: 2 ** 40 };

/**
 * The parts of a version that may order later events: a value that fails the limits is dropped,
 * so it neither makes this event win nor becomes the mark later events are compared with.
 * Applies to the stored mark too — state written before these limits existed may hold one.
 */
export function plausibleVersion(
  version: EventVersion,
  nowMs: number,
  previous: EventVersion | undefined,
  limits: OrderingLimits = DEFAULT_ORDERING_LIMITS,
): { version: EventVersion; ignored: string[] } {
  const ignored: string[] = [];
  const out: EventVersion = {};
  if (version.occurredAtMs !== undefined) {
    if (!Number.isFinite(version.occurredAtMs) || version.occurredAtMs > nowMs + limits.maxFutureSkewMs) {
      ignored.push(
        `occurredAt ${describeTime(version.occurredAtMs)} lies beyond workflow time plus the allowed clock skew`,
      );
    } else out.occurredAtMs = version.occurredAtMs;
  }
  if (version.sequence !== undefined) {
    const base = previous?.sequence;
    const tooFar =
      base === undefined
        ? version.sequence > Number.MAX_SAFE_INTEGER - limits.maxSequenceJump
        : version.sequence - base > limits.maxSequenceJump;
    if (!Number.isSafeInteger(version.sequence) || tooFar) {
      ignored.push(`sequence ${version.sequence} jumps implausibly${base === undefined ? '' : ` past ${base}`}`);
    } else out.sequence = version.sequence;
  }
  return { version: out, ignored };
}

function describeTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

/**
 * The mark after accepting `incoming`: each plausible component replaces the stored one, an
 * implausible one leaves it as it was.
 */
export function nextHighWater(previous: EventVersion | undefined, incoming: EventVersion): EventVersion | undefined {
  const merged: EventVersion = { ...previous };
  if (incoming.sequence !== undefined) merged.sequence = incoming.sequence;
  if (incoming.occurredAtMs !== undefined) merged.occurredAtMs = incoming.occurredAtMs;
  return merged.sequence === undefined && merged.occurredAtMs === undefined ? previous : merged;
}

/**
 * Decides whether an incoming event may change state: a repeated `eventId` is a duplicate;
 * a version not newer than the last accepted one is stale. Equal versions from different
 * event ids are accepted (HR sometimes sends two changes with one timestamp).
 */
export function admitEvent(
  event: Pick<HrEvent, 'eventId' | 'sequence' | 'occurredAt'>,
  seenEventIds: ReadonlySet<string>,
  lastAccepted: EventVersion | undefined,
  nowMs = Number.NaN,
  limits: OrderingLimits = DEFAULT_ORDERING_LIMITS,
): Admission {
  if (seenEventIds.has(event.eventId)) {
    return { verdict: 'duplicate', reason: `event ${event.eventId} was already received` };
  }
  // Without a clock (old callers) every value is believed, as before.
  const unchecked = Number.isNaN(nowMs);
  const mark =
    lastAccepted && !unchecked ? plausibleVersion(lastAccepted, nowMs, undefined, limits).version : lastAccepted;
  const own = unchecked
    ? { version: eventVersion(event), ignored: [] }
    : plausibleVersion(eventVersion(event), nowMs, mark, limits);
  if (mark !== undefined && compareVersions(own.version, mark) < 0) {
    return { verdict: 'stale', reason: `event ${event.eventId} is older than the last accepted change` };
  }
  return own.ignored.length === 0
    ? { verdict: 'accept' }
    : { verdict: 'accept', note: `ignored for ordering: ${own.ignored.join('; ')}` };
}

/** Keeps the most recent ids only, so the set survives continue-as-new at a bounded size. */
export function rememberEventId(ids: string[], eventId: string, limit = 500): string[] {
  const next = ids.filter((id) => id !== eventId);
  next.push(eventId);
  return next.length > limit ? next.slice(next.length - limit) : next;
}
