/**
 * What an activity passes down to the SCIM client: Temporal's cancellation signal (so a
 * cancelled activity stops waiting for a rate-limit token) and the identifiers that tie each
 * SCIM request record in the audit trail to its workflow run, activity and attempt.
 */
import { Context } from '@temporalio/activity';

export interface CallContext {
  signal?: AbortSignal;
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
