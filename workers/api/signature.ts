/**
 * Webhook authentication: HMAC-SHA256 over `<timestamp>.<raw body>` (the Stripe/Slack scheme),
 * so a captured request cannot be replayed outside the window and the body cannot be altered.
 * Several secrets are accepted at once so a secret can be rotated without dropping events.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Unix seconds at which the sender signed the request. */
export const TIMESTAMP_HEADER = 'x-jml-timestamp';
/** `v1=<hex>`; several comma-separated `v1=` values are accepted (a sender mid-rotation). */
export const SIGNATURE_HEADER = 'x-jml-signature';
export const SIGNATURE_VERSION = 'v1';

/** @default 300 s: how far a timestamp may be from the server clock, either way. */
export const DEFAULT_REPLAY_WINDOW_SEC = 300;

/** Hex HMAC-SHA256 of `timestamp + "." + body`. */
export function computeSignature(secret: string, timestampSec: number | string, body: Buffer | string): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestampSec}.`);
  mac.update(body);
  return mac.digest('hex');
}

export interface SignedRequest {
  /** The exact bytes to send: the signature covers them, so do not re-serialize. */
  body: string;
  headers: Record<string, string>;
}

/**
 * Signs a body for `POST /v1/hr/events*`: used by `jml event send`, by `jml dev` for its
 * ready-to-paste curl line, and by benchmarks.
 */
export function createSignedRequest(input: {
  body: unknown;
  secret: string;
  timestampSec?: number;
  contentType?: string;
}): SignedRequest {
  const body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
  const timestampSec = input.timestampSec ?? Math.floor(Date.now() / 1000);
  return {
    body,
    headers: {
      'content-type': input.contentType ?? 'application/json',
      [TIMESTAMP_HEADER]: String(timestampSec),
      [SIGNATURE_HEADER]: `${SIGNATURE_VERSION}=${computeSignature(input.secret, timestampSec, body)}`,
    },
  };
}

export type SignatureFailure = {
  ok: false;
  reason:
    | 'missing-timestamp'
    | 'malformed-timestamp'
    | 'stale-timestamp'
    | 'future-timestamp'
    | 'missing-signature'
    | 'malformed-signature'
    | 'bad-signature';
};

export type SignatureCheck = { ok: true; secretIndex: number } | SignatureFailure;

/** The hex digests in a `v1=<hex>[,v1=<hex>]` header, or undefined when none is well formed. */
export function parseSignatureHeader(header: string): Buffer[] | undefined {
  const digests: Buffer[] = [];
  for (const part of header.split(',')) {
    const [version, value] = part.trim().split('=', 2);
    if (version === SIGNATURE_VERSION && value && /^[0-9a-f]{64}$/i.test(value))
      digests.push(Buffer.from(value, 'hex'));
  }
  return digests.length > 0 ? digests : undefined;
}

function checkTimestamp(
  raw: string | undefined,
  nowSec: number,
  windowSec: number,
  allowIso = false,
): SignatureFailure | number {
  if (raw === undefined || raw === '') return { ok: false, reason: 'missing-timestamp' };
  const iso = allowIso && !/^\d+$/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (!/^\d{1,12}$/.test(raw) && Number.isNaN(iso)) return { ok: false, reason: 'malformed-timestamp' };
  const ts = Number.isNaN(iso) ? Number(raw) : Math.floor(iso / 1000);
  if (nowSec - ts > windowSec) return { ok: false, reason: 'stale-timestamp' };
  if (ts - nowSec > windowSec) return { ok: false, reason: 'future-timestamp' };
  return ts;
}

/**
 * Verifies a request against every configured secret. Every candidate is compared with
 * `timingSafeEqual` and the loop does not stop at the first match, so timing does not reveal
 * which secret (or how much of a digest) matched.
 */
export function verifySignature(input: {
  secrets: readonly string[];
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
  nowSec: number;
  windowSec?: number;
}): SignatureCheck {
  const ts = checkTimestamp(input.timestamp, input.nowSec, input.windowSec ?? DEFAULT_REPLAY_WINDOW_SEC);
  if (typeof ts !== 'number') return ts;
  if (!input.signature) return { ok: false, reason: 'missing-signature' };
  const offered = parseSignatureHeader(input.signature);
  if (!offered) return { ok: false, reason: 'malformed-signature' };
  let matched = -1;
  input.secrets.forEach((secret, index) => {
    const expected = Buffer.from(computeSignature(secret, input.timestamp as string, input.body), 'hex');
    for (const digest of offered) {
      if (timingSafeEqual(expected, digest) && matched < 0) matched = index;
    }
  });
  return matched >= 0 ? { ok: true, secretIndex: matched } : { ok: false, reason: 'bad-signature' };
}

/** Constant-time comparison of a bearer token with each configured token. */
export function verifyBearer(header: string | undefined, tokens: readonly string[]): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match ? tokenMatches(match[1]!, tokens) : false;
}

/**
 * HTTP Basic with a read token as the password (any user name): what a browser can send for
 * the console without a proxy in front.
 */
export function verifyBasicPassword(header: string | undefined, tokens: readonly string[]): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return false;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && tokenMatches(decoded.slice(colon + 1), tokens);
}

function tokenMatches(candidate: string, tokens: readonly string[]): boolean {
  const offered = Buffer.from(candidate);
  let ok = false;
  for (const token of tokens) {
    const expected = Buffer.from(token);
    // timingSafeEqual needs equal lengths; comparing against itself keeps the work constant.
    const same = expected.length === offered.length && timingSafeEqual(expected, offered);
    ok = ok || same;
  }
  return ok;
}

/** BambooHR's header names (its webhook "private key" signs every delivery). */
export const BAMBOOHR_SIGNATURE_HEADER = 'x-bamboohr-signature';
export const BAMBOOHR_TIMESTAMP_HEADER = 'x-bamboohr-timestamp';

/**
 * BambooHR's own scheme: hex HMAC-SHA256 of the raw body followed by the `X-BambooHR-Timestamp`
 * value (body first, no separator), keyed with the webhook's private key. The same replay
 * window applies; the timestamp may be Unix seconds or ISO 8601.
 */
export function verifyBambooHrSignature(input: {
  keys: readonly string[];
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
  nowSec: number;
  windowSec?: number;
}): SignatureCheck {
  const ts = checkTimestamp(input.timestamp, input.nowSec, input.windowSec ?? DEFAULT_REPLAY_WINDOW_SEC, true);
  if (typeof ts !== 'number') return ts;
  if (!input.signature) return { ok: false, reason: 'missing-signature' };
  if (!/^[0-9a-f]{64}$/i.test(input.signature.trim())) return { ok: false, reason: 'malformed-signature' };
  const offered = Buffer.from(input.signature.trim(), 'hex');
  let matched = -1;
  input.keys.forEach((key, index) => {
    const expected = createHmac('sha256', key)
      .update(input.body)
      .update(input.timestamp as string)
      .digest();
    if (timingSafeEqual(expected, offered) && matched < 0) matched = index;
  });
  return matched >= 0 ? { ok: true, secretIndex: matched } : { ok: false, reason: 'bad-signature' };
}
