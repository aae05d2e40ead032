/**
 * HR field names as mappings and access rules reference them: a canonical employee attribute
 * (lib/hr/employee.ts) or `custom.<name>`.
 */
import { EMPLOYEE_FIELDS } from '../hr/employee';
import { didYouMean } from './suggest';

const CUSTOM = /^custom\.[A-Za-z0-9_-]+$/;

/** `undefined` when the field exists, else a message with did-you-mean. */
export function checkHrField(field: string): string | undefined {
  if ((EMPLOYEE_FIELDS as string[]).includes(field) || CUSTOM.test(field)) return undefined;
  if (field.startsWith('custom.'))
    return `"${field}" is not a valid custom field name (custom.<letters, digits, "_", "-">)`;
  const hint = didYouMean(field, EMPLOYEE_FIELDS) || '; use an employee field or custom.<name>';
  return `unknown HR field "${field}"${hint}`;
}
