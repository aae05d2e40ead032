import { RateMeter, TokenBucket } from '../../../scim-server/faults/rate-limit';

describe('TokenBucket', () => {
  it('allows a burst, refuses with the time until the next token, and refills continuously', () => {
    const bucket = new TokenBucket(2, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)].every((d) => d.allowed)).toBe(true);
    expect(bucket.take(0)).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(bucket.take(250)).toEqual({ allowed: false, retryAfterMs: 250 });
    expect(bucket.take(500).allowed).toBe(true);
    expect(bucket.take(10_000).allowed).toBe(true);
    expect([bucket.take(10_000), bucket.take(10_000), bucket.take(10_000)].map((d) => d.allowed)).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('refuses nonsensical limits', () => {
    expect(() => new TokenBucket(0, 1)).toThrow();
    expect(() => new TokenBucket(1, 0)).toThrow();
  });
});

describe('RateMeter', () => {
  it('reports the most arrivals within any one-second window', () => {
    const meter = new RateMeter();
    for (const t of [0, 100, 200, 1150, 1160, 1170, 1180, 3000]) meter.record(t);
    expect(meter.max).toBe(5);
  });
});
