/**
 * The life of one HTTP request: record it, enforce the rate limit, add latency, inject a
 * fault before or after the protocol work (an `after` fault means the write took effect but
 * the client never learns it), authenticate, route, answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ScimRequest, ScimResponse, ServerState } from '../context';
import type { FaultPlanner } from '../faults/planner';
import type { RateMeter, TokenBucket } from '../faults/rate-limit';
import type { FaultKind, FaultOptions, FaultTiming } from '../faults/types';
import { ScimProtocolError, errorBody } from '../protocol/errors';
import { route } from '../router';
import type { RecordedRequest } from '../types';
import type { ServerAuth } from '../types';
import { authenticate, redactHeaders } from './auth';
import type { TokenIssuer } from './oauth';
import { BodyTooLargeError, bodyForRecord, parseJsonBody, readBody, responseContentType, writeResponse } from './io';

/** Everything the request handler works with; the server composes it. */
export interface HandlerDeps {
  state: ServerState;
  basePath: string;
  auth?: ServerAuth;
  /** The OAuth token endpoint, when `auth.oauth2` is configured. */
  issuer?: TokenIssuer;
  planner: FaultPlanner;
  /** The current rate limit, if any: its bucket and the methods it applies to (all when absent). */
  rateLimit: () => { bucket: TokenBucket; methods?: string[] } | undefined;
  meter: RateMeter;
  requests: RecordedRequest[];
  counters: { requests: number; rateLimited: number; faults: Record<string, number> };
  onRequest?: (record: RecordedRequest) => void;
  maxRecordedRequests?: number;
  /** Waits that can be cancelled when the server stops. */
  sleep: (ms: number) => Promise<void>;
}

const DISCOVERY = new Set(['ServiceProviderConfig', 'ResourceTypes', 'Schemas']);

function errorResponse(err: unknown): ScimResponse {
  if (err instanceof ScimProtocolError)
    return { status: err.status, body: errorBody(err.status, err.message, err.scimType), headers: err.headers };
  const detail = err instanceof Error ? err.message : String(err);
  return { status: 500, body: errorBody(500, `internal error: ${detail}`) };
}

function retryAfter(seconds: number, format: FaultOptions['retryAfterFormat']): Record<string, string> {
  const whole = Math.max(1, Math.ceil(seconds));
  return { 'retry-after': format === 'http-date' ? new Date(Date.now() + whole * 1000).toUTCString() : String(whole) };
}

/** Handles every HTTP request of one server instance. */
export class RequestHandler {
  constructor(private readonly deps: HandlerDeps) {}

  private relativePath(pathname: string): string | undefined {
    const base = this.deps.basePath;
    if (pathname === base) return '/';
    return pathname.startsWith(`${base}/`) ? pathname.slice(base.length) : undefined;
  }

  private answer(
    res: ServerResponse,
    record: RecordedRequest,
    response: ScimResponse,
    accept: string | undefined,
  ): void {
    if (writeResponse(res, response, responseContentType(accept))) {
      record.status = response.status;
      record.durationMs = Date.now() - record.receivedAt;
    }
  }

  private isPublic(relative: string | undefined): boolean {
    const first = relative?.split('/')[1];
    return this.deps.auth?.publicDiscovery === true && first !== undefined && DISCOVERY.has(first);
  }

