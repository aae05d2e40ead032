/** Leaver timelines as a terminal table, JSON, CSV (one row per termination and app) and a self-contained HTML page. */
import type { LeaverTimeline } from './timeline';

const t = (ms?: number) => (ms === undefined ? '' : new Date(ms).toISOString());

export const CSV_HEADER = [
  'employee_id',
  'event_id',
  'hr_terminated_at',
  'received_at',
  'initiator',
  'app',
  'deactivated_at',
  'response_status',
  'sla_deadline',
  'sla',
  'deletion_due_at',
  'deleted_at',
  'deletion_note',
  'failure',
  'workflow_url',
];

export function csvRows(tl: LeaverTimeline): string[][] {
  const rows: string[][] = [];
  for (const term of tl.terminations) {
    for (const a of term.apps.length ? term.apps : [{ app: '' }]) {
      const app = a as LeaverTimeline['terminations'][number]['apps'][number];
      rows.push([
        tl.employeeId,
        term.eventId,
        t(term.hrEffectiveAtMs),
        t(term.receivedAtMs),
        term.initiator ?? '',
        app.app,
        t(app.deactivatedAtMs),
        app.status?.toString() ?? '',
        t(term.slaDeadlineMs),
        term.sla,
        t(app.deletionDueAtMs),
        t(app.deletedAtMs),
        app.deletionNote ?? '',
        app.failed ?? '',
        term.workflowUrl ?? '',
      ]);
    }
  }
  return rows;
}

/** RFC 4180 quoting; a leading =, +, -, @, TAB or CR is neutralised so spreadsheets do not run it (OWASP CSV injection). */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function renderCsv(timelines: LeaverTimeline[], trailer?: string[]): string {
  const lines = [CSV_HEADER.join(','), ...timelines.flatMap(csvRows).map((r) => r.map(csvCell).join(','))];
  if (trailer) lines.push(...trailer.map((l) => `# ${l}`));
  return `${lines.join('\n')}\n`;
}

export function renderTable(tl: LeaverTimeline): string {
  const lines = [`Leaver timeline for ${tl.employeeId}`];
  if (tl.terminations.length === 0) lines.push('  no termination on record');
  for (const term of tl.terminations) {
    lines.push('', `Termination ${term.eventId}`);
    lines.push(
      `  HR effective   ${t(term.hrEffectiveAtMs)}`,
      `  received       ${t(term.receivedAtMs)}${term.initiator ? ` (by ${term.initiator})` : ''}`,
    );
    lines.push(`  SLA deadline   ${t(term.slaDeadlineMs)}  → ${term.sla.toUpperCase()}`);
    if (term.workflowUrl) lines.push(`  workflow       ${term.workflowUrl}`);
    lines.push(
      `  ${'app'.padEnd(10)} ${'deactivated'.padEnd(25)} ${'HTTP'.padEnd(5)} ${'delete due'.padEnd(25)} deleted`,
    );
    for (const a of term.apps) {
      lines.push(
        `  ${a.app.padEnd(10)} ${(t(a.deactivatedAtMs) || (a.failed ? 'FAILED' : '-')).padEnd(25)} ${String(a.status ?? '').padEnd(5)} ${(t(a.deletionDueAtMs) || '-').padEnd(25)} ${t(a.deletedAtMs) || a.deletionNote || '-'}`,
      );
    }
  }
  for (const h of tl.holds)
    lines.push(
      '',
      `Legal hold ${h.caseId}: placed ${t(h.placedAtMs)}${h.releasedAtMs ? `, released ${t(h.releasedAtMs)}` : ' (still on)'}`,
    );
  for (const r of tl.rehires) lines.push('', `Re-hire ${r.eventId} at ${t(r.atMs)}`);
  for (const r of tl.rejectedTerminations ?? [])
    lines.push('', `Termination ${r.eventId} judged ${r.verdict} at ${t(r.atMs)}: ${r.reason ?? ''}`);
  return lines.join('\n');
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function renderHtml(tl: LeaverTimeline): string {
  const e = escapeHtml;
  const sections = tl.terminations.map((term) => {
    const rows = term.apps
      .map(
        (a) =>
          `<tr><td>${e(a.app)}</td><td>${e(t(a.deactivatedAtMs) || (a.failed ? `FAILED: ${a.failed}` : '—'))}</td><td>${e(String(a.status ?? ''))}</td><td>${e(t(a.deletionDueAtMs) || '—')}</td><td>${e(t(a.deletedAtMs) || a.deletionNote || '—')}</td></tr>`,
      )
      .join('');
    const link = term.workflowUrl ? `<a href="${e(term.workflowUrl)}">workflow run</a>` : '';
    return `<section><h2>Termination ${e(term.eventId)} <span class="sla ${term.sla}">SLA ${term.sla}</span></h2>
<dl><dt>HR effective</dt><dd>${e(t(term.hrEffectiveAtMs))}</dd><dt>Received</dt><dd>${e(t(term.receivedAtMs))}${term.initiator ? ` by ${e(term.initiator)}` : ''}</dd><dt>SLA deadline</dt><dd>${e(t(term.slaDeadlineMs))}</dd></dl>
<table><thead><tr><th>App</th><th>Deactivated</th><th>HTTP</th><th>Deletion due</th><th>Deleted</th></tr></thead><tbody>${rows}</tbody></table>${link}</section>`;
  });
  const holds = tl.holds
    .map(
      (h) =>
        `<li>Legal hold ${e(h.caseId)}: placed ${e(t(h.placedAtMs))}${h.releasedAtMs ? `, released ${e(t(h.releasedAtMs))}` : ' (still on)'}</li>`,
    )
    .join('');
  const rehires = [
    ...tl.rehires.map((r) => `<li>Re-hire ${e(r.eventId)} at ${e(t(r.atMs))}</li>`),
    ...(tl.rejectedTerminations ?? []).map(
      (r) => `<li>Termination ${e(r.eventId)} judged ${e(r.verdict)} at ${e(t(r.atMs))}: ${e(r.reason ?? '')}</li>`,
    ),
  ].join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Leaver timeline ${e(tl.employeeId)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
.sla{font-size:.8rem;padding:.1rem .4rem;border-radius:.3rem}.sla.met{background:#d4f7d4}.sla.breached{background:#f7d4d4}.sla.pending{background:#eee}dt{font-weight:600}</style></head>
<body><h1>Leaver timeline for ${e(tl.employeeId)}</h1>${sections.join('') || '<p>No termination on record.</p>'}${holds || rehires ? `<ul>${holds}${rehires}</ul>` : ''}</body></html>`;
}
