/**
 * The read-only console served by the API at `/console`: recent lifecycle runs with SLA
 * badges (a run with a failed app is never green), the people the store knows (searchable,
 * paged), each person's joiner/mover/leaver history and leaver timeline, the provisioning
 * log of every SCIM request, and the last reconciliation run per app (reconciliation.ts).
 * Plain server-rendered HTML from the audit store; every value is escaped; nothing on these
 * pages changes anything.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { buildLeaverTimeline, escapeHtml, renderHtml, type AuditStore } from '../../../lib/audit';
import { verifyBasicPassword, verifyBearer } from '../signature';
import { PAGE_SIZE, renderRequestsPage, selectRequests, type RequestFilter } from './requests';
import { lifecycleRuns, type RunRow } from './runs';
import { heldAppsSection, type AppHealthSource } from './apps';
import { reconciliationView, renderReconciliation } from './reconciliation';
import type { Client } from '@temporalio/client';

export interface ConsoleOptions {
  store: AuditStore;
  temporalUiUrl?: string;
  namespace?: string;
  /** @default 200 */
  limit?: number;
  /**
   * The API's read tokens (JML_API_READ_TOKENS). When any are set the pages need one, as a
   * bearer token or as the password of HTTP Basic (the browser prompts); timelines are
   * personal data. @default [] (open: for the loopback dev stack)
   */
  readTokens?: readonly string[];
  /** The apps' health (paused, quarantined), shown above the runs. Without it, not shown. */
  apps?: AppHealthSource;
  /**
   * The API's Temporal client, when connected: the reconciliation page asks each
   * `reconcile-<app>` workflow for its next run. Without it the page reads the audit store only.
   */
  temporal?: () => Client | undefined;
}

function consoleGuard(tokens: readonly string[]) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (tokens.length === 0) return;
    const header = request.headers.authorization;
    if (verifyBearer(header, tokens) || verifyBasicPassword(header, tokens)) return;
    return reply
      .code(401)
      .header('www-authenticate', 'Basic realm="jml console", charset="UTF-8"')
      .type('text/html; charset=utf-8')
      .send('<!doctype html><p>The console needs a read token (JML_API_READ_TOKENS) as the password.</p>');
  };
}

const STYLE = `body{font:14px system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
.sla{font-size:.8rem;padding:.1rem .4rem;border-radius:.3rem}.sla.met{background:#d4f7d4}.sla.breached,.sla.failed{background:#f7d4d4}.sla.running,.sla.n\\/a{background:#eee}
nav a{margin-right:1rem}form label{margin-right:.8rem}.status{padding:.1rem .3rem;border-radius:.2rem}.status.ok{background:#d4f7d4}.status.warn{background:#fbeacc}.status.bad{background:#f7d4d4}`;

