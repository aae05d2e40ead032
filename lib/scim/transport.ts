/**
 * One SCIM HTTP exchange: paced by the app's limiter, authenticated, timed, logged at debug
 * (method, path, status, latency — never headers or bodies), reported to the caller's
 * `recorder` (the audit trail of one activity attempt) and to the process-wide `onRequest`
 * observer, and turned into a `ScimError` on failure. Response bodies are always consumed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errors as undiciErrors, type Dispatcher } from 'undici';
import type { ConnectorConfig } from '../config/types';
import { ERROR_CODES } from '../errors';
import type { Logger } from '../logger';
import type { AuthHeader } from './auth';
import { readBodyCapped, ResponseTooLargeError, DEFAULT_MAX_RESPONSE_BYTES } from './body';
import { classifyStatus, parseErrorBody, parseRetryAfter, ScimError } from './errors';
import type { Semaphore, TokenBucket } from './limiter';

/** Receives each exchange of one call; the caller knows what the requests belong to. */
export type RequestRecorder = (info: ScimRequestInfo) => void;

export interface ScimCallOptions {
  signal?: AbortSignal;
  /** Told of every exchange this call makes (the activity's audit trail). */
  recorder?: RequestRecorder;
  /**
   * The call takes access away (a deactivation, a group removal): its requests go before every
   * other waiting request to the app in this process's rate limit and concurrency queues (they
   * still take a token: the app's limit holds).
   */
  urgent?: boolean;
}

export interface ScimRequestInfo {
  app: string;
  operation: string;
  method: string;
  path: string;
  status?: number;
  latencyMs: number;
  scimType?: string;
  detail?: string;
  targetId?: string;
  /** Changed attribute paths (never values). */
  attributes?: string[];
  errorCode?: string;
}

export interface ScimResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface ExchangeRequest {
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses the caller handles itself (e.g. 404 on DELETE, 409 on create). */
  accept?: number[];
  targetId?: string;
  attributes?: string[];
  /**
   * A write whose repetition cannot change the outcome (it sets a desired state, or a repeat is
   * recognised: 409 adoption on create, 404 accepted on delete), so a transient failure may be
   * retried inside the call like a read. Not for conditional (If-Match) writes or removals by
   * filter, whose repeat after a lost answer would fail.
   */
  repeatable?: boolean;
}

export interface TransportDeps {
  connector: ConnectorConfig;
  dispatcher: Dispatcher;
  auth: AuthHeader;
  bucket: TokenBucket;
  semaphore: Semaphore;
  logger: Logger;
  onRequest?: (info: ScimRequestInfo) => void;
  now: () => number;
  /** Larger answers fail the request (SCIM_PROTOCOL). @default 10 MiB */
  maxResponseBytes?: number;
}

/**
 * Quick retries inside one call. One activity attempt makes several requests (look up by
 * externalId, by userName, read the account, write, add to groups); if any single transient
 * failure failed the whole attempt, an app failing 20 % of requests would make most attempts
 * fail, and every retry repeats the lookups after Temporal's growing backoff. Reads, and writes
 * marked `repeatable`, are safe to repeat, so a 429/5xx/reset is retried here a couple of times
 * (honouring a short Retry-After). Other writes are not: their retry belongs to Temporal, after
 * a fresh read. Timeouts are not either: their time budget is spent.
 */
export const QUICK_RETRIES = 2;
/** A Retry-After longer than this goes back to Temporal's backoff instead of holding the activity. */
export const QUICK_RETRY_MAX_WAIT_MS = 5_000;
const QUICK_RETRY_BASE_MS = 200;

