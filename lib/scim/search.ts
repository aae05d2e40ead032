/**
 * Filtered listings (RFC 7644 §3.4.2) that end on any server: paged with `startIndex`/`count`
 * and bounded, because real apps ignore `startIndex`, overstate `totalResults` or echo the
 * requested `count` as `itemsPerPage` — a client trusting them pages forever.
 */
import type { ConnectorConfig } from '../config/types';
import { ERROR_CODES } from '../errors';
import { ScimError } from './errors';
import { formatEq, type EqFilter } from './filter';
import type { ScimCallOptions, ScimTransport } from './transport';

/** What the operation modules share: the connector and its transport. */
export interface ClientContext {
  connector: ConnectorConfig;
  http: ScimTransport;
}

/** A SCIM ListResponse (RFC 7644 §3.4.2); every field may be missing or wrong in practice. */
export interface ListResponse<T> {
  totalResults?: number;
  itemsPerPage?: number;
  startIndex?: number;
  Resources?: T[];
}

/** Upper bound on pages per listing, whatever the server claims. */
export const MAX_PAGES = 50;

/**
 * Every resource matching `filter`: stops at MAX_PAGES, on an empty page, on a page with
 * nothing new (a repeated page), or once `totalResults` is reached.
 */
export async function searchAll<T extends { id?: string }>(
  ctx: ClientContext,
  path: string,
  filter: EqFilter,
  operation: string,
  o?: ScimCallOptions,
  extra?: string,
): Promise<T[]> {
  // Entra-style apps accept `eq` only; sending an operator they lack is a 400 invalidFilter.
  if (!ctx.connector.capabilities.filterOperators.includes('eq')) {
    throw new ScimError(
      ERROR_CODES.SCIM_UNSUPPORTED,
      {
        app: ctx.connector.id,
        operation,
        method: 'GET',
        path,
        detail: 'capabilities.filterOperators lacks "eq": accounts cannot be looked up',
      },
      { retryable: false },
    );
  }
  const out: T[] = [];
  const seen = new Set<string>();
  const count = ctx.connector.capabilities.maxPageSize;
  let startIndex = 1;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = `filter=${encodeURIComponent(formatEq(filter))}&startIndex=${startIndex}&count=${count}${extra ? `&${extra}` : ''}`;
    const res = await ctx.http.exchange({ operation, method: 'GET', path: `${path}?${query}` }, o);
    const items = ((res.body ?? {}) as ListResponse<T>).Resources ?? [];
    const fresh = items.filter((i) => !i.id || !seen.has(i.id));
    for (const i of fresh) {
      if (i.id) seen.add(i.id);
      out.push(i);
    }
    const total = ((res.body ?? {}) as ListResponse<T>).totalResults ?? out.length;
    if (fresh.length === 0 || out.length >= total) break;
    startIndex += items.length;
  }
  return out;
}
