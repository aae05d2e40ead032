/**
 * The canonical HR employee record: what every HR adapter produces and what connector
 * mappings read from (`source: department`, `source: custom.badgeId`).
 */
import { z } from 'zod';

export const EMPLOYMENT_TYPES = ['FULL_TIME', 'PART_TIME', 'CONTRACTOR', 'INTERN', 'TEMPORARY'] as const;
export const EMPLOYEE_STATUSES = ['pending', 'active', 'leave', 'terminated'] as const;

export const EmployeeRecordSchema = z.strictObject({
  /** The HR system's immutable id; becomes the SCIM `externalId` (RFC 7643 §3.1). */
  employeeId: z.string().min(1).max(128),
  /** Login name if HR assigns one; connectors usually derive `userName` from `workEmail`. */
  userName: z.string().min(1).optional(),
  givenName: z.string().min(1),
  familyName: z.string().min(1),
  preferredName: z.string().min(1).optional(),
  displayName: z.string().min(1).optional(),
  workEmail: z.email().optional(),
  personalEmail: z.email().optional(),
  phone: z.string().optional(),
  title: z.string().optional(),
  department: z.string().optional(),
  division: z.string().optional(),
  location: z.string().optional(),
  costCenter: z.string().optional(),
  managerId: z.string().optional(),
  managerEmail: z.email().optional(),
  employmentType: z.enum(EMPLOYMENT_TYPES).optional(),
  status: z.enum(EMPLOYEE_STATUSES),
  /** IANA zone, e.g. `Europe/Berlin`: future-dated events fire in the employee's local time. */
  timeZone: z.string().optional(),
  /** ISO dates (YYYY-MM-DD). */
  startDate: z.string().optional(),
  endDate: z.string().optional(),
  /** Free-form extra HR attributes, addressable as `custom.<name>` in mappings and rules. */
  custom: z.record(z.string(), z.string()).optional(),
});

export type EmployeeRecord = z.infer<typeof EmployeeRecordSchema>;

/** Attribute names a mapping `source` or an access-rule condition may reference. */
export const EMPLOYEE_FIELDS = Object.keys(EmployeeRecordSchema.shape) as (keyof EmployeeRecord)[];
