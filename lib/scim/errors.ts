/**
 * SCIM errors (RFC 7644 §3.12): every failed request becomes a `ScimError` with a stable code,
 * the app and operation, HTTP status, `scimType` and `detail`, and whether a retry can help.
 * Temporal owns retries: the client classifies, the activity edge turns this into an
 * ApplicationFailure (failure.ts).
 */
import { ERROR_CODES, JmlError, type ErrorCode } from '../errors';

export interface ScimErrorInfo {
  app: string;
  operation: string;
  method: string;
  path: string;
  status?: number;
  scimType?: string;
  detail?: string;
  /** From `Retry-After` (seconds or HTTP-date, RFC 9110 §10.2.3). */
  retryAfterMs?: number;
}

export class ScimError extends JmlError {
  override name = 'ScimError';
  readonly info: ScimErrorInfo;

  constructor(
    code: ErrorCode,
    info: ScimErrorInfo,
    options: { retryable: boolean; cause?: unknown; message?: string },
  ) {
    const what = `${info.app} ${info.operation}: ${info.method} ${info.path}`;
    const status = info.status ? ` → HTTP ${info.status}${info.scimType ? ` ${info.scimType}` : ''}` : '';
    super(code, options.message ?? `${what}${status}${info.detail ? ` — ${info.detail}` : ''}`, {
      retryable: options.retryable,
      cause: options.cause,
    });
    this.info = info;
  }
}

/** Reads a SCIM error body, or whatever the app sent instead (HTML, plain text). */
export function parseErrorBody(text: string): { scimType?: string; detail?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) {
    const trimmed = (typeof parsed === 'string' ? parsed : text).trim().slice(0, 200);
    return { detail: trimmed || undefined };
  }
  const body = parsed as {
    scimType?: unknown;
    detail?: unknown;
    message?: unknown;
    error?: unknown;
    error_description?: unknown;
  };
  // SCIM's `detail` first, then what gateways and OAuth servers (RFC 6749 §5.2) write instead.
  const detail = [body.detail, body.message, body.error_description, body.error].find(
    (v): v is string => typeof v === 'string',
  );
  return { scimType: typeof body.scimType === 'string' ? body.scimType : undefined, detail };
}

/** `Retry-After`: delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** HTTP status → error code and retryability. */
export function classifyStatus(status: number): { code: ErrorCode; retryable: boolean } {
  if (status === 429) return { code: ERROR_CODES.SCIM_RATE_LIMITED, retryable: true };
  if (status >= 500) return { code: ERROR_CODES.SCIM_SERVER_ERROR, retryable: true };
  if (status === 401) return { code: ERROR_CODES.SCIM_UNAUTHORIZED, retryable: false };
  if (status === 403) return { code: ERROR_CODES.SCIM_FORBIDDEN, retryable: false };
  if (status === 404) return { code: ERROR_CODES.SCIM_NOT_FOUND, retryable: false };
  if (status === 409) return { code: ERROR_CODES.SCIM_CONFLICT, retryable: false };
  // A version mismatch is fixed by reading again, which a retry does.
  if (status === 412) return { code: ERROR_CODES.SCIM_PRECONDITION_FAILED, retryable: true };
  if (status === 501) return { code: ERROR_CODES.SCIM_UNSUPPORTED, retryable: false };
  return { code: ERROR_CODES.SCIM_BAD_REQUEST, retryable: false };
}
