/** How a person is named on screens (console, Temporal memo): HR's display name, else given and family name. */
import type { EmployeeRecord } from './employee';

export function displayNameOf(
  employee: Pick<EmployeeRecord, 'displayName' | 'preferredName' | 'givenName' | 'familyName'>,
): string {
  return employee.displayName ?? `${employee.preferredName ?? employee.givenName} ${employee.familyName}`;
}
