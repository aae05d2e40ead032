import { admitEvent, compareVersions, eventVersion, rememberEventId } from '../../../workflows/employee/ordering';

describe('event ordering', () => {
  it('orders by sequence when both events carry one, whatever their recording times', () => {
    const older = eventVersion({ sequence: 2, occurredAt: '2026-11-22T10:00:00Z' });
    const newer = eventVersion({ sequence: 3, occurredAt: '2026-11-22T09:00:00Z' });
    expect(compareVersions(older, newer)).toBeLessThan(0);
    expect(compareVersions(newer, older)).toBeGreaterThan(0);
  });

  it('falls back to occurredAt, across offsets', () => {
    const a = eventVersion({ occurredAt: '2026-11-22T10:00:00+01:00' }); // 09:00Z
    const b = eventVersion({ occurredAt: '2026-11-22T09:30:00Z' });
    expect(compareVersions(a, b)).toBeLessThan(0);
  });

  it('treats incomparable versions as equal (accepted in arrival order)', () => {
    expect(compareVersions({ sequence: 4 }, { occurredAtMs: 1 })).toBe(0);
    expect(compareVersions({}, {})).toBe(0);
  });

  it('rejects a repeated eventId as a duplicate before looking at versions', () => {
    const verdict = admitEvent({ eventId: 'evt-9', sequence: 99 }, new Set(['evt-9']), { sequence: 1 });
    expect(verdict).toEqual({ verdict: 'duplicate', reason: 'event evt-9 was already received' });
  });

  it('rejects an older version as stale and accepts an equal or newer one', () => {
    const last = { sequence: 5 };
    expect(admitEvent({ eventId: 'a', sequence: 4 }, new Set(), last)).toEqual({
      verdict: 'stale',
      reason: 'event a is older than the last accepted change',
    });
    expect(admitEvent({ eventId: 'b', sequence: 5 }, new Set(), last)).toEqual({ verdict: 'accept' });
    expect(admitEvent({ eventId: 'c', sequence: 6 }, new Set(), last)).toEqual({ verdict: 'accept' });
    expect(admitEvent({ eventId: 'd' }, new Set(), undefined)).toEqual({ verdict: 'accept' });
  });

  it('remembers a bounded window of event ids, most recent last', () => {
    let ids: string[] = [];
    for (let i = 0; i < 7; i++) ids = rememberEventId(ids, `e${i}`, 5);
    expect(ids).toEqual(['e2', 'e3', 'e4', 'e5', 'e6']);
    expect(rememberEventId(ids, 'e3', 5)).toEqual(['e2', 'e4', 'e5', 'e6', 'e3']);
  });
});
