/**
 * Decides, per request, which fault (if any) to inject and how much latency to add. Every
 * eligible request consumes the same number of random draws whatever the outcome, so with a
 * seed the decisions depend only on the sequence of eligible requests.
 */
import { seededRandom, type Random } from './random';
import type { FaultKind, FaultOptions, FaultTiming } from './types';

/** What to do to one request: added latency and at most one fault. */
export interface FaultDecision {
  latencyMs: number;
  fault?: { kind: FaultKind; timing: FaultTiming };
}

const KINDS: { kind: FaultKind; rate: keyof FaultOptions }[] = [
  { kind: '429', rate: 'rate429' },
  { kind: '5xx', rate: 'rate5xx' },
  { kind: 'hang', rate: 'rateHang' },
  { kind: 'reset', rate: 'rateReset' },
];

/** Throws on rates outside [0, 1], rates summing above 1, or an invalid latency range. */
export function validateFaults(options: FaultOptions): void {
  let sum = 0;
  for (const { rate } of KINDS) {
    const value = (options[rate] as number | undefined) ?? 0;
    if (!(value >= 0 && value <= 1)) throw new RangeError(`faults.${rate} must be between 0 and 1`);
    sum += value;
  }
  if (sum > 1 + 1e-9) throw new RangeError(`fault rates add up to ${sum}, more than 1`);
  const latency = options.latencyMs;
  if (typeof latency === 'number' && !(latency >= 0)) throw new RangeError('faults.latencyMs must be >= 0');
  if (typeof latency === 'object' && !(latency.min >= 0 && latency.max >= latency.min))
    throw new RangeError('faults.latencyMs needs 0 <= min <= max');
  if (options.retryAfterFormat !== undefined && !['seconds', 'http-date'].includes(options.retryAfterFormat))
    throw new RangeError('faults.retryAfterFormat must be "seconds" or "http-date"');
  if (options.status5xx !== undefined && !(options.status5xx >= 500 && options.status5xx <= 599))
    throw new RangeError('faults.status5xx must be a 5xx status');
}

/** Seeded per-request fault decisions for one server instance. */
export class FaultPlanner {
  private options: FaultOptions = {};
  private random: Random;
  private injected = 0;
  private readonly seed: number;

  constructor(seed: number) {
    this.seed = seed;
    this.random = seededRandom(seed);
  }

  get current(): FaultOptions {
    return this.options;
  }

  configure(options: FaultOptions): void {
    validateFaults(options);
    this.options = { ...options };
    this.injected = 0;
  }

  /** Restarts the random sequence and the `limit` count. */
  restart(): void {
    this.random = seededRandom(this.seed);
    this.injected = 0;
  }

  private eligible(method: string, path: string): boolean {
    const { methods, pathPrefix } = this.options;
    if (methods && !methods.some((m) => m.toUpperCase() === method)) return false;
    return pathPrefix === undefined || path.startsWith(pathPrefix);
  }

  private latency(): number {
    const latency = this.options.latencyMs;
    if (latency === undefined) return 0;
    if (typeof latency === 'number') return latency;
    return Math.round(latency.min + this.random() * (latency.max - latency.min));
  }

  private pick(draw: number): FaultKind | undefined {
    let threshold = 0;
    for (const { kind, rate } of KINDS) {
      threshold += (this.options[rate] as number | undefined) ?? 0;
      if (draw < threshold) return kind;
    }
    return undefined;
  }

  decide(method: string, path: string): FaultDecision {
    if (!this.eligible(method, path)) return { latencyMs: 0 };
    const latencyMs = this.latency();
    const kind = this.pick(this.random());
    const { limit } = this.options;
    if (!kind || (limit !== undefined && this.injected >= limit)) return { latencyMs };
    this.injected += 1;
    const timing = this.options.timing?.[kind] ?? this.options.faultTiming ?? 'before';
    return { latencyMs, fault: { kind, timing } };
  }
}
