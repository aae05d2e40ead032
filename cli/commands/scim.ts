/**
 * `jml scim check <app> [--config DIR] [--keep] [--json]`: discovery and a round trip on a
 * throw-away account against one configured app, printing what it advertises vs what the
 * connector declares, each step's requests, and deviations from RFC 7644.
 */
import { resolve } from 'node:path';
import { parseCommandArgs, UsageError } from '../args';
import { ConfigError, defaultConfigDir, formatConfigIssues, loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { formatCheckReport, runScimCheck } from '../../lib/scim/check';

/** One line for `jml --help`. */
export const summary =
  'Check a SCIM app against its connector: discovery and a create/find/update/deactivate/delete round trip';

const HELP = `Usage: jml scim check <app> [--config DIR] [--keep] [--json]

Runs against the app configured in config/connectors/<app>.yaml (with its real credentials):
  1. discovery (/ServiceProviderConfig, /ResourceTypes, /Schemas) compared with the connector
  2. a throw-away user jml-check-<random>@example.invalid: create, find by externalId and by
     userName (also in upper case), a paging probe, update, deactivate, then delete as the
     connector's delete.mode says (hard: DELETE; deactivate-only/none: left deactivated)
and prints each step's requests (status, latency) and every deviation it noticed.

Options:
  --config DIR   config directory (default: $JML_CONFIG_DIR or ./config)
  --keep         leave the throw-away user in the app (deactivated) instead of deleting it
  --json         machine-readable report
  -h, --help     show this help

Exit codes: 0 passed, 1 a step failed or the connector declares something the app lacks
(or the config is invalid), 2 usage error.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    config: { type: 'string' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [sub, app, ...rest] = positionals;
  if (sub !== 'check' || !app || rest.length > 0)
    throw new UsageError('expected: jml scim check <app> (see jml scim --help)');
  const dir = values.config !== undefined ? resolve(values.config) : defaultConfigDir();
  let connectors;
  try {
    connectors = (await loadConfig(dir)).connectors;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(formatConfigIssues(err.issues));
    return 1;
  }
  const connector = connectors[app];
  if (!connector) {
    console.error(
      `no connector "${app}" in ${dir}/connectors (known: ${Object.keys(connectors).sort().join(', ') || 'none'})`,
    );
    return 1;
  }
  const logger = createLogger({
    destination: process.stderr,
    level: process.env.LOG_LEVEL ?? 'warn',
    base: { command: 'scim check' },
  });
  const report = await runScimCheck(connector, { logger, keep: values.keep });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatCheckReport(report).join('\n'));
  return report.ok ? 0 : 1;
}
