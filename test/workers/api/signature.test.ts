import { createHmac } from 'node:crypto';
import {
  computeSignature,
  createSignedRequest,
  parseSignatureHeader,
  verifyBambooHrSignature,
  verifyBearer,
  verifySignature,
} from '../../../workers/api/signature';

const SECRET = 'whsec_0123456789abcdef';
const OLD = 'whsec_old_secret_value_1';
const body = Buffer.from('{"eventId":"e1"}');

describe('computeSignature', () => {
  test('is HMAC-SHA256 over "<timestamp>.<body>" in hex', () => {
    const expected = createHmac('sha256', SECRET).update('1700000000.{"eventId":"e1"}').digest('hex');
    expect(computeSignature(SECRET, 1700000000, body)).toBe(expected);
  });
});

describe('createSignedRequest', () => {
  test('signs the exact bytes it returns', () => {
    const signed = createSignedRequest({ body: { eventId: 'e1' }, secret: SECRET, timestampSec: 1700000000 });
    expect(signed.body).toBe('{"eventId":"e1"}');
    expect(signed.headers).toEqual({
      'content-type': 'application/json',
      'x-jml-timestamp': '1700000000',
      'x-jml-signature': `v1=${computeSignature(SECRET, 1700000000, body)}`,
    });
  });
});

describe('verifySignature', () => {
  const now = 1700000000;
  const sign = (secret: string, ts = now) => `v1=${computeSignature(secret, ts, body)}`;
  const check = (over: Partial<Parameters<typeof verifySignature>[0]>) =>
    verifySignature({
      secrets: [SECRET, OLD],
      timestamp: String(now),
      signature: sign(SECRET),
      body,
      nowSec: now,
      ...over,
    });

  test('accepts the current and the previous secret (rotation)', () => {
    expect(check({})).toEqual({ ok: true, secretIndex: 0 });
    expect(check({ signature: sign(OLD) })).toEqual({ ok: true, secretIndex: 1 });
    expect(check({ signature: `v1=${'0'.repeat(64)},${sign(OLD)}` })).toEqual({ ok: true, secretIndex: 1 });
  });

  test('rejects a wrong secret, a changed body, and malformed headers', () => {
    expect(check({ signature: sign('another_secret_value') })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(check({ body: Buffer.from('{"eventId":"e2"}') })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(check({ signature: 'sha256=abc' })).toEqual({ ok: false, reason: 'malformed-signature' });
    expect(check({ signature: undefined })).toEqual({ ok: false, reason: 'missing-signature' });
    expect(check({ timestamp: undefined })).toEqual({ ok: false, reason: 'missing-timestamp' });
    expect(check({ timestamp: '17e8' })).toEqual({ ok: false, reason: 'malformed-timestamp' });
  });

  test('enforces the replay window in both directions', () => {
    expect(check({ timestamp: String(now - 300), signature: sign(SECRET, now - 300) }).ok).toBe(true);
    expect(check({ timestamp: String(now - 301), signature: sign(SECRET, now - 301) })).toEqual({
      ok: false,
      reason: 'stale-timestamp',
    });
    expect(check({ timestamp: String(now + 301), signature: sign(SECRET, now + 301) })).toEqual({
      ok: false,
      reason: 'future-timestamp',
    });
    expect(check({ timestamp: String(now - 50), signature: sign(SECRET, now - 50), windowSec: 30 })).toEqual({
      ok: false,
      reason: 'stale-timestamp',
    });
  });

  test('a signature for another timestamp does not verify (timestamp is signed)', () => {
    expect(check({ timestamp: String(now - 1) })).toEqual({ ok: false, reason: 'bad-signature' });
  });
});

describe('parseSignatureHeader / verifyBearer', () => {
  test('keeps only well-formed v1 digests', () => {
    expect(parseSignatureHeader(`v0=${'a'.repeat(64)}, v1=${'b'.repeat(64)}`)).toEqual([
      Buffer.from('b'.repeat(64), 'hex'),
    ]);
    expect(parseSignatureHeader('v1=xyz')).toBeUndefined();
  });

  test('bearer tokens compare exactly', () => {
    expect(verifyBearer('Bearer token-0123456789abcdef', ['other-0123456789abcdef', 'token-0123456789abcdef'])).toBe(
      true,
    );
    expect(verifyBearer('Bearer token-0123456789abcde', ['token-0123456789abcdef'])).toBe(false);
    expect(verifyBearer('Basic dXNlcjpwYXNz', ['dXNlcjpwYXNz'])).toBe(false);
    expect(verifyBearer(undefined, ['token-0123456789abcdef'])).toBe(false);
  });
});

describe('verifyBambooHrSignature', () => {
  const key = 'bamboohr-private-key-0001';
  const now = 1700000000;
  const sign = (ts: string) => createHmac('sha256', key).update(`${body.toString()}${ts}`).digest('hex');

  test("BambooHR's scheme: HMAC of body followed by the timestamp, Unix seconds or ISO 8601", () => {
    expect(
      verifyBambooHrSignature({
        keys: ['other-key-000000000', key],
        timestamp: String(now),
        signature: sign(String(now)),
        body,
        nowSec: now,
      }),
    ).toEqual({ ok: true, secretIndex: 1 });
    const iso = '2023-11-14T22:13:20Z';
    expect(verifyBambooHrSignature({ keys: [key], timestamp: iso, signature: sign(iso), body, nowSec: now }).ok).toBe(
      true,
    );
  });

  test('wrong key, stale timestamp and malformed signature are refused', () => {
    expect(
      verifyBambooHrSignature({
        keys: ['other-key-000000000'],
        timestamp: String(now),
        signature: sign(String(now)),
        body,
        nowSec: now,
      }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
    expect(
      verifyBambooHrSignature({
        keys: [key],
        timestamp: String(now - 400),
        signature: sign(String(now - 400)),
        body,
        nowSec: now,
      }),
    ).toEqual({ ok: false, reason: 'stale-timestamp' });
    expect(
      verifyBambooHrSignature({ keys: [key], timestamp: String(now), signature: 'v1=abc', body, nowSec: now }),
    ).toEqual({ ok: false, reason: 'malformed-signature' });
  });
});
