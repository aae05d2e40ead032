/**
 * Task queues with long polls: a task offered while a worker is polling goes straight to it;
 * otherwise it waits in FIFO order. A task is materialized only when handed out (`dispatch`),
 * so a task that went stale while queued (its workflow closed, the attempt timed out) is
 * skipped instead of being delivered.
 */
import type { temporal } from '@temporalio/proto';
import type { Plain, WithHistory } from './proto';

/** What a poll of each kind of queue answers with. */
export type WorkflowTask = WithHistory<Plain<temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse>>;
export type ActivityTask = Plain<temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse>;

export interface QueuedTask<T> {
  /** The poll response, or undefined when the task is no longer valid. */
  dispatch(): T | undefined;
}

interface Poller<T> {
  deliver(task: T | undefined): void;
}

/** How long a poll waits before answering "no task" (the SDK simply polls again). */
export const POLL_TIMEOUT_MS = 20_000;

export class TaskQueues<T> {
  private readonly tasks = new Map<string, QueuedTask<T>[]>();
  private readonly pollers = new Map<string, Poller<T>[]>();

  offer(queue: string, task: QueuedTask<T>): void {
    const waiting = this.pollers.get(queue);
    if (waiting && waiting.length > 0) {
      // Claim the poller before dispatching: dispatch can re-enter (fire timers that offer tasks).
      const poller = waiting.shift()!;
      const response = task.dispatch();
      if (!response) {
        waiting.unshift(poller);
        return;
      }
      poller.deliver(response);
      return;
    }
    const list = this.tasks.get(queue) ?? [];
    list.push(task);
    this.tasks.set(queue, list);
  }

  /** Resolves with a task response, or undefined after the poll timeout or when `cancelled` fires. */
  poll(queue: string, cancelled: (onCancel: () => void) => void, timeoutMs = POLL_TIMEOUT_MS): Promise<T | undefined> {
    const queued = this.tasks.get(queue);
    while (queued && queued.length > 0) {
      const response = queued.shift()!.dispatch();
      if (response) return Promise.resolve(response);
    }
    return new Promise((resolve) => {
      let done = false;
      const poller: Poller<T> = {
        deliver: (task) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          const list = this.pollers.get(queue) ?? [];
          const i = list.indexOf(poller);
          if (i >= 0) list.splice(i, 1);
          resolve(task);
        },
      };
      const timer = setTimeout(() => poller.deliver(undefined), timeoutMs);
      timer.unref?.();
      const list = this.pollers.get(queue) ?? [];
      list.push(poller);
      this.pollers.set(queue, list);
      cancelled(() => poller.deliver(undefined));
    });
  }

  /** Answers every waiting poll with "no task" (shutdown). */
  releaseAll(): void {
    for (const list of this.pollers.values()) for (const p of [...list]) p.deliver(undefined);
    this.tasks.clear();
  }

  /** Answers the polls waiting on one queue with "no task" and drops its tasks (a sticky queue whose worker left). */
  release(queue: string): void {
    for (const p of [...(this.pollers.get(queue) ?? [])]) p.deliver(undefined);
    this.pollers.delete(queue);
    this.tasks.delete(queue);
  }

  /** Tasks waiting in a queue (for describe/debugging). */
  backlog(queue: string): number {
    return this.tasks.get(queue)?.length ?? 0;
  }
}
