/** Authenticates an intake request (HMAC signature and/or bearer token) before its body is parsed. */
import type { FastifyRequest } from 'fastify';
import { ApiError, API_ERROR_CODES } from './problems';
import type { ApiSecrets } from './secrets';
import {
  BAMBOOHR_SIGNATURE_HEADER,
  BAMBOOHR_TIMESTAMP_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyBambooHrSignature,
  verifyBearer,
  verifySignature,
  type SignatureCheck,
  type SignatureFailure,
} from './signature';

type Code = (typeof API_ERROR_CODES)[keyof typeof API_ERROR_CODES];

/** The 401 answer for a failed check, naming the headers of the scheme that was used. */
function reasonFor(reason: SignatureFailure['reason'], ts: string, sig: string): { code: Code; message: string } {
  const messages: Record<SignatureFailure['reason'], [Code, string]> = {
    'missing-timestamp': [
      API_ERROR_CODES.UNAUTHORIZED,
      `missing ${ts} header (Unix seconds when the request was signed)`,
    ],
    'malformed-timestamp': [API_ERROR_CODES.UNAUTHORIZED, `${ts} must be Unix seconds (digits only)`],
    'stale-timestamp': [
      API_ERROR_CODES.TIMESTAMP_OUT_OF_WINDOW,
      `${ts} is too old (outside the replay window); sign the request again with the current time`,
    ],
    'future-timestamp': [
      API_ERROR_CODES.TIMESTAMP_OUT_OF_WINDOW,
      `${ts} is in the future beyond the replay window; check the sender's clock`,
    ],
    'missing-signature': [
      API_ERROR_CODES.UNAUTHORIZED,
      `missing ${sig} header (v1=<hex HMAC-SHA256 of "<timestamp>.<body>">)`,
    ],
    'malformed-signature': [
      API_ERROR_CODES.SIGNATURE_INVALID,
      `${sig} must be ${sig === SIGNATURE_HEADER ? 'v1=' : ''}<64 hex digits>`,
    ],
    'bad-signature': [
      API_ERROR_CODES.SIGNATURE_INVALID,
      'signature does not match the body with any configured secret',
    ],
  };
  const [code, message] = messages[reason];
  return { code, message };
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** BambooHR cannot send our headers; on its route, its own signature counts when keys are set. */
function bambooHrCheck(
  request: FastifyRequest,
  body: Buffer,
  secrets: ApiSecrets,
  windowSec: number,
  nowSec: number,
): SignatureCheck | undefined {
  const keys = secrets.bambooHrKeys ?? [];
  if (keys.length === 0 || header(request, BAMBOOHR_SIGNATURE_HEADER) === undefined) return undefined;
  return verifyBambooHrSignature({
    keys,
    timestamp: header(request, BAMBOOHR_TIMESTAMP_HEADER),
    signature: header(request, BAMBOOHR_SIGNATURE_HEADER),
    body,
    nowSec,
    windowSec,
  });
}

/**
 * Throws a 401 `ApiError` unless the request carries a valid signature — always: a bearer
 * token alone never authorizes a change (tokens leak into proxies and shells; a signature binds
 * the exact body and a time window). When bearer tokens are configured, one is required as
 * well. On the BambooHR route a valid `X-BambooHR-Signature` replaces `X-JML-Signature`.
 */
export function authenticate(
  request: FastifyRequest,
  body: Buffer,
  secrets: ApiSecrets,
  windowSec: number,
  nowMs: number,
  adapter: string,
): void {
  if (secrets.bearerTokens.length > 0 && !verifyBearer(header(request, 'authorization'), secrets.bearerTokens)) {
    throw new ApiError(401, API_ERROR_CODES.UNAUTHORIZED, 'missing or invalid bearer token', undefined, {
      'www-authenticate': 'Bearer realm="jml"',
    });
  }
  const nowSec = Math.floor(nowMs / 1000);
  const vendor = adapter === 'bamboohr' ? bambooHrCheck(request, body, secrets, windowSec, nowSec) : undefined;
  const check =
    vendor ??
    verifySignature({
      secrets: secrets.hmacSecrets,
      timestamp: header(request, TIMESTAMP_HEADER),
      signature: header(request, SIGNATURE_HEADER),
      body,
      nowSec,
      windowSec,
    });
  if (!check.ok) {
    const { code, message } = vendor
      ? reasonFor(check.reason, BAMBOOHR_TIMESTAMP_HEADER, BAMBOOHR_SIGNATURE_HEADER)
      : reasonFor(check.reason, TIMESTAMP_HEADER, SIGNATURE_HEADER);
    throw new ApiError(401, code, message);
  }
}
