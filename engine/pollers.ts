/**
 * Who has polled which task queue lately, as the server's matching service remembers it for
 * DescribeTaskQueue: the Temporal UI shows these pollers as the workers of a workflow, says
 * "No Workers Running" without them and then hides the Queries tab.
 */
import type { temporal } from '@temporalio/proto';
import type { Plain, Timestamp } from './proto';

export type PollerKind = 'workflow' | 'activity';

/** The server forgets a poller it has not heard from in 5 minutes. */
const POLLER_TTL_MS = 5 * 60_000;
/** The default `maxTaskQueueActivitiesPerSecond` a server reports for a poller without a limit. */
const DEFAULT_RATE_PER_SECOND = 100_000;

interface PollerRecord {
  identity: string;
  lastAccessMs: number;
  ratePerSecond: number;
}

export class PollerRegistry {
  private readonly byQueue = new Map<string, Map<string, PollerRecord>>();

  constructor(private readonly now: () => number) {}

  /** Called at every poll. */
  seen(kind: PollerKind, queue: string, identity: string | undefined, ratePerSecond?: number): void {
    if (!queue) return;
    const key = `${kind}:${queue}`;
    const pollers = this.byQueue.get(key) ?? new Map<string, PollerRecord>();
    this.byQueue.set(key, pollers);
    const id = identity || 'unknown';
    pollers.set(id, {
      identity: id,
      lastAccessMs: this.now(),
      ratePerSecond: ratePerSecond || DEFAULT_RATE_PER_SECOND,
    });
  }

  /** Pollers heard from within the TTL, most recent first. */
  list(kind: PollerKind, queue: string): PollerRecord[] {
    const pollers = this.byQueue.get(`${kind}:${queue}`);
    if (!pollers) return [];
    const cutoff = this.now() - POLLER_TTL_MS;
    for (const [id, p] of pollers) if (p.lastAccessMs < cutoff) pollers.delete(id);
    return [...pollers.values()].sort((a, b) => b.lastAccessMs - a.lastAccessMs);
  }
}

/** DescribeTaskQueue (legacy mode, the one the UI uses): pollers of one task queue type. */
export function describeTaskQueue(
  registry: PollerRegistry,
  req: Plain<temporal.api.workflowservice.v1.IDescribeTaskQueueRequest>,
  timestamp: (ms: number) => Timestamp,
): Plain<temporal.api.workflowservice.v1.IDescribeTaskQueueResponse> {
  const queue = req.taskQueue?.name ?? '';
  const kind: PollerKind = req.taskQueueType === 'TASK_QUEUE_TYPE_ACTIVITY' ? 'activity' : 'workflow';
  return {
    pollers: registry.list(kind, queue).map((p) => ({
      identity: p.identity,
      lastAccessTime: timestamp(p.lastAccessMs),
      ratePerSecond: p.ratePerSecond,
    })),
  };
}
