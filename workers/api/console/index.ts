/**
 * The read-only console served by the API at `/console`: recent lifecycle runs with SLA
 * badges, and each person's leaver timeline. Plain server-rendered HTML from the audit store;
 * every value is escaped; nothing on these pages changes anything.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { buildLeaverTimeline, escapeHtml, renderHtml, type AuditStore } from '../../../lib/audit';
import { verifyBasicPassword, verifyBearer } from '../signature';
import { lifecycleRuns, type RunRow } from './runs';

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
.sla{font-size:.8rem;padding:.1rem .4rem;border-radius:.3rem}.sla.met{background:#d4f7d4}.sla.breached,.sla.failed{background:#f7d4d4}.sla.running,.sla.n\\/a{background:#eee}`;

const t = (ms?: number) => (ms === undefined ? '' : new Date(ms).toISOString().replace('.000Z', 'Z'));

function runRow(r: RunRow): string {
  const e = escapeHtml;
  const who = `<a href="/console/employees/${encodeURIComponent(r.employeeId)}">${e(r.employeeId)}</a>`;
  return `<tr data-employee="${e(r.employeeId)}" data-lifecycle="${e(r.lifecycle)}"><td>${who}</td><td>${e(r.lifecycle)}</td><td>${e(r.eventId)}</td><td>${e(t(r.startedAtMs))}</td><td>${e(t(r.completedAtMs))}</td><td>${e(t(r.slaDeadlineMs))}</td><td><span class="sla ${e(r.sla)}">${e(r.sla)}</span></td><td>${e(r.detail ?? '')}</td></tr>`;
}

export function renderRunsPage(rows: RunRow[]): string {
  const body = rows.length ? rows.map(runRow).join('') : '<tr><td colspan="8">No lifecycle runs recorded yet.</td></tr>';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>jml-orchestrator — lifecycle runs</title><style>${STYLE}</style></head>
<body><h1>Recent lifecycle runs</h1><p>From the audit store; newest first. Read-only.</p>
<table id="runs"><thead><tr><th>Employee</th><th>Lifecycle</th><th>HR event</th><th>Started</th><th>Completed</th><th>SLA deadline</th><th>SLA</th><th>Result</th></tr></thead><tbody>${body}</tbody></table></body></html>`;
}

export function registerConsole(app: FastifyInstance, options: ConsoleOptions): void {
  const onRequest = consoleGuard(options.readTokens ?? []);
  app.get('/console', { onRequest }, async (_request, reply) => {
    const rows = lifecycleRuns(await options.store.lifecycleMilestones(options.limit ?? 200));
    return reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").send(renderRunsPage(rows));
  });
  app.get<{ Params: { id: string } }>('/console/employees/:id', { onRequest }, async (request, reply) => {
    const records = await options.store.records({ employeeId: request.params.id });
    if (records.length === 0) return reply.code(404).type('text/html; charset=utf-8').send(`<!doctype html><p>No audit records for ${escapeHtml(request.params.id)}.</p><a href="/console">back</a>`);
    const html = renderHtml(buildLeaverTimeline(request.params.id, records, { temporalUiUrl: options.temporalUiUrl, namespace: options.namespace })).replace('<body>', '<body><p><a href="/console">← all runs</a></p>');
    return reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").send(html);
  });
}
