/**
 * Reading and writing one path of a SCIM resource. Attribute names match case-insensitively
 * (RFC 7643 §2.1) because applications echo attributes in their own casing; values written
 * by the orchestrator use the canonical names.
 */
import type { ScimPath } from './path';

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The existing key matching `name` case-insensitively, or `name` itself. */
export function keyOf(obj: Obj, name: string): string {
  if (obj[name] !== undefined) return name;
  const lower = name.toLowerCase();
  const keys = Object.keys(obj).filter((k) => k.toLowerCase() === lower);
  return keys.find((k) => obj[k] !== undefined) ?? keys[0] ?? name;
}

function child(obj: Obj, name: string): unknown {
  return obj[keyOf(obj, name)];
}

/** The object holding the path's top-level attribute: the resource, or its extension object (RFC 7643 §3.3). */
function container(resource: Obj, path: ScimPath, create: boolean): Obj | undefined {
  if (!path.schema) return resource;
  const existing = child(resource, path.schema);
  if (isObject(existing)) return existing;
  if (!create) return undefined;
  const fresh: Obj = {};
  resource[keyOf(resource, path.schema)] = fresh;
  return fresh;
}

/** Filter equality: strings compare case-insensitively (`type` is caseExact=false, RFC 7643 §4.1.2). */
export function filterMatches(entry: unknown, filter: NonNullable<ScimPath['filter']>): boolean {
  if (!isObject(entry)) return false;
  const actual = child(entry, filter.attribute);
  if (typeof actual === 'string' && typeof filter.value === 'string')
    return actual.toLowerCase() === filter.value.toLowerCase();
  return actual === filter.value;
}

/** The value of a multi-valued attribute selected by the path's filter. */
export function findEntry(resource: Obj, path: ScimPath): Obj | undefined {
  const holder = container(resource, path, false);
  const list = holder && child(holder, path.attribute);
  if (!Array.isArray(list) || !path.filter) return undefined;
  const filter = path.filter;
  return list.find((entry) => filterMatches(entry, filter)) as Obj | undefined;
}

/** Reads the value at `path`; `undefined` when any step is absent. */
export function readPath(resource: Obj, path: ScimPath): unknown {
  if (path.filter) {
    const entry = findEntry(resource, path);
    if (!entry) return undefined;
    return path.subAttribute ? child(entry, path.subAttribute) : entry;
  }
  const holder = container(resource, path, false);
  const value = holder && child(holder, path.attribute);
  if (!path.subAttribute) return value;
  return isObject(value) ? child(value, path.subAttribute) : undefined;
}

/** Writes `value` at `path`, creating the extension object, complex value or filtered entry. */
export function writePath(resource: Obj, path: ScimPath, value: unknown): void {
  const holder = container(resource, path, true) as Obj;
  const key = keyOf(holder, path.attribute);
  if (path.filter) {
    const list = Array.isArray(holder[key]) ? (holder[key] as unknown[]) : (holder[key] = []);
    let entry = findEntry(resource, path);
    if (!entry) {
      entry = { [path.filter.attribute]: path.filter.value };
      (list as unknown[]).push(entry);
    }
    if (path.subAttribute) entry[keyOf(entry, path.subAttribute)] = value;
    else if (isObject(value)) Object.assign(entry, value);
    return;
  }
  if (!path.subAttribute) {
    holder[key] = value;
    return;
  }
  const complex = isObject(holder[key]) ? (holder[key] as Obj) : (holder[key] = {});
  (complex as Obj)[keyOf(complex as Obj, path.subAttribute)] = value;
}

/** Removes the value at `path`; removes a filtered entry entirely when the path has no sub-attribute. */
export function removePath(resource: Obj, path: ScimPath): void {
  const holder = container(resource, path, false);
  if (!holder) return;
  const key = keyOf(holder, path.attribute);
  if (path.filter) {
    const list = holder[key];
    if (!Array.isArray(list)) return;
    const filter = path.filter;
    if (!path.subAttribute) {
      holder[key] = list.filter((entry) => !filterMatches(entry, filter));
      return;
    }
    for (const entry of list)
      if (filterMatches(entry, filter)) delete (entry as Obj)[keyOf(entry as Obj, path.subAttribute)];
    return;
  }
  if (!path.subAttribute) {
    delete holder[key];
    return;
  }
  const complex = holder[key];
  if (isObject(complex)) delete complex[keyOf(complex, path.subAttribute)];
}

/**
 * A deep copy of plain JSON data (resources are JSON by construction). Not `structuredClone`:
 * that is a Node global, absent from Temporal's workflow sandbox, which imports this module.
 */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
