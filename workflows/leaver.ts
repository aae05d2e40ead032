/**
 * Leaver: revoke every account in parallel — one request per app when the SCIM `id` is known —
 * record when each was revoked, and hand back the deletion schedule. The retention wait itself
 * lives in the employee workflow, so a re-hire or a legal hold can act on it while this run is
 * long finished (see README, "Why deletion waits in the employee workflow").
 */
import type {
  AlertInput,
  LifecycleInput,
  LifecyclePlan,
  LifecycleResult,
  ScheduledDeletion,
  TimelineEntry,
} from '../lib/lifecycle/types';
import { isCancellation, patched } from '@temporalio/workflow';
import type { GuardCause } from '../lib/temporal/contract';
import { permits, reportToGuard } from './guard/permit';
import { PLAN_LOCALLY_PATCH, planningFor, revocation, summarized } from './lifecycle-activities';
import { markLifecycle, onSlaBreach, runPerApp, toStepError, underSla } from './steps';
import { appTimeline } from './timeline';

export interface LeaverInput extends LifecycleInput {
  /** `revocation`: a mover's deferred revoke of apps no longer granted, same steps. @default 'leaver' */
  kind?: 'leaver' | 'revocation';
}

/**
 * Patch marker: the mass-change guard. Deactivations of a termination inferred from a roster (and
 * of HR terminations when the policy's `guard.holdHrTerminations` says so) wait for a permit per
 * app; the others are reported to the guard after the fact. Runs recorded before it do neither.
 */
export const MASS_CHANGE_GUARD_PATCH = 'mass-change-guard-v1';

/**
 * Patch marker: a roster-inferred termination whose SLA passes while every app it still waits
 * for is held by the mass-change guard records the breach (timeline, SlaBreached, audit, metric)
 * but posts no `sla-breached` alert of its own: the app's one `mass-change-held` alert covers the
 * whole hold, and the person's status shows what is held and why. Runs recorded before it alert
 * each held person, as they did.
 */
export const FOLD_HELD_SLA_ALERT_PATCH = 'fold-held-sla-alert-v1';

/**
 * Patch marker standing for the two above and `plan-locally-v1`: a run that takes it takes their
 * new paths without recording a marker (and the SDK's TemporalChangeVersion upsert) for each, two
 * events fewer in the first workflow task of every termination. Runs recorded before it have no
 * baseline marker and ask for each patch as they did.
 */
export const LEAVER_BASELINE_PATCH = 'leaver-baseline-v1';

