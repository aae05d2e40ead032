import {
  admitEvent,
  compareVersions,
  DEFAULT_ORDERING_LIMITS,
  eventVersion,
  nextHighWater,
  plausibleVersion,
  rememberEventId,
} from '../../../workflows/employee/ordering';

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

describe('implausible ordering values', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  const seen = new Set<string>();

  it('does not let an occurredAt far in the future win or become the mark', () => {
    const hire = { eventId: 'h', occurredAt: '9999-12-31T00:00:00Z' };
    const admitted = admitEvent(hire, seen, undefined, now);
    expect(admitted).toEqual({
      verdict: 'accept',
      note: expect.stringMatching(/^ignored for ordering: occurredAt 9999-12-31T00:00:00.000Z lies beyond/),
    });
    expect(plausibleVersion(eventVersion(hire), now, undefined).version).toEqual({});
    expect(nextHighWater(undefined, {})).toBeUndefined();
    expect(admitEvent({ eventId: 't', occurredAt: '2026-11-30T11:59:00Z' }, seen, undefined, now)).toEqual({
      verdict: 'accept',
    });
  });

  it('accepts clock skew within the limit, and the limit is configurable', () => {
    const aheadByAnHour = { eventId: 'e', occurredAt: '2026-11-30T13:00:00Z' };
    expect(admitEvent(aheadByAnHour, seen, undefined, now)).toEqual({ verdict: 'accept' });
    const strict = { ...DEFAULT_ORDERING_LIMITS, maxFutureSkewMs: 5 * 60_000 };
    expect(admitEvent(aheadByAnHour, seen, undefined, now, strict)).toMatchObject({
      verdict: 'accept',
      note: expect.stringContaining('occurredAt'),
    });
  });

  it('ignores a sequence that jumps implausibly, or leaves no room to grow, but keeps epoch-sized counters', () => {
    expect(plausibleVersion({ sequence: Number.MAX_SAFE_INTEGER }, now, undefined)).toMatchObject({
      version: {},
      ignored: [expect.stringContaining('9007199254740991')],
    });
    expect(plausibleVersion({ sequence: 2 ** 41 }, now, { sequence: 5 }).version).toEqual({});
    expect(plausibleVersion({ sequence: now }, now, undefined).version).toEqual({ sequence: now });
    expect(plausibleVersion({ sequence: now + 86_400_000 }, now, { sequence: now }).version).toEqual({
      sequence: now + 86_400_000,
    });
    expect(plausibleVersion({ sequence: 1.5 }, now, undefined).version).toEqual({});
  });

  it('keeps the plausible part of a version and the previous mark for the rest', () => {
    const mark = { sequence: 4, occurredAtMs: now - 1000 };
    expect(nextHighWater(mark, { occurredAtMs: now })).toEqual({ sequence: 4, occurredAtMs: now });
    expect(nextHighWater(mark, {})).toEqual(mark);
  });

  it('judges a real termination against a mark poisoned before these checks existed by its plausible part only', () => {
    const poisoned = { sequence: Number.MAX_SAFE_INTEGER, occurredAtMs: Date.parse('9999-12-31T00:00:00Z') };
    expect(admitEvent({ eventId: 't', sequence: 2, occurredAt: '2026-11-30T11:00:00Z' }, seen, poisoned, now)).toEqual({
      verdict: 'accept',
    });
    // Without a clock (the old path) the poisoned mark still wins: what the patch fixes.
    expect(admitEvent({ eventId: 't', sequence: 2 }, seen, poisoned)).toMatchObject({ verdict: 'stale' });
  });

  it('still judges a genuinely older event stale', () => {
    expect(admitEvent({ eventId: 't', sequence: 3 }, seen, { sequence: 5 }, now)).toMatchObject({ verdict: 'stale' });
  });
});