export function quickRetryDelayMs(
  req: Pick<ExchangeRequest, 'method' | 'repeatable'>,
  err: unknown,
  retriesSoFar: number,
): number | undefined {
  if ((req.method !== 'GET' && !req.repeatable) || retriesSoFar >= QUICK_RETRIES) return undefined;
  if (!(err instanceof ScimError) || !err.retryable || err.code === ERROR_CODES.SCIM_TIMEOUT) return undefined;
  const hinted = err.info.retryAfterMs;
  if (hinted !== undefined) return hinted <= QUICK_RETRY_MAX_WAIT_MS ? hinted : undefined;
  return QUICK_RETRY_BASE_MS * 2 ** retriesSoFar;
}

export class ScimTransport {
  private readonly base: URL;

  constructor(private readonly d: TransportDeps) {
    this.base = new URL(d.connector.scim.baseUrl);
  }

  async exchange(req: ExchangeRequest, o: ScimCallOptions = {}): Promise<ScimResponse> {
    for (let retries = 0; ; retries++) {
      try {
        return await this.exchangeOnce(req, o);
      } catch (err) {
        const delay = quickRetryDelayMs(req, err, retries);
        if (delay === undefined) throw err;
        // Waiting holds no concurrency slot; the repeat takes its own rate-limit token.
        await sleep(delay, undefined, { signal: o.signal });
      }
    }
  }

  private async exchangeOnce(req: ExchangeRequest, o: ScimCallOptions): Promise<ScimResponse> {
    await this.d.bucket.acquire(o.signal, o.urgent);
    return this.d.semaphore.run(
      async () => {
        const first = await this.once(req, o);
        // One refresh-and-retry when an OAuth token was rejected (revoked or rotated early).
        if (first.status === 401 && this.d.auth.invalidate()) {
          this.report(req, o, {
            latencyMs: first.latencyMs,
            status: 401,
            detail: 'access token rejected; fetching a new one',
          });
          // The repeat is a request like any other: it takes its own rate-limit token.
          await this.d.bucket.acquire(o.signal, o.urgent);
          return this.finish(req, o, await this.once(req, o));
        }
        return this.finish(req, o, first);
      },
      o.signal,
      o.urgent,
    );
  }

  private fullPath(path: string): string {
    return `${this.base.pathname.replace(/\/$/, '')}${path}`;
  }

  private async once(req: ExchangeRequest, o: ScimCallOptions): Promise<ScimResponse & { latencyMs: number }> {
    // Outside the try: token endpoint and secret errors carry their own codes.
    const authorization = await this.d.auth.header();
    const started = this.d.now();
    // timeouts.request bounds the whole exchange, headers to last body byte (a trickling body too).
    const deadline = AbortSignal.timeout(this.d.connector.timeouts.requestMs);
    try {
      const res = await this.d.dispatcher.request({
        origin: this.base.origin,
        path: this.fullPath(req.path),
        method: req.method,
        headers: {
          accept: 'application/scim+json, application/json',
          authorization,
          ...(req.body === undefined ? {} : { 'content-type': 'application/scim+json' }),
          ...(req.headers ?? {}),
        },
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        headersTimeout: this.d.connector.timeouts.requestMs,
        bodyTimeout: this.d.connector.timeouts.requestMs,
        signal: abortsOnCancel(req) && o.signal ? AbortSignal.any([o.signal, deadline]) : deadline,
      });
      const text = await readBodyCapped(res, this.d.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES).catch(
        (err: unknown) => {
          throw err instanceof ResponseTooLargeError
            ? this.tooLarge(req, o, err, res.statusCode, this.d.now() - started)
            : err;
        },
      );
      return { status: res.statusCode, headers: res.headers, body: parseBody(text), latencyMs: this.d.now() - started };
    } catch (err) {
      if (err instanceof ScimError) throw err;
      throw this.failed(req, o, err, this.d.now() - started, deadline.aborted);
    }
  }