export async function leaverWorkflow(input: LeaverInput): Promise<LifecycleResult> {
  const { employee, eventId, accounts } = input;
  const kind = input.kind ?? 'leaver';
  const timeline: TimelineEntry[] = [];
  const undeliveredAlerts: AlertInput[] = [];
  const baseline = patched(LEAVER_BASELINE_PATCH);
  const took = (patch: string): boolean => baseline || patched(patch);
  const guarded = took(MASS_CHANGE_GUARD_PATCH);
  const plan = await planOrFallback(input, timeline, took);
  // A planning failure leaves holdHrTerminations unset: an HR termination never waits then.
  const cause: GuardCause | undefined =
    !guarded || kind !== 'leaver'
      ? undefined
      : input.inferredFrom
        ? 'inferred-termination'
        : plan.holdHrTerminations
          ? 'hr-termination'
          : undefined;
  const permit = cause ? permits() : undefined;
  const targets = Object.values(accounts)
    .filter((a) => a.state === 'active' || a.state === 'failed')
    .filter((a) => !input.onlyApps || input.onlyApps.includes(a.app))
    .map((a) => a.app);
  const slaDeadlineMs = input.effectiveAtMs + plan.slaMs.leaver;
  markLifecycle(kind, employee.employeeId, targets, slaDeadlineMs);

  const finished = new Set<string>();
  const work = runPerApp(targets, async (app) => {
    try {
      return await revokeApp(app);
    } finally {
      finished.add(app);
    }
  });
  async function revokeApp(app: string) {
    if (permit && cause) {
      const rosterId = input.inferredFrom?.rosterId;
      await permit.ask({
        app,
        action: 'deactivate',
        employeeId: employee.employeeId,
        eventId,
        cause,
        ...(rosterId ? { rosterId } : {}),
      });
    }
    return revocation.deactivateAccount.executeWithOptions(summarized('revoke', `deactivate ${app}`), [
      {
        app,
        employeeId: employee.employeeId,
        scimId: accounts[app]?.scimId,
        eventId,
        groups: accounts[app]?.groups,
        groupIds: accounts[app]?.groupIds,
        // Without a SCIM id the step looks up by userName too (an account without our externalId).
        employee,
      },
    ]);
  }
  /** At the breach: the apps still waiting, when every one of them is held by the guard for an inferred termination. */
  const onlyHeldByGuard = (): string[] | undefined => {
    if (cause !== 'inferred-termination' || !permit) return undefined;
    const waiting = targets.filter((app) => !finished.has(app));
    const held = permit.heldApps();
    if (waiting.length === 0 || !waiting.every((app) => held.includes(app))) return undefined;
    return took(FOLD_HELD_SLA_ALERT_PATCH) ? waiting : undefined;
  };
  const { value: outcomes, breached } = await underSla(
    slaDeadlineMs,
    work,
    onSlaBreach(kind, employee.employeeId, eventId, timeline, slaDeadlineMs, undeliveredAlerts, onlyHeldByGuard),
  );
  timeline.push(...appTimeline(outcomes, eventId, kind));
  if (guarded && !permit) {
    // After the fact, never before: they count in the guard's window (best effort).
    await reportToGuard(
      outcomes
        .filter((o) => o.action === 'deactivated')
        .map((o) => ({ app: o.app, action: 'deactivate' as const, employeeId: employee.employeeId, eventId })),
    );
  }

  const deletion: ScheduledDeletion[] = [];
  for (const outcome of outcomes) {
    const policy = plan.deletePolicy[outcome.app];
    if (outcome.action !== 'deactivated' || !policy) continue;
    if (policy.mode === 'hard') {
      // Workflow time, not the activity's wall clock: the retention timer runs on this clock.
      const deleteAtMs = Date.now() + policy.retentionMs;
      deletion.push({ app: outcome.app, deleteAtMs, reversible: policy.reversible, eventId });
      timeline.push({
        atMs: Date.now(),
        kind: 'deletion-scheduled',
        eventId,
        app: outcome.app,
        lifecycle: kind,
        detail: `delete at ${new Date(deleteAtMs).toISOString()}`,
        dueAtMs: deleteAtMs,
      });
    } else {
      timeline.push({
        atMs: Date.now(),
        kind: 'deletion-scheduled',
        eventId,
        app: outcome.app,
        lifecycle: kind,
        detail: `no delete: ${policy.mode}; account stays deactivated`,
      });
    }
  }
  return {
    kind,
    eventId,
    outcomes,
    slaDeadlineMs,
    slaBreached: breached,
    completedAtMs: Date.now(),
    timeline,
    deletion,
    undeliveredAlerts,
    ...(kind === 'leaver' ? { recheckAfterMs: plan.leaverRecheckMs ?? 0 } : {}),
  };
}

/** The shipped leaver recheck delay, used when the policy cannot be read. */
const FALLBACK_RECHECK_MS = 10 * 60_000;

/** The shipped leaver SLA, used when the policy cannot be read. */
const FALLBACK_LEAVER_SLA_MS = 15 * 60_000;

/**
 * Planning must not sit in front of revocation: when the policy cannot be read, deactivation
 * still goes out under the shipped SLA, and no deletion is scheduled (its policy is unknown) —
 * which the timeline says, for an operator.
 */
async function planOrFallback(
  input: LeaverInput,
  timeline: TimelineEntry[],
  took: (patch: string) => boolean,
): Promise<LifecyclePlan> {
  if (input.plan) return input.plan;
  try {
    return await planningFor(took(PLAN_LOCALLY_PATCH)).planLifecycle({ employee: input.employee });
  } catch (err) {
    if (isCancellation(err)) throw err;
    const detail = `planning failed (${toStepError(err).message}): revoking under the default ${FALLBACK_LEAVER_SLA_MS / 60_000}-minute SLA; no deletion scheduled`;
    timeline.push({ atMs: Date.now(), kind: 'operator-attention', eventId: input.eventId, detail });
    return {
      grants: [],
      slaMs: { joiner: FALLBACK_LEAVER_SLA_MS, mover: FALLBACK_LEAVER_SLA_MS, leaver: FALLBACK_LEAVER_SLA_MS },
      deletePolicy: {},
      joinerLeadTimeMs: 0,
      moverRevokeGraceMs: 0,
      leaverRecheckMs: FALLBACK_RECHECK_MS,
    };
  }
}
