/**
 * `jml plan <event.json> [--previous FILE] [--config DIR] [--json]`: a dry run — per app, the
 * SCIM requests the event would cause, without sending any.
 */
import { parseCommandArgs, UsageError } from '../args';
import { loadConfigForStartup } from '../startup';
import { EventFileError, readEmployeeFile, readEventFile } from '../../lib/hr/read-event';
import { planEvent, renderPlan } from '../../lib/plan';

/** One line for `jml --help`. */
export const summary = 'Dry run: print the SCIM requests an HR event would cause, per app';

const HELP = `Usage: jml plan <event.json> [--previous FILE] [--config DIR] [--json]

Prints, per app, the SCIM requests the event would cause (a readable diff of each body);
nothing is sent. {id} stands for the account's SCIM id.

Options:
  --previous FILE   the person's last applied record (an employee record or an event);
                    without it the person is treated as unknown (hire) or, for a
                    termination, as active with the event's record
  --config DIR      config directory (default: $JML_CONFIG_DIR or ./config)
  --json            machine-readable plan
  -h, --help        show this help

Exit codes: 0 planned, 1 invalid event or config, 2 usage error.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    previous: { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError('expected one event file, e.g. jml plan examples/events/hire.json');
  const config = await loadConfigForStartup(values.config, 'plan');
  if (!config) return 1;
  try {
    const event = await readEventFile(positionals[0]!);
    const previous = values.previous ? await readEmployeeFile(values.previous) : undefined;
    const plan = planEvent(config, event, previous);
    console.log(values.json ? JSON.stringify(plan, null, 2) : renderPlan(plan));
    return plan.errors.length > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof EventFileError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}
