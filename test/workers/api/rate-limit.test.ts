import { RateLimiter } from '../../../workers/api/rate-limit';

describe('RateLimiter', () => {
  test('allows a burst, then refuses with a Retry-After, then refills at the rate', () => {
    const limiter = new RateLimiter({ ratePerSec: 2, burst: 3 });
    const t0 = 1_000_000;
    expect([1, 2, 3].map(() => limiter.take('10.0.0.1', t0).allowed)).toEqual([true, true, true]);
    expect(limiter.take('10.0.0.1', t0)).toEqual({ allowed: false, retryAfterSec: 1 });
    // Another client has its own bucket.
    expect(limiter.take('10.0.0.2', t0).allowed).toBe(true);
    expect(limiter.take('10.0.0.1', t0 + 500).allowed).toBe(true);
    expect(limiter.take('10.0.0.1', t0 + 500).allowed).toBe(false);
  });

  test('Retry-After covers the wait for a slow rate', () => {
    const limiter = new RateLimiter({ ratePerSec: 0.1, burst: 1 });
    limiter.take('k', 0);
    expect(limiter.take('k', 0)).toEqual({ allowed: false, retryAfterSec: 10 });
  });

  test('forgets the least recently seen client beyond maxClients', () => {
    const limiter = new RateLimiter({ ratePerSec: 1, burst: 1, maxClients: 1 });
    limiter.take('a', 0);
    limiter.take('b', 0);
    // "a" was evicted, so it starts with a full bucket again.
    expect(limiter.take('a', 0).allowed).toBe(true);
  });
});
