/**
 * Turns a POST/PUT body into the attributes to store (RFC 7644 §3.3, §3.5.1): the core schema
 * must be listed, readOnly attributes are ignored, immutable ones may not change, `password`
 * (writeOnly) survives a PUT that omits it, and the computed parts of group members are dropped.
 */
import { badRequest } from '../protocol/errors';
import type { QuirkProfile } from '../quirks';
import { coerceResource } from '../schema/coerce';
import { COMMON_ATTRIBUTES, type AttributeDef, type ResourceTypeDef } from '../schema/definitions';
import type { StoredResource } from './store';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkSchemas(type: ResourceTypeDef, body: Json): void {
  const schemas = body.schemas ?? body.Schemas;
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === type.schema.id.toLowerCase())
  ) {
    throw badRequest.invalidSyntax(`"schemas" must include ${type.schema.id} (RFC 7643 §3)`);
  }
}

function withoutReadOnly(container: Json, defs: readonly AttributeDef[]): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(container)) {
    const def = defs.find((d) => d.name === key);
    if (def?.mutability === 'readOnly') continue;
    const readOnlySubs = new Set(
      (def?.subAttributes ?? []).filter((s) => s.mutability === 'readOnly').map((s) => s.name),
    );
    if (readOnlySubs.size === 0) out[key] = value;
    else {
      const strip = (element: Json) =>
        Object.fromEntries(Object.entries(element).filter(([k]) => !readOnlySubs.has(k)));
      out[key] = Array.isArray(value) ? (value as Json[]).map(strip) : strip(value as Json);
    }
  }
  return out;
}

/**
 * Group members keep only what the client owns: `value` (and `type`); `$ref`/`display` are
 * rendered. Duplicates collapse unless the profile keeps them (`duplicateMembers`).
 */
function normalizeMembers(data: Json, keepDuplicates: boolean): void {
  if (!Array.isArray(data.members)) return;
  const seen = new Set<unknown>();
  data.members = (data.members as Json[])
    .filter((m) => {
      if (seen.has(m.value) && !keepDuplicates) return false;
      seen.add(m.value);
      return true;
    })
    .map((m) => (m.type === undefined ? { value: m.value } : { value: m.value, type: m.type }));
}

/** Applies the profile's write quirks and the membership normalization to attributes about to be stored. */
export function finishWrite(data: Json, profile: QuirkProfile): Json {
  if (profile.ignoresExternalId) delete data.externalId;
  normalizeMembers(data, profile.duplicateMembers);
  return data;
}

/** The attributes to store for a POST or PUT body. */
export function attributesFromBody(
  type: ResourceTypeDef,
  body: unknown,
  profile: QuirkProfile,
  existing?: StoredResource,
): Json {
  if (!isObject(body)) throw badRequest.invalidSyntax('the body must be a JSON object');
  checkSchemas(type, body);
  const coerced = coerceResource(type, body);
  const core = withoutReadOnly(Object.fromEntries(Object.entries(coerced).filter(([k]) => !k.includes(':'))), [
    ...COMMON_ATTRIBUTES,
    ...type.schema.attributes,
  ]);
  const data: Json = { ...core };
  for (const extension of type.extensions) {
    const value = coerced[extension.id];
    if (isObject(value)) data[extension.id] = withoutReadOnly(value, extension.attributes);
  }
  if (existing) {
    for (const def of type.schema.attributes.filter((d) => d.mutability === 'immutable')) {
      const before = existing.data[def.name];
      if (before !== undefined && JSON.stringify(before) !== JSON.stringify(data[def.name])) {
        throw badRequest.mutability(`"${def.name}" is immutable`);
      }
    }
    // writeOnly values are never returned, so a client cannot echo them back in a PUT.
    if (data.password === undefined && existing.data.password !== undefined) data.password = existing.data.password;
  }
  return finishWrite(data, profile);
}
