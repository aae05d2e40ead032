/**
 * Validates client-supplied attribute values against the schema and returns them in canonical
 * form: canonical attribute names (names are case-insensitive, RFC 7643 §2.1), `null` and empty
 * arrays dropped (unassigned, RFC 7643 §2.5), values of the declared type (§2.3).
 */
import { badRequest } from '../protocol/errors';
import type { AttributeDef, ResourceTypeDef, SchemaDef } from './definitions';
import { COMMON_ATTRIBUTES } from './definitions';
import { findAttribute, findSchema } from './resolve';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function coerceBoolean(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  // Entra sends "True"/"False" as strings in PATCH values; accepting them is what apps do.
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw badRequest.invalidValue(`"${path}" must be a boolean`);
}

function coerceSimple(def: AttributeDef, value: unknown, path: string): unknown {
  switch (def.type) {
    case 'boolean':
      return coerceBoolean(value, path);
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      throw badRequest.invalidValue(`"${path}" must be an integer`);
    case 'decimal':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      throw badRequest.invalidValue(`"${path}" must be a number`);
    case 'dateTime':
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return value;
      throw badRequest.invalidValue(`"${path}" must be an xsd:dateTime string`);
    default:
      if (typeof value === 'string') return value;
      throw badRequest.invalidValue(`"${path}" must be a string`);
  }
}

function coerceComplex(def: AttributeDef, value: unknown, path: string): Json | undefined {
  if (!isObject(value)) throw badRequest.invalidValue(`"${path}" must be an object`);
  const out: Json = {};
  for (const [key, raw] of Object.entries(value)) {
    const sub = findAttribute(def.subAttributes, key);
    if (!sub) throw badRequest.invalidSyntax(`"${path}" has no sub-attribute "${key}"`);
    const coerced = raw === null ? undefined : coerceSimple(sub, raw, `${path}.${sub.name}`);
    if (coerced !== undefined && coerced !== '') out[sub.name] = coerced;
  }
  return Object.keys(out).length ? out : undefined;
}

function coerceSingle(def: AttributeDef, value: unknown, path: string): unknown {
  return def.type === 'complex' ? coerceComplex(def, value, path) : coerceSimple(def, value, path);
}

/** Coerces the value of one attribute (multi-valued attributes take arrays). Undefined = unassigned. */
export function coerceAttribute(def: AttributeDef, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (!def.multiValued) return coerceSingle(def, value, path);
  if (!Array.isArray(value)) throw badRequest.invalidValue(`"${path}" is multi-valued and must be an array`);
  const items = value
    .filter((v) => v !== null)
    .map((v, i) => coerceSingle(def, v, `${path}[${i}]`))
    .filter((v) => v !== undefined);
  if (def.type === 'complex' && items.filter((v) => (v as Json).primary === true).length > 1) {
    throw badRequest.invalidValue(`at most one value of "${path}" may be primary (RFC 7643 §2.4)`);
  }
  return items.length ? items : undefined;
}

function coerceSchemaAttributes(schema: SchemaDef, extra: readonly AttributeDef[], input: Json, prefix: string): Json {
  const out: Json = {};
  for (const [key, raw] of Object.entries(input)) {
    const def = findAttribute(extra, key) ?? findAttribute(schema.attributes, key);
    if (!def) throw badRequest.invalidSyntax(`unknown attribute "${prefix}${key}" in schema ${schema.id}`);
    const value = coerceAttribute(def, raw, `${prefix}${def.name}`);
    if (value !== undefined) out[def.name] = value;
  }
  return out;
}

/**
 * Coerces a whole resource body (without `schemas`). Extension attributes are accepted under
 * their schema URN key (RFC 7643 §3.3). Unknown attributes are a 400 invalidSyntax: a reference
 * server should expose a client's mapping typo rather than drop the value silently.
 */
export function coerceResource(type: ResourceTypeDef, input: Json): Json {
  const core: Json = {};
  const extensions: Json = {};
  for (const [key, value] of Object.entries(input)) {
    if (key.toLowerCase() === 'schemas') continue;
    const extension = key.includes(':') ? findSchema(type, key) : undefined;
    if (extension && extension !== type.schema) {
      if (value === null) continue;
      if (!isObject(value)) throw badRequest.invalidValue(`"${key}" must be an object`);
      const attrs = coerceSchemaAttributes(extension, [], value, `${extension.id}:`);
      if (Object.keys(attrs).length) extensions[extension.id] = attrs;
    } else if (key.includes(':')) {
      throw badRequest.invalidSyntax(`unknown schema extension "${key}"`);
    } else {
      Object.assign(core, coerceSchemaAttributes(type.schema, COMMON_ATTRIBUTES, { [key]: value }, ''));
    }
  }
  return { ...core, ...extensions };
}
