/**
 * Per-app request pacing shared by every activity in one worker process: a token bucket
 * (requests per second + burst; connectors naming the same `budget` share one bucket, for
 * org-wide limits) and a concurrency limit. Waiters are served first come, first served —
 * except that an `urgent` one (a request that takes access away) goes before every waiter that
 * is not: a revocation never queues behind a bulk load's creates in this process. An aborted
 * wait (a cancelled activity) leaves the queue at once.
 */

/** Two first-in-first-out lines, the urgent one served first. */
class Lines<T> {
  private readonly urgent: T[] = [];
  private readonly normal: T[] = [];

  get size(): number {
    return this.urgent.length + this.normal.length;
  }

  push(item: T, urgent: boolean): void {
    (urgent ? this.urgent : this.normal).push(item);
  }

  shift(): T | undefined {
    return this.urgent.length > 0 ? this.urgent.shift() : this.normal.shift();
  }

  remove(item: T): void {
    for (const line of [this.urgent, this.normal]) {
      const i = line.indexOf(item);
      if (i >= 0) line.splice(i, 1);
    }
  }
}

/** Requests per second with a burst; `acquire` resolves in arrival order (urgent ones first) as tokens refill. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly queue = new Lines<{ resolve: () => void; reject: (e: unknown) => void }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  acquire(signal?: AbortSignal, urgent = false): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.queue.remove(waiter);
        // Nobody left to wake: a pending refill timer would only hold the process open.
        if (this.queue.size === 0 && this.timer) {
          clearTimeout(this.timer);
          this.timer = undefined;
        }
        reject(signal?.reason ?? new Error('aborted'));
      };
      // The listener goes as soon as the token is granted: one activity makes many requests.
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      this.queue.push(waiter, urgent);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.drain();
    });
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }

  private drain(): void {
    this.refill();
    while (this.queue.size > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.queue.shift()!.resolve();
    }
    if (this.queue.size > 0 && !this.timer) {
      const waitMs = Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.drain();
        },
        Math.max(1, waitMs),
      );
    }
  }
}

/** At most `max` calls in flight; waiters are served FIFO (urgent ones first) and may leave on abort. */
export class Semaphore {
  private active = 0;
  private readonly queue = new Lines<() => void>();

  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal, urgent = false): Promise<T> {
    if (this.active < this.max) this.active++;
    else await this.wait(signal, urgent);
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter: releasing it first would let a newcomer
      // slip in before the waiter resumes, one over the limit.
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }

  private wait(signal: AbortSignal | undefined, urgent: boolean): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.queue.remove(go);
        reject(signal?.reason ?? new Error('aborted'));
      };
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.queue.push(go, urgent);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
