/**
 * `jml employee status|hold|release|retry <employeeId> …`: what ops do to one person's
 * lifecycle without opening the Temporal UI — read the status query, place or release a legal
 * hold, re-run a failed app step after fixing its cause. Each action is a signal recorded in
 * the workflow's history (and, by the workflow, in the audit trail), with who asked.
 */
import { userInfo } from 'node:os';
import { WorkflowNotFoundError } from '@temporalio/client';
import { connectClient, temporalSettingsFromEnv } from '../../lib/temporal/connection';
import { readEmployeeStatus, renderStatusTable } from '../../lib/status';
import { signalEmployee } from '../../lib/temporal/employee-client';
import { parseCommandArgs, UsageError } from '../args';

/** One line for `jml --help`. */
export const summary = "Show a person's lifecycle status; place/release a legal hold; retry a failed app";

const HELP = `Usage:
  jml employee status  <employeeId> [--json]
  jml employee hold    <employeeId> --case ID [--reason TEXT] [--by WHO]
  jml employee release <employeeId> --case ID [--by WHO]
  jml employee retry   <employeeId> <app> [--by WHO]

hold     pauses every pending deletion for the person until released (no irreversible DELETE
         while a hold is on); release resumes the retention timers.
retry    re-runs the failed step of <app> (see "failed apps" in status) after you fixed its cause.
--by defaults to the OS user name. Temporal from TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (and
TEMPORAL_API_KEY / TLS settings, as for the worker).`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    case: { type: 'string' },
    reason: { type: 'string' },
    by: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help || positionals.length === 0) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const [action, employeeId, app] = positionals;
  if (!employeeId) throw new UsageError(`expected an employee id: jml employee ${action} <employeeId>`);
  const by = values.by ?? userInfo().username;
  const needCase = () => {
    if (!values.case) throw new UsageError(`--case is required for ${action} (the legal case or ticket id the hold belongs to)`);
    return values.case;
  };
  let signal: Parameters<typeof signalEmployee>[2] | undefined;
  if (action === 'hold') signal = { kind: 'place-hold', hold: { caseId: needCase(), reason: values.reason, placedBy: by } };
  else if (action === 'release') signal = { kind: 'release-hold', caseId: needCase(), releasedBy: by };
  else if (action === 'retry') {
    if (!app) throw new UsageError('expected an app id: jml employee retry <employeeId> <app>');
    signal = { kind: 'retry-app', app, requestedBy: by };
  } else if (action !== 'status') throw new UsageError(`unknown action "${action}" (status, hold, release, retry)`);

  const settings = temporalSettingsFromEnv();
  const { client, connection } = await connectClient(settings);
  try {
    if (signal) {
      await signalEmployee(client, employeeId, signal);
      console.log(`${action} sent to employee-${employeeId}`);
      return 0;
    }
    const status = await readEmployeeStatus(client, employeeId);
    if (!status) {
      console.error(`no lifecycle workflow for employee ${employeeId} (namespace ${settings.namespace})`);
      return 1;
    }
    console.log(values.json ? JSON.stringify(status, null, 2) : renderStatusTable(status));
    return 0;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      console.error(`no running lifecycle workflow for employee ${employeeId} (namespace ${settings.namespace})`);
      return 1;
    }
    throw err;
  } finally {
    await connection.close();
  }
}
