/**
 * PATCH paths (RFC 7644 §3.5.2, `PATH = attrPath / valuePath [subAttr]`), resolved against the
 * schema: `userName`, `name.familyName`, `emails[type eq "work"].value`,
 * `members[value eq "2819c223"]`, `urn:…:enterprise:2.0:User:manager.value`, or a bare
 * extension URN naming the whole extension object.
 */
import { compileElementFilter, type FilterContext, type Predicate } from '../filter/compile';
import { parseValueFilter, type FilterNode } from '../filter/parser';
import { badRequest } from '../protocol/errors';
import type { FilterOperatorName } from '../quirks';
import type { AttributeDef, SchemaDef } from '../schema/definitions';
import { findAttribute, findSchema, parseAttrPath, resolveAttrPath, type AttrRef } from '../schema/resolve';

/** What a PATCH path designates: a whole extension object, or an attribute (optionally filtered). */
export type PatchTarget =
  | { kind: 'extension'; schema: SchemaDef }
  | {
      kind: 'attribute';
      raw: string;
      ref: AttrRef;
      /** Selects elements of a multi-valued attribute. */
      filter?: { node: FilterNode; matches: Predicate };
      /** The sub-attribute after a value filter (`.value` in `emails[type eq "work"].value`). */
      subAfterFilter?: AttributeDef;
    };

/** Schema and filter settings used to resolve PATCH paths. */
export interface PathContext extends FilterContext {
  operators: readonly FilterOperatorName[];
}

function resolveOrFail(ctx: PathContext, raw: string): AttrRef {
  const ref = resolveAttrPath(ctx.type, parseAttrPath(raw));
  if (!ref) throw badRequest.invalidPath(`"${raw}" is not an attribute of ${ctx.type.name}`);
  return ref;
}

function parseFiltered(ctx: PathContext, raw: string, open: number): PatchTarget {
  const close = raw.lastIndexOf(']');
  if (close < open) throw badRequest.invalidPath(`"${raw}" has an unterminated value filter`);
  const ref = resolveOrFail(ctx, raw.slice(0, open));
  if (ref.sub || !ref.def.multiValued || ref.def.type !== 'complex') {
    throw badRequest.invalidPath(
      `a value filter needs a multi-valued complex attribute, "${raw.slice(0, open)}" is not one`,
    );
  }
  const node = parseValueFilter(raw.slice(open + 1, close), ctx.operators);
  const matches = compileElementFilter(node, ref.def, ctx);
  const rest = raw.slice(close + 1);
  let subAfterFilter: AttributeDef | undefined;
  if (rest !== '') {
    if (!rest.startsWith('.')) throw badRequest.invalidPath(`unexpected "${rest}" after the value filter in "${raw}"`);
    subAfterFilter = findAttribute(ref.def.subAttributes, rest.slice(1));
    if (!subAfterFilter) throw badRequest.invalidPath(`"${ref.def.name}" has no sub-attribute "${rest.slice(1)}"`);
  }
  return { kind: 'attribute', raw, ref, filter: { node, matches }, subAfterFilter };
}

/** Parses and resolves a PATCH path; unknown attributes and malformed paths are 400 invalidPath. */
export function parsePatchPath(raw: string, ctx: PathContext): PatchTarget {
  const path = raw.trim();
  if (path === '') throw badRequest.invalidPath('the path is empty');
  const open = path.indexOf('[');
  if (open >= 0) return parseFiltered(ctx, path, open);
  const extension = path.includes(':') ? findSchema(ctx.type, path) : undefined;
  if (extension && extension !== ctx.type.schema) return { kind: 'extension', schema: extension };
  return { kind: 'attribute', raw: path, ref: resolveOrFail(ctx, path) };
}
