import type { AttributeMapping } from '../../../lib/config/types';
import type { EmployeeRecord } from '../../../lib/hr/employee';
import type { MappingConnector } from '../../../lib/mapping';

export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A mapping with the loader's defaults applied. */
export function m(fields: Partial<AttributeMapping> & { target: string }): AttributeMapping {
  return { applyOn: ['create', 'update'], transform: [], required: false, ...fields };
}

export function connector(mappings: AttributeMapping[], extensions: string[] = []): MappingConnector {
  return { id: 'acme', mappings, scim: { userSchemaExtensions: extensions } };
}

export const ada: EmployeeRecord = {
  employeeId: 'E100',
  givenName: 'Ada',
  familyName: 'Lovelace',
  workEmail: 'ada.lovelace@example.com',
  phone: '+44 20 7946 0000',
  title: 'Engineer',
  department: 'Engineering',
  costCenter: 'CC-42',
  managerId: 'E001',
  employmentType: 'FULL_TIME',
  status: 'active',
  custom: { badgeId: 'B-7' },
};

/** A typical connector: identity, name, work email, phone, enterprise department and manager. */
export const standardMappings: AttributeMapping[] = [
  m({ source: 'employeeId', target: 'externalId', required: true }),
  m({ source: 'workEmail', target: 'userName', required: true, transform: ['lower'] }),
  m({ source: 'givenName', target: 'name.givenName' }),
  m({ source: 'familyName', target: 'name.familyName' }),
  m({ template: '{{givenName}} {{familyName}}', target: 'displayName' }),
  m({ source: 'workEmail', target: 'emails[type eq "work"].value', required: true }),
  m({ source: 'phone', target: 'phoneNumbers[type eq "work"].value' }),
  m({ source: 'title', target: 'title' }),
  m({ source: 'department', target: `${ENTERPRISE}:department` }),
  m({ source: 'managerId', target: `${ENTERPRISE}:manager.value` }),
];
