/**
 * The activity proxies used by the lifecycle workflows, with their option presets.
 * Per-call summaries ("deactivate slack") show in the Temporal UI's event history.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { LifecycleActivities } from '../activities/contract';
import { ALERTING, AUDIT_ROUND, AUDITING, PLANNING, RECHECK, SCIM_REVOKE, SCIM_STEP } from './activity-options';

export const planning = proxyActivities<Pick<LifecycleActivities, 'planLifecycle'>>(PLANNING);
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
