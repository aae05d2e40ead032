/**
 * `{{field}}` templates, used by mapping templates (`{{givenName}}.{{familyName}}@example.com`),
 * access-rule group names (`eng-{{department}}`) and connector group name templates
 * (`jml-{{group}}`). Deliberately logic-less: no conditionals, no escaping rules to learn.
 */
import type { EmployeeRecord } from '../hr/employee';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** The placeholder names a template uses, in order of appearance. */
export function templatePlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

/**
 * Replaces every placeholder through `lookup`. Returns `undefined` when any placeholder has no
 * value: a half-filled `.@example.com` is worse than no value at all.
 */
export function renderTemplate(template: string, lookup: (name: string) => string | undefined): string | undefined {
  let missing = false;
  const out = template.replace(PLACEHOLDER, (_, name: string) => {
    const value = lookup(name);
    if (value === undefined) missing = true;
    return value ?? '';
  });
  return missing ? undefined : out;
}

/**
 * An HR field by name (`department`, `custom.badgeId`). Empty and blank strings count as
 * absent: HR exports often send `""` for "not set".
 */
export function readHrField(employee: EmployeeRecord, field: string): string | undefined {
  let value: unknown;
  if (field.startsWith('custom.')) value = employee.custom?.[field.slice('custom.'.length)];
  else value = (employee as Record<string, unknown>)[field];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return value;
}

/** `lookup` for {@link renderTemplate} over an employee record. */
export function employeeLookup(employee: EmployeeRecord): (name: string) => string | undefined {
  return (name) => readHrField(employee, name);
}
