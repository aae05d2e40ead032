/**
 * The activity proxies used by the lifecycle workflows, with their option presets.
 * Per-call summaries ("deactivate slack") show in the Temporal UI's event history.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { LifecycleActivities } from '../activities/contract';
import { ALERTING, AUDITING, PLANNING, SCIM_REVOKE, SCIM_STEP } from './activity-options';

export const planning = proxyActivities<Pick<LifecycleActivities, 'planLifecycle'>>(PLANNING);
export const scim = proxyActivities<LifecycleActivities>(SCIM_STEP);
export const revocation = proxyActivities<Pick<LifecycleActivities, 'deactivateAccount'>>(SCIM_REVOKE);
export const alerts = proxyActivities<Pick<LifecycleActivities, 'sendAlert'>>(ALERTING);
export const auditing = proxyActivities<Pick<LifecycleActivities, 'recordMilestones'>>(AUDITING);

/** Call-site options: the preset plus a one-line summary for the UI. */
export function summarized(preset: 'step' | 'revoke', summary: string) {
  return { ...(preset === 'revoke' ? SCIM_REVOKE : SCIM_STEP), summary };
}
