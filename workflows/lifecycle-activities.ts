/**
 * The activity proxies used by the lifecycle workflows, with their option presets.
 * Per-call summaries ("deactivate slack") show in the Temporal UI's event history.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { LifecycleActivities } from '../activities/contract';
import {
  ALERTING,
  AUDIT_ROUND,
  AUDITING,
  PLANNING,
  PLANNING_LOCAL,
  RECHECK,
  SCIM_REVOKE,
  SCIM_STEP,
} from './activity-options';

type Planning = Pick<LifecycleActivities, 'planLifecycle'>;
const remotePlanning = proxyActivities<Planning>(PLANNING);
const localPlanning = proxyLocalActivities<Planning>(PLANNING_LOCAL);

/**
 * Patch marker: the policy is read by a local activity. It runs inside the workflow task that
 * needs it — no activity task to queue behind other work, no second workflow task for its
 * result — so a leaver's deactivations are scheduled in its first workflow task and a hire's
 * joiner starts in the employee workflow's first. Runs recorded before it read the policy
 * with an ordinary activity.
 */
export const PLAN_LOCALLY_PATCH = 'plan-locally-v1';

/** The policy read for a run: local when the run took PLAN_LOCALLY_PATCH (call patched() once, at its top). */
export function planningFor(local: boolean): Planning {
  return local ? localPlanning : remotePlanning;
}
export const scim = proxyActivities<LifecycleActivities>(SCIM_STEP);
export const revocation = proxyActivities<Pick<LifecycleActivities, 'deactivateAccount'>>(SCIM_REVOKE);
export const rechecking = proxyActivities<Pick<LifecycleActivities, 'recheckDeactivated'>>(RECHECK);
export const alerts = proxyActivities<Pick<LifecycleActivities, 'sendAlert'>>(ALERTING);
/** Awaited, unlimited retries: only for histories from before evidence was written after the fact. */
export const auditing = proxyActivities<Pick<LifecycleActivities, 'recordMilestones'>>(AUDITING);
/** One bounded round of the background audit hand-off. */
export const auditRound = proxyActivities<Pick<LifecycleActivities, 'recordMilestones'>>(AUDIT_ROUND);

/** Call-site options: the preset plus a one-line summary for the UI. */
export function summarized(preset: 'step' | 'revoke', summary: string) {
  return { ...(preset === 'revoke' ? SCIM_REVOKE : SCIM_STEP), summary };
}
