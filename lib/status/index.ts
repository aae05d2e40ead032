/** A person's status for operators: the workflow's answer, the running steps from Temporal, one view. */
import type { Client } from '@temporalio/client';
import { employeeStatus } from '../temporal/employee-client';
import { runningSteps } from './activity-progress';
import { appHealth } from '../temporal/app-client';
import { appHealthView, buildStatusView, type EmployeeStatusView } from './view';

export { buildStatusView, type EmployeeStatusView, type AppStatusView, type AppHealthView } from './view';
export { renderStatusTable, readableTime } from './render';
export { runningSteps, type AppStepProgress, type AppStepDone, type RunningSteps } from './activity-progress';

/** `undefined` when the person has no workflow. Step progress is best effort: the status never waits on it failing. */
export async function readEmployeeStatus(client: Client, employeeId: string): Promise<EmployeeStatusView | undefined> {
  const status = await employeeStatus(client, employeeId);
  if (!status) return undefined;
  // Best effort: without it the workflow's own answer still stands.
  const running = await runningSteps(client, employeeId).catch(() => undefined);
  return withAppHealth(client, buildStatusView(status, running));
}

/**
 * Notes, on each app whose step here failed or is waiting, that the app is paused or
 * quarantined. Best effort like the step progress: an unreadable app state leaves the row as it is.
 */
async function withAppHealth(client: Client, view: EmployeeStatusView): Promise<EmployeeStatusView> {
  const affected = view.accounts.filter((a) => a.step || a.lastError || view.failedApps.includes(a.app));
  if (affected.length === 0) return view;
  const health = new Map(
    await Promise.all(
      affected.map(async (a) => [a.app, appHealthView(await appHealth(client, a.app).catch(() => undefined))] as const),
    ),
  );
  return {
    ...view,
    accounts: view.accounts.map((a) => {
      const h = health.get(a.app);
      return h ? { ...a, appHealth: h } : a;
    }),
  };
}
