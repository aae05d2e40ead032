/**
 * Access-rule conditions over an HR record: `{ department: [Engineering, Platform],
 * employmentType: [FULL_TIME] }`. Values compare case-insensitively and trimmed, because HR
 * systems are inconsistent about "engineering" vs "Engineering ".
 */
import type { AccessCondition } from '../config/types';
import type { EmployeeRecord } from '../hr/employee';
import { readHrField } from '../mapping/template';

function normalize(value: string): string {
  return value.trim().toLowerCase();
}

/** The field has one of the accepted values (an absent field matches nothing). */
export function fieldMatches(employee: EmployeeRecord, field: string, accepted: readonly string[]): boolean {
  const value = readHrField(employee, field);
  if (value === undefined) return false;
  const v = normalize(value);
  return accepted.some((a) => normalize(a) === v);
}

/** `when`: every field matches (AND across fields, OR within a field); `{}` matches everyone. */
export function matchesAll(employee: EmployeeRecord, condition: AccessCondition): boolean {
  return Object.entries(condition).every(([field, accepted]) => fieldMatches(employee, field, accepted));
}

/** `unless`: any field matching excludes the employee. */
export function matchesAny(employee: EmployeeRecord, condition: AccessCondition): boolean {
  return Object.entries(condition).some(([field, accepted]) => fieldMatches(employee, field, accepted));
}
