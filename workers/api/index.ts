/** The HR intake API: server factory, request signing and the pieces other processes reuse. */
export { buildApiServer, DEFAULT_LIMITS, type ApiLimits, type ApiServerOptions } from './server';
export {
  createSignedRequest,
  computeSignature,
  verifySignature,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  type SignedRequest,
} from './signature';
export { apiSecretsFromEnv, readTokensOf, type ApiSecrets } from './secrets';
export {
  MemoryIdempotencyStore,
  type IdempotencyStore,
  type IdempotencyRecord,
  type AcceptedAnswer,
} from './idempotency';
export { API_ERROR_CODES, type ApiErrorBody, type ApiErrorCode } from './problems';
export { VENDOR_ADAPTERS } from './adapters';
export type { TimelineSource } from './routes/employees';
export { auditReadSide } from './audit-read';
export { parseTrustedProxies, TrustedProxiesError } from './trusted-proxies';
