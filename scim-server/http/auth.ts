/**
 * Authentication of SCIM requests (RFC 7644 §2): a static bearer token or an OAuth access
 * token (RFC 6750), and/or HTTP Basic (RFC 7617). Secrets are compared in constant time.
 */
import { ScimProtocolError } from '../protocol/errors';
import type { ServerAuth } from '../types';
import type { TokenIssuer } from './oauth';
import { sameSecret } from './secrets';

function basicMatches(credentials: string, expected: { username: string; password: string }): boolean {
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const userOk = sameSecret(decoded.slice(0, colon), expected.username);
  const passwordOk = sameSecret(decoded.slice(colon + 1), expected.password);
  return userOk && passwordOk;
}

function challenges(auth: ServerAuth, bearerError?: string): string {
  const bearer = auth.bearerToken !== undefined || auth.oauth2 !== undefined;
  const error = bearerError ? `, error="${bearerError}"` : '';
  return [bearer ? `Bearer realm="scim"${error}` : undefined, auth.basic ? 'Basic realm="scim"' : undefined]
    .filter(Boolean)
    .join(', ');
}

/**
 * Throws a 401 ScimProtocolError (with WWW-Authenticate, RFC 6750 §3) unless the Authorization header
 * satisfies `auth`. An expired OAuth token is reported as `error="invalid_token"`.
 */
export function authenticate(header: string | undefined, auth: ServerAuth | undefined, issuer?: TokenIssuer): void {
  if (!auth || (auth.bearerToken === undefined && auth.basic === undefined && auth.oauth2 === undefined)) return;
  const [scheme = '', ...rest] = (header ?? '').trim().split(/\s+/);
  const credentials = rest.join(' ');
  const lower = scheme.toLowerCase();
  let tokenState: string | undefined;
  if (lower === 'bearer') {
    if (auth.bearerToken !== undefined && sameSecret(credentials, auth.bearerToken)) return;
    tokenState = issuer?.check(credentials);
    if (tokenState === 'valid') return;
  }
  if (lower === 'basic' && auth.basic && basicMatches(credentials, auth.basic)) return;
  const expired = tokenState === 'expired';
  const detail = expired ? 'the access token has expired' : header ? 'invalid credentials' : 'authentication required';
  throw new ScimProtocolError(401, detail, undefined, {
    'www-authenticate': challenges(auth, lower === 'bearer' ? 'invalid_token' : undefined),
  });
}

const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

/** Header copy for the request record: credentials replaced, the auth scheme kept (`Bearer [REDACTED]`). */
export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (!SENSITIVE_HEADERS.has(name)) out[name] = text;
    else if (name.endsWith('authorization')) out[name] = `${text.trim().split(/\s+/)[0] ?? ''} [REDACTED]`;
    else out[name] = '[REDACTED]';
  }
  return out;
}
