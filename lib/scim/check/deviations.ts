/**
 * Departures from RFC 7644 that `jml scim check` looks for: in how the app pages (§3.4.2.4),
 * and in the exchanges the round trip caused (204 PATCH answers, rejected filters, 429s).
 */
import type { ScimClient } from '../client';
import type { CheckStep } from './steps';

/**
 * Reads the first two one-item pages of `/Users`. An app that ignores `startIndex` answers the
 * same user twice; one whose `itemsPerPage` or `totalResults` disagree with the page is noted,
 * because a client trusting them pages forever or stops early.
 */
export async function probePaging(client: ScimClient): Promise<string[]> {
  const first = await client.listUsersPage(1, 1);
  const second = await client.listUsersPage(2, 1);
  const out: string[] = [];
  const a = first.Resources ?? [];
  const b = second.Resources ?? [];
  if (a.length > 1) out.push(`count=1 answered ${a.length} users (RFC 7644 §3.4.2.4: count is a maximum)`);
  if (a[0]?.id && b[0]?.id === a[0].id)
    out.push('paging ignores startIndex: page 2 repeats page 1 (the client stops on pages with nothing new)');
  if (first.itemsPerPage !== undefined && first.itemsPerPage !== a.length)
    out.push(`itemsPerPage says ${first.itemsPerPage} but the page holds ${a.length}`);
  const total = first.totalResults;
  if (total !== undefined && total < 2 && b.length > 0) out.push(`totalResults says ${total} but page 2 has users`);
  if (total !== undefined && total >= 2 && b.length === 0 && a.length > 0)
    out.push(`totalResults says ${total} but page 2 is empty`);
  return out;
}

/** Deviations visible in the recorded exchanges. */
export function requestDeviations(steps: CheckStep[]): string[] {
  const out = new Set<string>();
  for (const r of steps.flatMap((s) => s.requests)) {
    if (r.method === 'PATCH' && r.status === 204)
      out.add(
        'PATCH answered 204 without the resource (allowed by RFC 7644 §3.5.2; the client re-reads when it needs the result)',
      );
    if (r.scimType === 'invalidFilter')
      out.add(
        `a filter was rejected (400 invalidFilter): ${r.detail ?? 'no detail'}; check capabilities.filterOperators`,
      );
    if (r.scimType === 'invalidPath')
      out.add(`a PATCH path was rejected (400 invalidPath): ${r.detail ?? 'no detail'}`);
    if (r.status === 429)
      out.add('the app rate-limited the check (429): rateLimit in the connector may be above what the app allows');
    if (r.status === 501 || r.status === 405)
      out.add(
        `${r.method} ${r.path.split('?')[0]} answered ${r.status}: the app does not support it; check capabilities and delete.mode`,
      );
  }
  return [...out];
}
