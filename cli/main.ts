/**
 * `jml` command dispatcher. Each sub-command lives in `cli/commands/<name>.ts` and exports
 * `run(args: string[]): Promise<number>` (the exit code) plus a one-line `summary`.
 * Commands are loaded lazily so `jml validate` does not pay for loading the Temporal worker.
 */
import { TemporalDeadlineError } from '../lib/temporal/deadline';
import { isUnavailable, TemporalUnreachableError } from '../lib/temporal/reachability';
import { noAnswer } from './temporal-answer';
import { UsageError } from './args';

type CommandModule = { run(args: string[]): Promise<number>; summary: string };

/** Sub-command name → module path (relative to this file). */
const COMMANDS: Record<string, string> = {
  validate: './commands/validate',
  scim: './commands/scim',
  engine: './commands/engine',
  'scim-server': './commands/scim-server',
  api: './commands/api',
  event: './commands/event',
  worker: './commands/worker',
  dev: './commands/dev',
  plan: './commands/plan',
  timeline: './commands/timeline',
  audit: './commands/audit',
  migrate: './commands/migrate',
  employee: './commands/employee',
  reconcile: './commands/reconcile',
  import: './commands/import',
  app: './commands/app',
  ui: './commands/ui',
};

function usage(): string {
  const lines = ['Usage: jml <command> [options]', '', 'Commands:'];
  for (const [name, path] of Object.entries(COMMANDS)) {
    let summary: string;
    try {
      summary = (require(path) as CommandModule).summary;
    } catch {
      summary = '(not available)';
    }
    lines.push(`  ${name.padEnd(14)} ${summary}`);
  }
  lines.push('', 'Run `jml <command> --help` for the options of a command.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const path = COMMANDS[name];
  if (!path) {
    console.error(`jml: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const command = require(path) as CommandModule;
  try {
    const code = await command.run(rest);
    await releaseSdkRuntime();
    return code;
  } catch (err) {
    await releaseSdkRuntime();
    if (err instanceof UsageError) {
      console.error(`jml ${name}: ${err.message}`);
      return 2;
    }
    if (err instanceof TemporalDeadlineError) {
      console.error(`jml ${name}: ${noAnswer(err)}`);
      return 1;
    }
    const unreachable = temporalUnreachable(err);
    if (unreachable) {
      // An expected condition: one line saying what was tried and what to check, no stack trace.
      console.error(`jml ${name}: ${unreachable}`);
      return 1;
    }
    throw err;
  }
}

/** The one-line message when `err` means Temporal could not be reached (at connect or mid-call). */
function temporalUnreachable(err: unknown): string | undefined {
  if (err instanceof TemporalUnreachableError) return err.message;
  if (!isUnavailable(err)) return undefined;
  const address = process.env.TEMPORAL_ADDRESS || '127.0.0.1:7233';
  const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return `lost the connection to Temporal at ${address} (${reason}); check that the server is still running`;
}

/** A failed long-running command must exit: the SDK runtime it installed would keep the process alive. */
async function releaseSdkRuntime(): Promise<void> {
  const runtimePath = require.resolve('../lib/temporal/runtime');
  if (!require.cache[runtimePath]) return;
  const runtime = require(runtimePath) as typeof import('../lib/temporal/runtime');
  await runtime.releaseIdleSdkRuntime().catch(() => undefined);
}
