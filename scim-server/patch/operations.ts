/**
 * The three PATCH operations on one resolved target (RFC 7644 §3.5.2.1–§3.5.2.3).
 *
 * Deliberate leniencies, each one what widely deployed service providers do:
 * - `add`/`replace` with a value filter that matches nothing creates the value when the filter
 *   is a conjunction of `eq` terms (`emails[type eq "work"].value`), as Entra expects; other
 *   filters answer 400 noTarget as §3.5.2.3 says.
 * - `remove` of something already absent succeeds, so retried requests stay idempotent.
 * - `remove` on a multi-valued attribute with a `value` array removes those values (Entra's
 *   form for group members: `{op: "Remove", path: "members", value: [{value: "id"}]}`).
 * - A string value for a complex attribute with a `value` sub-attribute means `{ value }`
 *   (Entra sends the enterprise `manager` that way).
 */
import type { FilterNode } from '../filter/parser';
import { badRequest } from '../protocol/errors';
import { coerceAttribute } from '../schema/coerce';
import type { AttributeDef } from '../schema/definitions';
import { containerOf } from '../schema/resolve';
import type { PatchTarget } from './path';

/** A JSON object. */
export type Json = Record<string, unknown>;
type AttributeTarget = Extract<PatchTarget, { kind: 'attribute' }>;

function guard(target: AttributeTarget, op: string, current: unknown): void {
  const { def, sub } = target.ref;
  const leaf = target.subAfterFilter ?? sub ?? def;
  if (def.mutability === 'readOnly' || leaf.mutability === 'readOnly') {
    throw badRequest.mutability(`"${target.raw}" is readOnly and cannot be modified (${op})`);
  }
  if (def.mutability === 'immutable' && current !== undefined)
    throw badRequest.mutability(`"${target.raw}" is immutable once set`);
}

function elementsOf(container: Json, def: AttributeDef): Json[] {
  const value = container[def.name];
  return Array.isArray(value) ? (value as Json[]) : [];
}

function store(container: Json, name: string, value: unknown): void {
  const empty =
    value === undefined ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0);
  if (empty) delete container[name];
  else container[name] = value;
}

function cleanupExtension(data: Json, target: AttributeTarget): void {
  const id = target.ref.schema.id;
  if (target.ref.extension && data[id] && Object.keys(data[id] as Json).length === 0) delete data[id];
}

/** Keeps at most one `primary: true`, preferring the values this operation touched (RFC 7644 §3.5.2). */
function singlePrimary(items: Json[], touched: Json[]): void {
  const primaries = items.filter((e) => e.primary === true);
  if (primaries.length < 2) return;
  const keep = [...primaries].reverse().find((e) => touched.includes(e)) ?? primaries[primaries.length - 1];
  for (const e of primaries) if (e !== keep) e.primary = false;
}

function sameValue(a: Json, b: Json): boolean {
  if (a.value === undefined || b.value === undefined) return JSON.stringify(a) === JSON.stringify(b);
  return a.value === b.value && (a.type === undefined || b.type === undefined || a.type === b.type);
}

/** The element a conjunction of `eq` terms describes, or undefined for any other filter. */
function seedFromFilter(node: FilterNode): Json | undefined {
  if (node.kind === 'compare' && node.op === 'eq' && node.value !== null) return { [node.path.name]: node.value };
  if (node.kind === 'logical' && node.op === 'and') {
    const left = seedFromFilter(node.left);
    const right = seedFromFilter(node.right);
    return left && right ? { ...left, ...right } : undefined;
  }
  return undefined;
}

function coerceElement(def: AttributeDef, value: unknown, path: string): Json | undefined {
  return coerceAttribute({ ...def, multiValued: false }, value, path) as Json | undefined;
}

function upsertFiltered(container: Json, target: AttributeTarget, value: unknown, op: 'add' | 'replace'): void {
  const { def } = target.ref;
  const filter = target.filter!;
  const items = elementsOf(container, def);
  let matched = items.filter((e) => filter.matches(e));
  if (matched.length === 0) {
    const seed = seedFromFilter(filter.node);
    if (!seed) throw badRequest.noTarget(`no value of "${def.name}" matches "${target.raw}"`);
    const element = coerceElement(def, seed, target.raw) ?? {};
    items.push(element);
    matched = [element];
  }
  const touched = matched.map((element) => {
    const sub = target.subAfterFilter;
    if (sub) {
      store(element, sub.name, coerceAttribute(sub, value, target.raw));
      return element;
    }
    const replacement = coerceElement(def, value, target.raw) ?? {};
    if (op === 'add') return Object.assign(element, replacement);
    items[items.indexOf(element)] = replacement;
    return replacement;
  });
  singlePrimary(items, touched);
  store(
    container,
    def.name,
    items.filter((e) => Object.keys(e).length > 0),
  );
}

