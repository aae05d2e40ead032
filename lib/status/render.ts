/** `jml employee status` as text: one table row per app, then holds, events and open problems. */
import type { EmployeeStatusView } from './view';

/** `2026-11-30 18:01:07 UTC (in 29 d)`: readable, unambiguous, and how far away. */
export function readableTime(iso: string, nowMs: number): string {
  const ms = Date.parse(iso);
  const text = `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
  const delta = ms - nowMs;
  const abs = Math.abs(delta);
  const span =
    abs < 60_000
      ? `${Math.round(abs / 1000)} s`
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 172_800_000
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / 86_400_000)} d`;
  return `${text} (${delta >= 0 ? `in ${span}` : `${span} ago`})`;
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export function renderStatusTable(v: EmployeeStatusView, nowMs = Date.now()): string {
  const t = (iso: string) => readableTime(iso, nowMs);
  const out = [
    `employee ${v.employeeId}: stage ${v.stage}${v.currentEventId ? ` (event ${v.currentEventId})` : ''}, HR status ${v.employeeStatus ?? 'unknown'}`,
  ];
  if (v.legalHold) {
    const h = v.legalHold;
    out.push(
      `legal hold: case ${h.caseId}${h.placedBy ? ` by ${h.placedBy}` : ''} since ${t(h.placedAt)}${h.reason ? ` — ${h.reason}` : ''} (no DELETE until released)`,
    );
  }
  out.push('');
  if (v.accounts.length === 0) out.push('accounts: none');
  else {
    const rows = v.accounts.map((a) => {
      const step = a.step
        ? `${a.step.activity} ${a.step.state}, attempt ${a.step.attempt}${a.step.maximumAttempts ? `/${a.step.maximumAttempts}` : ''}${a.step.nextAttemptAt ? (Date.parse(a.step.nextAttemptAt) > nowMs ? `, next retry ${t(a.step.nextAttemptAt)}` : ', retrying now') : ''}`
        : '-';
      const pending = [
        a.pendingRevocation ? `revoke due ${t(a.pendingRevocation.dueAt)} (mover grace)` : '',
        a.pendingDeletion
          ? `delete due ${t(a.pendingDeletion.dueAt)}${a.pendingDeletion.onHold ? ' (paused: legal hold)' : ''}`
          : '',
        a.pendingRecheck ? `recheck due ${t(a.pendingRecheck.dueAt)} (after leaver)` : '',
      ].filter(Boolean);
      const error = a.step?.lastFailure ?? a.lastError;
      return [
        a.app,
        a.state,
        a.scimId ?? '-',
        t(a.lastChangeAt),
        error ? clip(`${error.type}: ${error.message}`, 100) : '-',
        step,
        pending.join('; ') || '-',
      ];
    });
    out.push(...table(['APP', 'STATE', 'SCIM ID', 'LAST CHANGE', 'LAST ERROR', 'STEP / RETRY', 'PENDING'], rows));
  }
  for (const a of v.accounts.filter((x) => x.appHealth)) {
    const h = a.appHealth!;
    out.push(
      '',
      h.state === 'paused'
        ? `${a.app} is PAUSED${h.by ? ` by ${h.by}` : ''} since ${t(h.since)}: ${h.reason} — writes here wait until \`jml app resume ${a.app}\` (leavers are still deactivated)`
        : `${a.app} is QUARANTINED since ${t(h.since)}: ${h.reason}${h.nextProbeAt ? `; next probe ${t(h.nextProbeAt)}` : ''} — writes here wait until a probe succeeds or \`jml app resume ${a.app}\``,
    );
  }
  if (v.failedApps.length)
    out.push(
      '',
      `failed apps: ${v.failedApps.join(', ')} — fix the cause, then: jml employee retry ${v.employeeId} <app>`,
    );
  if (v.pendingEvents.length) {
    out.push('', 'future-dated events:');
    for (const e of v.pendingEvents) out.push(`  ${e.eventId}${e.type ? ` (${e.type})` : ''} due ${t(e.dueAt)}`);
  }
  if (v.recentEvents.length) {
    out.push('', 'recent HR events:');
    out.push(
      ...table(
        ['  RECEIVED', 'EVENT', 'TYPE', 'VERDICT'],
        v.recentEvents.map((e) => [
          `  ${t(e.at)}`,
          e.eventId,
          e.type ?? '-',
          `${e.verdict}${e.reason ? ` — ${clip(e.reason, 80)}` : ''}`,
        ]),
      ),
    );
  }
  if (v.heldByGuard.length) {
    out.push('', 'held by the mass-change guard:');
    for (const h of v.heldByGuard)
      out.push(`  ${h.app}: ${h.action} (event ${h.eventId}) since ${t(h.since)} — ${h.reason}`);
  }
  if (v.needsOperator.length) {
    out.push('', 'needs an operator:');
    for (const n of v.needsOperator)
      out.push(
        `  ${t(n.at)}  ${[n.lifecycle, n.app].filter(Boolean).join(' ')}${n.lifecycle || n.app ? ': ' : ''}${n.reason}`,
      );
  }
  if (v.undeliveredAlerts.length) {
    out.push('', 'alerts not delivered yet (retried automatically):');
    for (const a of v.undeliveredAlerts)
      out.push(
        `  ${a.kind}: ${clip(a.message, 80)} — ${a.attempts} attempts, next ${t(a.nextAttemptAt)}${a.lastError ? ` (${clip(a.lastError, 60)})` : ''}`,
      );
  }
  if (v.audit && v.audit.state !== 'ok') {
    out.push(
      '',
      `audit store: ${v.audit.state}${v.audit.failingSince ? ` since ${t(v.audit.failingSince)}` : ''}, ${v.audit.unaudited} milestones not written yet${v.audit.lastError ? ` (${clip(v.audit.lastError, 80)})` : ''}`,
    );
  }
  return out.join('\n');
}
