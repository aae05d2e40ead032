/**
 * Authentication of SCIM requests (RFC 7644 §2): a bearer token (RFC 6750) and/or HTTP Basic
 * (RFC 7617). Secrets are compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ScimError } from '../protocol/errors';

export interface AuthOptions {
  bearerToken?: string;
  basic?: { username: string; password: string };
}

function sameSecret(given: string, expected: string): boolean {
  // Hashing first gives equal-length inputs, so the comparison time does not reveal the length.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function basicMatches(credentials: string, expected: { username: string; password: string }): boolean {
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const userOk = sameSecret(decoded.slice(0, colon), expected.username);
  const passwordOk = sameSecret(decoded.slice(colon + 1), expected.password);
  return userOk && passwordOk;
}

/** Throws a 401 ScimError (with WWW-Authenticate) unless the Authorization header satisfies `auth`. */
export function authenticate(header: string | undefined, auth: AuthOptions | undefined): void {
  if (!auth || (auth.bearerToken === undefined && auth.basic === undefined)) return;
  const [scheme = '', ...rest] = (header ?? '').trim().split(/\s+/);
  const credentials = rest.join(' ');
  const lower = scheme.toLowerCase();
  if (lower === 'bearer' && auth.bearerToken !== undefined && sameSecret(credentials, auth.bearerToken)) return;
  if (lower === 'basic' && auth.basic && basicMatches(credentials, auth.basic)) return;
  const challenges = [auth.bearerToken !== undefined ? 'Bearer realm="scim"' : undefined, auth.basic ? 'Basic realm="scim"' : undefined].filter(Boolean);
  const detail = header ? 'invalid credentials' : 'authentication required';
  throw new ScimError(401, detail, undefined, { 'www-authenticate': challenges.join(', ') });
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
