/**
 * Mover: the person stays, their attributes or access change. Runbook: PATCH the attributes
 * that changed in every app they keep, swap groups, grant newly entitled apps, and revoke apps
 * no longer granted (after the policy's grace period, when one is configured).
 */
import type {
  AlertInput,
  AppGrant,
  AppOutcome,
  LifecycleInput,
  LifecycleResult,
  TimelineEntry,
} from '../lib/lifecycle/types';
import type { EmployeeRecord } from '../lib/hr/employee';
import { patched } from '@temporalio/workflow';
import { PLAN_LOCALLY_PATCH, planningFor, revocation, scim, summarized } from './lifecycle-activities';
import { markLifecycle, onSlaBreach, runPerApp, underSla } from './steps';
import { appTimeline } from './timeline';

export interface MoverInput extends LifecycleInput {
  previous: EmployeeRecord;
}

export async function moverWorkflow(input: MoverInput): Promise<LifecycleResult> {
  const { employee, previous, eventId, accounts } = input;
  const plan = input.plan ?? (await planningFor(patched(PLAN_LOCALLY_PATCH)).planLifecycle({ employee }));
  const inScope = (app: string) => !input.onlyApps || input.onlyApps.includes(app);
  const desired = new Map<string, AppGrant>(plan.grants.filter((g) => inScope(g.app)).map((g) => [g.app, g]));
  const active = Object.values(accounts).filter((a) => a.state === 'active' && inScope(a.app));
  const toRevoke = active.filter((a) => !desired.has(a.app)).map((a) => a.app);
  const graceMs = plan.moverRevokeGraceMs;
  const slaDeadlineMs = input.effectiveAtMs + plan.slaMs.mover;
  const timeline: TimelineEntry[] = [];
  const undeliveredAlerts: AlertInput[] = [];
  markLifecycle('mover', employee.employeeId, [...new Set([...desired.keys(), ...toRevoke])], slaDeadlineMs);

  const ref = (app: string) => ({
    app,
    employeeId: employee.employeeId,
    scimId: accounts[app]?.scimId,
    groupIds: accounts[app]?.groupIds,
    eventId,
  });
  const changeOne = async (app: string): Promise<AppOutcome> => {
    const grant = desired.get(app);
    const account = accounts[app];
    if (!grant) {
      return revocation.deactivateAccount.executeWithOptions(summarized('revoke', `revoke ${app}`), [
        // The account was made from the record before the move (its userName, when no SCIM id is known).
        { ...ref(app), groups: account?.groups, employee: previous },
      ]);
    }
    if (account?.state === 'active') {
      const updated = await scim.updateAccount.executeWithOptions(summarized('step', `update ${app}`), [
        { ...ref(app), employee, previous },
      ]);
      const add = grant.groups.filter((g) => !account.groups.includes(g));
      const remove = account.groups.filter((g) => !grant.groups.includes(g));
      if (add.length === 0 && remove.length === 0) return { ...updated, groups: account.groups };
      const grouped = await scim.setGroups.executeWithOptions(summarized('step', `groups ${app}`), [
        { ...ref(app), scimId: updated.scimId ?? account.scimId, add, remove, current: account.groups },
      ]);
      return { ...grouped, note: [updated.action, grouped.note].filter(Boolean).join('; ') };
    }
    const activate = account?.scimId && account.state !== 'deleted' ? scim.reactivateAccount : scim.provisionAccount;
    return activate.executeWithOptions(summarized('step', `grant ${app}`), [
      { ...ref(app), employee, groups: grant.groups },
    ]);
  };

  const revokeNow = graceMs > 0 ? [] : toRevoke;
  const apps = [...desired.keys(), ...revokeNow];
  const { value: outcomes, breached } = await underSla(
    slaDeadlineMs,
    runPerApp(apps, changeOne),
    onSlaBreach('mover', employee.employeeId, eventId, timeline, slaDeadlineMs, undeliveredAlerts),
  );
  timeline.push(...appTimeline(outcomes, eventId, 'mover'));
  const revokeLater = graceMs > 0 ? toRevoke.map((app) => ({ app, revokeAtMs: Date.now() + graceMs })) : undefined;
  return {
    kind: 'mover',
    eventId,
    outcomes,
    slaDeadlineMs,
    slaBreached: breached,
    completedAtMs: Date.now(),
    timeline,
    granted: [...desired.keys()],
    revokeLater,
    undeliveredAlerts,
  };
}
