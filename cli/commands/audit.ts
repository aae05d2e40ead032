/**
 * `jml audit verify [--employee ID] [--checkpoint FILE]` recomputes the keyed hash chains and
 * names the first broken record; with a checkpoint file it also finds truncated, removed and
 * rewritten chains. `jml audit checkpoint [--out FILE]` signs every chain's head for an auditor
 * to keep outside the database. `jml audit export --since … --until … [--lifecycle leaver]`
 * writes one CSV row per leaver and app, with the chain verification as a trailer.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { parseCommandArgs, UsageError } from '../args';
import { openAuditStoreForCli } from '../audit-store';
import {
  AuditKeyError,
  buildLeaverTimeline,
  checkpointLine,
  EXPORT_KINDS,
  lifecycleCsvRows,
  renderCsv,
  renderLifecycleCsv,
  type AuditStore,
  type Checkpoint,
  type ExportLifecycle,
} from '../../lib/audit';

/** One line for `jml --help`. */
export const summary = 'Verify the audit chain, sign a checkpoint, or export lifecycle evidence as CSV';

const HELP = `Usage:
  jml audit verify [--employee ID] [--checkpoint FILE]
  jml audit checkpoint [--out FILE]
  jml audit export --since 2026-01-01 [--until 2026-12-31] [--lifecycle joiner|mover|leaver|all]

verify exits 1 and names the first broken record of each chain when anything was edited,
forged, deleted, reordered or inserted. With --checkpoint (a file written by checkpoint) it
also finds chains that were truncated, removed or rewritten since each checkpoint in it.

checkpoint verifies every chain and, when all hold, appends one signed line (every chain's
record count and head) to FILE, or prints it; keep it outside the database (append-only).

Both need the audit key: JML_AUDIT_KEY or JML_AUDIT_KEY_FILE (for a PGlite store, the
generated audit.key beside its directory is used when neither is set).

export prints CSV to stdout; its last lines (starting with #) state the chain verification result.
--lifecycle leaver (default): one row per termination and app (deactivation, deletion, SLA).
joiner (with re-hires), mover (with deferred revocations) or all: one row per run and app —
what was done (created, adopted, updated, deactivated…), when, the app's last answer, SLA.`;

function readCheckpointFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the checkpoint file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function parseTime(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new UsageError(`${flag} must be a date or time such as 2026-11-01 or 2026-11-01T00:00:00Z`);
  return ms;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    employee: { type: 'string' },
    checkpoint: { type: 'string' },
    out: { type: 'string' },
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
  if (sub !== 'verify' && sub !== 'export' && sub !== 'checkpoint') {
    throw new UsageError(`unknown sub-command "${sub}"; use verify, checkpoint or export`);
  }
  const lifecycle = values.lifecycle as ExportLifecycle;
  if (!(lifecycle in EXPORT_KINDS))
    throw new UsageError(`--lifecycle must be joiner, mover, leaver or all, got "${values.lifecycle}"`);
  const sinceMs = parseTime(values.since, '--since');
  const untilMs = parseTime(values.until, '--until');
  if (sub === 'export' && sinceMs === undefined) throw new UsageError('export needs --since');
  const checkpointText = values.checkpoint !== undefined ? readCheckpointFile(values.checkpoint) : undefined;
  const store = await openAuditStoreForCli('jml audit');
  if (!store) return 1;
  try {
    if (sub === 'verify')
      return await verify(
        store,
        values.employee,
        checkpointText === undefined ? undefined : { text: checkpointText, file: values.checkpoint! },
      );
    if (sub === 'checkpoint') return await checkpoint(store, values.out);
    const employees = await store.employees({ sinceMs, untilMs });
    const verification = await store.verify();
    const trailer = [
      `chain verification: ${verification.ok ? 'OK' : 'FAILED'} (${verification.records} records, ${verification.chains} chains)`,
      ...verification.problems.map((p) => `BROKEN ${p.message}`),
    ];
    if (lifecycle !== 'leaver') {
      // One row per run and app for joiners, movers (and their deferred revocations) or every lifecycle.
      const rows = [];
      for (const employeeId of employees)
        rows.push(
          ...lifecycleCsvRows(
            employeeId,
            await store.records({ employeeId }),
            EXPORT_KINDS[lifecycle],
            sinceMs!,
            untilMs,
          ),
        );
      process.stdout.write(renderLifecycleCsv(rows, trailer));
      return verification.ok ? 0 : 1;
    }
    const timelines = [];
    for (const employeeId of employees) {
      const tl = buildLeaverTimeline(employeeId, await store.records({ employeeId }), {
        temporalUiUrl: process.env.TEMPORAL_UI_URL,
        namespace: process.env.TEMPORAL_NAMESPACE,
      });
      tl.terminations = tl.terminations.filter(
        (t) => t.receivedAtMs >= sinceMs! && (untilMs === undefined || t.receivedAtMs < untilMs),
      );
      if (tl.terminations.length > 0) timelines.push(tl);
    }
    process.stdout.write(renderCsv(timelines, trailer));
    return verification.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

async function verify(
  store: AuditStore,
  employeeId: string | undefined,
  file: { text: string; file: string } | undefined,
): Promise<number> {
  let result;
  let checkpoints: { checkpoints: Checkpoint[]; problems: string[] } | undefined;
  try {
    if (file) {
      const read = store.readCheckpoints(file.text, file.file);
      checkpoints = { checkpoints: read.checkpoints, problems: read.problems.map((p) => p.message) };
    }
    result = await store.verify({ employeeId, checkpoints: checkpoints?.checkpoints });
  } catch (err) {
    if (!(err instanceof AuditKeyError)) throw err;
    console.error(`jml audit: ${err.message}`);
    return 1;
  }
  const bad = [...(checkpoints?.problems ?? []), ...result.problems.map((p) => p.message)];
  for (const message of bad) console.error(`BROKEN ${message}`);
  const against = checkpoints ? `, against ${result.checkpoints} checkpoint${result.checkpoints === 1 ? '' : 's'}` : '';
  const ok = bad.length === 0;
  console.log(
    `${ok ? 'OK' : 'FAILED'}: ${result.records} records in ${result.chains} chains verified${against}${ok ? '' : `, ${bad.length} broken`}`,
  );
  if (ok && !checkpoints) console.log('(without --checkpoint, removed chains and truncated tails cannot be detected)');
  return ok ? 0 : 1;
}

async function checkpoint(store: AuditStore, out: string | undefined): Promise<number> {
  let result;
  try {
    result = await store.checkpoint();
  } catch (err) {
    if (!(err instanceof AuditKeyError)) throw err;
    console.error(`jml audit: ${err.message}`);
    return 1;
  }
  if (!result.checkpoint) {
    for (const p of result.verify.problems) console.error(`BROKEN ${p.message}`);
    console.error(`FAILED: no checkpoint written; ${result.verify.problems.length} chains are broken`);
    return 1;
  }
  const line = checkpointLine(result.checkpoint);
  if (!out) {
    process.stdout.write(line);
    return 0;
  }
  appendFileSync(out, line, { mode: 0o600 });
  const { records, chains, takenAt } = result.checkpoint;
  console.log(
    `checkpoint of ${records} records in ${Object.keys(chains).length} chains at ${takenAt} appended to ${out}`,
  );
  return 0;
}
