/**
 * What an activity passes down to the SCIM client: Temporal's cancellation signal (so a
 * cancelled activity stops waiting for a rate-limit token), the identifiers that tie each SCIM
 * request record in the audit trail to its workflow run, activity and attempt, and the recorder
 * that writes those records (set by the step that owns the attempt).
 */
import { Context } from '@temporalio/activity';
import type { ScimCallOptions } from '../lib/scim';

export interface CallContext extends ScimCallOptions {
  context: Record<string, string | number>;
}

export function activityCallContext(extra: Record<string, string | number> = {}): CallContext {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    // Called outside an activity (the CLI's dry runs, unit tests): no run to correlate with.
    return { context: { ...extra } };
  }
  const { info } = ctx;
  return {
    signal: ctx.cancellationSignal,
    context: {
      workflowId: info.workflowExecution?.workflowId ?? '',
      runId: info.workflowExecution?.runId ?? '',
      activityId: info.activityId,
      attempt: info.attempt,
      ...extra,
    },
  };
}

/**
 * Heartbeats while a step runs, when its options set a heartbeat timeout. Two reasons: a worker
 * that dies mid-step is noticed after the heartbeat timeout (seconds) rather than the
 * start-to-close timeout (minutes), and Temporal delivers cancellation to an activity only in
 * answer to a heartbeat. Returns the function that stops it; a no-op outside an activity.
 *
 * No beat at the start: the server counts the heartbeat timeout from the attempt's start, so a
 * beat then proves nothing, and it cost an RPC to the server for every step (most steps finish
 * in well under a second; ten deactivations per termination). The first beat goes out a third
 * of the timeout in (at most 5 s), as soon as there is something to prove.
 */
export function keepAlive(): () => void {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return () => undefined;
  }
  const timeoutMs = ctx.info.heartbeatTimeoutMs;
  if (!timeoutMs) return () => undefined;
  const timer = setInterval(() => ctx.heartbeat(), Math.max(500, Math.min(5_000, Math.floor(timeoutMs / 3))));
  timer.unref();
  return () => clearInterval(timer);
}

/** The task queue of the running activity; undefined outside one. */
export function activityTaskQueue(): string | undefined {
  try {
    return Context.current().info.taskQueue;
  } catch {
    return undefined;
  }
}
