/**
 * A minimal OAuth 2.0 authorization server for the client-credentials grant (RFC 6749 §4.4),
 * enough for connectors configured with `oauth2-client-credentials` to obtain tokens from the
 * stand-in app. Client authentication by HTTP Basic (§2.3.1, form-urlencoded id and secret)
 * or by `client_id`/`client_secret` in the body; errors per §5.2.
 */
import { randomBytes } from 'node:crypto';
import type { ScimResponse } from '../context';
import type { ServerOAuth2 } from '../types';
import { sameSecret } from './secrets';

type TokenState = 'valid' | 'expired' | 'unknown';

function oauthError(
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): ScimResponse {
  return {
    status,
    body: { error, error_description: description },
    headers: { 'cache-control': 'no-store', pragma: 'no-cache', ...headers },
  };
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^basic\s+(\S+)$/i.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding.
  const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
  try {
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

/** Issues and checks access tokens for one server instance. */
export class TokenIssuer {
  private readonly tokens = new Map<string, number>();
  readonly tokenPath: string;

  constructor(private readonly config: ServerOAuth2) {
    this.tokenPath = config.tokenPath ?? '/oauth/token';
  }

  /** Is this an access token we issued, and is it still valid? */
  check(token: string, now: number = Date.now()): TokenState {
    const expiresAt = this.tokens.get(token);
    if (expiresAt === undefined) return 'unknown';
    return expiresAt > now ? 'valid' : 'expired';
  }

  /** Handles `POST <tokenPath>` with a form-urlencoded body. */
  issue(method: string, contentType: string | undefined, raw: string, authorization: string | undefined): ScimResponse {
    if (method !== 'POST') return { ...oauthError(405, 'invalid_request', 'use POST'), headers: { allow: 'POST' } };
    if (!/^application\/x-www-form-urlencoded\b/i.test(contentType ?? '')) {
      return oauthError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(raw);
    const fromHeader = basicCredentials(authorization);
    const id = fromHeader?.id ?? form.get('client_id') ?? '';
    const secret = fromHeader?.secret ?? form.get('client_secret') ?? '';
    if (!sameSecret(id, this.config.clientId) || !sameSecret(secret, this.config.clientSecret)) {
      return oauthError(
        401,
        'invalid_client',
        'client authentication failed',
        fromHeader ? { 'www-authenticate': 'Basic realm="oauth"' } : {},
      );
    }
    if (form.get('grant_type') !== 'client_credentials')
      return oauthError(400, 'unsupported_grant_type', 'only client_credentials is supported');
    const ttl = this.config.tokenTtlSeconds ?? 3600;
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, Date.now() + ttl * 1000);
    const body: Record<string, unknown> = { access_token: token, token_type: 'Bearer', expires_in: ttl };
    const scope = form.get('scope');
    if (scope) body.scope = scope;
    return { status: 200, body, headers: { 'cache-control': 'no-store', pragma: 'no-cache' } };
  }

  /** Forgets every issued token (server reset). */
  clear(): void {
    this.tokens.clear();
  }
}
