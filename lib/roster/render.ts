/** `jml import --format table`: a summary per app, then every conflict, problem and unclaimed account, readable by a person. */
import type { ImportReport } from './import';

export function renderImportTable(report: ImportReport, applied: boolean): string {
  const out: string[] = [];
  out.push(
    `roster: ${report.people} valid people, ${report.invalidRows.length} invalid row(s)` +
      (report.managed.length ? `, ${report.managed.length} already managed (left to their workflow)` : ''),
  );
  for (const e of report.invalidRows)
    out.push(`  row ${e.row}${e.employeeId ? ` (${e.employeeId})` : ''}, ${e.field}: ${e.message}`);
  for (const app of report.apps) {
    if (app.error) {
      out.push(`${app.app}: NOT READ — ${app.error}`);
      continue;
    }
    const by = (k: string) => app.matches.filter((m) => m.by === k).length;
    const adopt = app.matches.filter((m) => m.adoption !== 'none').length;
    out.push(
      `${app.app}: ${app.scanned.users} accounts scanned — ${app.matches.length} matched (${by('externalId')} by externalId, ${by('userName')} by userName, ${by('email')} by email; ${adopt} to adopt), ${app.toCreate.length} to create, ${app.conflicts.length} conflict(s), ${app.unclaimed.length} unclaimed`,
    );
    for (const c of app.conflicts) out.push(`  CONFLICT ${c.kind.padEnd(19)} ${c.detail}`);
    for (const m of app.matches.filter((x) => !x.granted && x.active))
      out.push(`  note     employee ${m.employeeId}: active account ${m.scimId}, but no access rule grants ${app.app}`);
    for (const a of app.adopted ?? [])
      if (a.result === 'failed')
        out.push(`  ADOPTION FAILED employee ${a.employeeId}, scim id ${a.scimId}: ${a.error}`);
    for (const d of app.deactivated ?? [])
      out.push(
        `  ${d.result === 'yes' ? 'deactivated' : 'DEACTIVATION FAILED'} employee ${d.employeeId} (terminated in HR), scim id ${d.scimId}${d.error ? `: ${d.error}` : ''}`,
      );
    for (const u of app.unclaimed)
      out.push(
        `  unclaimed scim id ${u.scimId}${u.userName ? ` (${u.userName})` : ''}${u.externalId ? `, externalId ${u.externalId}` : ''}`,
      );
  }
  if (applied) {
    const started = report.started ?? [];
    out.push(
      `started: ${started.length} workflow(s); terminated in HR (not started, active accounts deactivated): ${(report.terminated ?? []).length}; not started: ${(report.notStarted ?? []).length}`,
    );
    for (const n of report.notStarted ?? []) out.push(`  not started ${n.employeeId}: ${n.reason}`);
  } else {
    out.push('dry run: nothing changed; --apply adopts the matched accounts and starts each person’s workflow');
  }
  return out.join('\n');
}
