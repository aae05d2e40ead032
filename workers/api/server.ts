/**
 * The intake API server. `buildApiServer` returns the fastify instance unstarted, so `jml api`
 * listens on its port and tests listen on port 0.
 */
import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { DEFAULT_PLAUSIBILITY } from '../../lib/hr/plausibility';
import { createLogger, type Logger } from '../../lib/logger';
import { collectProcessMetrics } from '../../lib/metrics';
import { createTemporalGateway, type TemporalTarget } from './gateway';
import { MemoryIdempotencyStore, type IdempotencyStore } from './idempotency';
import { EventIntake } from './intake';
import { ApiError, API_ERROR_CODES, type ApiErrorCode } from './problems';
import { RateLimiter } from './rate-limit';
import { registerEmployeeRoutes, type TimelineSource } from './routes/employees';
import { registerAppRoutes } from './routes/apps';
import { registerEventRoutes } from './routes/events';
import { registerRosterRoutes } from './routes/roster';
import { registerHealthRoutes } from './routes/health';
import { assertUsableSecrets, readTokensOf, type ApiSecrets } from './secrets';
import { DEFAULT_REPLAY_WINDOW_SEC } from './signature';

export interface ApiLimits {
  /** Largest accepted body; larger ones get 413 before any parsing. @default 1048576 (1 MiB) */
  bodyBytes: number;
  /** Largest accepted roster body (`POST /v1/hr/roster`: a whole company). @default 33554432 (32 MiB) */
  rosterBodyBytes: number;
  /** Sustained intake requests per second per client address. @default 50 */
  ratePerSec: number;
  /** Burst size per client address. @default 100 */
  burst: number;
  /** Accepted clock difference for `X-JML-Timestamp`, both directions. @default 300 */
  replayWindowSec: number;
  /** How far an event's `occurredAt` may be ahead of this server's clock. @default 300 */
  clockSkewSec: number;
  /** Largest accepted `sequence`. @default 1e15 */
  maxSequence: number;
  /** How far ahead `effectiveAt` may be. @default 36525 days */
  maxEffectiveAheadDays: number;
}

export const DEFAULT_LIMITS: ApiLimits = {
  bodyBytes: 1_048_576,
  rosterBodyBytes: 33_554_432,
  ratePerSec: 50,
  burst: 100,
  replayWindowSec: DEFAULT_REPLAY_WINDOW_SEC,
  ...DEFAULT_PLAUSIBILITY,
};

export interface ApiServerOptions {
  temporal: TemporalTarget;
  secrets: ApiSecrets;
  limits?: Partial<ApiLimits>;
  /** @default a MemoryIdempotencyStore (per process, bounded) */
  idempotency?: IdempotencyStore;
  logger?: Logger;
  /** IANA zone for date-only HR values in vendor payloads. @default 'UTC' */
  timeZone?: string;
  /** Durable timeline (audit store). @default the workflow's `timeline` query */
  timelineSource?: TimelineSource;
  /** Extra routes (e.g. the audit console), registered after the API's own. */
  routes?: Array<(app: FastifyInstance) => Promise<void> | void>;
  /** Trust `X-Forwarded-For` from a reverse proxy for the client address (rate limiting). @default false */
  trustProxy?: boolean | string | string[];
  /** Clock in epoch ms (tests of the replay window sign relative to it). @default Date.now */
  now?: () => number;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: API_ERROR_CODES.PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: API_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: API_ERROR_CODES.BAD_REQUEST,
};

function toApiError(err: FastifyError | ApiError): ApiError {
  if (err instanceof ApiError) return err;
  const code = err.code ? FASTIFY_CODES[err.code] : undefined;
  if (code === API_ERROR_CODES.PAYLOAD_TOO_LARGE)
    return new ApiError(413, code, 'the body is larger than the accepted limit');
  if (code === API_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE)
    return new ApiError(415, code, 'send the event as Content-Type: application/json (or application/scim+json)');
  if (code) return new ApiError(400, code, err.message);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    return new ApiError(err.statusCode, API_ERROR_CODES.BAD_REQUEST, err.message);
  return new ApiError(500, API_ERROR_CODES.INTERNAL, 'internal error; see the server log for this request id');
}

function errorHandler(err: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply) {
  const apiError = toApiError(err);
  if (apiError.status >= 500) request.log.error({ err }, 'request failed');
  else request.log.info({ code: apiError.code, status: apiError.status }, 'request rejected');
  return reply
    .code(apiError.status)
    .headers(apiError.headers)
    .send(apiError.body(String(request.id)));
}

