/**
 * The client side of the employee workflow: how an HR event reaches `employee-<id>` (one
 * `signalWithStart`, so the first event creates the workflow and later ones queue behind it)
 * and how its state is read. Used by the intake API, `jml event`, the dev stack and tests.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { HrEvent } from '../hr/event';
import type { TimelineEntry } from '../lifecycle/types';
import {
  EMPLOYEE_ID,
  EMPLOYEE_WORKFLOW_TYPE,
  employeeWorkflowId,
  hrEventSignal,
  placeLegalHoldSignal,
  releaseLegalHoldSignal,
  retryAppSignal,
  statusQuery,
  timelineQuery,
  type EmployeeStatus,
  type EmployeeWorkflowStart,
  type LegalHold,
} from './contract';

export { employeeWorkflowId };

/**
 * Durable once this resolves: the signal is in the workflow's history. Temporal de-duplicates
 * nothing here; the workflow drops repeated `eventId`s itself.
 */
export async function deliverHrEvent(client: Client, taskQueue: string, event: HrEvent): Promise<{ workflowId: string; runId: string }> {
  const { employee } = event;
  const workflowId = employeeWorkflowId(employee.employeeId);
  const handle = await client.workflow.signalWithStart<(input: EmployeeWorkflowStart) => Promise<void>, [HrEvent]>(EMPLOYEE_WORKFLOW_TYPE, {
    workflowId,
    taskQueue,
    args: [{ employeeId: employee.employeeId }],
    signal: hrEventSignal,
    signalArgs: [event],
    typedSearchAttributes: [{ key: EMPLOYEE_ID, value: employee.employeeId }],
    memo: { displayName: employee.displayName ?? `${employee.givenName} ${employee.familyName}`, department: employee.department ?? '' },
    staticSummary: `Lifecycle of ${employee.displayName ?? `${employee.givenName} ${employee.familyName}`} (${employee.employeeId})`,
  });
  return { workflowId, runId: handle.signaledRunId };
}

/** The `status` query, or `undefined` when no workflow exists for the person. */
export async function employeeStatus(client: Client, employeeId: string): Promise<EmployeeStatus | undefined> {
  try {
    return await client.workflow.getHandle(employeeWorkflowId(employeeId)).query(statusQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** The `timeline` query (the newest milestones kept in workflow state). */
export async function employeeTimeline(client: Client, employeeId: string): Promise<TimelineEntry[] | undefined> {
  try {
    return await client.workflow.getHandle(employeeWorkflowId(employeeId)).query(timelineQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Operator signals to `employee-<id>` (what the Temporal UI's "Send signal" does, typed).
 * Resolves once the signal is in the workflow's history; rejects with WorkflowNotFoundError
 * when the person has no running workflow.
 */
export async function signalEmployee(
  client: Client,
  employeeId: string,
  action: { kind: 'place-hold'; hold: LegalHold } | { kind: 'release-hold'; caseId: string; releasedBy?: string } | { kind: 'retry-app'; app: string; requestedBy?: string },
): Promise<void> {
  const handle = client.workflow.getHandle(employeeWorkflowId(employeeId));
  if (action.kind === 'place-hold') await handle.signal(placeLegalHoldSignal, action.hold);
  else if (action.kind === 'release-hold') await handle.signal(releaseLegalHoldSignal, { caseId: action.caseId, releasedBy: action.releasedBy });
  else await handle.signal(retryAppSignal, { app: action.app, requestedBy: action.requestedBy });
}
