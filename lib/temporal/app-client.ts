/**
 * Client side of per-app health: start the `app-<name>` workflows (idempotent, like the
 * reconciliation schedules), read their state, pause and resume an app (Updates: the workflow
 * refuses with the reason, nothing changes), and report what a worker's gate saw (a signal).
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import {
  TASK_PRIORITY,
  APP_HEALTH_WORKFLOW_TYPE,
  appHealthQuery,
  appHealthReportSignal,
  appHealthWorkflowId,
  pauseAppUpdate,
  resumeAppUpdate,
  type AppHealth,
  type AppHealthChange,
  type AppHealthReport,
  type AppHealthWorkflowStart,
  type PauseApp,
  type ResumeApp,
} from './contract';

export interface StartAppHealthOptions {
  taskQueue: string;
  apps: string[];
  probeEveryMs: number;
  /** Transitions and probes before continue-as-new (tests). */
  eventsPerRun?: number;
}

function startInput(app: string, options: { probeEveryMs: number; eventsPerRun?: number }): AppHealthWorkflowStart {
  return {
    app,
    probeEveryMs: options.probeEveryMs,
    ...(options.eventsPerRun ? { eventsPerRun: options.eventsPerRun } : {}),
  };
}

/** Starts one workflow per app; `started` lists the apps whose workflow was not running yet. */
export async function startAppHealthWorkflows(
  client: Client,
  options: StartAppHealthOptions,
): Promise<{ started: string[] }> {
  const started: string[] = [];
  for (const app of options.apps) {
    try {
      await client.workflow.start(APP_HEALTH_WORKFLOW_TYPE, {
        workflowId: appHealthWorkflowId(app),
        taskQueue: options.taskQueue,
        args: [startInput(app, options)],
        priority: { priorityKey: TASK_PRIORITY.revocation },
      });
      started.push(app);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return { started };
}

/** The app's state; undefined when no worker started its workflow (the app is then treated as active). */
export async function appHealth(client: Client, app: string): Promise<AppHealth | undefined> {
  try {
    return await client.workflow.getHandle(appHealthWorkflowId(app)).query(appHealthQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** A gate's report; starts the workflow when no worker has yet (a signal is never lost to a missing workflow). */
export async function reportAppHealth(
  client: Client,
  app: string,
  report: AppHealthReport,
  start: { taskQueue: string; probeEveryMs: number },
): Promise<void> {
  await client.workflow.signalWithStart(APP_HEALTH_WORKFLOW_TYPE, {
    workflowId: appHealthWorkflowId(app),
    taskQueue: start.taskQueue,
    args: [startInput(app, start)],
    priority: { priorityKey: TASK_PRIORITY.revocation },
    signal: appHealthReportSignal,
    signalArgs: [report],
  });
}

/** The workflow refused the action (resume of an active app, pause without a reason); nothing changed. */
export class AppActionRejectedError extends Error {
  constructor(
    readonly app: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'AppActionRejectedError';
  }
}

/** Pauses the app and answers with the change. WorkflowNotFoundError when no worker started its workflow. */
export function pauseApp(client: Client, app: string, request: PauseApp): Promise<AppHealthChange> {
  return appUpdate(app, () =>
    client.workflow.getHandle(appHealthWorkflowId(app)).executeUpdate(pauseAppUpdate, { args: [request] }),
  );
}

export function resumeApp(client: Client, app: string, request: ResumeApp): Promise<AppHealthChange> {
  return appUpdate(app, () =>
    client.workflow.getHandle(appHealthWorkflowId(app)).executeUpdate(resumeAppUpdate, { args: [request] }),
  );
}

async function appUpdate(app: string, send: () => Promise<AppHealthChange>): Promise<AppHealthChange> {
  try {
    return await send();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      throw new AppActionRejectedError(app, cause instanceof ApplicationFailure ? cause.message : err.message);
    }
    throw err;
  }
}

/** Every app with a running health workflow, by name; an app whose query fails is left out. */
export async function listAppHealth(client: Client): Promise<AppHealth[]> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({
    query: `WorkflowType = '${APP_HEALTH_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`,
  })) {
    ids.push(wf.workflowId);
  }
  const out = await Promise.all(
    ids.map((id) =>
      client.workflow
        .getHandle(id)
        .query(appHealthQuery)
        .catch(() => undefined),
    ),
  );
  return out.filter((h): h is AppHealth => h !== undefined).sort((a, b) => a.app.localeCompare(b.app));
}
