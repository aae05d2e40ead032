/**
 * `jml audit verify [--employee ID]` recomputes the hash chains and names the first broken
 * record; `jml audit export --since … --until … [--lifecycle leaver]` writes one CSV row per
 * leaver and app, with the chain verification as a trailer, for auditors.
 */
import { parseCommandArgs, UsageError } from '../args';
import { openAuditStoreForCli } from '../audit-store';
import { buildLeaverTimeline, renderCsv } from '../../lib/audit';

/** One line for `jml --help`. */
export const summary = 'Verify the audit chain, or export leaver evidence as CSV';

const HELP = `Usage:
  jml audit verify [--employee ID]
  jml audit export --since 2026-01-01 [--until 2026-12-31] [--lifecycle leaver]

verify exits 1 and names the first broken record of each chain when anything was edited,
deleted, reordered or inserted. export prints CSV to stdout; its last lines (starting with #)
state the chain verification result.`;

function parseTime(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`${flag} must be a date or time such as 2026-11-01 or 2026-11-01T00:00:00Z`);
  return ms;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    employee: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    lifecycle: { type: 'string', default: 'leaver' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  const sub = positionals[0];
  if (values.help || !sub) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  if (sub !== 'verify' && sub !== 'export') throw new UsageError(`unknown sub-command "${sub}"; use verify or export`);
  if (values.lifecycle !== 'leaver') throw new UsageError('only --lifecycle leaver is exported today');
  const sinceMs = parseTime(values.since, '--since');
  const untilMs = parseTime(values.until, '--until');
  if (sub === 'export' && sinceMs === undefined) throw new UsageError('export needs --since');
  const store = await openAuditStoreForCli();
  if (!store) return 1;
  try {
    if (sub === 'verify') {
      const result = await store.verify({ employeeId: values.employee });
      for (const p of result.problems) console.error(`BROKEN ${p.message}`);
      console.log(`${result.ok ? 'OK' : 'FAILED'}: ${result.records} records in ${result.chains} chains verified${result.ok ? '' : `, ${result.problems.length} broken`}`);
      return result.ok ? 0 : 1;
    }
    const employees = await store.employees({ sinceMs, untilMs });
    const timelines = [];
    for (const employeeId of employees) {
      const tl = buildLeaverTimeline(employeeId, await store.records({ employeeId }), { temporalUiUrl: process.env.TEMPORAL_UI_URL, namespace: process.env.TEMPORAL_NAMESPACE });
      tl.terminations = tl.terminations.filter((t) => t.receivedAtMs >= sinceMs! && (untilMs === undefined || t.receivedAtMs < untilMs));
      if (tl.terminations.length > 0) timelines.push(tl);
    }
    const verification = await store.verify();
    const trailer = [`chain verification: ${verification.ok ? 'OK' : 'FAILED'} (${verification.records} records, ${verification.chains} chains)`, ...verification.problems.map((p) => `BROKEN ${p.message}`)];
    process.stdout.write(renderCsv(timelines, trailer));
    return verification.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}
