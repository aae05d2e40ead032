import { HrEventSchema } from '../../../lib/hr/event';
import { formatIssues } from '../../../workers/api/problems';

describe('formatIssues', () => {
  test('names each field and how to fix it', () => {
    const parsed = HrEventSchema.safeParse({
      eventId: 'e 1',
      effectiveAt: '2026-12-01T09:00:00',
      colour: 'red',
      employee: { employeeId: 'E1', givenName: 'A', familyName: 'B', workEmail: 'not-an-email', status: 'active' },
    });
    expect(parsed.success).toBe(false);
    expect(formatIssues(parsed.error!.issues).sort()).toEqual(
      [
        '(body): unknown field(s) "colour"; remove them',
        'eventId: use letters, digits and . _ : - only',
        'effectiveAt: invalid date-time; use ISO 8601 with a time zone offset, e.g. 2026-12-04T09:00:00+01:00',
        'employee.workEmail: invalid email address',
      ].sort(),
    );
  });

  test('prefixes batch positions and reports missing fields as required', () => {
    const parsed = HrEventSchema.safeParse({
      eventId: 'e1',
      effectiveAt: '2026-12-01T09:00:00Z',
      employee: { employeeId: 'E1', givenName: 'A', status: 'active' },
    });
    expect(formatIssues(parsed.error!.issues, 'Operations[3].data')).toEqual([
      'Operations[3].data.employee.familyName: required (expected string)',
    ]);
  });
});
