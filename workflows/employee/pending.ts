/**
 * Future-dated events held by the employee workflow until they are due. Pure.
 *
 * A hire dated next month provisions at its start minus the policy's lead time; a termination
 * dated Friday 17:00 fires then. A later correction of the same kind replaces the pending one,
 * and a `cancel` event withdraws one by id.
 */
import type { HrEvent, HrEventType } from '../../lib/hr/event';
import { compareVersions, eventVersion } from './ordering';

export interface PendingEvent {
  event: HrEvent;
  /** Epoch ms at which the workflow applies it. */
  dueAtMs: number;
  /** When the workflow received it: an SLA never starts before HR told us. */
  receivedAtMs?: number;
}

/** Event kinds where a newer pending event supersedes an older one of the same kind. */
const SUPERSEDING: Record<HrEventType, string | undefined> = {
  hire: 'activate',
  rehire: 'activate',
  terminate: 'terminate',
  update: undefined,
  cancel: undefined,
};

/** When an event becomes due: activations are pulled forward by the joiner lead time. */
export function dueTime(event: Pick<HrEvent, 'type' | 'effectiveAt'>, joinerLeadTimeMs: number): number {
  const effective = Date.parse(event.effectiveAt);
  return event.type === 'hire' || event.type === 'rehire' ? effective - joinerLeadTimeMs : effective;
}

/** Adds an event, replacing a pending one it supersedes; keeps the list ordered by due time. */
export function addPending(
  pending: PendingEvent[],
  item: PendingEvent,
): { pending: PendingEvent[]; replaced: PendingEvent[] } {
  const kind = item.event.type === undefined ? undefined : SUPERSEDING[item.event.type];
  const replaced =
    kind === undefined ? [] : pending.filter((p) => p.event.type !== undefined && SUPERSEDING[p.event.type] === kind);
  const kept = pending.filter((p) => !replaced.includes(p));
  return { pending: sortPending([...kept, item]), replaced };
}

/** Removes the pending event with the given id (a `cancel`). */
export function cancelPending(
  pending: PendingEvent[],
  eventId: string,
): { pending: PendingEvent[]; cancelled?: PendingEvent } {
  const cancelled = pending.find((p) => p.event.eventId === eventId);
  return { pending: pending.filter((p) => p !== cancelled), cancelled };
}

/** Splits off the events due at `nowMs`, oldest first. */
export function takeDue(pending: PendingEvent[], nowMs: number): { due: PendingEvent[]; rest: PendingEvent[] } {
  return { due: pending.filter((p) => p.dueAtMs <= nowMs), rest: pending.filter((p) => p.dueAtMs > nowMs) };
}

function sortPending(list: PendingEvent[]): PendingEvent[] {
  return [...list].sort(
    (a, b) => a.dueAtMs - b.dueAtMs || compareVersions(eventVersion(a.event), eventVersion(b.event)),
  );
}
