import type { EmployeeRecord } from '../../../lib/hr/employee';
import type { HrEvent } from '../../../lib/hr/event';

export function employee(overrides: Partial<EmployeeRecord> = {}): EmployeeRecord {
  return {
    employeeId: 'E123',
    givenName: 'Ada',
    familyName: 'Lovelace',
    workEmail: 'ada.lovelace@example.com',
    department: 'Engineering',
    title: 'Engineer',
    status: 'active',
    ...overrides,
  };
}

export function hrEvent(overrides: Partial<HrEvent> = {}): HrEvent {
  return {
    eventId: 'evt-1',
    type: 'hire',
    effectiveAt: '2026-12-01T09:00:00+01:00',
    sequence: 1,
    employee: employee(),
    ...overrides,
  };
}
