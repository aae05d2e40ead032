/** Authenticates an intake request (HMAC signature and/or bearer token) before its body is parsed. */
import type { FastifyRequest } from 'fastify';
import { ApiError, API_ERROR_CODES } from './problems';
import type { ApiSecrets } from './secrets';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyBearer, verifySignature, type SignatureFailure } from './signature';

const REASONS: Record<SignatureFailure['reason'], { code: (typeof API_ERROR_CODES)[keyof typeof API_ERROR_CODES]; message: string }> = {
  'missing-timestamp': { code: API_ERROR_CODES.UNAUTHORIZED, message: `missing ${TIMESTAMP_HEADER} header (Unix seconds when the request was signed)` },
  'malformed-timestamp': { code: API_ERROR_CODES.UNAUTHORIZED, message: `${TIMESTAMP_HEADER} must be Unix seconds (digits only)` },
  'stale-timestamp': { code: API_ERROR_CODES.TIMESTAMP_OUT_OF_WINDOW, message: `${TIMESTAMP_HEADER} is too old (outside the replay window); sign the request again with the current time` },
  'future-timestamp': { code: API_ERROR_CODES.TIMESTAMP_OUT_OF_WINDOW, message: `${TIMESTAMP_HEADER} is in the future beyond the replay window; check the sender's clock` },
  'missing-signature': { code: API_ERROR_CODES.UNAUTHORIZED, message: `missing ${SIGNATURE_HEADER} header (v1=<hex HMAC-SHA256 of "<timestamp>.<body>">)` },
  'malformed-signature': { code: API_ERROR_CODES.SIGNATURE_INVALID, message: `${SIGNATURE_HEADER} must be v1=<64 hex digits>` },
  'bad-signature': { code: API_ERROR_CODES.SIGNATURE_INVALID, message: 'signature does not match the body with any configured secret' },
};

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Throws a 401 `ApiError` unless the request carries a valid signature (when HMAC secrets are
 * configured) and a valid bearer token (when tokens are configured).
 */
export function authenticate(request: FastifyRequest, body: Buffer, secrets: ApiSecrets, windowSec: number, nowMs: number): void {
  if (secrets.bearerTokens.length > 0 && !verifyBearer(header(request, 'authorization'), secrets.bearerTokens)) {
    throw new ApiError(401, API_ERROR_CODES.UNAUTHORIZED, 'missing or invalid bearer token', undefined, { 'www-authenticate': 'Bearer realm="jml"' });
  }
  if (secrets.hmacSecrets.length === 0) return;
  const check = verifySignature({
    secrets: secrets.hmacSecrets,
    timestamp: header(request, TIMESTAMP_HEADER),
    signature: header(request, SIGNATURE_HEADER),
    body,
    nowSec: Math.floor(nowMs / 1000),
    windowSec,
  });
  if (!check.ok) {
    const { code, message } = REASONS[check.reason];
    throw new ApiError(401, code, message);
  }
}
