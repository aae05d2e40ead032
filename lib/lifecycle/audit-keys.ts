/** The keys under which lifecycle milestones are stored in the audit trail (workflow and activities agree on them). */
import type { TimelineEntry } from './types';

/**
 * The audit key of a milestone: its sequence in this employee's history, except an SLA breach,
 * which the alert activity records the moment it happens under the lifecycle run's own key —
 * so the copy that arrives later with the run's result is the same record, not a second one.
 */
export function milestoneKey(employeeWorkflowId: string, seq: number, entry: TimelineEntry): string {
  if (entry.kind === 'sla-breached' && entry.workflowId) return slaBreachKey(entry.workflowId);
  return `${employeeWorkflowId}#${seq}`;
}

export function slaBreachKey(lifecycleWorkflowId: string): string {
  return `${lifecycleWorkflowId}#sla-breached`;
}
