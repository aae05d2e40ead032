/**
 * Resolves a mapping target against the known User schemas (RFC 7643 §4.1, §4.3): checks
 * the attribute exists (with did-you-mean), is writable, and that the path shape fits the
 * attribute (a sub-attribute for complex ones, a value filter for multi-valued ones).
 */
import { didYouMean } from '../config/suggest';
import { formatScimPath, parseScimPath, ScimPathSyntaxError, type ScimPath } from './path';
import { findAttribute, KNOWN_SCHEMAS, type ScimAttributeDef } from './scim-schema';
import { CORE_USER_SCHEMA } from './types';

/** A target that passed every check, with canonical names and the definition of the written leaf. */
export interface ResolvedTarget {
  path: ScimPath;
  /** Canonical text (canonical attribute-name case). */
  text: string;
  /** The schema the attribute belongs to (core or an extension URN). */
  schema: string;
  /** Definition of the top-level attribute. */
  attribute: ScimAttributeDef;
  /** Definition of the value actually written; `undefined` for opaque custom extensions. */
  leaf: ScimAttributeDef | undefined;
}

/** A resolved target, or why the target is invalid (with did-you-mean). */
export type TargetResult = { ok: true; target: ResolvedTarget } | { ok: false; message: string };

/**
 * Checks a mapping target. `extensions` are the extension schema URNs the connector declares;
 * attributes of declared extensions other than the enterprise one are not checked by name.
 */
export function resolveTarget(text: string, extensions: readonly string[]): TargetResult {
  let path: ScimPath;
  try {
    path = parseScimPath(text);
  } catch (err) {
    if (err instanceof ScimPathSyntaxError)
      return { ok: false, message: `invalid SCIM path "${text}": ${err.message}` };
    throw err;
  }
  const schema = resolveSchema(path.schema, extensions);
  if (!schema.ok) return schema;
  const attrs = KNOWN_SCHEMAS[schema.urn];
  if (!attrs) return { ok: true, target: opaqueTarget({ ...path, schema: schema.urn }, schema.urn) };
  const found = findAttribute(attrs, path.attribute);
  if (!found) {
    const where = path.schema ? ` in ${schema.urn}` : '';
    return {
      ok: false,
      message: `unknown SCIM attribute "${path.attribute}"${where}${didYouMean(path.attribute, Object.keys(attrs))}`,
    };
  }
  const canonical: ScimPath = { ...path, schema: path.schema ? schema.urn : undefined, attribute: found.name };
  return checkShape(canonical, found.def, schema.urn);
}

function resolveSchema(
  urn: string | undefined,
  extensions: readonly string[],
): { ok: true; urn: string } | { ok: false; message: string } {
  if (urn === undefined) return { ok: true, urn: CORE_USER_SCHEMA };
  const known = [...Object.keys(KNOWN_SCHEMAS), ...extensions].find((u) => u.toLowerCase() === urn.toLowerCase());
  if (known) return { ok: true, urn: known };
  return {
    ok: false,
    message: `unknown schema "${urn}"${didYouMean(urn, [...Object.keys(KNOWN_SCHEMAS), ...extensions])}; declare a custom extension in scim.userSchemaExtensions`,
  };
}

function opaqueTarget(path: ScimPath, schema: string): ResolvedTarget {
  return {
    path,
    text: formatScimPath(path),
    schema,
    attribute: { type: 'string', multiValued: false },
    leaf: undefined,
  };
}

function checkShape(path: ScimPath, def: ScimAttributeDef, schema: string): TargetResult {
  const name = formatScimPath({ schema: path.schema, attribute: path.attribute });
  if (def.readOnly)
    return { ok: false, message: `"${name}" is read-only (set by the application) and cannot be a mapping target` };
  const subs = def.subAttributes ?? {};
  if (def.multiValued) {
    if (!path.filter) {
      return {
        ok: false,
        message: `"${name}" is multi-valued; select one value with a filter, e.g. ${name}[type eq "work"].${def.subAttributes?.value ? 'value' : 'formatted'}`,
      };
    }
    const filterAttr = findAttribute(subs, path.filter.attribute);
    if (!filterAttr) {
      return {
        ok: false,
        message: `"${path.filter.attribute}" is not a sub-attribute of "${name}"${didYouMean(path.filter.attribute, Object.keys(subs))}`,
      };
    }
    path = { ...path, filter: { ...path.filter, attribute: filterAttr.name } };
  } else if (path.filter) {
    return { ok: false, message: `"${name}" is single-valued; remove the [${path.filter.attribute} eq …] filter` };
  }
  if (def.type === 'complex' && !path.subAttribute) {
    const example = Object.keys(subs)[0] ?? 'value';
    return {
      ok: false,
      message: `"${name}" is complex; map one of its sub-attributes, e.g. ${formatScimPath({ ...path, subAttribute: example })}`,
    };
  }
  if (def.type !== 'complex' && path.subAttribute) {
    return { ok: false, message: `"${name}" has no sub-attributes; remove ".${path.subAttribute}"` };
  }
  return withSubAttribute(path, def, schema);
}

function withSubAttribute(path: ScimPath, def: ScimAttributeDef, schema: string): TargetResult {
  if (!path.subAttribute)
    return { ok: true, target: { path, text: formatScimPath(path), schema, attribute: def, leaf: def } };
  const subs = def.subAttributes ?? {};
  const sub = findAttribute(subs, path.subAttribute);
  if (!sub) {
    const name = formatScimPath({ ...path, subAttribute: undefined });
    return {
      ok: false,
      message: `unknown sub-attribute "${path.subAttribute}" of "${name}"${didYouMean(path.subAttribute, Object.keys(subs))}`,
    };
  }
  if (sub.def.readOnly)
    return {
      ok: false,
      message: `"${formatScimPath({ ...path, subAttribute: sub.name })}" is read-only and cannot be a mapping target`,
    };
  const canonical = { ...path, subAttribute: sub.name };
  return {
    ok: true,
    target: { path: canonical, text: formatScimPath(canonical), schema, attribute: def, leaf: sub.def },
  };
}