function setSubAttribute(container: Json, target: AttributeTarget, value: unknown): void {
  const { def, sub } = target.ref;
  if (def.multiValued)
    throw badRequest.invalidPath(
      `"${target.raw}": pick the value with a filter, e.g. ${def.name}[type eq "work"].${sub!.name}`,
    );
  const current = (container[def.name] as Json | undefined) ?? {};
  store(current, sub!.name, coerceAttribute(sub!, value, target.raw));
  store(container, def.name, current);
}

function writeValue(
  data: Json,
  target: AttributeTarget,
  value: unknown,
  op: 'add' | 'replace',
  keepDuplicates = false,
): void {
  const container = containerOf(data, target.ref, true)!;
  const { def } = target.ref;
  guard(target, op, container[def.name]);
  if (target.filter) upsertFiltered(container, target, value, op);
  else if (target.ref.sub) setSubAttribute(container, target, value);
  else if (def.multiValued) {
    const incoming =
      (coerceAttribute(def, Array.isArray(value) ? value : [value], target.raw) as Json[] | undefined) ?? [];
    const items = op === 'replace' ? [] : elementsOf(container, def);
    const touched = incoming.map((item) => {
      const existing = keepDuplicates ? undefined : items.find((e) => sameValue(e, item));
      if (!existing) items.push(item);
      return existing ? Object.assign(existing, item) : item;
    });
    singlePrimary(items, touched);
    store(container, def.name, items);
  } else if (def.type === 'complex') {
    // Entra sends the enterprise `manager` as a bare id string; it means `{ value: id }`.
    const object = typeof value === 'string' && def.subAttributes?.some((a) => a.name === 'value') ? { value } : value;
    // Sub-attributes not named in the value are left unchanged (§3.5.2.1, §3.5.2.3).
    const merged = {
      ...((container[def.name] as Json | undefined) ?? {}),
      ...(coerceAttribute(def, object, target.raw) as Json | undefined),
    };
    store(container, def.name, merged);
  } else {
    store(container, def.name, coerceAttribute(def, value, target.raw));
  }
  cleanupExtension(data, target);
}

/** `add` (RFC 7644 §3.5.2.1) on a resolved target; `keepDuplicates` appends values already present. */
export function addValue(data: Json, target: AttributeTarget, value: unknown, keepDuplicates = false): void {
  writeValue(data, target, value, 'add', keepDuplicates);
}

/** `replace` (RFC 7644 §3.5.2.3) on a resolved target. */
export function replaceValue(data: Json, target: AttributeTarget, value: unknown): void {
  writeValue(data, target, value, 'replace');
}

function removeFromList(container: Json, target: AttributeTarget, value: unknown): void {
  const { def } = target.ref;
  const items = elementsOf(container, def);
  if (target.filter) {
    const sub = target.subAfterFilter;
    const kept = sub ? items : items.filter((e) => !target.filter!.matches(e));
    if (sub) for (const e of items) if (target.filter.matches(e)) delete e[sub.name];
    store(container, def.name, kept);
  } else if (target.ref.sub) {
    for (const e of items) delete e[target.ref.sub.name];
    store(
      container,
      def.name,
      items.filter((e) => Object.keys(e).length > 0),
    );
  } else if (Array.isArray(value)) {
    const drop = new Set(value.map((v) => (typeof v === 'object' && v !== null ? (v as Json).value : v)));
    store(
      container,
      def.name,
      items.filter((e) => !drop.has(e.value)),
    );
  } else {
    delete container[def.name];
  }
}

/** `remove` (RFC 7644 §3.5.2.2) on a resolved target. */
export function removeValue(data: Json, target: AttributeTarget, value: unknown): void {
  const container = containerOf(data, target.ref, false);
  guard(target, 'remove', undefined);
  if (!container) return;
  const { def, sub } = target.ref;
  if (def.multiValued) removeFromList(container, target, value);
  else if (sub) {
    const current = container[def.name] as Json | undefined;
    if (current) {
      delete current[sub.name];
      store(container, def.name, { ...current });
    }
  } else delete container[def.name];
  cleanupExtension(data, target);
}
