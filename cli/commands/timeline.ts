/**
 * `jml timeline <employeeId> [--format table|json|csv|html]`: the leaver timeline from the
 * audit store (complete long after Temporal's history retention).
 */
import { parseCommandArgs, UsageError } from '../args';
import { openAuditStoreForCli } from '../audit-store';
import { buildLeaverTimeline, renderCsv, renderHtml, renderTable } from '../../lib/audit';

/** One line for `jml --help`. */
export const summary = 'Print a leaver timeline from the audit store (table, json, csv, html)';

const FORMATS = ['table', 'json', 'csv', 'html'] as const;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    format: { type: 'string', default: 'table' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    console.log(
      'Usage: jml timeline <employeeId> [--format table|json|csv|html]\n\nReads DATABASE_URL or JML_AUDIT_DIR (default .data/audit); links runs to TEMPORAL_UI_URL when set.',
    );
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('expected one employee id, e.g. jml timeline E1001');
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  const store = await openAuditStoreForCli('jml timeline');
  if (!store) return 1;
  try {
    const employeeId = positionals[0]!;
    const records = await store.records({ employeeId });
    if (records.length === 0) {
      console.error(`no audit records for ${employeeId}`);
      return 1;
    }
    const timeline = buildLeaverTimeline(employeeId, records, {
      temporalUiUrl: process.env.TEMPORAL_UI_URL,
      namespace: process.env.TEMPORAL_NAMESPACE,
    });
    const out =
      format === 'json'
        ? JSON.stringify(timeline, null, 2)
        : format === 'csv'
          ? renderCsv([timeline])
          : format === 'html'
            ? renderHtml(timeline)
            : renderTable(timeline);
    process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
