/**
 * Computes the value one attribute mapping produces for one employee:
 * read (`source` | `template` | `value`) → `transform` → `map` → `default`.
 */
import type { AttributeMapping, Transform } from '../config/types';
import type { EmployeeRecord } from '../hr/employee';
import { employeeLookup, readHrField, renderTemplate, templatePlaceholders } from './template';

/** A single SCIM value a mapping can produce. */
export type ScimScalar = string | boolean | number;

const TRANSFORMS: Record<Transform, (s: string) => string> = {
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  trim: (s) => s.trim(),
};

/** The HR fields a mapping reads (for error messages and audit). */
export function mappingSourceFields(mapping: Pick<AttributeMapping, 'source' | 'template'>): string[] {
  if (mapping.source !== undefined) return [mapping.source];
  if (mapping.template !== undefined) return templatePlaceholders(mapping.template);
  return [];
}

function readRaw(mapping: AttributeMapping, employee: EmployeeRecord): ScimScalar | undefined {
  if (mapping.source !== undefined) return readHrField(employee, mapping.source);
  if (mapping.template !== undefined) return renderTemplate(mapping.template, employeeLookup(employee));
  return mapping.value;
}

/** Looks `value` up in the table: exact key first, then case-insensitively (HR casing drifts). */
function lookUp(table: Record<string, ScimScalar>, value: string): ScimScalar | undefined {
  if (Object.hasOwn(table, value)) return table[value];
  const lower = value.toLowerCase();
  const key = Object.keys(table).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : table[key];
}

/** The value the mapping yields for the employee, or `undefined` when it yields none. */
export function mappingValue(mapping: AttributeMapping, employee: EmployeeRecord): ScimScalar | undefined {
  let value = readRaw(mapping, employee);
  if (typeof value === 'string') {
    for (const t of mapping.transform) value = TRANSFORMS[t](value);
    if (value === '') value = undefined;
  }
  if (mapping.map && value !== undefined) {
    const mapped = lookUp(mapping.map, String(value));
    value = mapped !== undefined ? mapped : (mapping.default ?? value);
  }
  return value ?? mapping.default;
}
