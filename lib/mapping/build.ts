/**
 * HR record → SCIM User resource body (RFC 7643 §4.1) for one connector.
 */
import type { Lifecycle } from '../config/types';
import { ERROR_CODES, JmlError } from '../errors';
import type { EmployeeRecord } from '../hr/employee';
import { mappingsFor, type CompiledMapping, type MappingConnector } from './compile';
import { readPath, writePath } from './resource';
import type { ScimAttributeDef } from './scim-schema';
import { CORE_USER_SCHEMA, type ScimUserResource } from './types';
import { mappingSourceFields, mappingValue, type ScimScalar } from './values';

/** One required mapping without a value. */
export interface MissingValue {
  target: string;
  /** The HR fields the mapping reads (empty for a constant). */
  fields: string[];
}

/** Thrown when required mappings have no value: the account cannot be created. */
export class MappingError extends JmlError {
  override name = 'MappingError';
  constructor(
    code: typeof ERROR_CODES.MAPPING_REQUIRED_MISSING | typeof ERROR_CODES.MAPPING_INVALID_VALUE,
    message: string,
    readonly app: string,
    readonly missing: MissingValue[] = [],
  ) {
    super(code, message);
  }
}

/**
 * Builds the resource the connector's mappings describe for `lifecycle`. On `create` the
 * resource is `active: true` unless a mapping sets `active`. Multi-valued entries built from
 * `[type eq "…"]` targets become `{type, …, primary}` values; the first entry of each
 * attribute is marked `primary: true` (RFC 7643 §2.4: at most one primary) unless a
 * mapping writes `primary` itself.
 *
 * @throws MappingError `MAPPING_REQUIRED_MISSING` listing every required target without a
 *   value (with app, target and HR field), or `MAPPING_INVALID_VALUE`.
 */
export function buildScimUser(
  connector: MappingConnector,
  employee: EmployeeRecord,
  lifecycle: Lifecycle,
): ScimUserResource {
  return buildResource(connector, employee, lifecycle, { requireAll: true });
}

/** {@link buildScimUser} with control over required values (`requireAll: false` skips them silently). */
export function buildResource(
  connector: MappingConnector,
  employee: EmployeeRecord,
  lifecycle: Lifecycle,
  options: { requireAll: boolean },
): ScimUserResource {
  const resource: ScimUserResource = { schemas: [CORE_USER_SCHEMA] };
  const missing: MissingValue[] = [];
  const compiled = mappingsFor(connector, lifecycle);
  for (const entry of compiled) {
    const value = mappingValue(entry.mapping, employee);
    if (value === undefined) {
      if (entry.mapping.required && options.requireAll)
        missing.push({ target: entry.target.text, fields: mappingSourceFields(entry.mapping) });
      continue;
    }
    writePath(resource, entry.target.path, coerce(value, entry, connector.id));
  }
  if (missing.length > 0) throw missingError(connector.id, employee, missing);
  if (lifecycle === 'create' && resource.active === undefined) resource.active = true;
  markPrimary(resource, compiled);
  resource.schemas = schemasOf(resource, connector);
  return resource;
}

function missingError(app: string, employee: EmployeeRecord, missing: MissingValue[]): MappingError {
  const list = missing
    .map((m) => (m.fields.length > 0 ? `${m.target} (HR field ${m.fields.join(', ')})` : m.target))
    .join('; ');
  return new MappingError(
    ERROR_CODES.MAPPING_REQUIRED_MISSING,
    `app "${app}": employee ${employee.employeeId} has no value for required ${list}`,
    app,
    missing,
  );
}

/** Converts to the attribute's SCIM type (RFC 7643 §2.3); HR data is all strings. */
function coerce(value: ScimScalar, entry: CompiledMapping, app: string): ScimScalar {
  const def: ScimAttributeDef | undefined = entry.target.leaf;
  if (!def) return value;
  if (def.type === 'boolean') {
    if (typeof value === 'boolean') return value;
    const text = String(value).trim().toLowerCase();
    if (text === 'true' || text === 'false') return text === 'true';
  } else if (def.type === 'integer' || def.type === 'decimal') {
    const n = typeof value === 'number' ? value : Number(String(value).trim());
    if (Number.isFinite(n) && (def.type === 'decimal' || Number.isInteger(n))) return n;
  } else {
    return String(value);
  }
  throw new MappingError(
    ERROR_CODES.MAPPING_INVALID_VALUE,
    `app "${app}": ${entry.target.text} expects a ${def.type}, but the mapping produced ${JSON.stringify(value)}`,
    app,
  );
}

function markPrimary(resource: ScimUserResource, compiled: CompiledMapping[]): void {
  const explicit = new Set(
    compiled
      .filter((c) => c.target.path.subAttribute === 'primary')
      .map((c) => `${c.target.schema}|${c.target.path.attribute}`),
  );
  const done = new Set<string>();
  for (const { target } of compiled) {
    const key = `${target.schema}|${target.path.attribute}`;
    if (!target.path.filter || explicit.has(key) || done.has(key)) continue;
    const list = readPath(resource, { schema: target.path.schema, attribute: target.path.attribute });
    if (!Array.isArray(list) || list.length === 0) continue;
    done.add(key);
    (list[0] as Record<string, unknown>).primary = true;
  }
}

/** Core schema first, then the extensions in the order the connector declares them. */
function schemasOf(resource: ScimUserResource, connector: MappingConnector): string[] {
  const used = Object.keys(resource).filter((k) => /^urn:/i.test(k));
  const declared = connector.scim.userSchemaExtensions.filter((u) => used.includes(u));
  return [CORE_USER_SCHEMA, ...declared, ...used.filter((u) => !declared.includes(u))];
}
