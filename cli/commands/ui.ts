/**
 * `jml ui build`: installs and builds the Temporal UI app in ui/ (once; `jml dev` does it by
 * itself when the build is missing). `jml engine` and `jml dev` then serve it.
 */
import { parseCommandArgs, UsageError } from '../args';
import { buildUi, isUiBuilt, UI_BUILD_DIR } from '../temporal-ui';

/** One line for `jml --help`. */
export const summary = 'Build the Temporal UI that jml engine and jml dev serve (once; ~280 MB of dependencies in ui/)';

const HELP = `Usage: jml ui build [--force]

Installs ui/'s dependencies from its own lockfile (npm ci) and builds the Temporal UI
(@temporalio/ui as a static single-page app) into ui/build. Skipped when the build is
up to date unless --force.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    force: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals[0] !== 'build' || positionals.length > 1)
    throw new UsageError(`expected "jml ui build", got "jml ui ${positionals.join(' ')}"`);
  if (isUiBuilt() && !values.force) {
    console.log(`Temporal UI is built (${UI_BUILD_DIR}); --force rebuilds it`);
    return 0;
  }
  await buildUi(process.stdout);
  return 0;
}