/**
 * Headers on every answer, pages and errors alike: nothing here may be framed (clickjacking),
 * sniffed into another type, or kept by a cache (answers carry personal data). A page that
 * sets its own Content-Security-Policy (the console) keeps it, with `frame-ancestors` added.
 */
function setSecurityHeaders(reply: FastifyReply): void {
  const csp = reply.getHeader('content-security-policy');
  if (typeof csp === 'string' && csp !== '') {
    if (!/frame-ancestors/.test(csp)) reply.header('content-security-policy', `${csp}; frame-ancestors 'none'`);
  } else {
    reply.header(
      'content-security-policy',
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
  }
  reply.header('x-content-type-options', 'nosniff');
  reply.header('cache-control', 'no-store');
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'no-referrer');
}

/** Builds the API (not listening). Throws if `secrets` would leave the intake unauthenticated. */
export function buildApiServer(options: ApiServerOptions): FastifyInstance {
  assertUsableSecrets(options.secrets);
  collectProcessMetrics();
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const logger = options.logger ?? createLogger({ base: { component: 'api' } });
  const now = options.now ?? Date.now;
  const app = Fastify({
    // pino 10 vs the pino types fastify bundles: same runtime object, different declarations.
    loggerInstance: logger as unknown as FastifyBaseLogger,
    bodyLimit: limits.bodyBytes,
    trustProxy: options.trustProxy ?? false,
    genReqId: (req) => {
      const offered = req.headers['x-request-id'];
      return typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : randomUUID();
    },
  });
  // The HMAC covers the exact bytes, so the body stays a Buffer until the signature is checked.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/scim+json'], { parseAs: 'buffer' }, (_req, body, done) =>
    done(null, body),
  );
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', String(request.id));
    setSecurityHeaders(reply);
  });
  const rateLimiter = new RateLimiter({ ratePerSec: limits.ratePerSec, burst: limits.burst });
  // Before the body is read, on every route but the probes: a flood costs no parsing, hashing
  // or HMAC work, and reads (personal data) cannot be scraped at full speed. Writes and reads
  // have separate buckets, so a client polling status does not starve its own webhooks.
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0];
    if (path === '/healthz' || path === '/readyz') return;
    const kind = request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write';
    const decision = rateLimiter.take(`${kind}:${request.ip}`, now());
    if (!decision.allowed) {
      throw new ApiError(
        429,
        API_ERROR_CODES.RATE_LIMITED,
        `too many requests; retry after ${decision.retryAfterSec} s`,
        undefined,
        {
          'retry-after': String(decision.retryAfterSec),
        },
      );
    }
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    errorHandler(
      new ApiError(404, API_ERROR_CODES.NOT_FOUND, `no route ${request.method} ${request.url.split('?')[0]}`),
      request,
      reply,
    ),
  );

  const gateway = createTemporalGateway(options.temporal);
  const plausibility = {
    clockSkewSec: limits.clockSkewSec,
    maxSequence: limits.maxSequence,
    maxEffectiveAheadDays: limits.maxEffectiveAheadDays,
  };
  const intake = new EventIntake({
    gateway,
    store: options.idempotency ?? new MemoryIdempotencyStore(),
    logger,
    plausibility,
  });
  registerEventRoutes(app, {
    intake,
    secrets: options.secrets,
    replayWindowSec: limits.replayWindowSec,
    timeZone: options.timeZone ?? 'UTC',
    now,
  });
  const readTokens = readTokensOf(options.secrets);
  if (readTokens.length === 0)
    logger.warn(
      'GET /v1/employees/* is unauthenticated: set JML_API_READ_TOKENS (or JML_API_BEARER_TOKENS) to protect it',
    );
  registerRosterRoutes(app, {
    gateway,
    secrets: options.secrets,
    readTokens,
    replayWindowSec: limits.replayWindowSec,
    plausibility,
    bodyLimit: limits.rosterBodyBytes,
    now,
  });
  registerEmployeeRoutes(app, { gateway, timelineSource: options.timelineSource ?? gateway.timeline, readTokens });
  registerAppRoutes(app, { gateway, readTokens });
  registerHealthRoutes(app, { gateway });
  for (const register of options.routes ?? []) void app.register(async (scope) => register(scope));
  return app;
}
