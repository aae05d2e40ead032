/**
 * After a schema failure, recover as much of a file as can still be checked by the rules
 * pass, so one run reports every problem: unknown keys are dropped, broken options of
 * optional sections fall back to their defaults, broken list items (a mapping, a rule) are
 * set aside, and refinement-only failures (a literal secret) leave the data usable. Gives up
 * when a required section is structurally broken.
 */
import type { z } from 'zod';

type Obj = Record<PropertyKey, unknown>;

function parentOf(root: unknown, path: readonly PropertyKey[]): Obj | undefined {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Obj)[segment];
  }
  return current !== null && typeof current === 'object' ? (current as Obj) : undefined;
}

/**
 * A copy of `data` that has the schema's output shape despite `issues`, or `undefined`.
 * Valid only for schemas without transforms (input shape = output shape), as ours are.
 */
export function salvage(
  data: unknown,
  issues: readonly z.core.$ZodIssue[],
  required: readonly string[],
  itemLists: readonly (readonly string[])[] = [],
): unknown {
  const copy = structuredClone(data) as Obj;
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const parent = parentOf(copy, issue.path);
      for (const key of issue.keys) if (parent) delete parent[key];
      continue;
    }
    if (issue.code === 'custom') continue;
    if (dropListItem(copy, issue.path, itemLists)) continue;
    const top = issue.path[0];
    if (top === undefined || required.includes(String(top))) return undefined;
    // Drop only the broken option: dropping its whole section would reset its siblings to
    // defaults and make cross-field rules report problems that are not there.
    const section = copy[top];
    if (issue.path.length >= 2 && section !== null && typeof section === 'object')
      delete (section as Obj)[issue.path[1]];
    else delete copy[top];
  }
  return copy;
}

/**
 * A broken item of a list such as `mappings` becomes a hole, not a removal: the other items
 * keep their indices (so their issues point at the right `mappings[3]`), and `forEach`/`map`
 * skip holes.
 */
function dropListItem(root: Obj, path: readonly PropertyKey[], itemLists: readonly (readonly string[])[]): boolean {
  for (const list of itemLists) {
    const index = path[list.length];
    if (typeof index !== 'number' || !list.every((key, i) => path[i] === key)) continue;
    const array = parentOf(root, list);
    if (!Array.isArray(array)) return false;
    delete array[index];
    return true;
  }
  return false;
}

/** True when some items of the list were dropped by {@link salvage}. */
export function hasHoles(list: readonly unknown[]): boolean {
  return Object.keys(list).length !== list.length;
}