  /** Authentication, then routing; every failure becomes an RFC 7644 §3.12 error response. */
  private process(
    req: IncomingMessage,
    raw: string,
    relative: string | undefined,
    query: URLSearchParams,
  ): ScimResponse {
    try {
      if (!this.isPublic(relative)) authenticate(req.headers.authorization, this.deps.auth, this.deps.issuer);
      if (relative === undefined) throw new ScimProtocolError(404, `no SCIM endpoint outside ${this.deps.basePath}`);
      const request: ScimRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        path: relative,
        query,
        headers: req.headers as Record<string, string | undefined>,
        body: parseJsonBody(raw, req.headers['content-type']),
      };
      return route(this.deps.state, request);
    } catch (err) {
      return errorResponse(err);
    }
  }

  private count(kind: string): void {
    this.deps.counters.faults[kind] = (this.deps.counters.faults[kind] ?? 0) + 1;
  }

  /** Rate limit: 429 with Retry-After when the token bucket is empty. Returns true if refused. */
  private refusedByRateLimit(res: ServerResponse, record: RecordedRequest, accept: string | undefined): boolean {
    const limit = this.deps.rateLimit();
    if (!limit || (limit.methods && !limit.methods.some((m) => m.toUpperCase() === record.method))) return false;
    const decision = limit.bucket.take();
    if (decision.allowed) return false;
    this.deps.counters.rateLimited += 1;
    record.fault = { kind: 'rateLimit', timing: 'before' };
    record.faults.push(record.fault);
    const body = errorBody(429, 'rate limit exceeded');
    this.answer(
      res,
      record,
      {
        status: 429,
        body,
        headers: retryAfter(decision.retryAfterMs / 1000, this.deps.planner.current.retryAfterFormat),
      },
      accept,
    );
    return true;
  }

  /**
   * Injects one fault. Returns the answer that replaces the real one (429, 5xx), `gone` when
   * no answer will be sent (reset, endless hang), or undefined after a finite hang, when the
   * request carries on normally.
   */
  private async strike(
    kind: FaultKind,
    timing: FaultTiming,
    req: IncomingMessage,
    record: RecordedRequest,
  ): Promise<ScimResponse | 'gone' | undefined> {
    const options = this.deps.planner.current;
    this.count(kind);
    const fault: RecordedRequest['faults'][number] = { kind, timing };
    record.faults.push(fault);
    record.fault = fault;
    switch (kind) {
      case '429':
        return {
          status: 429,
          body: errorBody(429, 'too many requests (injected)'),
          headers: retryAfter(options.retryAfterSeconds ?? 1, options.retryAfterFormat),
        };
      case '5xx': {
        const status = options.status5xx ?? 503;
        return {
          status,
          body: errorBody(status, 'service unavailable (injected)'),
          headers: status === 503 ? retryAfter(options.retryAfterSeconds ?? 1, options.retryAfterFormat) : {},
        };
      }
      case 'reset':
        req.socket.destroy();
        return 'gone';
      default:
        if (options.hangMs === undefined) return 'gone';
        fault.delayMs = options.hangMs;
        await this.deps.sleep(options.hangMs);
        return undefined;
    }
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const record = this.newRecord(req);
    try {
      await this.run(req, res, record);
    } catch (err) {
      // A bug here must not take the process down with an unhandled rejection: answer 500.
      this.answer(res, record, errorResponse(err), req.headers.accept);
    } finally {
      this.deps.onRequest?.(record);
    }
  }

  private newRecord(req: IncomingMessage): RecordedRequest {
    const url = new URL(req.url ?? '/', 'http://scim.invalid');
    const record: RecordedRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: redactHeaders(req.headers),
      body: undefined,
      status: null,
      receivedAt: Date.now(),
      durationMs: null,
      faults: [],
    };
    const { requests, maxRecordedRequests: max } = this.deps;
    requests.push(record);
    if (max !== undefined && requests.length > max) requests.splice(0, requests.length - max);
    this.deps.counters.requests += 1;
    this.deps.meter.record(record.receivedAt);
    return record;
  }

  /** The token endpoint stands apart from the SCIM API: no faults, no rate limit, plain JSON. */
  private serveToken(
    issuer: TokenIssuer,
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    raw: string,
  ): void {
    const issued = issuer.issue(record.method, req.headers['content-type'], raw, req.headers.authorization);
    if (writeResponse(res, issued, 'application/json; charset=utf-8')) {
      record.status = issued.status;
      record.durationMs = Date.now() - record.receivedAt;
    }
  }

  private async run(req: IncomingMessage, res: ServerResponse, record: RecordedRequest): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://scim.invalid');
    const method = record.method;
    const accept = req.headers.accept;
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError)
        this.answer(res, record, { status: 413, body: errorBody(413, err.message) }, accept);
      else req.socket.destroy();
      return;
    }
    record.body = bodyForRecord(raw, req.headers['content-type']);
    if (this.deps.issuer && url.pathname === this.deps.issuer.tokenPath)
      return this.serveToken(this.deps.issuer, req, res, record, raw);
    if (this.refusedByRateLimit(res, record, accept)) return;
    const relative = this.relativePath(url.pathname);
    const decision = this.deps.planner.decide(method, relative ?? url.pathname);
    if (decision.latencyMs > 0) {
      this.count('latency');
      record.faults.push({ kind: 'latency', timing: 'before', delayMs: decision.latencyMs });
      await this.deps.sleep(decision.latencyMs);
    }
    const fault = decision.fault;
    if (fault?.timing === 'before') {
      const replaced = await this.strike(fault.kind, 'before', req, record);
      if (replaced === 'gone') return;
      if (replaced) return this.answer(res, record, replaced, accept);
    }
    let response = this.process(req, raw, relative, url.searchParams);
    if (fault?.timing === 'after') {
      const replaced = await this.strike(fault.kind, 'after', req, record);
      if (replaced === 'gone') return;
      if (replaced) response = replaced;
    }
    this.answer(res, record, response, accept);
  }
}
