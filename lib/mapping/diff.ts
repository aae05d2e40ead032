/**
 * Minimal PATCH operations (RFC 7644 §3.5.2) that bring an account from `current` to
 * `desired`, touching only the attributes the connector maps on `update`: attributes the
 * application owns (or another system writes) are never added, replaced or removed.
 */
import type { EmployeeRecord } from '../hr/employee';
import { buildResource } from './build';
import type { CompiledMapping, MappingConnector } from './compile';
import { mappingsFor } from './compile';
import { sameValue, type CompareMode } from './compare';
import { formatScimPath, type ScimPath } from './path';
import { readPath } from './resource';
import type { ScimPatchOperation, ScimUserResource } from './types';

/** Options of {@link diffScimUser}. */
export interface DiffOptions {
  /** @default 'scim' — see compare.ts */
  compare?: CompareMode;
}

/** Mapped targets grouped so that one multi-valued entry (`emails[type eq "work"]`) is handled as a unit. */
interface EntryGroup {
  entry: ScimPath;
  subs: CompiledMapping[];
}

/**
 * Operations that turn `current` into `desired` for the mapped attributes. `current` is the
 * application's resource (reconciliation) or the resource built from the previous HR snapshot
 * (the mover path; see {@link diffHrSnapshots}).
 *
 * - changed value → `replace` with the attribute path (`name.givenName`,
 *   `emails[type eq "work"].value`, `urn:…:enterprise:2.0:User:department`);
 * - new value → `add` (a new multi-valued entry is added whole: `add emails [{type, value, primary}]`,
 *   because RFC 7644 §3.5.2.1 gives no meaning to a value filter that matches nothing);
 * - value gone → `remove` (a whole entry only if nothing unmapped is left in it).
 */
export function diffScimUser(
  connector: MappingConnector,
  current: ScimUserResource,
  desired: ScimUserResource,
  options: DiffOptions = {},
): ScimPatchOperation[] {
  const mode = options.compare ?? 'scim';
  const ops: ScimPatchOperation[] = [];
  const { plain, groups } = groupTargets(mappingsFor(connector, 'update'));
  for (const { target } of plain) {
    const op = scalarOp(target.path, readPath(current, target.path), readPath(desired, target.path), target.leaf, mode);
    if (op) ops.push(op);
  }
  for (const group of groups) ops.push(...entryOps(group, current, desired, mode));
  return ops;
}

/**
 * The mover path: operations for an HR change without reading the account first. Both
 * snapshots are built with the `update` mappings and compared exactly; a required value the
 * previous snapshot lacked is simply "absent before".
 */
export function diffHrSnapshots(
  connector: MappingConnector,
  previous: EmployeeRecord,
  next: EmployeeRecord,
): ScimPatchOperation[] {
  const before = buildResource(connector, previous, 'update', { requireAll: false });
  const after = buildResource(connector, next, 'update', { requireAll: true });
  return diffScimUser(connector, before, after, { compare: 'exact' });
}

function groupTargets(compiled: CompiledMapping[]): { plain: CompiledMapping[]; groups: EntryGroup[] } {
  const plain = new Map<string, CompiledMapping>();
  const groups = new Map<string, EntryGroup>();
  for (const c of compiled) {
    const { path } = c.target;
    if (!path.filter) {
      if (!plain.has(c.target.text.toLowerCase())) plain.set(c.target.text.toLowerCase(), c);
      continue;
    }
    const entry: ScimPath = { schema: path.schema, attribute: path.attribute, filter: path.filter };
    const key = formatScimPath(entry).toLowerCase();
    const group = groups.get(key) ?? { entry, subs: [] };
    if (!group.subs.some((s) => s.target.path.subAttribute === path.subAttribute)) group.subs.push(c);
    groups.set(key, group);
  }
  return { plain: [...plain.values()], groups: [...groups.values()] };
}

function scalarOp(
  path: ScimPath,
  current: unknown,
  desired: unknown,
  def: CompiledMapping['target']['leaf'],
  mode: CompareMode,
): ScimPatchOperation | undefined {
  if (sameValue(current, desired, def, mode)) return undefined;
  const text = formatScimPath(path);
  if (desired === undefined || desired === null || desired === '') return { op: 'remove', path: text };
  if (current === undefined || current === null || current === '') {
    // A value filter that selects nothing is a `noTarget` error for some providers; `replace`
    // on a missing attribute is defined as an add (RFC 7644 §3.5.2.3).
    return { op: path.filter ? 'replace' : 'add', path: text, value: desired };
  }
  return { op: 'replace', path: text, value: desired };
}

function entryOps(
  group: EntryGroup,
  current: ScimUserResource,
  desired: ScimUserResource,
  mode: CompareMode,
): ScimPatchOperation[] {
  const cur = readPath(current, group.entry) as Record<string, unknown> | undefined;
  const des = readPath(desired, group.entry) as Record<string, unknown> | undefined;
  if (!cur && !des) return [];
  if (!cur) {
    return [
      {
        op: 'add',
        path: formatScimPath({ schema: group.entry.schema, attribute: group.entry.attribute }),
        value: [des],
      },
    ];
  }
  if (!des && onlyOwnedKeys(cur, group)) return [{ op: 'remove', path: formatScimPath(group.entry) }];
  const ops: ScimPatchOperation[] = [];
  for (const sub of group.subs) {
    const path = sub.target.path;
    const op = scalarOp(
      path,
      readPath(current, path),
      des ? readPath(desired, path) : undefined,
      sub.target.leaf,
      mode,
    );
    if (op) ops.push(op);
  }
  return ops;
}

/** The entry holds nothing but its selector, `primary` and mapped sub-attributes. */
function onlyOwnedKeys(entry: Record<string, unknown>, group: EntryGroup): boolean {
  const owned = new Set(
    [group.entry.filter?.attribute, 'primary', ...group.subs.map((s) => s.target.path.subAttribute)].map((k) =>
      k?.toLowerCase(),
    ),
  );
  return Object.keys(entry).every((k) => owned.has(k.toLowerCase()));
}
