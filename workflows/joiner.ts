/**
 * Joiner (and re-hire): evaluate access → for every granted app in parallel, create or adopt
 * the account (or reactivate the person's existing one), apply mapped attributes and groups.
 * Runbook: "provision day-one access within the SLA; report per app; never let one app block".
 */
import { patched } from '@temporalio/workflow';
import type { AlertInput, AppOutcome, LifecycleInput, LifecycleResult, TimelineEntry } from '../lib/lifecycle/types';
import { PLAN_LOCALLY_PATCH, planningFor, scim, summarized } from './lifecycle-activities';
import { markLifecycle, onSlaBreach, runPerApp, underSla } from './steps';
import { appTimeline } from './timeline';

export interface JoinerInput extends LifecycleInput {
  /** `rehire` reactivates accounts the person already has instead of creating new ones. */
  kind: 'joiner' | 'rehire';
}

export async function joinerWorkflow(input: JoinerInput): Promise<LifecycleResult> {
  const { employee, eventId, kind } = input;
  const plan = input.plan ?? (await planningFor(patched(PLAN_LOCALLY_PATCH)).planLifecycle({ employee }));
  const grants = plan.grants.filter((g) => !input.onlyApps || input.onlyApps.includes(g.app));
  const slaDeadlineMs = input.effectiveAtMs + plan.slaMs.joiner;
  const timeline: TimelineEntry[] = [];
  const undeliveredAlerts: AlertInput[] = [];
  markLifecycle(
    kind,
    employee.employeeId,
    grants.map((g) => g.app),
    slaDeadlineMs,
  );

  const steps = runPerApp(
    grants.map((g) => g.app),
    async (app): Promise<AppOutcome> => {
      const grant = grants.find((g) => g.app === app)!;
      const known = input.accounts[app];
      const ref = { app, employeeId: employee.employeeId, scimId: known?.scimId, groupIds: known?.groupIds, eventId };
      if (known?.scimId && known.state !== 'deleted') {
        return scim.reactivateAccount.executeWithOptions(summarized('step', `reactivate ${app}`), [
          { ...ref, employee, groups: grant.groups },
        ]);
      }
      return scim.provisionAccount.executeWithOptions(summarized('step', `provision ${app}`), [
        { ...ref, employee, groups: grant.groups },
      ]);
    },
  );

  // A failed step may have created the account and added some of its groups before it failed:
  // its groups count as the account's, so a leaver removes them (removing a non-member is a no-op).
  const work = steps.then((all) => all.map((o) => (o.action === 'failed' ? withGroupsToAdd(o, input, grants) : o)));
  const { value: outcomes, breached } = await underSla(
    slaDeadlineMs,
    work,
    onSlaBreach(kind, employee.employeeId, eventId, timeline, slaDeadlineMs, undeliveredAlerts),
  );
  timeline.push(...appTimeline(outcomes, eventId, kind));
  return {
    kind,
    eventId,
    outcomes,
    slaDeadlineMs,
    slaBreached: breached,
    completedAtMs: Date.now(),
    timeline,
    undeliveredAlerts,
  };
}

function withGroupsToAdd(o: AppOutcome, input: JoinerInput, grants: { app: string; groups: string[] }[]): AppOutcome {
  const groups = [
    ...new Set([...(input.accounts[o.app]?.groups ?? []), ...(grants.find((g) => g.app === o.app)?.groups ?? [])]),
  ];
  return groups.length > 0 ? { ...o, groups } : o;
}
