import { addPending, cancelPending, dueTime, takeDue, type PendingEvent } from '../../../workflows/employee/pending';
import { hrEvent } from '../../lib/lifecycle/fixtures';

const HOUR = 3_600_000;

function pending(eventId: string, type: PendingEvent['event']['type'], dueAtMs: number, sequence = 1): PendingEvent {
  return { event: hrEvent({ eventId, type, sequence }), dueAtMs };
}

describe('pending future-dated events', () => {
  it('pulls activations forward by the lead time and leaves terminations at their effective time', () => {
    const effectiveAt = '2026-12-04T17:00:00+01:00';
    const effectiveMs = Date.parse('2026-12-04T16:00:00Z');
    expect(dueTime({ type: 'hire', effectiveAt }, 24 * HOUR)).toBe(effectiveMs - 24 * HOUR);
    expect(dueTime({ type: 'terminate', effectiveAt }, 24 * HOUR)).toBe(effectiveMs);
    expect(dueTime({ type: 'update', effectiveAt }, 24 * HOUR)).toBe(effectiveMs);
  });

  it('replaces a pending termination with its correction and keeps updates', () => {
    let list: PendingEvent[] = [];
    list = addPending(list, pending('t1', 'terminate', 5_000)).pending;
    list = addPending(list, pending('u1', 'update', 1_000)).pending;
    const { pending: next, replaced } = addPending(list, pending('t2', 'terminate', 3_000, 2));
    expect(replaced.map((p) => p.event.eventId)).toEqual(['t1']);
    expect(next.map((p) => p.event.eventId)).toEqual(['u1', 't2']);
  });

  it('treats hire and rehire as the same kind of pending activation', () => {
    const list = addPending([], pending('h1', 'hire', 10)).pending;
    expect(addPending(list, pending('r1', 'rehire', 20)).replaced.map((p) => p.event.eventId)).toEqual(['h1']);
  });

  it('cancels by event id and reports what it withdrew', () => {
    const list = [pending('t1', 'terminate', 5), pending('u1', 'update', 6)];
    expect(cancelPending(list, 't1')).toEqual({ pending: [list[1]], cancelled: list[0] });
    expect(cancelPending(list, 'nope')).toEqual({ pending: list, cancelled: undefined });
  });

  it('takes due events oldest first and keeps the rest', () => {
    const list = [pending('a', 'update', 1), pending('b', 'update', 2), pending('c', 'update', 3)];
    const { due, rest } = takeDue(list, 2);
    expect(due.map((p) => p.event.eventId)).toEqual(['a', 'b']);
    expect(rest.map((p) => p.event.eventId)).toEqual(['c']);
  });
});
