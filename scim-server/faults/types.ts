/** Fault-injection options. Rates are probabilities in [0, 1] per request; their sum must not exceed 1. */

/** The faults drawn per request (latency is added independently). */
export type FaultKind = '429' | '5xx' | 'hang' | 'reset';

/**
 * `before`: the fault replaces the request (nothing is written). `after`: the request is
 * processed first, so a create or update takes effect, and then its answer is lost or replaced —
 * what a client sees when a response is dropped behind a proxy; retries must be idempotent.
 */
export type FaultTiming = 'before' | 'after';

/** What to inject, how often and into which requests. */
export interface FaultOptions {
  /** Added to every matching request: fixed, or uniform in [min, max]. @default 0 */
  latencyMs?: number | { min: number; max: number };
  /** Probability of `429 Too Many Requests` with `Retry-After`. @default 0 */
  rate429?: number;
  /** `Retry-After` seconds sent with injected 429s (and 503s). @default 1 */
  retryAfterSeconds?: number;
  /**
   * How `Retry-After` is written on every 429/503 (injected or rate limit): delay-seconds or an
   * HTTP-date (RFC 9110 §10.2.3 allows both; clients must parse both). @default 'seconds'
   */
  retryAfterFormat?: 'seconds' | 'http-date';
  /** Probability of a 5xx answer. @default 0 */
  rate5xx?: number;
  /** Status used for injected 5xx. @default 503 */
  status5xx?: number;
  /** Probability that the request hangs. @default 0 */
  rateHang?: number;
  /** How long a hanging request waits before it is answered normally; omitted = never answered. */
  hangMs?: number;
  /** Probability that the connection is destroyed without an answer. @default 0 */
  rateReset?: number;
  /** When faults strike. @default 'before' */
  faultTiming?: FaultTiming;
  /** Per-kind timing, overriding `faultTiming`. */
  timing?: Partial<Record<FaultKind, FaultTiming>>;
  /** Only requests with these methods are eligible (e.g. `['POST']`). @default all */
  methods?: string[];
  /** Only requests whose path (after the base path) starts with this are eligible, e.g. `/Users`. */
  pathPrefix?: string;
  /** Stop injecting after this many faults (latency not counted). @default unlimited */
  limit?: number;
}
