/**
 * The client side of the employee workflow: how an HR event reaches `employee-<id>` (one
 * `signalWithStart`, so the first event creates the workflow and later ones queue behind it),
 * how its state is read, and how an operator action is sent (an Update: result or reason).
 * Used by the intake API, `jml event`, the dev stack and tests.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { HrEvent } from '../hr/event';
import type { TimelineEntry } from '../lifecycle/types';
import { isTermination } from '../lifecycle/classify';
import {
  EMPLOYEE_ID,
  EMPLOYEE_WORKFLOW_TYPE,
  employeeWorkflowId,
  ensureAccountUpdate,
  hrEventSignal,
  placeLegalHoldUpdate,
  releaseLegalHoldUpdate,
  retryAppUpdate,
  statusQuery,
  TASK_PRIORITY,
  timelineQuery,
  type EmployeeStatus,
  type EmployeeWorkflowStart,
  type EnsureAccount,
  type EnsureAccountResult,
  type LegalHold,
  type PlaceLegalHoldResult,
  type ReleaseLegalHold,
  type ReleaseLegalHoldResult,
  type RetryApp,
  type RetryAppResult,
} from './contract';
import { withinDeadline } from './deadline';

export { employeeWorkflowId };

/**
 * Durable once this resolves: the signal is in the workflow's history. Temporal de-duplicates
 * nothing here; the workflow drops repeated `eventId`s itself.
 */
export async function deliverHrEvent(
  client: Client,
  taskQueue: string,
  event: HrEvent,
): Promise<{ workflowId: string; runId: string }> {
  const { employee } = event;
  const workflowId = employeeWorkflowId(employee.employeeId);
  const termination = isTermination(event);
  if (termination) await raiseToRevocation(client, workflowId);
  const handle = await client.workflow.signalWithStart<(input: EmployeeWorkflowStart) => Promise<void>, [HrEvent]>(
    EMPLOYEE_WORKFLOW_TYPE,
    {
      workflowId,
      taskQueue,
      args: [{ employeeId: employee.employeeId }],
      signal: hrEventSignal,
      signalArgs: [event],
      typedSearchAttributes: [{ key: EMPLOYEE_ID, value: employee.employeeId }],
      // Only a start sets it; a termination for a running workflow raised it above.
      priority: { priorityKey: termination ? TASK_PRIORITY.revocation : TASK_PRIORITY.intake },
      memo: {
        displayName: employee.displayName ?? `${employee.givenName} ${employee.familyName}`,
        department: employee.department ?? '',
      },
      staticSummary: `Lifecycle of ${employee.displayName ?? `${employee.givenName} ${employee.familyName}`} (${employee.employeeId})`,
    },
  );
  return { workflowId, runId: handle.signaledRunId };
}

/** How long raising a workflow's priority may hold up the termination it comes with. */
const RAISE_PRIORITY_TIMEOUT_MS = 2_000;

/**
 * A termination makes the person's workflow revocation work: its tasks (taking the termination
 * in, starting the leaver) go before a bulk load's instead of waiting at the intake key behind
 * every new hire. Raised before the signal, so the task the signal creates is queued at the new
 * key (a task already waiting keeps its own). Best effort and bounded: a workflow that does
 * not exist yet is started at that key by the signal; a server without the call, or one that
 * does not answer in time, leaves the priority as it was, and the termination goes ahead.
 */
