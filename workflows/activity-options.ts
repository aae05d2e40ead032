/**
 * Named activity option presets. Temporal owns retries: activities never loop, they throw
 * typed failures (non-retryable for 4xx/schema errors) and these policies back off.
 */
import { ActivityCancellationType, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import { TASK_PRIORITY } from '../lib/temporal/contract';

/**
 * One SCIM operation (possibly lookup + write). The start-to-close covers the per-app rate
 * limiter's queueing; the schedule-to-close bounds how long an app step may keep retrying
 * before it is recorded as failed and left for an operator's `retryApp`.
 */
export const SCIM_STEP: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  // The step heartbeats while it runs (activities/context.ts keepAlive): a worker that died
  // mid-step is retried elsewhere after this, not after the start-to-close; and cancellation
  // reaches the activity.
  heartbeatTimeout: '20 seconds',
  scheduleToCloseTimeout: '6 hours',
  // A run cut short (a termination preempts a joiner) ends only once its steps have stopped:
  // a create still in flight must land before the leaver looks the account up.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  // 1.5×, not 2×: the fault campaign (test/faults) showed a doubling backoff stretching one
  // unlucky streak of transient failures into minutes (7 failures: 4 min; at 1.5×: 30 s), while
  // an outage still backs off to the cap within ~15 attempts. Retry-After is a floor on top.
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 1.5,
    maximumInterval: '5 minutes',
  },
};

/**
 * Revocation retries harder and longer than the rest: a leaver must not stay active because
 * an app was down for an afternoon. The SLA timer alerts long before this gives up.
 */
export const SCIM_REVOKE: ActivityOptions = {
  ...SCIM_STEP,
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 1.5, maximumInterval: '2 minutes' },
};

/**
 * A leaver's recheck runs in the employee workflow's main loop (so no lifecycle run, e.g. a
 * re-hire, can overlap it): bounded, so an app that is down holds that loop for minutes, not
 * hours. A recheck that fails is alerted; reconciliation still covers the app.
 */
export const RECHECK: ActivityOptions = {
  ...SCIM_STEP,
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
  // Revocation work, though the employee workflow (intake) schedules it.
  priority: { priorityKey: TASK_PRIORITY.revocation },
};

/** Reading config and evaluating access rules: local and fast. */
export const PLANNING: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 5 },
};

/** The same read as a local activity (runs inside the workflow task), with the same retries. */
export const PLANNING_LOCAL: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 5 },
};

/**
 * Alert delivery must not hold up the lifecycle: one round is a few quick attempts (under a
 * minute). An undelivered alert is recorded and the employee workflow retries it on its own
 * back-off (workflows/employee/state.ts), never by blocking a run.
 */
export const ALERTING: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 4 },
};

/**
 * Writing milestones to the audit store, for workflow runs from before evidence was written
 * after the fact: unlimited attempts, awaited. Kept only so those histories replay.
 */
export const AUDITING: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/**
 * One round of the after-the-fact audit hand-off: a few attempts, then the employee workflow
 * records the failure, alerts, and tries again on its own back-off. Nothing waits for it.
 */
export const AUDIT_ROUND: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3 },
};
