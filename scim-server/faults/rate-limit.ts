/**
 * Server-side rate limiting: a token bucket (refilled continuously at `requestsPerSecond`, at
 * most `burst` tokens) and a meter of the highest request rate observed in any one-second window.
 */
import type { ServerRateLimit } from '../types';

/** A token bucket: `burst` tokens at most, refilled at `requestsPerSecond`. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly requestsPerSecond: number,
    readonly burst: number,
    now: number = Date.now(),
  ) {
    if (!(requestsPerSecond > 0) || !(burst >= 1))
      throw new Error('rateLimit needs requestsPerSecond > 0 and burst >= 1');
    this.tokens = burst;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.requestsPerSecond);
    this.updatedAt = now;
  }

  /** Takes one token; on refusal returns how long until one is available. */
  take(now: number = Date.now()): { allowed: true } | { allowed: false; retryAfterMs: number } {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.ceil(((1 - this.tokens) / this.requestsPerSecond) * 1000) };
  }
}

/** Buckets shared by name across servers of one process: an org-wide budget (Slack, Zoom). */
const sharedBuckets = new Map<string, TokenBucket>();

/** A fresh bucket, or the process-wide one shared under `limit.budget`. */
export function bucketFor(limit: ServerRateLimit): TokenBucket {
  if (!limit.budget) return new TokenBucket(limit.requestsPerSecond, limit.burst);
  let bucket = sharedBuckets.get(limit.budget);
  if (!bucket || bucket.requestsPerSecond !== limit.requestsPerSecond || bucket.burst !== limit.burst) {
    bucket = new TokenBucket(limit.requestsPerSecond, limit.burst);
    sharedBuckets.set(limit.budget, bucket);
  }
  return bucket;
}

/** Highest number of arrivals within any sliding one-second window. */
export class RateMeter {
  private readonly window: number[] = [];
  max = 0;

  record(now: number = Date.now()): void {
    this.window.push(now);
    while (this.window.length && this.window[0]! <= now - 1000) this.window.shift();
    this.max = Math.max(this.max, this.window.length);
  }

  reset(): void {
    this.window.length = 0;
    this.max = 0;
  }
}
