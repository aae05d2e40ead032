/**
 * Client side of scheduled reconciliation: start the `reconcile-<app>` workflows (idempotent:
 * one already running is left alone) and trigger a run now (the `runReconciliation` Update).
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
  type Client,
} from '@temporalio/client';
import {
  TASK_PRIORITY,
  RECONCILIATION_WORKFLOW_TYPE,
  reconciliationWorkflowId,
  runReconciliationUpdate,
  type ReconciliationRun,
  type ReconciliationWorkflowStart,
} from './contract';
import { withinDeadline } from './deadline';

export interface StartReconciliationOptions {
  taskQueue: string;
  apps: string[];
  everyMs: number;
  /** Rounds before continue-as-new (tests). */
  roundsPerRun?: number;
}

/** Starts one workflow per app; `started` lists the apps whose workflow was not running yet. */
export async function startReconciliationWorkflows(
  client: Client,
  options: StartReconciliationOptions,
): Promise<{ started: string[] }> {
  const started: string[] = [];
  for (const app of options.apps) {
    const input: ReconciliationWorkflowStart = {
      app,
      everyMs: options.everyMs,
      ...(options.roundsPerRun ? { roundsPerRun: options.roundsPerRun } : {}),
    };
    try {
      // The default reuse policy (ALLOW_DUPLICATE) restarts a schedule that was terminated or ended.
      await client.workflow.start(RECONCILIATION_WORKFLOW_TYPE, {
        workflowId: reconciliationWorkflowId(app),
        taskQueue: options.taskQueue,
        args: [input],
        priority: { priorityKey: TASK_PRIORITY.reconciliation },
      });
      started.push(app);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return { started };
}

/** The workflow refused to run now (one is already running); nothing changed. */
export class ReconciliationRejectedError extends Error {
  constructor(
    readonly app: string,
    readonly reason: string,
  ) {
    super(`reconciliation of ${app} not started: ${reason}`);
    this.name = 'ReconciliationRejectedError';
  }
}

/**
 * Runs a reconciliation of `app` now and waits for it. WorkflowNotFoundError when no worker
 * started its schedule. With `acceptTimeoutMs`, a run no worker accepts in that time (none is
 * running) is given up with TemporalDeadlineError; the run itself may take as long as it takes.
 */
export async function runReconciliationNow(
  client: Client,
  app: string,
  requestedBy?: string,
  options: { acceptTimeoutMs?: number } = {},
): Promise<ReconciliationRun> {
  const workflowId = reconciliationWorkflowId(app);
  const start = (c: Client) =>
    c.workflow.getHandle(workflowId).startUpdate(runReconciliationUpdate, {
      args: [{ requestedBy }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
  try {
    const accepted =
      options.acceptTimeoutMs === undefined
        ? await start(client)
        : await withinDeadline(client, options.acceptTimeoutMs, start, `runReconciliation on ${workflowId}`);
    return await accepted.result();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      throw new ReconciliationRejectedError(
        app,
        cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : err.message,
      );
    }
    throw err;
  }
}
