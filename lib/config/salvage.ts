/**
 * After a schema failure, recover as much of a file as can still be checked by the rules
 * pass, so one run reports every problem: unknown keys are dropped, optional sections with
 * structural errors fall back to their defaults, and refinement-only failures (a literal
 * secret) leave the data usable. Gives up when a required section is structurally broken.
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
export function salvage(data: unknown, issues: readonly z.core.$ZodIssue[], required: readonly string[]): unknown {
  const copy = structuredClone(data) as Obj;
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const parent = parentOf(copy, issue.path);
      for (const key of issue.keys) if (parent) delete parent[key];
      continue;
    }
    if (issue.code === 'custom') continue;
    const top = issue.path[0];
    if (top === undefined || required.includes(String(top))) return undefined;
    delete copy[top];
  }
  return copy;
}
