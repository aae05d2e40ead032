import type { EmployeeRecord } from '../../lib/hr/employee';
import { inferredTermination, missingFromRoster, rosterEvent } from '../../lib/roster';

const snap = (employeeId: string, status: EmployeeRecord['status']): EmployeeRecord => ({
  employeeId,
  givenName: 'A',
  familyName: employeeId,
  status,
});

test('missing: known, not terminated, not in the roster; people without a snapshot are not inferred', () => {
  const known = [
    { employeeId: 'E3', snapshot: snap('E3', 'active') },
    { employeeId: 'E1', snapshot: snap('E1', 'active') },
    { employeeId: 'E2', snapshot: snap('E2', 'terminated') },
    { employeeId: 'E4', snapshot: snap('E4', 'leave') },
    { employeeId: 'E5' },
    { employeeId: 'E6', snapshot: snap('E6', 'active') },
  ];
  expect(missingFromRoster(known, new Set(['E6'])).map((m) => m.employeeId)).toEqual(['E1', 'E3', 'E4']);
});

test('an inferred termination carries inferredFrom and the roster eventId; a roster event is a snapshot', () => {
  const t = inferredTermination(
    'R9',
    '2026-11-30T02:00:00+01:00',
    { employeeId: 'E1', snapshot: snap('E1', 'active') },
    '2026-11-30T09:00:00Z',
  );
  expect(t).toMatchObject({
    eventId: 'roster-R9-E1',
    type: 'terminate',
    effectiveAt: '2026-11-30T09:00:00Z',
    occurredAt: '2026-11-30T02:00:00+01:00',
    inferredFrom: { rosterId: 'R9' },
    employee: { employeeId: 'E1', status: 'terminated' },
  });
  const e = rosterEvent('R9', '2026-11-30T02:00:00+01:00', snap('E7', 'active'));
  expect(e.eventId).toBe('roster-R9-E7');
  expect(e.type).toBeUndefined();
  expect(e.inferredFrom).toBeUndefined();
});
