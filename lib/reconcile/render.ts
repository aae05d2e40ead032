/** `jml reconcile --format table`: one block per app, one line per finding, readable by a person. */
import type { ReconcileReport } from './reconcile';

export function renderReconcileTable(report: ReconcileReport): string {
  const out: string[] = [];
  for (const app of report.apps) {
    const head = `${app.app}: ${app.scanned.users} accounts, ${app.scanned.groups} groups scanned`;
    if (app.error) {
      out.push(`${head} — NOT RECONCILED: ${app.error}`);
      continue;
    }
    out.push(`${head} — ${app.findings.length === 0 ? 'no findings' : `${app.findings.length} finding(s)`}`);
    for (const f of app.findings) {
      const who = [f.employeeId && `employee ${f.employeeId}`, f.scimId && `scim id ${f.scimId}`]
        .filter(Boolean)
        .join(', ');
      const repaired =
        f.repaired === 'yes'
          ? ' [repaired]'
          : f.repaired === 'requested'
            ? ` [account requested from the employee workflow: ${f.requestId}]`
            : f.repaired === 'rejected'
              ? ` [account request REJECTED: ${f.repairError}]`
              : f.repaired === 'failed'
                ? ` [repair FAILED: ${f.repairError}]`
                : '';
      out.push(`  ${f.kind.padEnd(17)} ${who ? `${who}: ` : ''}${f.detail}${repaired}`);
    }
  }
  return out.join('\n');
}
