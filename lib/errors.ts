/**
 * The error registry: every error the orchestrator raises carries a stable `code` string.
 * Code that handles errors branches on `code` (or on `ApplicationFailure.type`, which is set
 * to the same string at the activity edge), never on `instanceof` — classes do not survive
 * the workflow sandbox or a process boundary, strings do.
 */
export const ERROR_CODES = {
  /** A connector or policy file is invalid; start-up refuses to continue. */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** A `env:`/`file:` secret reference could not be resolved. */
  SECRET_UNRESOLVED: 'SECRET_UNRESOLVED',
  /** RFC 7644 §3.12 — 400 with a `scimType` (invalidFilter, invalidSyntax, invalidValue…). */
  SCIM_BAD_REQUEST: 'SCIM_BAD_REQUEST',
  SCIM_UNAUTHORIZED: 'SCIM_UNAUTHORIZED',
  SCIM_FORBIDDEN: 'SCIM_FORBIDDEN',
  SCIM_NOT_FOUND: 'SCIM_NOT_FOUND',
  /** 409 uniqueness that could not be resolved to the same person's account. */
  SCIM_CONFLICT: 'SCIM_CONFLICT',
  /** The account matched by `userName` has another person's `externalId`: never adopted. */
  SCIM_ACCOUNT_OWNED_BY_OTHER: 'SCIM_ACCOUNT_OWNED_BY_OTHER',
  /** 412 — ETag mismatch (RFC 7644 §3.14). */
  SCIM_PRECONDITION_FAILED: 'SCIM_PRECONDITION_FAILED',
  /** 429; `retryAfterMs` carries the server's `Retry-After`. */
  SCIM_RATE_LIMITED: 'SCIM_RATE_LIMITED',
  /** 5xx. */
  SCIM_SERVER_ERROR: 'SCIM_SERVER_ERROR',
  /** Connection refused/reset, DNS, TLS. */
  SCIM_NETWORK: 'SCIM_NETWORK',
  SCIM_TIMEOUT: 'SCIM_TIMEOUT',
  /**
   * Several groups in the app share the `displayName` the orchestrator must address and none
   * is known by id: it stops instead of guessing which one grants access (an operator merges or
   * renames them, then `retryApp`).
   */
  SCIM_GROUP_AMBIGUOUS: 'SCIM_GROUP_AMBIGUOUS',
  /** The app acknowledged a change (e.g. a member removal) that reading it back does not show. */
  SCIM_UNCONFIRMED: 'SCIM_UNCONFIRMED',
  /** The app answered something that is not valid SCIM (bad JSON, missing `id`…). */
  SCIM_PROTOCOL: 'SCIM_PROTOCOL',
  /** The operation needs a capability the connector does not declare (PATCH, groups, delete). */
  SCIM_UNSUPPORTED: 'SCIM_UNSUPPORTED',
  /** A `required` mapping has no value for this employee (names app, target and HR field). */
  MAPPING_REQUIRED_MISSING: 'MAPPING_REQUIRED_MISSING',
  /** A mapped value cannot be written to its SCIM attribute (e.g. "maybe" for a boolean). */
  MAPPING_INVALID_VALUE: 'MAPPING_INVALID_VALUE',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** Base class: a message for people, a stable code for programs, and whether to retry. */
export class JmlError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JmlError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** True for any error that carries one of our codes (works across module copies). */
export function hasErrorCode(err: unknown, code?: ErrorCode): err is JmlError {
  if (typeof err !== 'object' || err === null) return false;
  const c = (err as { code?: unknown }).code;
  return typeof c === 'string' && c in ERROR_CODES && (code === undefined || c === code);
}
