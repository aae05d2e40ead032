/**
 * Per-client token bucket for the intake (HR systems retry in bursts after an outage; one
 * misbehaving sender must not starve the others or flood Temporal with signals).
 */

export interface RateLimitOptions {
  /** Sustained requests per second per client. @default 50 */
  ratePerSec: number;
  /** Bucket size: requests allowed in a burst. @default 100 */
  burst: number;
  /** Clients tracked at once; the least recently seen is forgotten first. @default 10000 */
  maxClients?: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSec: number };

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxClients: number;

  constructor(private readonly options: RateLimitOptions) {
    if (!(options.ratePerSec > 0) || !(options.burst >= 1))
      throw new RangeError('ratePerSec must be > 0 and burst >= 1');
    this.maxClients = options.maxClients ?? 10_000;
  }

  /** Takes one token for `key` at time `nowMs`. */
  take(key: string, nowMs: number): RateDecision {
    const { ratePerSec, burst } = this.options;
    const previous = this.buckets.get(key);
    const bucket = previous ?? { tokens: burst, updatedMs: nowMs };
    const elapsedSec = Math.max(0, nowMs - bucket.updatedMs) / 1000;
    bucket.tokens = Math.min(burst, bucket.tokens + elapsedSec * ratePerSec);
    bucket.updatedMs = nowMs;
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    this.evict();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    // Retry-After is whole seconds (RFC 9110 §10.2.3); round up so the retry finds a token.
    return { allowed: false, retryAfterSec: Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerSec)) };
  }

  private evict(): void {
    while (this.buckets.size > this.maxClients) {
      this.buckets.delete(this.buckets.keys().next().value as string);
    }
  }
}
