/**
 * Building blocks shared by the lifecycle workflows: per-app fan-out where one app's failure
 * never blocks the others, and an SLA watch that records a breach without stopping the work.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  isCancellation,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AlertInput, AppOutcome, LifecycleKind, StepError, TimelineEntry } from '../lib/lifecycle/types';
import { alerts } from './lifecycle-activities';
import { APPS, EMPLOYEE_ID, LIFECYCLE_EVENT, SLA_BREACHED, SLA_DEADLINE } from '../lib/temporal/contract';

/** Reduces an activity failure chain to what the timeline and the audit need. */
export function toStepError(err: unknown): StepError {
  if (err instanceof ChildWorkflowFailure) {
    const inner = err.cause ? toStepError(err.cause) : undefined;
    return {
      type: inner?.type ?? 'ChildWorkflowFailure',
      message: `${err.workflowType ?? 'child'} run ${err.execution?.workflowId ?? ''} failed${inner ? `: ${inner.message}` : ''}`,
      nonRetryable: true,
    };
  }
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    return {
      type: cause.type ?? 'ApplicationFailure',
      message: cause.message,
      nonRetryable: cause.nonRetryable === true,
    };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { type: cause instanceof Error ? cause.name : 'Error', message, nonRetryable: false };
}

/**
 * Runs `step` for every app concurrently. A failed app becomes a `failed` outcome (the
 * activity has already exhausted its retry policy); cancellation still propagates.
 */
export async function runPerApp(apps: string[], step: (app: string) => Promise<AppOutcome>): Promise<AppOutcome[]> {
  return Promise.all(
    apps.map(async (app) => {
      try {
        return await step(app);
      } catch (err) {
        if (isCancellation(err)) throw err;
        return { app, action: 'failed' as const, atMs: Date.now(), error: toStepError(err) };
      }
    }),
  );
}

/**
 * Awaits `work` while a timer runs to the SLA deadline. If the deadline passes first,
 * `onBreach` runs once (mark, alert) and the work simply continues: a breach is a fact to
 * record, never a reason to stop revoking access.
 */
export async function underSla<T>(
  deadlineMs: number,
  work: Promise<T>,
  onBreach: () => Promise<void>,
): Promise<{ value: T; breached: boolean }> {
  let breached = false;
  const watch = new CancellationScope();
  const watcher = watch
    .run(async () => {
      await sleep(Math.max(1, deadlineMs - Date.now()));
      breached = true;
      await onBreach();
    })
    .catch((err: unknown) => {
      if (!isCancellation(err)) throw err;
    });
  const value = await work;
  if (!breached) watch.cancel();
  await watcher;
  return { value, breached };
}

/** Search attributes that make a lifecycle run findable in the Temporal UI. */
export function markLifecycle(kind: LifecycleKind, employeeId: string, apps: string[], slaDeadlineMs?: number): void {
  upsertSearchAttributes([
    { key: EMPLOYEE_ID, value: employeeId },
    { key: LIFECYCLE_EVENT, value: kind },
    { key: APPS, value: [...apps].sort() },
    ...(slaDeadlineMs === undefined
      ? []
      : [
          { key: SLA_DEADLINE, value: new Date(slaDeadlineMs) },
          { key: SLA_BREACHED, value: false },
        ]),
  ]);
}

export function markSlaBreached(): void {
  upsertSearchAttributes([{ key: SLA_BREACHED, value: true }]);
}

/**
 * The standard reaction to a missed SLA: flag the run for the UI (`SlaBreached = true`), note
 * it in the timeline, and alert. Returned as a callback for `underSla`. Alert delivery is best
 * effort: an alert that cannot be delivered is noted and handed back in `undelivered` (the
 * employee workflow retries it) — it never fails the run. `heldByGuard` names the apps when all
 * that is left waits for the mass-change guard's approval: the breach is recorded the same way,
 * but the alert is not posted (the guard's one alert per app covers the hold).
 */
export function onSlaBreach(
  kind: LifecycleKind,
  employeeId: string,
  eventId: string,
  timeline: TimelineEntry[],
  slaDeadlineMs: number,
  undelivered: AlertInput[] = [],
  heldByGuard: () => string[] | undefined = () => undefined,
) {
  return async (): Promise<void> => {
    markSlaBreached();
    const { workflowId } = workflowInfo();
    const held = heldByGuard();
    const late = `${kind} for ${employeeId} not complete by the SLA deadline ${new Date(slaDeadlineMs).toISOString()}`;
    const message = held
      ? `${late}: the deactivation in ${held.join(', ')} is held by the mass-change guard (its mass-change-held ` +
        `alert covers it; approve with: ${held.map((app) => `jml app approve ${app}`).join('; ')})`
      : late;
    timeline.push({
      atMs: Date.now(),
      kind: 'sla-breached',
      eventId,
      lifecycle: kind,
      slaDeadlineMs,
      slaBreached: true,
      workflowId,
      ...(held ? { detail: message } : {}),
    });
    const alert: AlertInput = {
      kind: 'sla-breached',
      employeeId,
      lifecycle: kind,
      eventId,
      workflowId,
      slaDeadlineMs,
      message,
      atMs: Date.now(),
      ...(held ? { heldByGuard: held } : {}),
    };
    try {
      await alerts.sendAlert(alert);
    } catch (err) {
      if (isCancellation(err)) throw err;
      const error = toStepError(err);
      timeline.push({
        atMs: Date.now(),
        kind: 'alert-failed',
        eventId,
        lifecycle: kind,
        workflowId,
        detail: `sla-breached alert not delivered (${error.message}); the employee workflow retries it`,
      });
      undelivered.push(alert);
    }
  };
}
