/**
 * Query parameters of list and search requests (RFC 7644 §3.4.2): filter, sortBy/sortOrder,
 * startIndex/count paging (1-based), and the projection. The `badPaging` quirk lives here.
 */
import { compileFilter, referencedAttributes, type Predicate } from '../filter/compile';
import { parseFilter } from '../filter/parser';
import { badRequest } from '../protocol/errors';
import { URN } from '../protocol/urns';
import type { QuirkProfile } from '../quirks';
import type { ResourceTypeDef } from '../schema/definitions';
import { findAttribute, parseAttrPath, resolveAttrPath, topValue } from '../schema/resolve';
import { splitAttributeList, type Projection } from './projection';

type Json = Record<string, unknown>;

/** A list or search request's parameters, validated. */
export interface ListQuery extends Projection {
  filter?: string;
  sortBy?: string;
  sortOrder: 'ascending' | 'descending';
  startIndex: number;
  count?: number;
}

function integer(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n)) throw badRequest.invalidValue(`"${name}" must be an integer`);
  return n;
}

function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return splitAttributeList(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw badRequest.invalidValue(`"${name}" must be a list of attribute names`);
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest.invalidValue(`"${name}" must be a string`);
  return value;
}

/** Reads a query from URL parameters or a SearchRequest body (RFC 7644 §3.4.3); both apply the same rules. */
export function readListQuery(source: URLSearchParams | Json): ListQuery {
  const get = (name: string): unknown =>
    source instanceof URLSearchParams ? (source.get(name) ?? undefined) : source[name];
  const order = optionalString(get('sortOrder'), 'sortOrder')?.toLowerCase() ?? 'ascending';
  if (order !== 'ascending' && order !== 'descending')
    throw badRequest.invalidValue('"sortOrder" must be "ascending" or "descending"');
  const startIndex = integer(get('startIndex'), 'startIndex') ?? 1;
  const count = integer(get('count'), 'count');
  return {
    filter: optionalString(get('filter'), 'filter'),
    sortBy: optionalString(get('sortBy'), 'sortBy'),
    sortOrder: order,
    // RFC 7644 §3.4.2.4: startIndex below 1 means 1, a negative count means 0.
    startIndex: Math.max(1, startIndex),
    count: count === undefined ? undefined : Math.max(0, count),
    attributes: stringList(get('attributes'), 'attributes'),
    excludedAttributes: stringList(get('excludedAttributes'), 'excludedAttributes'),
  };
}

/**
 * Compiles the query's filter for a resource type (or matches everything without one), and
 * says which top-level attributes it and `sortBy` read.
 */
export function filterFor(
  query: ListQuery,
  type: ResourceTypeDef,
  profile: QuirkProfile,
): { matches: Predicate; reads: Set<string> } {
  const reads = new Set<string>();
  if (query.sortBy) reads.add(parseAttrPath(query.sortBy, badRequest.invalidValue).name.toLowerCase());
  if (query.filter === undefined || query.filter.trim() === '') return { matches: () => true, reads };
  const node = parseFilter(query.filter, profile.filterOperators);
  const refused = profile.unfilterableAttributes.find((name) => referencedAttributes(node).has(name.toLowerCase()));
  if (refused) throw badRequest.invalidFilter(`filtering on "${refused}" is not supported`);
  return {
    matches: compileFilter(node, { type, caseSensitive: profile.caseSensitiveFilters }),
    reads: referencedAttributes(node, reads),
  };
}

/** The value sorted on: a multi-valued attribute sorts by its primary (or first) value (RFC 7644 §3.4.2.3). */
function sortKey(item: Json, type: ResourceTypeDef, sortBy: string): { value: unknown; caseExact: boolean } {
  const ref = resolveAttrPath(type, parseAttrPath(sortBy, badRequest.invalidValue));
  if (!ref) throw badRequest.invalidValue(`cannot sort by unknown attribute "${sortBy}"`);
  let value = topValue(item, ref);
  let def = ref.sub ?? ref.def;
  if (Array.isArray(value)) value = (value as Json[]).find((v) => v.primary === true) ?? value[0];
  if (ref.def.type === 'complex') {
    const sub = ref.sub ?? findAttribute(ref.def.subAttributes, 'value');
    def = sub ?? def;
    value = value && typeof value === 'object' && sub ? (value as Json)[sub.name] : undefined;
  }
  return { value, caseExact: def.caseExact };
}

function compareKeys(a: { value: unknown; caseExact: boolean }, b: { value: unknown }): number {
  if (a.value === undefined || a.value === null) return b.value === undefined || b.value === null ? 0 : 1;
  if (b.value === undefined || b.value === null) return -1;
  const norm = (v: unknown) => (typeof v === 'string' && !a.caseExact ? v.toLowerCase() : v) as string | number;
  const [x, y] = [norm(a.value), norm(b.value)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Sorts in place by the attribute `query.sortBy` of each item's view; unassigned values sort last in either order. */
export function sortResources<T>(items: T[], type: ResourceTypeDef, query: ListQuery, view: (item: T) => Json): void {
  if (!query.sortBy) return;
  const keyed = items.map((item) => ({ item, key: sortKey(view(item), type, query.sortBy!) }));
  const sign = query.sortOrder === 'descending' ? -1 : 1;
  keyed.sort((l, r) => {
    const missing = (k: { value: unknown }) => k.value === undefined || k.value === null;
    if (missing(l.key) || missing(r.key)) return compareKeys(l.key, r.key);
    return sign * compareKeys(l.key, r.key);
  });
  items.splice(0, items.length, ...keyed.map((k) => k.item));
}

/** One page of results and the counts the ListResponse reports. */
export interface Page<T> {
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  items: T[];
}

/** Cuts the page (RFC 7644 §3.4.2.4) out of already filtered and sorted items. */
export function pageOf<T>(items: T[], query: ListQuery, profile: QuirkProfile, maxPageSize: number): Page<T> {
  const count = Math.min(query.count ?? maxPageSize, maxPageSize);
  // badPaging: the start index is ignored and the counts are wrong, as in some real apps;
  // pastEndRepeatsFirstPage only ignores a start index beyond the last result.
  const pastEnd = profile.pastEndRepeatsFirstPage && query.startIndex > items.length;
  const startIndex = profile.badPaging || pastEnd ? 1 : query.startIndex;
  const page = items.slice(startIndex - 1, startIndex - 1 + count);
  const wrongCounts = profile.badPaging || profile.wrongPageCounts;
  return {
    totalResults: wrongCounts ? items.length + 1 : items.length,
    startIndex: profile.badPaging || pastEnd ? query.startIndex : startIndex,
    itemsPerPage: wrongCounts ? count : page.length,
    items: page,
  };
}

/** The ListResponse message (RFC 7644 §3.4.2). */
export function listResponse(page: Page<Json>): Json {
  return {
    schemas: [URN.listResponse],
    totalResults: page.totalResults,
    startIndex: page.startIndex,
    itemsPerPage: page.itemsPerPage,
    Resources: page.items,
  };
}
