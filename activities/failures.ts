/**
 * The activity edge: every error leaves an activity as an `ApplicationFailure` whose `type` is
 * our stable error code, so workflows (and the Temporal UI) branch on strings and Temporal
 * knows whether to retry.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ERROR_CODES, hasErrorCode } from '../lib/errors';
import { ScimError } from '../lib/scim';

const RETRY_AFTER_BACKOFF_CAP_MS = 60_000;

/** Codes that retrying cannot fix: wrong config or data, fixed by a person, then `retryApp`. */
const NON_RETRYABLE_CODES = new Set<string>([
  ERROR_CODES.CONFIG_INVALID,
  ERROR_CODES.SECRET_UNRESOLVED,
  ERROR_CODES.MAPPING_REQUIRED_MISSING,
  ERROR_CODES.MAPPING_INVALID_VALUE,
  ERROR_CODES.SCIM_UNSUPPORTED,
]);

/**
 * @param attempt the activity attempt (from Temporal); a server's `Retry-After` is honoured as a
 *   floor under exponential backoff, so an app answering "503, retry after 1 s" for an hour
 *   is not hammered every second.
 */
export function toActivityFailure(err: unknown, attempt = 1): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ScimError)
    return toApplicationFailure(err, {
      minRetryDelayMs: Math.min(1000 * 2 ** (attempt - 1), RETRY_AFTER_BACKOFF_CAP_MS),
    });
  if (hasErrorCode(err)) {
    return ApplicationFailure.create({
      type: err.code,
      message: err.message,
      nonRetryable: NON_RETRYABLE_CODES.has(err.code) || !err.retryable,
      cause: err,
    });
  }
  return err;
}

/**
 * A SCIM error as an `ApplicationFailure`: `type` is the error code, `nonRetryable` from the
 * classification and `nextRetryDelay` from `Retry-After`, so Temporal's retry policy does the
 * right thing and the workflow (and the UI) see why.
 * @param options.minRetryDelayMs a floor under `Retry-After` (the caller's backoff for this attempt).
 */
export function toApplicationFailure(err: ScimError, options: { minRetryDelayMs?: number } = {}): ApplicationFailure {
  const { app, operation, status, scimType, detail } = err.info;
  const retryAfterMs =
    err.info.retryAfterMs === undefined ? undefined : Math.max(err.info.retryAfterMs, options.minRetryDelayMs ?? 0);
  return ApplicationFailure.create({
    type: err.code,
    message: err.message,
    nonRetryable: !err.retryable,
    nextRetryDelay: err.retryable && retryAfterMs !== undefined ? Math.max(retryAfterMs, 100) : undefined,
    details: [{ app, operation, status, scimType, detail }],
    cause: err,
  });
}

/** An app id the workflow asked for that no connector defines (config changed under a run). */
export function unknownApp(app: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: ERROR_CODES.CONFIG_INVALID,
    message: `no connector "${app}" in the loaded config: restore config/connectors/${app}.yaml or remove the app from the access rules, then retryApp`,
    nonRetryable: true,
  });
}
