/**
 * Runs a `jml` command's `run(args)` in-process against a test's Temporal (the command reads
 * `TEMPORAL_ADDRESS`/`TEMPORAL_NAMESPACE` like the real CLI), capturing what it prints. The
 * environment and console are restored afterwards, also when the command throws (the throw
 * is passed on: usage errors are the command's answer too).
 */
import type { TemporalTestEnv } from './temporal-env';

export interface CliRun {
  code: number;
  /** console.log lines, joined with newlines. */
  out: string;
  /** console.error lines, joined with newlines. */
  err: string;
}

export async function runCli(
  env: Pick<TemporalTestEnv, 'address' | 'namespace'>,
  command: (args: string[]) => Promise<number>,
  args: string[],
): Promise<CliRun> {
  const saved = { address: process.env.TEMPORAL_ADDRESS, namespace: process.env.TEMPORAL_NAMESPACE };
  process.env.TEMPORAL_ADDRESS = env.address;
  process.env.TEMPORAL_NAMESPACE = env.namespace;
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  const error = jest.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
  try {
    const code = await command(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    restore('TEMPORAL_ADDRESS', saved.address);
    restore('TEMPORAL_NAMESPACE', saved.namespace);
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
