/**
 * Deletion after retention: DELETE the accounts whose retention has run out. Started by the
 * employee workflow only when no legal hold is on; a hold placed while this runs is forwarded
 * as a signal and stops every delete not yet sent (a request already in flight cannot be
 * recalled, which is why the employee workflow checks the hold before starting this run).
 */
import { condition, patched, setHandler } from '@temporalio/workflow';
import type { EmployeeRecord } from '../lib/hr/employee';
import type { AppAccount, LifecycleResult, ScheduledDeletion } from '../lib/lifecycle/types';
import { deletionHoldSignal } from '../lib/temporal/contract';
import { scim, summarized } from './lifecycle-activities';
import { markLifecycle, runPerApp } from './steps';
import { appTimeline } from './timeline';
import { permits } from './guard/permit';

/** Patch marker: every DELETE waits for a permit from the mass-change guard. Older runs do not ask. */
export const DELETION_PERMIT_PATCH = 'mass-change-guard-v1';

export interface DeletionInput {
  employeeId: string;
  /** The last HR record: lets a step without a SCIM id find the account by userName too. Absent in older runs. */
  employee?: EmployeeRecord;
  eventId: string;
  due: ScheduledDeletion[];
  accounts: Record<string, AppAccount>;
}

export async function deletionWorkflow(input: DeletionInput): Promise<LifecycleResult> {
  let onHold = false;
  setHandler(deletionHoldSignal, ({ onHold: hold }) => {
    onHold = hold;
  });
  const apps = input.due.map((d) => d.app);
  markLifecycle('deletion', input.employeeId, apps);
  const permit = patched(DELETION_PERMIT_PATCH) ? permits() : undefined;
  const outcomes = await runPerApp(apps, async (app) => {
    await condition(() => !onHold);
    if (permit) {
      const change = { app, action: 'delete' as const, employeeId: input.employeeId, eventId: input.eventId };
      await permit.ask({ ...change, cause: 'deletion' });
      // A legal hold placed while the permit was held wins over the approval.
      await condition(() => !onHold);
    }
    return scim.deleteAccount.executeWithOptions(summarized('step', `delete ${app}`), [
      {
        app,
        employeeId: input.employeeId,
        scimId: input.accounts[app]?.scimId,
        eventId: input.eventId,
        employee: input.employee,
      },
    ]);
  });
  const timeline = appTimeline(outcomes, input.eventId, 'deletion');
  return {
    kind: 'deletion',
    eventId: input.eventId,
    outcomes,
    slaDeadlineMs: 0,
    slaBreached: false,
    completedAtMs: Date.now(),
    timeline,
  };
}
