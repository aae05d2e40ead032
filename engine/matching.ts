/**
 * Task queues with long polls: a task offered while a worker is polling goes straight to it;
 * otherwise it waits in its queue's backlog. The backlog is ordered as a real server's matching
 * orders it with task priority: by priority key (1 first, 5 last; see priority.ts), first in,
 * first out within a key. A task is materialized only when handed out (`dispatch`), so a task
 * that went stale while queued (its workflow closed, the attempt timed out) is skipped instead
 * of being delivered.
 */
import type { temporal } from '@temporalio/proto';
import { DEFAULT_PRIORITY_KEY, PRIORITY_LEVELS } from './priority';
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

/** A FIFO list that takes from the front in O(1) (a backlog can hold tens of thousands of tasks). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as T;
    // Compact once the taken part dominates, so memory follows the backlog, not its history.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/** One queue's backlog: a FIFO per priority key, index 0 for key 1. */
class Backlog<T> {
  private readonly levels: Fifo<QueuedTask<T>>[] = Array.from({ length: PRIORITY_LEVELS }, () => new Fifo());
  size = 0;

  push(task: QueuedTask<T>, key: number): void {
    this.levels[key - 1].push(task);
    this.size++;
  }

  /** The next task in dispatch order: the lowest key that has one, the oldest in it. */
  shift(): QueuedTask<T> | undefined {
    for (const level of this.levels) {
      const task = level.shift();
      if (task) {
        this.size--;
        return task;
      }
    }
    return undefined;
  }
}

export interface TaskQueuesOptions {
  /**
   * Order backlogs by priority key; false keeps one FIFO per queue (every task at the default
   * key), a benchmark baseline for what priority buys. @default true
   */
  priority?: boolean;
}

export class TaskQueues<T> {
  private readonly tasks = new Map<string, Backlog<T>>();
  private readonly pollers = new Map<string, Poller<T>[]>();
  private readonly byPriority: boolean;

  constructor(options: TaskQueuesOptions = {}) {
    this.byPriority = options.priority ?? true;
  }

  /** `priorityKey`: the task's effective key, 1..PRIORITY_LEVELS (priority.ts resolves it). */
  offer(queue: string, task: QueuedTask<T>, priorityKey = DEFAULT_PRIORITY_KEY): void {
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
    let backlog = this.tasks.get(queue);
    if (!backlog) {
      backlog = new Backlog();
      this.tasks.set(queue, backlog);
    }
    backlog.push(task, this.byPriority ? priorityKey : DEFAULT_PRIORITY_KEY);
  }

  /** Resolves with a task response, or undefined after the poll timeout or when `cancelled` fires. */
  poll(queue: string, cancelled: (onCancel: () => void) => void, timeoutMs = POLL_TIMEOUT_MS): Promise<T | undefined> {
    const queued = this.tasks.get(queue);
    while (queued && queued.size > 0) {
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
    return this.tasks.get(queue)?.size ?? 0;
  }
}
