/**
 * Client side of the mass-change guard: start the `mass-change-guard` workflow (idempotent: one
 * already running is left alone), read its status, and approve what it holds for an app.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  approveAppUpdate,
  guardStatusQuery,
  MASS_CHANGE_GUARD_WORKFLOW_ID,
  MASS_CHANGE_GUARD_WORKFLOW_TYPE,
  TASK_PRIORITY,
  type ApproveAppResult,
  type GuardStatus,
} from './contract';

/** Starts the guard unless it runs; resolves to whether this call started it. */
export async function startMassChangeGuard(client: Client, taskQueue: string): Promise<boolean> {
  try {
    await client.workflow.start(MASS_CHANGE_GUARD_WORKFLOW_TYPE, {
      workflowId: MASS_CHANGE_GUARD_WORKFLOW_ID,
      taskQueue,
      args: [{}],
      // Leavers wait for its permits (contract.ts, TASK_PRIORITY).
      priority: { priorityKey: TASK_PRIORITY.revocation },
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

export function massChangeGuardStatus(client: Client): Promise<GuardStatus> {
  return client.workflow.getHandle(MASS_CHANGE_GUARD_WORKFLOW_ID).query(guardStatusQuery);
}

/** The guard refused the approval (nothing held for the app); nothing changed. */
export class ApproveRejectedError extends Error {
  constructor(
    readonly app: string,
    readonly reason: string,
  ) {
    super(`approval of ${app} refused: ${reason}`);
    this.name = 'ApproveRejectedError';
  }
}

/** Releases what the guard holds for `app`. WorkflowNotFoundError when no guard runs. */
export async function approveApp(client: Client, app: string, approvedBy?: string): Promise<ApproveAppResult> {
  try {
    return await client.workflow
      .getHandle(MASS_CHANGE_GUARD_WORKFLOW_ID)
      .executeUpdate(approveAppUpdate, { args: [{ app, ...(approvedBy ? { approvedBy } : {}) }] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      throw new ApproveRejectedError(
        app,
        cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : err.message,
      );
    }
    throw err;
  }
}
