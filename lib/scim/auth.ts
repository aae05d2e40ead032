/**
 * The `Authorization` header for one connector: bearer and basic secrets are read at use time
 * (so a rotated secret file is picked up), OAuth 2.0 client-credentials tokens (RFC 6749 §4.4)
 * are cached until shortly before they expire and refreshed once when the app answers 401.
 */
import { request, type Dispatcher } from 'undici';
import { DEFAULT_MAX_RESPONSE_BYTES, ResponseTooLargeError, readBodyCapped } from './body';
import type { AuthConfig } from '../config/types';
import { ERROR_CODES } from '../errors';
import { parseRetryAfter, ScimError } from './errors';

export type SecretResolver = (ref: string) => Promise<string>;

/** Refresh this long before the token's stated expiry. */
const EXPIRY_MARGIN_MS = 60_000;

export class AuthHeader {
  private cached?: { value: string; expiresAtMs: number };
  /** One token request at a time: concurrent activities wait for the same answer. */
  private pending?: Promise<string>;

  constructor(
    private readonly app: string,
    private readonly auth: AuthConfig,
    private readonly resolveSecret: SecretResolver,
    private readonly dispatcher: Dispatcher | undefined,
    private readonly now: () => number,
    /** The connector's `timeouts.requestMs`, for the token request too. */
    private readonly timeoutMs = 30_000,
    /** Told about every token request (for the debug log and the audit trail; never the token). */
    private readonly onTokenRequest?: (r: { status?: number; latencyMs: number; errorCode?: string }) => void,
    /** Larger token answers fail the request. @default 10 MiB */
    private readonly maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
  ) {}

  async header(): Promise<string> {
    switch (this.auth.type) {
      case 'bearer':
        return `Bearer ${await this.resolveSecret(this.auth.token)}`;
      case 'basic': {
        const password = await this.resolveSecret(this.auth.password);
        return `Basic ${Buffer.from(`${this.auth.username}:${password}`).toString('base64')}`;
      }
      case 'oauth2-client-credentials':
        if (this.cached && this.cached.expiresAtMs > this.now()) return this.cached.value;
        this.pending ??= this.fetchReported().finally(() => {
          this.pending = undefined;
        });
        return this.pending;
    }
  }

  /** After a 401: forget the cached token; true when a fresh one may help (OAuth only). */
  invalidate(): boolean {
    if (this.auth.type !== 'oauth2-client-credentials' || !this.cached) return false;
    this.cached = undefined;
    return true;
  }

  private async fetchReported(): Promise<string> {
    const started = this.now();
    try {
      const value = await this.fetchToken();
      this.onTokenRequest?.({ status: 200, latencyMs: this.now() - started });
      return value;
    } catch (err) {
      const e = err as Partial<ScimError>;
      this.onTokenRequest?.({ status: e.info?.status, latencyMs: this.now() - started, errorCode: e.code });
      throw err;
    }
  }

  private async fetchToken(): Promise<string> {
    const auth = this.auth as Extract<AuthConfig, { type: 'oauth2-client-credentials' }>;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (auth.scope) form.set('scope', auth.scope);
    if (auth.audience) form.set('audience', auth.audience);
    const secret = await this.resolveSecret(auth.clientSecret);
    const basic = Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(secret)}`).toString('base64');
    const info = { app: this.app, operation: 'oauth-token', method: 'POST', path: new URL(auth.tokenUrl).pathname };
    let res;
    try {
      res = await request(auth.tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${basic}`,
          accept: 'application/json',
        },
        body: form.toString(),
        dispatcher: this.dispatcher,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (err) {
      throw new ScimError(ERROR_CODES.SCIM_NETWORK, info, {
        retryable: true,
        cause: err,
        message: `${this.app}: token endpoint unreachable (${(err as Error).message})`,
      });
    }
    let text: string;
    try {
      text = await readBodyCapped(res, this.maxResponseBytes);
    } catch (err) {
      if (err instanceof ResponseTooLargeError) {
        throw new ScimError(
          ERROR_CODES.SCIM_PROTOCOL,
          { ...info, status: res.statusCode },
          { retryable: false, cause: err, message: `${this.app}: token endpoint answer not read: ${err.message}` },
        );
      }
      throw new ScimError(ERROR_CODES.SCIM_NETWORK, info, {
        retryable: true,
        cause: err,
        message: `${this.app}: token endpoint answer cut off (${(err as Error).message})`,
      });
    }
    if (res.statusCode !== 200) {
      // 429/5xx: the authorization server is busy, a later attempt can succeed; other answers
      // (RFC 6749 §5.2: invalid_client, unauthorized_client…) need the credentials fixed.
      const busy = res.statusCode >= 500 || res.statusCode === 429;
      const code =
        res.statusCode === 429
          ? ERROR_CODES.SCIM_RATE_LIMITED
          : busy
            ? ERROR_CODES.SCIM_SERVER_ERROR
            : ERROR_CODES.SCIM_UNAUTHORIZED;
      const retryAfterMs = parseRetryAfter(res.headers['retry-after'], this.now());
      throw new ScimError(
        code,
        { ...info, status: res.statusCode, retryAfterMs },
        {
          retryable: busy,
          message: `${this.app}: token endpoint answered HTTP ${res.statusCode}${busy ? '' : '; check auth.clientId and the client secret'}`,
        },
      );
    }
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = (JSON.parse(text) ?? {}) as typeof body;
    } catch {
      body = {};
    }
    if (typeof body.access_token !== 'string' || !body.access_token)
      throw new ScimError(ERROR_CODES.SCIM_PROTOCOL, info, {
        retryable: false,
        message: `${this.app}: token endpoint answered without access_token`,
      });
    const value = `Bearer ${body.access_token}`;
    // expires_in is RECOMMENDED, not required (RFC 6749 §5.1): assume an hour when absent.
    const lifetimeMs = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600) * 1000;
    this.cached = { value, expiresAtMs: this.now() + Math.max(0, lifetimeMs - EXPIRY_MARGIN_MS) };
    return value;
  }
}