const CSP = "default-src 'none'; style-src 'unsafe-inline'";

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>jml-orchestrator — ${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><nav><a href="/console">Lifecycle runs</a><a href="/console/people">People</a><a href="/console/requests">Provisioning log</a><a href="/console/reconciliation">Reconciliation</a></nav><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

const t = (ms?: number) => (ms === undefined ? '' : new Date(ms).toISOString().replace('.000Z', 'Z'));

function runRow(r: RunRow): string {
  const e = escapeHtml;
  const who = `<a href="/console/employees/${encodeURIComponent(r.employeeId)}">${e(r.employeeId)}</a>`;
  const failed = r.failedApps.length
    ? ` — failed: ${r.failedApps.map((a) => `<a href="/console/requests?employee=${encodeURIComponent(r.employeeId)}&amp;app=${encodeURIComponent(a)}&amp;status=failed">${e(a)}</a>`).join(', ')}`
    : '';
  return `<tr data-employee="${e(r.employeeId)}" data-lifecycle="${e(r.lifecycle)}" data-sla="${e(r.sla)}"><td>${who}</td><td>${e(r.lifecycle)}</td><td>${e(r.eventId)}</td><td>${e(t(r.startedAtMs))}</td><td>${e(t(r.completedAtMs))}</td><td>${e(t(r.slaDeadlineMs))}</td><td><span class="sla ${e(r.sla)}">${e(r.sla)}</span></td><td>${e(r.detail ?? '')}${failed}</td></tr>`;
}

function runsTable(rows: RunRow[], id = 'runs'): string {
  const body = rows.length
    ? rows.map(runRow).join('')
    : '<tr><td colspan="8">No lifecycle runs recorded yet.</td></tr>';
  return `<table id="${id}"><thead><tr><th>Employee</th><th>Lifecycle</th><th>HR event</th><th>Started</th><th>Completed</th><th>SLA deadline</th><th>SLA</th><th>Result</th></tr></thead><tbody>${body}</tbody></table>`;
}

export function renderRunsPage(rows: RunRow[], heldApps = ''): string {
  return page(
    'Recent lifecycle runs',
    `${heldApps}<p>From the audit store; newest first. Read-only. A run with a failed app is marked <span class="sla failed">failed</span>, never met.</p>${runsTable(rows)}`,
  );
}

export const PEOPLE_PAGE_SIZE = 50;

export interface PeopleListRow {
  employeeId: string;
  displayName?: string;
  department?: string;
  status?: string;
  last?: RunRow;
}

export function renderPeoplePage(people: PeopleListRow[], total: number, q: string, pageNo: number): string {
  const e = escapeHtml;
  const rows = people
    .map(
      ({ employeeId, displayName, department, status, last }) =>
        `<tr data-employee="${e(employeeId)}"><td><a href="/console/employees/${encodeURIComponent(employeeId)}">${e(displayName ?? '—')}</a></td><td>${e(employeeId)}</td><td>${e(department ?? '')}</td><td>${e(status ?? '')}</td><td>${e(last?.lifecycle ?? '')}</td><td>${e(t(last?.completedAtMs ?? last?.startedAtMs))}</td><td>${last ? `<span class="sla ${e(last.sla)}">${e(last.sla)}</span>` : ''}</td></tr>`,
    )
    .join('');
  const lastPage = Math.max(0, Math.ceil(total / PEOPLE_PAGE_SIZE) - 1);
  const link = (p: number, label: string) =>
    `<a href="/console/people?${e(new URLSearchParams({ q, page: String(p) }).toString())}">${label}</a>`;
  const nav = [
    pageNo > 0 ? link(pageNo - 1, '← previous') : '',
    `page ${pageNo + 1} of ${lastPage + 1} (${total} people)`,
    pageNo < lastPage ? link(pageNo + 1, 'next →') : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return page(
    'People',
    `<form method="get" action="/console/people" id="search"><label>Name, employee id or department <input name="q" value="${e(q)}" placeholder="Ada, E10, Engineering"></label><button type="submit">Search</button></form>
<p class="nav">${nav}</p><table id="people"><thead><tr><th>Name</th><th>Employee id</th><th>Department</th><th>HR status</th><th>Last lifecycle</th><th>When</th><th>SLA</th></tr></thead><tbody>${rows || '<tr><td colspan="7">Nobody matches.</td></tr>'}</tbody></table>
<p>Name, department and HR status as of each person's latest recorded event; — : none recorded yet (it comes with their next event).</p>`,
  );
}

function parseTime(raw: string | undefined, name: string): number | undefined {
  if (!raw) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms))
    throw Object.assign(
      new Error(`${name}: not a date or time; use ISO 8601 such as 2026-11-30 or 2026-11-30T08:00Z`),
      { statusCode: 400 },
    );
  return ms;
}

