/**
 * Applies PATCH operations (RFC 7644 §3.5.2) to a resource, for the path forms the mapping
 * produces. Used to compute PUT bodies for applications without PATCH and in tests; it is
 * not a general SCIM PATCH engine (no `or`/`co` filters).
 */
import { parseScimPath, type ScimPath } from './path';
import { cloneJson, findEntry, keyOf, readPath, removePath, writePath } from './resource';
import type { ScimPatchOperation, ScimUserResource } from './types';

type Obj = Record<string, unknown>;

/**
 * A new resource with `ops` applied in order. Ops are matched case-insensitively (`Replace`
 * from Entra works the same as `replace`).
 * @throws Error for an op without a path that has no object value, or an unparsable path.
 */
export function applyPatch(resource: ScimUserResource, ops: readonly ScimPatchOperation[]): ScimUserResource {
  const out = cloneJson(resource);
  for (const operation of ops) {
    const op = operation.op.toLowerCase();
    if (operation.path === undefined) {
      if (op === 'remove' || typeof operation.value !== 'object' || operation.value === null) {
        throw new Error(`PATCH ${op} without a path needs an object value (RFC 7644 §3.5.2.1)`);
      }
      Object.assign(out, cloneJson(operation.value));
      continue;
    }
    const path = parseScimPath(operation.path);
    if (op === 'remove') removePath(out, path);
    else if (op === 'add') addValue(out, path, cloneJson(operation.value));
    else if (op === 'replace') writeOrReplace(out, path, cloneJson(operation.value));
    else throw new Error(`unknown PATCH op "${operation.op}"`);
  }
  return out;
}

/** RFC 7644 §3.5.2.1: adding to a multi-valued attribute appends the new values. */
function addValue(resource: Obj, path: ScimPath, value: unknown): void {
  const existing = path.filter || path.subAttribute ? undefined : readPath(resource, path);
  if (Array.isArray(existing) && Array.isArray(value)) {
    const known = new Set(existing.map((e) => JSON.stringify(e)));
    existing.push(...value.filter((v) => !known.has(JSON.stringify(v))));
    return;
  }
  writePath(resource, path, value);
}

/** RFC 7644 §3.5.2.3: replacing a filtered entry without a sub-attribute replaces the entry's values. */
function writeOrReplace(resource: Obj, path: ScimPath, value: unknown): void {
  if (path.filter && !path.subAttribute && typeof value === 'object' && value !== null) {
    const entry = findEntry(resource, path);
    if (entry) {
      for (const key of Object.keys(entry)) if (key !== keyOf(entry, path.filter.attribute)) delete entry[key];
      Object.assign(entry, value);
      return;
    }
  }
  writePath(resource, path, value);
}
