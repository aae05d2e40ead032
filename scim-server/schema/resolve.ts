/**
 * Attribute paths (RFC 7644 §3.10): `[URI ":"] attrName ["." subAttr]`, matched
 * case-insensitively (RFC 7643 §2.1), resolved to their schema definitions.
 */
import { badRequest } from '../protocol/errors';
import { COMMON_ATTRIBUTES, type AttributeDef, type ResourceTypeDef, type SchemaDef } from './definitions';

/** A parsed attribute path before resolution. */
export interface AttrPath {
  /** As written, for error messages. */
  raw: string;
  uri?: string;
  name: string;
  sub?: string;
}

/** A resolved attribute: where it lives and what it is. */
export interface AttrRef {
  /** The schema holding the attribute. */
  schema: SchemaDef;
  /** Extension attributes live under `resource[schema.id]`; core ones at the top level. */
  extension: boolean;
  def: AttributeDef;
  sub?: AttributeDef;
}

const ATTR_NAME = /^[A-Za-z$][\w$-]*$/;

/** Splits `urn:…:User:name.familyName` into URI, name and sub-attribute; throws invalidPath-style errors via `fail`. */
export function parseAttrPath(raw: string, fail: (detail: string) => Error = badRequest.invalidPath): AttrPath {
  const colon = raw.lastIndexOf(':');
  const uri = colon >= 0 ? raw.slice(0, colon) : undefined;
  const local = colon >= 0 ? raw.slice(colon + 1) : raw;
  const parts = local.split('.');
  if (parts.length > 2 || !parts.every((p) => ATTR_NAME.test(p))) throw fail(`"${raw}" is not a valid attribute path`);
  return { raw, uri, name: parts[0]!, sub: parts[1] };
}

/** Finds a schema of the resource type by URN, case-insensitively. */
export function findSchema(type: ResourceTypeDef, uri: string): SchemaDef | undefined {
  const lower = uri.toLowerCase();
  return [type.schema, ...type.extensions].find((s) => s.id.toLowerCase() === lower);
}

/** Finds an attribute definition by name, case-insensitively (RFC 7643 §2.1). */
export function findAttribute(list: readonly AttributeDef[] | undefined, name: string): AttributeDef | undefined {
  const lower = name.toLowerCase();
  return list?.find((a) => a.name.toLowerCase() === lower);
}

/**
 * Resolves a path against the resource type, or returns undefined when it names no attribute.
 * Without a URI the core schema (and the common attributes) are searched (RFC 7644 §3.10).
 */
export function resolveAttrPath(type: ResourceTypeDef, path: AttrPath): AttrRef | undefined {
  let schema = type.schema;
  let def: AttributeDef | undefined;
  if (path.uri !== undefined) {
    const found = findSchema(type, path.uri);
    if (!found) return undefined;
    schema = found;
  }
  if (schema === type.schema)
    def = findAttribute(COMMON_ATTRIBUTES, path.name) ?? findAttribute(schema.attributes, path.name);
  else def = findAttribute(schema.attributes, path.name);
  if (!def) return undefined;
  const extension = schema !== type.schema;
  if (path.sub === undefined) return { schema, extension, def };
  const sub = findAttribute(def.subAttributes, path.sub);
  return sub ? { schema, extension, def, sub } : undefined;
}

/** The container object holding the attribute: the resource, or its extension object. */
export function containerOf(
  resource: Record<string, unknown>,
  ref: AttrRef,
  create: boolean,
): Record<string, unknown> | undefined {
  if (!ref.extension) return resource;
  const existing = resource[ref.schema.id];
  if (existing && typeof existing === 'object') return existing as Record<string, unknown>;
  if (!create) return undefined;
  const container: Record<string, unknown> = {};
  resource[ref.schema.id] = container;
  return container;
}

/** The value of the top-level attribute of `ref` in `resource` (undefined when unassigned). */
export function topValue(resource: Record<string, unknown>, ref: AttrRef): unknown {
  return containerOf(resource, ref, false)?.[ref.def.name];
}