  /** An answer past the size limit: not retried here (the app would send it again), reported, failed. */
  private tooLarge(
    req: ExchangeRequest,
    o: ScimCallOptions,
    err: ResponseTooLargeError,
    status: number,
    latencyMs: number,
  ): ScimError {
    const detail = `answer not read: ${err.message}`;
    this.report(req, o, { latencyMs, status, errorCode: ERROR_CODES.SCIM_PROTOCOL, detail });
    const info = { app: this.d.connector.id, operation: req.operation, method: req.method, path: req.path, status };
    return new ScimError(ERROR_CODES.SCIM_PROTOCOL, info, {
      retryable: false,
      cause: err,
      message: `${info.app} ${info.operation}: ${info.method} ${info.path} — HTTP ${status}, ${detail}`,
    });
  }

  /** A request that got no complete answer: cancelled (rethrown as is), timed out, or a network failure. */
  private failed(
    req: ExchangeRequest,
    o: ScimCallOptions,
    err: unknown,
    latencyMs: number,
    deadlinePassed: boolean,
  ): unknown {
    const timeout =
      deadlinePassed ||
      err instanceof undiciErrors.HeadersTimeoutError ||
      err instanceof undiciErrors.BodyTimeoutError ||
      err instanceof undiciErrors.ConnectTimeoutError;
    const code = timeout ? ERROR_CODES.SCIM_TIMEOUT : ERROR_CODES.SCIM_NETWORK;
    const message = (err as Error).message;
    this.report(req, o, { latencyMs, errorCode: code, detail: message });
    // Cancellation is the activity's business, not an app failure.
    if (o.signal?.aborted && !deadlinePassed) return err;
    const info = { app: this.d.connector.id, operation: req.operation, method: req.method, path: req.path };
    return new ScimError(code, info, {
      retryable: true,
      cause: err,
      message: `${info.app} ${info.operation}: ${info.method} ${info.path} — ${timeout ? `no complete answer within ${this.d.connector.timeouts.requestMs} ms` : 'network error'}: ${message}`,
    });
  }

  private finish(req: ExchangeRequest, o: ScimCallOptions, res: ScimResponse & { latencyMs: number }): ScimResponse {
    const ok = (res.status >= 200 && res.status < 300) || (req.accept ?? []).includes(res.status);
    const parsed = ok ? {} : parseErrorBody(typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? ''));
    const { code, retryable } = classifyStatus(res.status);
    this.report(req, o, { latencyMs: res.latencyMs, status: res.status, ...parsed, errorCode: ok ? undefined : code });
    if (ok) return res;
    const retryAfterMs = parseRetryAfter(res.headers['retry-after'], this.d.now());
    throw new ScimError(
      code,
      {
        app: this.d.connector.id,
        operation: req.operation,
        method: req.method,
        path: req.path,
        status: res.status,
        ...parsed,
        retryAfterMs,
      },
      { retryable },
    );
  }

  private report(req: ExchangeRequest, o: ScimCallOptions, r: Partial<ScimRequestInfo> & { latencyMs: number }): void {
    const info: ScimRequestInfo = {
      app: this.d.connector.id,
      operation: req.operation,
      method: req.method,
      path: req.path,
      targetId: req.targetId,
      attributes: req.attributes,
      ...r,
    };
    this.d.logger.debug(
      {
        method: info.method,
        path: info.path,
        status: info.status,
        latencyMs: info.latencyMs,
        errorCode: info.errorCode,
      },
      'scim request',
    );
    o.recorder?.(info);
    this.d.onRequest?.(info);
  }
}

/** JSON when it parses; otherwise the text (an HTML error page, a plain-text message). */
function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Whether cancellation may abort this request once it is on the wire. Reads: yes. Writes: no —
 * an app applies a write it has received whether or not the client still listens, so aborting
 * it only hides the outcome: a joiner's create cut short by a termination would land after the
 * leaver has looked the account up, leaving a terminated person active. A cancelled write runs
 * to its answer (bounded by `timeouts.request`); the cancellation takes effect at the next wait.
 */
function abortsOnCancel(req: ExchangeRequest): boolean {
  return req.method === 'GET';
}
