/**
 * Turns a parsed filter into a predicate over stored resources, resolving every attribute
 * against the schema once (unknown attributes are a 400 invalidFilter, RFC 7644 §3.4.2.2).
 * A multi-valued attribute matches when any of its values does; a complex multi-valued
 * attribute compared without a sub-attribute compares its `value` (RFC 7644 §3.4.2.2).
 */
import { badRequest } from '../protocol/errors';
import { findAttribute, resolveAttrPath, topValue, type AttrPath } from '../schema/resolve';
import type { AttributeDef, ResourceTypeDef } from '../schema/definitions';
import { comparator } from './compare';
import type { FilterNode } from './parser';

/** A compiled filter: true when the resource (or multi-valued element) matches. */
export type Predicate = (item: Record<string, unknown>) => boolean;

/** What a filter is compiled against. */
export interface FilterContext {
  type: ResourceTypeDef;
  /** Compare strings case-exactly even where the schema says otherwise (a quirk). */
  caseSensitive: boolean;
}

/** How to read the values of one attribute from an item, and its definition. */
interface Accessor {
  def: AttributeDef;
  values: (item: Record<string, unknown>) => unknown[];
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
}

function flatten(v: unknown): unknown[] {
  if (!present(v)) return [];
  return Array.isArray(v) ? v.filter(present) : [v];
}

function resourceAccessor(path: AttrPath, ctx: FilterContext): Accessor {
  const ref = resolveAttrPath(ctx.type, path);
  if (!ref) throw badRequest.invalidFilter(`unknown attribute "${path.raw}"`);
  const valueDef =
    ref.def.multiValued && ref.def.type === 'complex' && !ref.sub
      ? findAttribute(ref.def.subAttributes, 'value')
      : undefined;
  const sub = ref.sub ?? valueDef;
  const def = sub ?? ref.def;
  return {
    def,
    values: (item) => {
      const top = flatten(topValue(item, ref));
      if (!sub) return top;
      return top.flatMap((element) =>
        element && typeof element === 'object' ? flatten((element as Record<string, unknown>)[sub.name]) : [],
      );
    },
  };
}

function elementAccessor(path: AttrPath, parent: AttributeDef): Accessor {
  if (path.uri !== undefined || path.sub !== undefined)
    throw badRequest.invalidFilter(`"${path.raw}" must be a sub-attribute of "${parent.name}"`);
  const def = findAttribute(parent.subAttributes, path.name);
  if (!def) throw badRequest.invalidFilter(`"${parent.name}" has no sub-attribute "${path.name}"`);
  return { def, values: (element) => flatten(element[def.name]) };
}

function leaf(
  node: Extract<FilterNode, { kind: 'compare' | 'present' }>,
  accessor: Accessor,
  caseSensitive: boolean,
): Predicate {
  if (node.kind === 'present') return (item) => accessor.values(item).length > 0;
  if (node.value === null) {
    // `eq null` selects unassigned attributes, `ne null` assigned ones (RFC 7643 §2.5: null = unassigned).
    if (node.op !== 'eq' && node.op !== 'ne') throw badRequest.invalidFilter(`"${node.op}" cannot compare with null`);
    const wantPresent = node.op === 'ne';
    return (item) => accessor.values(item).length > 0 === wantPresent;
  }
  if (node.op === 'ne') {
    // ne is the negation of eq over all values: an unassigned attribute is "not equal".
    const equal = comparator(accessor.def, 'eq', node.value, node.path.raw, caseSensitive);
    return (item) => !accessor.values(item).some(equal);
  }
  const test = comparator(accessor.def, node.op, node.value, node.path.raw, caseSensitive);
  return (item) => accessor.values(item).some(test);
}

function compileNode(node: FilterNode, ctx: FilterContext, parent?: AttributeDef): Predicate {
  switch (node.kind) {
    case 'logical': {
      const left = compileNode(node.left, ctx, parent);
      const right = compileNode(node.right, ctx, parent);
      return node.op === 'and' ? (item) => left(item) && right(item) : (item) => left(item) || right(item);
    }
    case 'not': {
      const inner = compileNode(node.filter, ctx, parent);
      return (item) => !inner(item);
    }
    case 'valuePath':
      return compileValuePath(node, ctx);
    default: {
      const accessor = parent ? elementAccessor(node.path, parent) : resourceAccessor(node.path, ctx);
      return leaf(node, accessor, ctx.caseSensitive);
    }
  }
}

function compileValuePath(node: Extract<FilterNode, { kind: 'valuePath' }>, ctx: FilterContext): Predicate {
  const ref = resolveAttrPath(ctx.type, node.path);
  if (!ref || ref.sub || ref.def.type !== 'complex')
    throw badRequest.invalidFilter(`"${node.path.raw}" is not a complex attribute`);
  const inner = compileNode(node.filter, ctx, ref.def);
  return (item) =>
    flatten(topValue(item, ref)).some(
      (element) => element !== null && typeof element === 'object' && inner(element as Record<string, unknown>),
    );
}

/** Compiles a filter over resources of `ctx.type`. */
export function compileFilter(node: FilterNode, ctx: FilterContext): Predicate {
  return compileNode(node, ctx);
}

/** Compiles a value filter over the elements of one complex attribute (PATCH value paths). */
export function compileElementFilter(node: FilterNode, parent: AttributeDef, ctx: FilterContext): Predicate {
  return compileNode(node, ctx, parent);
}

/** Lower-case names of the top-level attributes a filter reads (to skip computing the others). */
export function referencedAttributes(node: FilterNode, into: Set<string> = new Set()): Set<string> {
  if (node.kind === 'logical') {
    referencedAttributes(node.left, into);
    referencedAttributes(node.right, into);
  } else if (node.kind === 'not') referencedAttributes(node.filter, into);
  else into.add(node.path.name.toLowerCase());
  return into;
}
