/** A person's status for operators: the workflow's answer, the running steps from Temporal, one view. */
import type { Client } from '@temporalio/client';
import { employeeStatus } from '../temporal/employee-client';
import { runningSteps } from './activity-progress';
import { buildStatusView, type EmployeeStatusView } from './view';

export { buildStatusView, type EmployeeStatusView, type AppStatusView } from './view';
export { renderStatusTable, readableTime } from './render';
export { runningSteps, type AppStepProgress, type AppStepDone, type RunningSteps } from './activity-progress';

/** `undefined` when the person has no workflow. Step progress is best effort: the status never waits on it failing. */
export async function readEmployeeStatus(client: Client, employeeId: string): Promise<EmployeeStatusView | undefined> {
  const status = await employeeStatus(client, employeeId);
  if (!status) return undefined;
  // Best effort: without it the workflow's own answer still stands.
  const running = await runningSteps(client, employeeId).catch(() => undefined);
  return buildStatusView(status, running);
}
