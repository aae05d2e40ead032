/**
 * Error answers of the API. Every rejection has a stable `code` (clients branch on it), a
 * sentence for people, and for validation errors one line per field: `path: problem`.
 */
import type { z } from 'zod';

export const API_ERROR_CODES = {
  UNAUTHORIZED: 'API_UNAUTHORIZED',
  SIGNATURE_INVALID: 'API_SIGNATURE_INVALID',
  TIMESTAMP_OUT_OF_WINDOW: 'API_TIMESTAMP_OUT_OF_WINDOW',
  INVALID_EVENT: 'API_INVALID_EVENT',
  INVALID_JSON: 'API_INVALID_JSON',
  /** The body is not valid UTF-8 (it is refused, never repaired). */
  INVALID_ENCODING: 'API_INVALID_ENCODING',
  /** Any other malformed request (bad Content-Length, …). */
  BAD_REQUEST: 'API_BAD_REQUEST',
  PAYLOAD_TOO_LARGE: 'API_PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'API_UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED: 'API_RATE_LIMITED',
  IDEMPOTENCY_CONFLICT: 'API_IDEMPOTENCY_CONFLICT',
  NOT_FOUND: 'API_NOT_FOUND',
  TEMPORAL_UNAVAILABLE: 'API_TEMPORAL_UNAVAILABLE',
  INTERNAL: 'API_INTERNAL',
} as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[keyof typeof API_ERROR_CODES];

/** The JSON body of every 4xx/5xx answer. */
export interface ApiErrorBody {
  status: number;
  code: ApiErrorCode;
  message: string;
  /** Validation problems, one per field: `employee.workEmail: invalid email address`. */
  issues?: string[];
  /** RFC 6901 JSON Pointers into the request body of the fields at fault, where known. */
  fields?: string[];
  requestId?: string;
}

/** Thrown inside handlers; the server's error handler turns it into the JSON body. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: string[],
    readonly headers: Record<string, string> = {},
    readonly fields?: string[],
  ) {
    super(message);
  }

  body(requestId?: string): ApiErrorBody {
    return {
      status: this.status,
      code: this.code,
      message: this.message,
      ...(this.issues ? { issues: this.issues } : {}),
      ...(this.fields && this.fields.length > 0 ? { fields: [...new Set(this.fields)] } : {}),
      ...(requestId ? { requestId } : {}),
    };
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}

/** Zod issues as `path: problem` lines, with a hint how to fix the common mistakes. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.map((issue) => {
    const path = formatPath([...(prefix ? [prefix] : []), ...issue.path]) || '(body)';
    if (issue.code === 'unrecognized_keys')
      return `${path}: unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove them`;
    if (issue.code === 'invalid_format' && issue.format === 'datetime') {
      return `${path}: invalid date-time; use ISO 8601 with a time zone offset, e.g. 2026-12-04T09:00:00+01:00`;
    }
    if (issue.code === 'invalid_type' && issue.input === undefined)
      return `${path}: required (expected ${issue.expected})`;
    return `${path}: ${lowerFirst(issue.message)}`;
  });
}
