/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): `attributes` replaces the
 * default set, `excludedAttributes` removes from it; attributes with `returned: always` (`id`)
 * and `schemas` are always present. Names are case-insensitive; a bare extension URN selects
 * the whole extension; unknown names are ignored.
 */
import { COMMON_ATTRIBUTES, type AttributeDef, type ResourceTypeDef } from '../schema/definitions';
import { findAttribute, findSchema, parseAttrPath, resolveAttrPath } from '../schema/resolve';

type Json = Record<string, unknown>;

/** The `attributes` / `excludedAttributes` parameters, already split. */
export interface Projection {
  attributes?: string[];
  excludedAttributes?: string[];
}

/** Splits the comma-separated query parameter form. */
export function splitAttributeList(value: string | null | undefined): string[] | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Canonical lower-case key: `username`, `name.givenname`, `urn:…:user:department`, or a bare URN. */
function canonical(type: ResourceTypeDef, raw: string): string | undefined {
  const schema = raw.includes(':') ? findSchema(type, raw) : undefined;
  if (schema && schema !== type.schema) return schema.id.toLowerCase();
  let ref;
  try {
    ref = resolveAttrPath(type, parseAttrPath(raw));
  } catch {
    return undefined;
  }
  if (!ref) return undefined;
  const prefix = ref.extension ? `${ref.schema.id.toLowerCase()}:` : '';
  return `${prefix}${ref.def.name.toLowerCase()}${ref.sub ? `.${ref.sub.name.toLowerCase()}` : ''}`;
}

function keySet(type: ResourceTypeDef, list: string[] | undefined): Set<string> | undefined {
  if (!list) return undefined;
  return new Set(list.map((raw) => canonical(type, raw)).filter((k): k is string => k !== undefined));
}

function pickSubAttributes(value: unknown, keep: (sub: string) => boolean): unknown {
  const pick = (element: unknown) => {
    if (typeof element !== 'object' || element === null) return element;
    return Object.fromEntries(Object.entries(element as Json).filter(([k]) => keep(k.toLowerCase())));
  };
  return Array.isArray(value) ? value.map(pick) : pick(value);
}

function projectContainer(
  container: Json,
  defs: readonly AttributeDef[],
  prefix: string,
  include?: Set<string>,
  exclude?: Set<string>,
): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(container)) {
    const def = findAttribute(defs, key);
    const full = `${prefix}${key.toLowerCase()}`;
    if (def?.returned === 'always') {
      out[key] = value;
      continue;
    }
    if (include) {
      if (include.has(full)) out[key] = value;
      else if ([...include].some((k) => k.startsWith(`${full}.`)))
        out[key] = pickSubAttributes(value, (sub) => include.has(`${full}.${sub}`));
    } else if (!exclude?.has(full)) {
      out[key] = exclude ? pickSubAttributes(value, (sub) => !exclude.has(`${full}.${sub}`)) : value;
    }
  }
  return out;
}

/** Applies the projection to a rendered resource. */
export function project(resource: Json, type: ResourceTypeDef, projection: Projection): Json {
  const include = keySet(type, projection.attributes);
  const exclude = include ? undefined : keySet(type, projection.excludedAttributes);
  if (!include && !exclude) return resource;
  const coreDefs = [...COMMON_ATTRIBUTES, ...type.schema.attributes];
  const coreKeys = Object.fromEntries(Object.entries(resource).filter(([k]) => k !== 'schemas' && !k.includes(':')));
  const out: Json = { schemas: resource.schemas, ...projectContainer(coreKeys, coreDefs, '', include, exclude) };
  for (const extension of type.extensions) {
    const value = resource[extension.id] as Json | undefined;
    if (!value) continue;
    const whole = extension.id.toLowerCase();
    if (include?.has(whole)) out[extension.id] = value;
    else if (exclude?.has(whole)) continue;
    else {
      const projected = projectContainer(value, extension.attributes, `${whole}:`, include, exclude);
      if (Object.keys(projected).length) out[extension.id] = projected;
    }
  }
  return out;
}
