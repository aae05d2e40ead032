/**
 * The activity edge for SCIM errors: an `ApplicationFailure` whose `type` is the error code,
 * `nonRetryable` from the classification and `nextRetryDelay` from `Retry-After`, so Temporal's
 * retry policy does the right thing and the workflow (and the UI) see why.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ScimError } from './errors';

/** @param options.minRetryDelayMs a floor under `Retry-After` (the caller's backoff for this attempt). */
export function toApplicationFailure(err: ScimError, options: { minRetryDelayMs?: number } = {}): ApplicationFailure {
  const { app, operation, status, scimType, detail } = err.info;
  const retryAfterMs = err.info.retryAfterMs === undefined ? undefined : Math.max(err.info.retryAfterMs, options.minRetryDelayMs ?? 0);
  return ApplicationFailure.create({
    type: err.code,
    message: err.message,
    nonRetryable: !err.retryable,
    nextRetryDelay: err.retryable && retryAfterMs !== undefined ? Math.max(retryAfterMs, 100) : undefined,
    details: [{ app, operation, status, scimType, detail }],
    cause: err,
  });
}
