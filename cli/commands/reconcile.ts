/**
 * `jml reconcile [--app APP] [--apply] [--format table|json] [--config DIR]`: compares what each
 * app holds (every user and group) with what this product says should exist (the running
 * employee workflows and the access policy), and with --apply repairs what is safe.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { parseCommandArgs, UsageError } from '../args';
import { createAlertActivity } from '../../activities/alerts';
import { ConfigError, defaultConfigDir, formatConfigIssues, loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import {
  ensureThroughLifecycle,
  exitCodeOf,
  reconcile,
  renderReconcileTable,
  type PersonRecord,
} from '../../lib/reconcile';
import { ScimClients } from '../../lib/scim';
import { connectClient, temporalSettingsFromEnv } from '../../lib/temporal/connection';
import { listEmployeeStatuses } from '../../lib/temporal/employee-client';
import type { ReconciliationRun } from '../../lib/temporal/contract';
import { TemporalDeadlineError } from '../../lib/temporal/deadline';
import { ReconciliationRejectedError, runReconciliationNow } from '../../lib/temporal/reconciliation-client';
import { answerTimeoutMs, noAnswer } from '../temporal-answer';

export const summary = 'Compare what the apps hold with what should exist; --apply repairs active leavers and drift';

const HELP = `Usage: jml reconcile [--app APP] [--apply] [--format table|json] [--config DIR]
       jml reconcile --schedule-now --app APP [--format table|json]

Reads every account and group of each app (or of --app APP) and compares them with the people
this product knows (the running employee workflows on TEMPORAL_ADDRESS) and the access policy.
Findings: active-leaver, missing, orphan, unmanaged, duplicate-account, attribute-drift,
group-drift, duplicate-group (docs/reconciliation.md).

Options:
  --app APP          one app (repeatable; default: every connector)
  --apply            repair what is safe: deactivate active leavers (and alert), patch drifted
                     attributes back, fix memberships of managed groups, and ask each person's
                     lifecycle workflow for their missing accounts (it runs its joiner step for
                     that app, or refuses with the reason). Orphans, unmanaged and duplicate
                     accounts and duplicate groups are only reported.
  --schedule-now     run the worker's scheduled reconciliation of --app APP now (durably, in
                     Temporal: active leavers deactivated, the run recorded in the audit store)
                     and print it; refused while a run of that app is in progress, given up
                     when no worker accepts it within 30 s (JML_CLI_ANSWER_TIMEOUT_MS)
  --format FORMAT    table (default) or json
  --config DIR       config directory (default: $JML_CONFIG_DIR or ./config)
  -h, --help         show this help

Exit codes: 0 no finding, 1 findings, 2 error (an app could not be read, bad usage).`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    {
      app: { type: 'string', multiple: true },
      apply: { type: 'boolean', default: false },
      'schedule-now': { type: 'boolean', default: false },
      format: { type: 'string', default: 'table' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    false,
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.format !== 'table' && values.format !== 'json')
    throw new UsageError(`--format must be table or json, not "${values.format}"`);
  if (values['schedule-now']) {
    if (values.apply)
      throw new UsageError('--schedule-now repairs active leavers only; run --apply without it for the other repairs');
    if (values.app?.length !== 1) throw new UsageError('--schedule-now needs exactly one --app APP');
    return scheduleNow(values.app[0]!, values.format);
  }
  let config;
  try {
    config = await loadConfig(values.config ?? defaultConfigDir());
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(formatConfigIssues(err.issues));
      return 2;
    }
    throw err;
  }
  for (const app of values.app ?? []) {
    if (!config.connectors[app])
      throw new UsageError(`--app ${app}: no connector "${app}" (known: ${Object.keys(config.connectors).join(', ')})`);
  }
  // Logs (and alerts sent to the log) go to stderr: stdout is the report, which --format json must keep parseable.
  const logger = createLogger({
    level: process.env.LOG_LEVEL ?? 'warn',
    destination: process.stderr,
    base: { component: 'reconcile' },
  });
  const { client, connection } = await connectClient(temporalSettingsFromEnv());
  const scim = new ScimClients({ logger: logger.child({ component: 'scim' }) });
  const alert = createAlertActivity({ config: () => config, logger });
  try {
    const people: PersonRecord[] = await listEmployeeStatuses(client);
    const requestedBy = process.env.USER ? `reconcile:${process.env.USER}` : 'reconcile';
    const report = await reconcile({
      config,
      scim,
      people,
      apps: values.app,
      apply: values.apply,
      // A missing account is created through the person's lifecycle, never directly (docs/reconciliation.md).
      ensureAccount: ensureThroughLifecycle(client, requestedBy),
      // An active leaver is a security incident whether or not it was repaired: always alerted.
      onActiveLeaver: async (app, finding) => {
        await alert({
          kind: 'active-leaver',
          employeeId: finding.employeeId ?? '',
          app,
          workflowId: `employee-${finding.employeeId ?? ''}`,
          message: `${app}: terminated employee ${finding.employeeId} had an active account (${finding.scimId})${finding.repaired === 'yes' ? '; deactivated by reconciliation' : finding.repaired === 'failed' ? `; deactivation FAILED: ${finding.repairError}` : '; not repaired (run with --apply)'}`,
          atMs: Date.now(),
        }).catch((err: unknown) =>
          logger.error({ err, app, employeeId: finding.employeeId }, 'active-leaver alert not delivered'),
        );
      },
    });
    console.log(values.format === 'json' ? JSON.stringify(report, null, 2) : renderReconcileTable(report));
    return exitCodeOf(report);
  } finally {
    await scim.close();
    await connection.close();
  }
}

/** `--schedule-now`: the `runReconciliation` Update on `reconcile-<app>`, answered when the run is done. */
async function scheduleNow(app: string, format: 'table' | 'json'): Promise<number> {
  const { client, connection } = await connectClient(temporalSettingsFromEnv());
  try {
    const run = await runReconciliationNow(client, app, process.env.USER ? `cli:${process.env.USER}` : 'cli', {
      acceptTimeoutMs: answerTimeoutMs(),
    });
    console.log(format === 'json' ? JSON.stringify(run, null, 2) : renderRun(run));
    if (run.error) return 2;
    return Object.keys(run.findings).length > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof ReconciliationRejectedError) {
      console.error(`jml reconcile: ${err.message}`);
      return 2;
    }
    if (err instanceof TemporalDeadlineError) {
      console.error(`jml reconcile: ${noAnswer(err)}`);
      return 2;
    }
    if (err instanceof WorkflowNotFoundError) {
      console.error(
        `jml reconcile: no scheduled reconciliation of "${app}" (workflow reconcile-${app}); a worker (jml worker, jml dev) starts it for every connector`,
      );
      return 2;
    }
    throw err;
  } finally {
    await connection.close();
  }
}

function renderRun(run: ReconciliationRun): string {
  const lines = [
    `${run.app}: round ${run.round} (${run.trigger}), finished ${new Date(run.finishedAtMs).toISOString()}`,
  ];
  if (run.error) lines.push(`  FAILED: ${run.error}`);
  if (run.scanned) lines.push(`  scanned ${run.scanned.users} users, ${run.scanned.groups} groups`);
  const kinds = Object.entries(run.findings);
  lines.push(kinds.length === 0 ? '  no findings' : `  findings: ${kinds.map(([k, n]) => `${n} ${k}`).join(', ')}`);
  for (const l of run.activeLeavers)
    lines.push(
      `  active leaver ${l.employeeId ?? '?'} (${l.scimId ?? '?'}): ${l.repaired === 'yes' ? 'deactivated' : 'deactivation FAILED'}`,
    );
  lines.push('  other findings: `jml reconcile --app ' + run.app + '` lists them, `--apply` repairs what is safe');
  return lines.join('\n');
}