async function raiseToRevocation(client: Client, workflowId: string): Promise<void> {
  try {
    await withinDeadline(
      client,
      RAISE_PRIORITY_TIMEOUT_MS,
      (c) =>
        c.workflowService.updateWorkflowExecutionOptions({
          namespace: c.options.namespace,
          workflowExecution: { workflowId },
          workflowExecutionOptions: { priority: { priorityKey: TASK_PRIORITY.revocation } },
          updateMask: { paths: ['priority'] },
          identity: c.options.identity,
        }),
      'raising the priority of a terminated person',
    );
  } catch {
    // Not found (no workflow yet), unimplemented (an older server), deadline: the signal decides.
  }
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

/** An operator action on one person's lifecycle (`jml employee hold|release|retry`). */
export type OperatorAction =
  | { kind: 'place-hold'; hold: LegalHold }
  | { kind: 'release-hold'; caseId: string; releasedBy?: string }
  | { kind: 'retry-app'; app: string; requestedBy?: string }
  | { kind: 'ensure-account'; app: string; requestedBy?: string; reason?: string };

export type OperatorActionResult =
  | { kind: 'place-hold'; result: PlaceLegalHoldResult }
  | { kind: 'release-hold'; result: ReleaseLegalHoldResult }
  | { kind: 'retry-app'; result: RetryAppResult }
  | { kind: 'ensure-account'; result: EnsureAccountResult };

/** The workflow refused an operator action; `reason` says why, in words meant for the operator. */
export class OperatorActionRejectedError extends Error {
  constructor(
    readonly employeeId: string,
    readonly action: OperatorAction['kind'],
    readonly reason: string,
    /** OperatorActionRejected for a check that failed; anything else is a failure of the action itself. */
    readonly failureType: string | undefined,
  ) {
    super(`${action} for employee ${employeeId} rejected: ${reason}`);
    this.name = 'OperatorActionRejectedError';
  }
}

/**
 * Sends an operator action to `employee-<id>` as a Temporal Update and waits for the workflow's
 * answer: the result of what it did, or OperatorActionRejectedError with the reason it refused
 * (a rejected action changes nothing). WorkflowNotFoundError when the person has no running
 * workflow.
 */
export async function runOperatorAction(
  client: Client,
  employeeId: string,
  action: OperatorAction,
): Promise<OperatorActionResult> {
  const handle = client.workflow.getHandle(employeeWorkflowId(employeeId));
  try {
    switch (action.kind) {
      case 'place-hold':
        return { kind: action.kind, result: await handle.executeUpdate(placeLegalHoldUpdate, { args: [action.hold] }) };
      case 'release-hold': {
        const args: [ReleaseLegalHold] = [{ caseId: action.caseId, releasedBy: action.releasedBy }];
        return { kind: action.kind, result: await handle.executeUpdate(releaseLegalHoldUpdate, { args }) };
      }
      case 'retry-app': {
        const args: [RetryApp] = [{ app: action.app, requestedBy: action.requestedBy }];
        return { kind: action.kind, result: await handle.executeUpdate(retryAppUpdate, { args }) };
      }
      case 'ensure-account': {
        const args: [EnsureAccount] = [{ app: action.app, requestedBy: action.requestedBy, reason: action.reason }];
        return { kind: action.kind, result: await handle.executeUpdate(ensureAccountUpdate, { args }) };
      }
    }
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      const type = cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
      throw new OperatorActionRejectedError(employeeId, action.kind, cause?.message ?? err.message, type);
    }
    throw err;
  }
}

/** How long one person's status may take to read when listing everyone. */
export const STATUS_READ_TIMEOUT_MS = 30_000;

/**
 * Every person this product knows: the running `employee-<id>` workflows (visibility), each
 * with its `status` (accounts, last HR snapshot). For reconciliation and roster inference.
 * Queries go out a few at a time; a workflow that closed between the listing and its query is
 * skipped. Each query has a deadline: a query is answered in a workflow task, which never comes
 * when no worker polls the person's task queue (none runs, or the caller's own worker is shutting
 * down). A status that cannot be read fails the whole list (TemporalDeadlineError or the cause) —
 * a list missing someone would let a roster infer them gone, or hide an active leaver — and so
 * does `signal` (the calling activity cancelled).
 */
export async function listEmployeeStatuses(
  client: Client,
  options: { concurrency?: number; queryTimeoutMs?: number; signal?: AbortSignal } = {},
): Promise<EmployeeStatus[]> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({
    query: `WorkflowType = '${EMPLOYEE_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`,
  })) {
    ids.push(wf.workflowId);
  }
  const timeoutMs = options.queryTimeoutMs ?? STATUS_READ_TIMEOUT_MS;
  const statuses: EmployeeStatus[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < ids.length && !failed) {
      options.signal?.throwIfAborted();
      const workflowId = ids[next++]!;
      try {
        statuses.push(
          await withinDeadline(
            client,
            timeoutMs,
            (c) => c.workflow.getHandle(workflowId).query(statusQuery),
            `status of ${workflowId}`,
          ),
        );
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) continue;
        failed = true; // the others stop too: the list is lost anyway
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  return statuses.sort((a, b) => a.employeeId.localeCompare(b.employeeId));
}

/** The employee ids with a running `employee-<id>` workflow (visibility only, no queries): who is managed already. */
export async function listEmployeeIds(client: Client): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const wf of client.workflow.list({
    query: `WorkflowType = '${EMPLOYEE_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`,
  })) {
    if (wf.workflowId.startsWith('employee-')) ids.add(wf.workflowId.slice('employee-'.length));
  }
  return ids;
}
