/**
 * A whole resource listing (`/Users`, `/Groups`) for reconciliation: every page, without a
 * filter, robust to apps whose paging is broken. Real apps repeat page 1 when `startIndex` is
 * past the end, overstate or understate `totalResults`, or echo `count` as `itemsPerPage`; a
 * scan that trusted them would loop or stop early. So it stops on an empty page, on a page
 * with nothing new, or when a page is short of what was asked and `totalResults` says it was
 * the last (apps cap pages below the `count` asked for) — and never trusts `totalResults` to
 * end a scan whose pages are full. A page with nothing new while `totalResults` claims more
 * than was read (an app that ignores `startIndex`) fails the scan: a partial directory must
 * not pass for the whole one.
 */
import { ERROR_CODES, JmlError } from '../errors';
import type { ListResponse, ClientContext } from './search';
import type { ScimCallOptions } from './transport';

export interface ScanResult<T> {
  resources: T[];
  pages: number;
  /** Why the scan ended, for the report: a repeated page is a finding about the app. */
  endedBy: 'empty-page' | 'short-page' | 'repeated-page' | 'page-limit';
}

/** Far above any real directory at the default page size; a guard against an app that never ends. */
export const SCAN_MAX_PAGES = 10_000;

export async function scanAll<T extends { id?: string }>(
  ctx: ClientContext,
  resource: 'Users' | 'Groups',
  o?: ScimCallOptions,
  options: { pageSize?: number; attributes?: string } = {},
): Promise<ScanResult<T>> {
  const count = options.pageSize ?? ctx.connector.capabilities.maxPageSize ?? 100;
  const seen = new Set<string>();
  const resources: T[] = [];
  let startIndex = 1;
  for (let page = 1; page <= SCAN_MAX_PAGES; page++) {
    const extra = options.attributes ? `&attributes=${encodeURIComponent(options.attributes)}` : '';
    const res = await ctx.http.exchange(
      {
        operation: resource === 'Users' ? 'scan-users' : 'scan-groups',
        method: 'GET',
        path: `/${resource}?startIndex=${startIndex}&count=${count}${extra}`,
      },
      o,
    );
    const items = ((res.body ?? {}) as ListResponse<T>).Resources ?? [];
    if (items.length === 0) return { resources, pages: page, endedBy: 'empty-page' };
    const fresh = items.filter((i) => i.id && !seen.has(i.id));
    const total = ((res.body ?? {}) as ListResponse<T>).totalResults;
    if (fresh.length === 0) {
      // Page 1 again while the app claims more than it has shown: it ignores startIndex, and what
      // was read is not the directory. Reconciling it would call everyone after page 1 missing and
      // miss their active leavers, so the scan fails. One more than shown is a known harmless quirk.
      if (typeof total === 'number' && total > resources.length + 1) {
        throw new JmlError(
          ERROR_CODES.SCIM_PROTOCOL,
          `${ctx.connector.id}: paging is broken — /${resource}?startIndex=${startIndex} answered resources already read, after ${resources.length} of the ${total} ${resource} it reports; the app cannot be read in full`,
        );
      }
      return { resources, pages: page, endedBy: 'repeated-page' };
    }
    for (const item of fresh) {
      seen.add(item.id!);
      resources.push(item);
    }
    // A short page ends the scan only where totalResults agrees: an app may cap a page below the
    // `count` asked for (RFC 7644 §3.4.2.4), and stopping there would miss everyone after it.
    // Without a usable total, the next page decides (empty or repeated ends the scan).
    if (items.length < count && typeof total === 'number' && startIndex - 1 + items.length >= total)
      return { resources, pages: page, endedBy: 'short-page' };
    startIndex += items.length;
  }
  return { resources, pages: SCAN_MAX_PAGES, endedBy: 'page-limit' };
}
