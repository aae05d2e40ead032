/** Tiny, strict argument parsing shared by the sub-commands (node:util parseArgs underneath). */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how a command was called: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
