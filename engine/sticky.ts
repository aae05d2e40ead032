/**
 * Sticky task queues, as the server keeps them: a worker that completes a workflow task with
 * `stickyAttributes` asks for that run's next tasks on its own queue, where it still holds the
 * run in its cache, so they carry only the events since its last started task. Stickiness is a
 * hint the server drops whenever it cannot be honoured: the worker's queue has had no poller for
 * a while, the worker said it shut down, a task failed or timed out, or an operator reset it.
 */
import type { temporal } from '@temporalio/proto';
import { durationMs, type Plain } from './proto';

/** A sticky queue with no poller for this long is taken for gone (the server's `StickyPollerUnavailableWindow`). */
export const STICKY_POLLER_UNAVAILABLE_MS = 10_000;
/** Used when a worker asks for stickiness without a schedule-to-start timeout. */
export const DEFAULT_STICKY_SCHEDULE_TO_START_MS = 5_000;

export interface Stickiness {
  queue: string;
  scheduleToStartMs: number;
}

interface QueueLiveness {
  /** Polls waiting right now. */
  polling: number;
  /** Wall-clock time a poll last started or ended (virtual time may jump; a worker's liveness does not). */
  lastSeenMs: number;
  /** The worker said it is shutting down (ShutdownWorker). */
  gone: boolean;
}

export class StickyQueues {
  private readonly queues = new Map<string, QueueLiveness>();

  /** @param enabled false makes the engine ignore stickiness (full history every time): a baseline for benchmarks. */
  constructor(readonly enabled = true) {}

  /** Stickiness a task completion asks for, or undefined. */
  fromCompletion(
    attrs: Plain<temporal.api.taskqueue.v1.IStickyExecutionAttributes> | undefined,
  ): Stickiness | undefined {
    const queue = attrs?.workerTaskQueue?.name;
    if (!this.enabled || !queue) return undefined;
    const ms = durationMs(attrs.scheduleToStartTimeout);
    return { queue, scheduleToStartMs: ms > 0 ? ms : DEFAULT_STICKY_SCHEDULE_TO_START_MS };
  }

  /** False once the queue's worker said it shut down: a queue name is never reused (it has a UUID in it). */
  accepting(queue: string): boolean {
    return !this.queues.get(queue)?.gone;
  }

  pollStarted(queue: string): void {
    const q = this.liveness(queue);
    q.polling++;
    q.lastSeenMs = Date.now();
  }

  pollEnded(queue: string): void {
    const q = this.liveness(queue);
    q.polling = Math.max(0, q.polling - 1);
    q.lastSeenMs = Date.now();
  }

  /** ShutdownWorker: the queue's worker will not poll again. */
  markGone(queue: string): void {
    this.liveness(queue).gone = true;
  }

  /** Whether a task put on `queue` now can be expected to be picked up. */
  available(queue: string): boolean {
    const q = this.queues.get(queue);
    if (!q || q.gone) return false;
    return q.polling > 0 || Date.now() - q.lastSeenMs < STICKY_POLLER_UNAVAILABLE_MS;
  }

  private liveness(queue: string): QueueLiveness {
    let q = this.queues.get(queue);
    if (!q) {
      q = { polling: 0, lastSeenMs: 0, gone: false };
      this.queues.set(queue, q);
    }
    return q;
  }
}
