import { isDateOnly, localMidnight } from '../../../../workers/api/adapters/dates';
import { deriveTransition } from '../../../../workers/api/adapters/transition';

describe('localMidnight', () => {
  test('uses the zone offset in force on that day (DST on both sides)', () => {
    expect(localMidnight('2026-07-01', 'Europe/Berlin')).toBe('2026-07-01T00:00:00+02:00');
    expect(localMidnight('2026-12-01', 'Europe/Berlin')).toBe('2026-12-01T00:00:00+01:00');
    expect(localMidnight('2026-03-08', 'America/New_York')).toBe('2026-03-08T00:00:00-05:00');
    expect(localMidnight('2026-11-30', 'Asia/Kolkata', 1)).toBe('2026-12-01T00:00:00+05:30');
    expect(localMidnight('2026-12-31', 'UTC', 1)).toBe('2027-01-01T00:00:00+00:00');
  });

  test('rejects impossible dates', () => {
    expect(isDateOnly('2026-02-30')).toBe(false);
    expect(localMidnight('2026-13-01', 'UTC')).toBeUndefined();
  });
});

describe('deriveTransition', () => {
  const ctx = { receivedAt: new Date('2026-11-20T12:00:00Z'), timeZone: 'UTC' };
  test('a termination day that is today keeps access until its end', () => {
    expect(deriveTransition({ active: true, terminationDate: '2026-11-20' }, ctx)).toEqual({
      type: 'terminate',
      status: 'terminated',
      effectiveAt: '2026-11-21T00:00:00+00:00',
    });
  });
  test('a hire date today is an ordinary active snapshot, effective at the change time', () => {
    expect(
      deriveTransition({ active: true, hireDate: '2026-11-20', changedAt: '2026-11-20T11:00:00+00:00' }, ctx),
    ).toEqual({ status: 'active', effectiveAt: '2026-11-20T11:00:00+00:00' });
  });
  test('inactive without dates is terminated now', () => {
    expect(deriveTransition({ active: false }, ctx)).toEqual({
      status: 'terminated',
      effectiveAt: '2026-11-20T12:00:00.000+00:00',
    });
  });
});
