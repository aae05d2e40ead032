/**
 * Full replacement bodies for `PUT /Users/{id}` (RFC 7644 §3.5.1), for applications without
 * PATCH. PUT replaces everything, so the body must carry the attributes the orchestrator does
 * not manage exactly as the application has them, or the PUT would erase them.
 */
import { applyPatch } from './apply';
import type { MappingConnector } from './compile';
import { diffScimUser } from './diff';
import { cloneJson } from './resource';
import type { ScimUserResource } from './types';

type Obj = Record<string, unknown>;

/**
 * Attributes RFC 7643 marks `readOnly` that a provider may reject in a PUT body even though
 * RFC 7644 §3.5.1 says to ignore them.
 */
const READ_ONLY_TOP_LEVEL = ['meta', 'groups'];

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `current` with `desired` laid over it. With a `connector`, exactly the mapped `update`
 * attributes change (including removal of values that disappeared), computed as
 * `applyPatch(current, diffScimUser(...))`. Without one, `desired` is deep-merged: nested
 * objects merge, multi-valued entries merge by `type`, and nothing is removed.
 * `id` is kept; `meta` and `groups` are dropped; `schemas` is the union.
 */
export function mergeForPut(
  current: ScimUserResource,
  desired: ScimUserResource,
  connector?: MappingConnector,
): ScimUserResource {
  const merged = connector
    ? applyPatch(current, diffScimUser(connector, current, desired))
    : (deepMerge(cloneJson(current), desired) as ScimUserResource);
  for (const key of Object.keys(merged)) {
    if (READ_ONLY_TOP_LEVEL.includes(key.toLowerCase())) delete merged[key];
  }
  merged.schemas = unionSchemas(current.schemas ?? [], desired.schemas ?? [], merged);
  return merged;
}

function unionSchemas(a: string[], b: string[], resource: Obj): string[] {
  const out: string[] = [];
  for (const urn of [...a, ...b]) if (!out.some((u) => u.toLowerCase() === urn.toLowerCase())) out.push(urn);
  // An extension object whose last value was removed must not stay declared with no data.
  return out.filter((urn, i) => i === 0 || !/:extension:/i.test(urn) || isObject(resource[urn]));
}

function deepMerge(target: Obj, source: Obj): Obj {
  for (const [key, value] of Object.entries(source)) {
    if (key === 'schemas') continue;
    const existingKey = Object.keys(target).find((k) => k.toLowerCase() === key.toLowerCase()) ?? key;
    const existing = target[existingKey];
    if (isObject(existing) && isObject(value)) target[existingKey] = deepMerge(existing, value);
    else if (Array.isArray(existing) && Array.isArray(value)) target[existingKey] = mergeEntries(existing, value);
    else target[existingKey] = cloneJson(value);
  }
  return target;
}

/** Multi-valued entries with the same `type` are the same value (RFC 7643 §2.4). */
function mergeEntries(existing: unknown[], incoming: unknown[]): unknown[] {
  const out = cloneJson(existing);
  for (const value of incoming) {
    const type = isObject(value) && typeof value.type === 'string' ? value.type.toLowerCase() : undefined;
    const index =
      type === undefined
        ? -1
        : out.findIndex((e) => isObject(e) && typeof e.type === 'string' && e.type.toLowerCase() === type);
    if (index === -1) out.push(cloneJson(value));
    else {
      // Same value: keep the app's own spelling of `type` so the PUT does not churn it.
      const existingType = (out[index] as Obj).type;
      out[index] = { ...deepMerge(out[index] as Obj, value as Obj), type: existingType };
    }
  }
  return out;
}
