/**
 * zod issues → config issues with positions and messages that say how to fix the problem.
 * zod's own wording ("Invalid input: expected string, received undefined") is replaced where
 * a better one exists: a missing key, an unknown key with did-you-mean, a bad enum value.
 */
import type { z } from 'zod';
import type { ConfigIssue } from './issues';
import { didYouMean } from './suggest';
import { issueAt, type YamlSource } from './yaml-source';

type AnySchema = z.core.$ZodType;
type Def = {
  type: string;
  shape?: Record<string, AnySchema>;
  innerType?: AnySchema;
  element?: AnySchema;
  options?: AnySchema[];
  valueType?: AnySchema;
  in?: AnySchema;
};

function defOf(schema: AnySchema): Def {
  return schema._zod.def as unknown as Def;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** The object schema at `path` (following the data to pick the right union member). */
function objectShapeAt(
  schema: AnySchema,
  path: readonly PropertyKey[],
  data: unknown,
): Record<string, AnySchema> | undefined {
  let current: AnySchema | undefined = schema;
  for (let i = 0; i <= path.length && current; i++) {
    current = unwrap(current, valueAt(data, path.slice(0, i)));
    if (i === path.length) break;
    const def = defOf(current);
    if (def.type === 'object') current = def.shape?.[String(path[i])];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else return undefined;
  }
  return current && defOf(current).type === 'object' ? defOf(current).shape : undefined;
}

function unwrap(schema: AnySchema, value: unknown): AnySchema {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType)
      current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else if (def.type === 'union' && def.options) current = pickOption(def.options, value) ?? current;
    else return current;
    if (def.type === 'union') return current;
  }
}

/** The union member whose `type` literal equals the data's `type`. */
function pickOption(options: AnySchema[], value: unknown): AnySchema | undefined {
  const tag = (value as { type?: unknown } | undefined)?.type;
  return options.find((o) => {
    const shape = defOf(o).shape;
    const literal = shape?.type ? (defOf(shape.type) as unknown as { values?: unknown[] }).values : undefined;
    return literal?.includes(tag);
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

const ARTICLE: Record<string, string> = {
  object: 'a mapping (key: value)',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
};

/** Converts every zod issue of one file. */
export function zodIssuesToConfig(
  source: YamlSource,
  schema: AnySchema,
  issues: readonly z.core.$ZodIssue[],
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = issue.path;
    const value = valueAt(source.data, path);
    if (issue.code === 'unrecognized_keys') {
      const allowed = Object.keys(objectShapeAt(schema, path, source.data) ?? {});
      for (const key of issue.keys) {
        const hint = didYouMean(key, allowed) || (allowed.length > 0 ? `; allowed keys: ${allowed.join(', ')}` : '');
        out.push(issueAt(source, [...path, key], `unknown key "${key}"${hint}`, 'key'));
      }
    } else if (issue.code === 'invalid_type') {
      const expected = ARTICLE[issue.expected] ?? issue.expected;
      const message =
        value === undefined
          ? `required key "${String(path.at(-1))}" is missing`
          : `must be ${expected}, not ${describe(value)}`;
      out.push(issueAt(source, path, message));
    } else if (issue.code === 'invalid_value') {
      const options = issue.values.map(String);
      out.push(
        issueAt(
          source,
          path,
          `${JSON.stringify(value)} is not allowed${didYouMean(String(value), options)} (one of: ${options.join(', ')})`,
        ),
      );
    } else if (issue.code === 'invalid_union' && 'discriminator' in issue) {
      out.push(issueAt(source, path, discriminatorMessage(issue as unknown as { options: unknown[] }, value)));
    } else if (issue.code === 'too_small' || issue.code === 'too_big') {
      out.push(issueAt(source, path, boundMessage(issue)));
    } else if (issue.code === 'invalid_union') {
      out.push(issueAt(source, path, unionMessage(issue.errors, value)));
    } else {
      out.push(issueAt(source, path, issue.message));
    }
  }
  return out;
}

/** Bounds in words; custom messages (set in the schema) are kept. */
function boundMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  if (!issue.message.startsWith('Too ')) return issue.message;
  const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
  if (issue.origin === 'array')
    return issue.code === 'too_small' && bound === 1
      ? 'must not be empty'
      : `must have ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} items`;
  if (issue.origin === 'string') return 'must not be empty';
  const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
  return `must be ${op} ${bound}`;
}

/** "must be a string, a number or a list, not null" from the members' type errors. */
function unionMessage(errors: readonly (readonly z.core.$ZodIssue[])[], value: unknown): string {
  const expected = new Set<string>();
  const collect = (branches: readonly (readonly z.core.$ZodIssue[])[]) => {
    for (const branch of branches) {
      for (const e of branch) {
        if (e.path.length > 0) continue;
        if (e.code === 'invalid_type') expected.add(ARTICLE[e.expected] ?? e.expected);
        else if (e.code === 'invalid_union') collect(e.errors);
      }
    }
  };
  collect(errors);
  if (expected.size === 0) return `${describe(value)} is not valid here`;
  const list = [...expected].map((e) => (e === ARTICLE.boolean ? 'true/false' : e));
  const text = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} or ${list.at(-1)}`;
  return `must be ${text}, not ${describe(value)}`;
}

function discriminatorMessage(issue: { options: unknown[] }, value: unknown): string {
  const options = issue.options.map(String);
  if (value === undefined) return `required key "type" is missing (one of: ${options.join(', ')})`;
  return `unknown type ${JSON.stringify(value)}${didYouMean(String(value), options)} (one of: ${options.join(', ')})`;
}
