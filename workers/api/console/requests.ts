/**
 * The provisioning log: every SCIM request the worker sent, from the audit store's request
 * records — time, person, app, operation, status, latency, attempt, error — filterable by
 * person, app, status and time, newest first, paged. The view Entra and Okta admins open first.
 */
import { escapeHtml, type AuditRecord } from '../../../lib/audit';

export interface RequestFilter {
  employeeId?: string;
  app?: string;
  /** `200`, `4xx`, `5xx`, `429`, `error` (no HTTP answer: timeout or network) or `failed` (anything not 2xx). */
  status?: string;
  sinceMs?: number;
  untilMs?: number;
  page: number;
}

export interface RequestRow {
  atMs: number;
  employeeId: string;
  app: string;
  operation: string;
  method: string;
  path: string;
  status?: number;
  latencyMs?: number;
  attempt?: number;
  eventId?: string;
  error?: string;
}

export const PAGE_SIZE = 100;

export function requestRow(r: AuditRecord): RequestRow {
  const d = r.data as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const error = [str(d.errorCode), str(d.scimType), str(d.detail)].filter(Boolean).join(': ');
  return {
    atMs: r.occurredAtMs,
    employeeId: r.employeeId,
    app: String(d.app ?? ''),
    operation: String(d.operation ?? ''),
    method: String(d.method ?? ''),
    path: String(d.path ?? ''),
    status: num(d.status),
    latencyMs: num(d.latencyMs),
    attempt: num(d.attempt),
    eventId: str(d.eventId),
    ...(error ? { error } : {}),
  };
}

export function matchesStatus(row: RequestRow, wanted: string | undefined): boolean {
  if (!wanted) return true;
  const s = row.status;
  if (wanted === 'error') return s === undefined;
  if (wanted === 'failed') return s === undefined || s < 200 || s >= 300;
  if (/^\dxx$/.test(wanted)) return s !== undefined && Math.floor(s / 100) === Number(wanted[0]);
  return s !== undefined && String(s) === wanted;
}

/** Filters (app, status) and pages rows that the store already narrowed by person and time. */
export function selectRequests(records: AuditRecord[], f: RequestFilter): { rows: RequestRow[]; total: number } {
  const all = records
    .map(requestRow)
    .filter((r) => (!f.app || r.app === f.app) && matchesStatus(r, f.status))
    .sort((a, b) => b.atMs - a.atMs);
  return { rows: all.slice(f.page * PAGE_SIZE, (f.page + 1) * PAGE_SIZE), total: all.length };
}

const t = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function statusCell(r: RequestRow): string {
  const cls = r.status === undefined || r.status >= 500 ? 'bad' : r.status === 429 || r.status >= 400 ? 'warn' : 'ok';
  return `<span class="status ${cls}">${r.status ?? 'no answer'}</span>`;
}

export function renderRequestsPage(
  result: { rows: RequestRow[]; total: number },
  f: RequestFilter,
  apps: string[],
  query: Record<string, string>,
): string {
  const e = escapeHtml;
  const opt = (value: string, label: string, current?: string) =>
    `<option value="${e(value)}"${value === (current ?? '') ? ' selected' : ''}>${e(label)}</option>`;
  const statuses: [string, string][] = [
    ['', 'any status'],
    ['failed', 'failed (not 2xx)'],
    ['2xx', '2xx'],
    ['4xx', '4xx'],
    ['429', '429'],
    ['5xx', '5xx'],
    ['error', 'no answer'],
  ];
  const rows = result.rows
    .map(
      (r) =>
        `<tr><td>${e(t(r.atMs))}</td><td><a href="/console/employees/${encodeURIComponent(r.employeeId)}">${e(r.employeeId)}</a></td><td>${e(r.app)}</td>` +
        `<td>${e(r.operation)}</td><td><code>${e(`${r.method} ${r.path}`)}</code></td><td>${statusCell(r)}</td><td>${r.latencyMs ?? ''}</td><td>${r.attempt ?? ''}</td><td>${e(r.error ?? '')}</td></tr>`,
    )
    .join('');
  const pageLink = (page: number, label: string) => {
    const q = new URLSearchParams({ ...query, page: String(page) });
    return `<a href="/console/requests?${e(q.toString())}">${label}</a>`;
  };
  const last = Math.max(0, Math.ceil(result.total / PAGE_SIZE) - 1);
  const nav = [
    f.page > 0 ? pageLink(f.page - 1, '← newer') : '',
    `page ${f.page + 1} of ${last + 1} (${result.total} requests)`,
    f.page < last ? pageLink(f.page + 1, 'older →') : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return `<form method="get" action="/console/requests" id="filters">
<label>Person <input name="employee" value="${e(f.employeeId ?? '')}" placeholder="employee id"></label>
<label>App <select name="app">${opt('', 'any app', f.app)}${apps.map((a) => opt(a, a, f.app)).join('')}</select></label>
<label>Status <select name="status">${statuses.map(([v, l]) => opt(v, l, f.status)).join('')}</select></label>
<label>From <input name="since" value="${e(query.since ?? '')}" placeholder="2026-11-30T00:00Z"></label>
<label>To <input name="until" value="${e(query.until ?? '')}" placeholder="2026-12-01"></label>
<button type="submit">Filter</button></form>
<p class="nav">${nav}</p>
<table id="requests"><thead><tr><th>Time</th><th>Person</th><th>App</th><th>Operation</th><th>Request</th><th>Status</th><th>Latency ms</th><th>Attempt</th><th>Error</th></tr></thead>
<tbody>${rows || '<tr><td colspan="9">No SCIM requests match.</td></tr>'}</tbody></table>`;
}
