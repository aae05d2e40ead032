/**
 * `jml import --roster FILE [--apply] [--app APP] [--format table|json] [--config DIR]`: the
 * initial load of a company that already has accounts. Reads the roster (CSV or JSON of the HR
 * employee record), correlates each person with each app's accounts, and with --apply adopts
 * the matched accounts and starts each person's employee workflow (docs/reconciliation.md).
 */
import { readFile } from 'node:fs/promises';
import { parseCommandArgs, UsageError } from '../args';
import { ConfigError, defaultConfigDir, formatConfigIssues, loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import {
  importExitCode,
  importRoster,
  parseRoster,
  renderImportTable,
  RosterFileError,
  rosterFormatOf,
  type RosterFormat,
} from '../../lib/roster';
import { ScimClients } from '../../lib/scim';
import { connectClient, temporalSettingsFromEnv } from '../../lib/temporal/connection';
import { deliverHrEvent, listEmployeeIds } from '../../lib/temporal/employee-client';

export const summary =
  'Initial load: correlate a roster with the apps’ accounts; --apply adopts them and starts the workflows';

const HELP = `Usage: jml import --roster FILE [--apply] [--app APP] [--format table|json] [--config DIR]

Reads FILE (CSV with a header row naming HR record fields, or JSON: an array of records or
{ "employees": [...] }), validates every row (a bad row is reported with its row, field and fix;
the others go on), then reads every account of each app and correlates each person with it:
by externalId, then by userName (as the connector builds it) or work email, case-insensitively.

Reports matches, conflicts (several accounts for one person, one account for several people,
an externalId of someone else, an account the person's workflow could not find), people without
an account (their joiner creates it) and accounts nobody claims. People with a running employee
workflow (TEMPORAL_ADDRESS) are already managed and left to it.

Options:
  --roster FILE      the roster (.csv or .json; --format-in csv|json for other names)
  --apply            adopt matched accounts (set externalId where the app keeps it; else check the
                     account is found by userName), then start each person's employee workflow
                     with a hire event. A terminated person is not started: their active accounts
                     are deactivated at once. People with a conflict or a failed adoption are not
                     started. Nothing is ever deleted.
  --app APP          one app (repeatable; default: every connector). With --apply, a person
                     granted an app not listed is not started (their joiner would run there too)
  --format FORMAT    table (default) or json
  --format-in FMT    csv or json, when the file name does not say
  --config DIR       config directory (default: $JML_CONFIG_DIR or ./config)
  -h, --help         show this help

Exit codes: 0 nothing to report; 1 conflicts, invalid rows, failed adoptions or people not
started (without --apply: also accounts to adopt or create); 2 error (an app or the file could
not be read, bad usage).`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    {
      roster: { type: 'string' },
      apply: { type: 'boolean', default: false },
      app: { type: 'string', multiple: true },
      format: { type: 'string', default: 'table' },
      'format-in': { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    false,
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.roster) throw new UsageError('--roster FILE is required (a .csv or .json roster)');
  if (values.format !== 'table' && values.format !== 'json')
    throw new UsageError(`--format must be table or json, not "${values.format}"`);
  const formatIn = values['format-in'] ?? rosterFormatOf(values.roster);
  if (formatIn !== 'csv' && formatIn !== 'json')
    throw new UsageError(
      `cannot tell the format of ${values.roster}: name it .csv or .json, or pass --format-in csv|json`,
    );

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

  let parsed;
  try {
    parsed = parseRoster(await readFile(values.roster, 'utf8'), formatIn as RosterFormat);
  } catch (err) {
    if (err instanceof RosterFileError) {
      console.error(`jml import: ${values.roster}: ${err.message}`);
      return 2;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code) {
      console.error(`jml import: ${values.roster}: cannot read (${code})`);
      return 2;
    }
    throw err;
  }

  // Logs go to stderr: stdout is the report, which --format json must keep parseable.
  const logger = createLogger({
    level: process.env.LOG_LEVEL ?? 'warn',
    destination: process.stderr,
    base: { component: 'import' },
  });
  const settings = temporalSettingsFromEnv();
  const { client, connection } = await connectClient(settings);
  const scim = new ScimClients({ logger: logger.child({ component: 'scim' }) });
  try {
    const report = await importRoster({
      config,
      scim,
      people: parsed.employees.map((e) => e.record),
      invalidRows: parsed.errors,
      managed: await listEmployeeIds(client),
      apps: values.app,
      apply: values.apply ? { deliver: (event) => deliverHrEvent(client, settings.taskQueue, event) } : undefined,
    });
    console.log(values.format === 'json' ? JSON.stringify(report, null, 2) : renderImportTable(report, values.apply));
    return importExitCode(report, values.apply);
  } finally {
    await scim.close();
    await connection.close();
  }
}
