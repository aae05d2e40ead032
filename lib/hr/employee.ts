/**
 * The canonical HR employee record: what every HR adapter produces and what connector
 * mappings read from (`source: department`, `source: custom.badgeId`).
 */
import { z } from 'zod';
import { hrText } from './text';

/**
 * An HR identifier (`employeeId`, `eventId`): it names workflows (`employee-<id>`), SCIM
 * `externalId`s, audit rows and log lines, so only characters that are safe in all of them.
 */
export const HR_ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
export const HR_ID_HINT = 'use letters, digits and . _ : - only';

export function hrId(maxLength: number) {
  return z.string().min(1).max(maxLength).regex(HR_ID_PATTERN, HR_ID_HINT);
}

export const EMPLOYMENT_TYPES = ['FULL_TIME', 'PART_TIME', 'CONTRACTOR', 'INTERN', 'TEMPORARY'] as const;
export const EMPLOYEE_STATUSES = ['pending', 'active', 'leave', 'terminated'] as const;

export const EmployeeRecordSchema = z.strictObject({
  /** The HR system's immutable id; becomes the SCIM `externalId` (RFC 7643 §3.1). */
  employeeId: hrId(128),
  /** Login name if HR assigns one; connectors usually derive `userName` from `workEmail`. */
  userName: hrText().min(1).optional(),
  givenName: hrText().min(1),
  familyName: hrText().min(1),
  preferredName: hrText().min(1).optional(),
  displayName: hrText().min(1).optional(),
  workEmail: z.email().optional(),
  personalEmail: z.email().optional(),
  phone: hrText().optional(),
  title: hrText().optional(),
  department: hrText().optional(),
  division: hrText().optional(),
  location: hrText().optional(),
  costCenter: hrText().optional(),
  managerId: hrText().optional(),
  managerEmail: z.email().optional(),
  employmentType: z.enum(EMPLOYMENT_TYPES).optional(),
  status: z.enum(EMPLOYEE_STATUSES),
  /** IANA zone, e.g. `Europe/Berlin`: future-dated events fire in the employee's local time. */
  timeZone: hrText().optional(),
  /** ISO dates (YYYY-MM-DD). */
  startDate: hrText().optional(),
  endDate: hrText().optional(),
  /** Free-form extra HR attributes, addressable as `custom.<name>` in mappings and rules. */
  custom: z.record(hrText(), hrText()).optional(),
});

export type EmployeeRecord = z.infer<typeof EmployeeRecordSchema>;

/** Attribute names a mapping `source` or an access-rule condition may reference. */
export const EMPLOYEE_FIELDS = Object.keys(EmployeeRecordSchema.shape) as (keyof EmployeeRecord)[];
