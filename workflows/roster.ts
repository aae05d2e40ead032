/**
 * `roster-<rosterId>`: a roster from `POST /v1/hr/roster`, processed durably. The API starts it
 * and sends the employees in batches (signals); once every batch is in, each batch is
 * delivered to the people's employee workflows (an activity per batch), and for a full roster
 * the known people missing from it are sent terminations carrying `inferredFrom` (held by the
 * mass-change guard when they are too many). A roster whose batches do not all arrive is never
 * used to infer leavers: missing people cannot be told from missing batches.
 */
import {
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { LifecycleActivities } from '../activities/contract';
import type { EmployeeRecord } from '../lib/hr/employee';
import {
  rosterBatchSignal,
  rosterStatusQuery,
  TASK_PRIORITY,
  type RosterBatch,
  type RosterStatus,
  type RosterWorkflowStart,
} from '../lib/temporal/contract';
import { ALERTING } from './activity-options';

/** Signals are idempotent (deterministic eventIds): retry for as long as a leaver would. */
const DELIVERY: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 1.5, maximumInterval: '2 minutes' },
};
const { deliverRosterBatch } = proxyActivities<Pick<LifecycleActivities, 'deliverRosterBatch'>>(DELIVERY);
/** Sending terminations is revocation work: not behind the joiner steps of a bulk load (the roster runs at intake). */
const { terminateMissingFromRoster } = proxyActivities<Pick<LifecycleActivities, 'terminateMissingFromRoster'>>({
  ...DELIVERY,
  priority: { priorityKey: TASK_PRIORITY.revocation },
});

const { sendAlert } = proxyActivities<Pick<LifecycleActivities, 'sendAlert'>>(ALERTING);

/** How long the API may take to hand over every batch before the roster is given up as incomplete. */
const RECEIVE_TIMEOUT = '1 hour';

export async function rosterWorkflow(input: RosterWorkflowStart): Promise<RosterStatus> {
  const batches = new Map<number, EmployeeRecord[]>();
  const status: RosterStatus = {
    rosterId: input.rosterId,
    full: input.full,
    state: 'receiving',
    employees: input.employees,
    batchesReceived: 0,
    batches: input.batches,
    delivered: 0,
    failed: [],
  };
  setHandler(rosterStatusQuery, () => status);
  setHandler(rosterBatchSignal, (batch: RosterBatch) => {
    // A batch of another roster sent under this id, or one out of range, or a repeat: ignored.
    if (batch.contentHash !== input.contentHash || batch.index < 0 || batch.index >= input.batches) return;
    if (batches.has(batch.index)) return;
    batches.set(batch.index, batch.employees);
    status.batchesReceived = batches.size;
  });

  if (!(await condition(() => batches.size === input.batches, RECEIVE_TIMEOUT))) {
    status.state = 'incomplete';
    status.reason = `${input.batches - batches.size} of ${input.batches} batches never arrived; nothing was delivered or terminated — send the roster again`;
    return status;
  }

  /**
   * People the roster could not reach must not look done: a roster carries terminations too
   * (people whose status is terminated), so a failed hand-over is alerted, not only listed in
   * the roster's status. Best effort: an alert that fails leaves the status and the history.
   */
  const alert = async (message: string) => {
    try {
      await sendAlert({
        kind: 'roster-failed',
        employeeId: '',
        workflowId: workflowInfo().workflowId,
        message,
        atMs: Date.now(),
      });
    } catch {
      // Logged by the worker; the roster's status and this workflow's history keep the failure.
    }
  };

  status.state = 'delivering';
  for (let index = 0; index < input.batches; index++) {
    const employees = batches.get(index)!;
    try {
      const { delivered } = await deliverRosterBatch({
        rosterId: input.rosterId,
        asOf: input.asOf,
        source: input.source,
        employees,
      });
      status.delivered += delivered;
    } catch (err) {
      const error = reasonOf(err);
      for (const e of employees) status.failed.push({ employeeId: e.employeeId, error });
      const leavers = employees.filter((e) => e.status === 'terminated').map((e) => e.employeeId);
      await alert(
        `roster ${input.rosterId}: ${employees.length} people were not delivered (${error})` +
          (leavers.length > 0 ? `, among them terminations of ${leavers.join(', ')}` : '') +
          '; send the roster again or their events one by one',
      );
    }
  }

  if (input.full) {
    status.state = 'inferring-leavers';
    const present = [...batches.values()].flatMap((list) => list.map((e) => e.employeeId));
    try {
      const { missing } = await terminateMissingFromRoster({ rosterId: input.rosterId, asOf: input.asOf, present });
      status.missing = missing;
      status.terminationsSent = missing.length;
    } catch (err) {
      // Terminations that could not be sent must not look done: the run fails, visibly, with the reason.
      status.state = 'incomplete';
      status.reason = `terminations of people missing from the roster were not sent: ${reasonOf(err)}`;
      await alert(`roster ${input.rosterId}: ${status.reason}`);
      throw ApplicationFailure.create({
        type: 'ROSTER_TERMINATIONS_NOT_SENT',
        message: status.reason,
        nonRetryable: true,
      });
    }
  }
  status.state = 'done';
  return status;
}

/** The activity's own error message, not the wrapper's ("Activity task failed"). */
function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? err.cause.message : err.message;
}
