/** The human-readable `jml scim check` report: stable line shapes, so operators can diff runs. */
import type { CheckReport } from './run';

const pad = (s: string, n: number) => (s.length >= n ? `${s} ` : s + ' '.repeat(n - s.length));

function requestLine(r: CheckReport['steps'][number]['requests'][number]): string {
  const path = r.path.length > 60 ? `${r.path.slice(0, 57)}...` : r.path;
  return `      ${pad(r.method, 7)}${pad(path, 62)}${pad(r.status === undefined ? (r.errorCode ?? '-') : String(r.status), 5)}${r.latencyMs} ms`;
}

/** Lines to print, without trailing newline. */
export function formatCheckReport(report: CheckReport): string[] {
  const lines = [`jml scim check ${report.app} → ${report.baseUrl}`, ''];
  if (report.capabilities.length > 0) {
    lines.push(`  ${pad('capability', 24)}${pad('app advertises', 28)}${pad('connector declares', 22)}`);
    for (const c of report.capabilities) {
      const mark =
        c.verdict === 'problem'
          ? '  ✗ connector promises more than the app offers'
          : c.verdict === 'note'
            ? '  (app offers more)'
            : '';
      lines.push(`  ${pad(c.name, 24)}${pad(c.advertised, 28)}${pad(c.declared, 22)}${mark}`.trimEnd());
    }
    lines.push('');
  }
  lines.push('Steps:');
  for (const s of report.steps) {
    lines.push(`  ${s.ok ? 'ok  ' : 'FAIL'} ${pad(s.name, 30)}${s.outcome}`);
    for (const r of s.requests) lines.push(requestLine(r));
  }
  lines.push('');
  lines.push(report.deviations.length === 0 ? 'Deviations: none' : 'Deviations:');
  for (const d of report.deviations) lines.push(`  - ${d}`);
  if (report.leftBehind.length > 0) lines.push(`Left in the app: ${report.leftBehind.join(', ')}`);
  const failedSteps = report.steps.filter((s) => !s.ok).map((s) => s.name);
  const problems = report.capabilities.filter((c) => c.verdict === 'problem').map((c) => c.name);
  lines.push(
    report.ok
      ? `Result: OK (${report.deviations.length} deviation${report.deviations.length === 1 ? '' : 's'})`
      : `Result: FAILED${failedSteps.length ? ` — failed: ${failedSteps.join(', ')}` : ''}${problems.length ? ` — capability mismatch: ${problems.join(', ')}` : ''}`,
  );
  return lines;
}
