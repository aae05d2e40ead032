/**
 * `jml employee status|hold|release|retry|ensure <employeeId> …`: what ops do to one person's
 * lifecycle without opening the Temporal UI — read the status query, place or release a legal
 * hold, re-run a failed app step after fixing its cause, ask for an account that is missing. Each action is a Temporal Update: the
 * workflow checks it first and either refuses it with the reason (exit 1, nothing changed) or
 * applies it — recorded in the workflow's history and audit trail, with who asked — and
 * answers with what it did.
 */
import { userInfo } from 'node:os';
import { WorkflowNotFoundError } from '@temporalio/client';
import { connectClient, temporalSettingsFromEnv } from '../../lib/temporal/connection';
import { withAnswerDeadline } from '../temporal-answer';
import { readEmployeeStatus, renderStatusTable } from '../../lib/status';
import {
  OperatorActionRejectedError,
  runOperatorAction,
  type OperatorAction,
  type OperatorActionResult,
} from '../../lib/temporal/employee-client';
import { parseCommandArgs, UsageError } from '../args';

/** One line for `jml --help`. */
export const summary =
  "Show a person's lifecycle status; place/release a legal hold; retry a failed app; ensure a missing account";

const HELP = `Usage:
  jml employee status  <employeeId> [--json]
  jml employee hold    <employeeId> --case ID [--reason TEXT] [--by WHO] [--json]
  jml employee release <employeeId> --case ID [--by WHO] [--json]
  jml employee retry   <employeeId> <app> [--by WHO] [--json]
  jml employee ensure  <employeeId> <app> [--reason TEXT] [--by WHO] [--json]

hold     pauses every pending deletion for the person until released (no irreversible DELETE
         while a hold is on); one case at a time.
release  lifts the hold placed for --case and resumes the retention timers; refused for any
         other case id.
retry    re-runs the failed step of <app> (see "failed apps" in status) after you fixed its
         cause; refused when the person has no account there or its last step did not fail.
ensure   makes sure the person has an account in <app> through their lifecycle (the joiner
         step for that app: look up, adopt what exists, create what does not), e.g. after it
         was deleted by hand; refused unless HR says active, no termination is waiting and the
         policy grants the app. jml reconcile --apply sends it for every missing account.
The workflow answers each action: exit 0 prints what it did (--json: the answer as JSON);
exit 1 prints why it refused, and nothing changed. --by defaults to the OS user name.
Temporal from TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (and TEMPORAL_API_KEY / TLS settings, as
for the worker).`;

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
  const [verb, employeeId, app] = positionals;
  if (!employeeId) throw new UsageError(`expected an employee id: jml employee ${verb} <employeeId>`);
  const by = values.by ?? userInfo().username;
  const needCase = () => {
    if (!values.case) {
      throw new UsageError(`--case is required for ${verb} (the legal case or ticket id the hold belongs to)`);
    }
    return values.case;
  };
  let action: OperatorAction | undefined;
  if (verb === 'hold') {
    action = { kind: 'place-hold', hold: { caseId: needCase(), reason: values.reason, placedBy: by } };
  } else if (verb === 'release') action = { kind: 'release-hold', caseId: needCase(), releasedBy: by };
  else if (verb === 'retry') {
    if (!app) throw new UsageError('expected an app id: jml employee retry <employeeId> <app>');
    action = { kind: 'retry-app', app, requestedBy: by };
  } else if (verb === 'ensure') {
    if (!app) throw new UsageError('expected an app id: jml employee ensure <employeeId> <app>');
    action = { kind: 'ensure-account', app, requestedBy: by, reason: values.reason };
  } else if (verb !== 'status') throw new UsageError(`unknown action "${verb}" (status, hold, release, retry, ensure)`);

  const settings = temporalSettingsFromEnv();
  const { client, connection } = await connectClient(settings);
  try {
    if (action) {
      const operatorAction = action;
      const answer = await withAnswerDeadline(client, `jml employee ${verb}`, (c) =>
        runOperatorAction(c, employeeId, operatorAction),
      );
      console.log(values.json ? JSON.stringify(answer.result, null, 2) : describeAnswer(employeeId, answer));
      return 0;
    }
    const status = await withAnswerDeadline(client, `jml employee ${verb}`, (c) => readEmployeeStatus(c, employeeId));
    if (!status) {
      console.error(`no lifecycle workflow for employee ${employeeId} (namespace ${settings.namespace})`);
      return 1;
    }
    console.log(values.json ? JSON.stringify(status, null, 2) : renderStatusTable(status));
    return 0;
  } catch (err) {
    if (err instanceof OperatorActionRejectedError) {
      console.error(`jml employee ${verb}: refused: ${err.reason}`);
      return 1;
    }
    if (err instanceof WorkflowNotFoundError) {
      console.error(`no running lifecycle workflow for employee ${employeeId} (namespace ${settings.namespace})`);
      return 1;
    }
    throw err;
  } finally {
    await connection.close();
  }
}

/** What the workflow did, in one or two lines. */
function describeAnswer(employeeId: string, answer: OperatorActionResult): string {
  const t = (ms: number) => new Date(ms).toISOString();
  const deletions = (n: number) => `${n} scheduled deletion${n === 1 ? '' : 's'}`;
  switch (answer.kind) {
    case 'place-hold': {
      const r = answer.result;
      if (r.alreadyPlaced) {
        return `employee ${employeeId} is already under legal hold for case ${r.caseId} (since ${t(r.placedAtMs)}); nothing changed`;
      }
      const paused = `${deletions(r.pausedDeletions)} paused until it is released`;
      return `legal hold placed on employee ${employeeId} for case ${r.caseId}; ${paused}`;
    }
    case 'release-hold': {
      const r = answer.result;
      const since = `held since ${t(r.heldSinceMs)}`;
      return `legal hold for case ${r.caseId} released on employee ${employeeId} (${since}); ${deletions(r.resumedDeletions)} resume`;
    }
    case 'retry-app': {
      const r = answer.result;
      const cause = r.lastError ? ` (it failed with ${r.lastError.type}: ${r.lastError.message})` : '';
      return [
        `retry of the ${r.lifecycle} step in ${r.app} queued for employee ${employeeId}${cause}`,
        `follow it with: jml employee status ${employeeId}`,
      ].join('\n');
    }
    case 'ensure-account': {
      const r = answer.result;
      return [
        `account in ${r.app} requested for employee ${employeeId} (${r.requestId}; ${r.queued} queued): the joiner step runs next`,
        `follow it with: jml employee status ${employeeId}`,
      ].join('\n');
    }
  }
}