export function registerConsole(app: FastifyInstance, options: ConsoleOptions): void {
  const onRequest = consoleGuard(options.readTokens ?? []);
  const html = (reply: FastifyReply, body: string, code = 200) =>
    reply.code(code).type('text/html; charset=utf-8').header('content-security-policy', CSP).send(body);
  app.get('/console', { onRequest }, async (_request, reply) => {
    const rows = lifecycleRuns(await options.store.lifecycleMilestones(options.limit ?? 200));
    return html(reply, renderRunsPage(rows, await heldAppsSection(options.apps)));
  });
  app.get<{ Querystring: { q?: string; page?: string } }>('/console/people', { onRequest }, async (request, reply) => {
    const q = (request.query.q ?? '').trim().slice(0, 200);
    const pageNo = Math.max(0, Math.floor(Number(request.query.page ?? 0)) || 0);
    const found = await options.store.people({ q, offset: pageNo * PEOPLE_PAGE_SIZE, limit: PEOPLE_PAGE_SIZE });
    const people = await Promise.all(
      found.people.map(async (person) => ({
        ...person,
        last: lifecycleRuns(await options.store.records({ employeeId: person.employeeId, kind: 'milestone' }))[0],
      })),
    );
    return html(reply, renderPeoplePage(people, found.total, q, pageNo));
  });
  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/console/requests',
    { onRequest },
    async (request, reply) => {
      const q = request.query;
      let filter: RequestFilter;
      try {
        filter = {
          employeeId: q.employee?.trim() || undefined,
          app: q.app || undefined,
          status: q.status || undefined,
          sinceMs: parseTime(q.since, 'From'),
          untilMs: parseTime(q.until, 'To'),
          page: Math.max(0, Math.floor(Number(q.page ?? 0)) || 0),
        };
      } catch (err) {
        return html(reply, page('Provisioning log', `<p>${escapeHtml((err as Error).message)}</p>`), 400);
      }
      const records = await options.store.records({
        kind: 'scim-request',
        employeeId: filter.employeeId,
        sinceMs: filter.sinceMs,
        untilMs: filter.untilMs,
      });
      const apps = [...new Set(records.map((r) => String((r.data as { app?: unknown }).app ?? '')))]
        .filter(Boolean)
        .sort();
      const query = Object.fromEntries(
        Object.entries(q).filter(([k, v]) => k !== 'page' && typeof v === 'string' && v !== ''),
      ) as Record<string, string>;
      const body = renderRequestsPage(selectRequests(records, filter), filter, apps, query);
      return html(
        reply,
        page(
          'Provisioning log',
          `<p>Every SCIM request the worker sent, from the audit store; newest first, ${PAGE_SIZE} per page.</p>${body}`,
        ),
      );
    },
  );
  app.get('/console/reconciliation', { onRequest }, async (_request, reply) => {
    const view = await reconciliationView(options.store, options.temporal);
    return html(reply, page('Reconciliation: last run per app', renderReconciliation(view)));
  });
  app.get<{ Params: { id: string } }>('/console/employees/:id', { onRequest }, async (request, reply) => {
    const records = await options.store.records({ employeeId: request.params.id });
    if (records.length === 0)
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .send(
          `<!doctype html><p>No audit records for ${escapeHtml(request.params.id)}.</p><a href="/console">back</a>`,
        );
    const id = request.params.id;
    // Every lifecycle this person went through (joiner, mover, leaver, re-hire…), then the leaver timeline.
    const history = lifecycleRuns(records.filter((r) => r.kind === 'milestone'));
    const requests = records.filter((r) => r.kind === 'scim-request').length;
    const person = await options.store.person(id);
    const who = person?.displayName
      ? `${escapeHtml(person.displayName)} (${escapeHtml(id)})${person.department ? `, ${escapeHtml(person.department)}` : ''}${person.status ? ` — HR status ${escapeHtml(person.status)}` : ''}`
      : escapeHtml(id);
    const head = `<nav><a href="/console">Lifecycle runs</a><a href="/console/people">People</a><a href="/console/requests">Provisioning log</a><a href="/console/reconciliation">Reconciliation</a></nav>
<h2 id="person">Lifecycle history of ${who}</h2>${runsTable(history, 'history')}
<p><a href="/console/requests?employee=${encodeURIComponent(id)}">${requests} SCIM requests in the provisioning log</a></p>`;
    const timeline = renderHtml(
      buildLeaverTimeline(id, records, { temporalUiUrl: options.temporalUiUrl, namespace: options.namespace }),
    );
    return html(reply, timeline.replace('<body>', `<body>${head}<style>${STYLE}</style>`));
  });
}
