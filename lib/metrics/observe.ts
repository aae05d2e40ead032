/**
 * Turns what the worker and the API already see into metric updates: SCIM request records (the
 * same hook that writes them to the audit trail), lifecycle milestones (the audit activity's
 * input: workflows cannot do I/O, so results reach metrics where they reach activities), and
 * HR event verdicts. Labels are bounded sets (apps, operations, statuses): never a person.
 */
import type { LifecycleKind, TimelineEntry } from '../lifecycle/types';
import type { ScimRequestInfo } from '../scim';
import {
  hrEvents,
  lifecycleDuration,
  lifecycleRuns,
  lifecycleStarted,
  scimRateLimited,
  scimRequestDuration,
  scimRequests,
  slaBreaches,
} from './registry';

/** `status`: the HTTP status, or `timeout` / `network` when no answer came. */
export function observeScimRequest(
  info: Pick<ScimRequestInfo, 'app' | 'operation' | 'status' | 'latencyMs' | 'errorCode'>,
): void {
  const status =
    info.status !== undefined ? String(info.status) : info.errorCode === 'SCIM_TIMEOUT' ? 'timeout' : 'network';
  scimRequests.inc({ app: info.app, operation: info.operation, status });
  scimRequestDuration.observe({ app: info.app, operation: info.operation }, info.latencyMs / 1000);
  if (info.status === 429) scimRateLimited.inc({ app: info.app });
}

/** SLA per lifecycle kind, to recover the effective time from a run's deadline. */
export type SlaByKind = Partial<Record<LifecycleKind, number>>;

const FAILED_COUNT = /\b([1-9]\d*) failed\b/;

/**
 * Counts finished runs (outcome `failed` when an app failed or the run failed as a whole),
 * their duration from the effective time (deadline − SLA) to done, started runs, and the
 * employee workflow's verdicts on HR events. Call once per successfully recorded batch.
 */
export function observeMilestones(entries: readonly TimelineEntry[], slaMs: SlaByKind): void {
  for (const entry of entries) {
    switch (entry.kind) {
      case 'lifecycle-started':
        if (entry.lifecycle) lifecycleStarted.inc({ lifecycle: entry.lifecycle });
        break;
      case 'lifecycle-completed': {
        // "no access change" completions have no lifecycle: nothing ran.
        if (!entry.lifecycle) break;
        const failed = FAILED_COUNT.test(entry.detail ?? '');
        lifecycleRuns.inc({ lifecycle: entry.lifecycle, outcome: failed ? 'failed' : 'succeeded' });
        const sla = slaMs[entry.lifecycle];
        if (entry.slaDeadlineMs && sla !== undefined) {
          const effectiveAtMs = entry.slaDeadlineMs - sla;
          lifecycleDuration.observe({ lifecycle: entry.lifecycle }, Math.max(0, entry.atMs - effectiveAtMs) / 1000);
        }
        break;
      }
      case 'lifecycle-failed':
        if (entry.lifecycle) lifecycleRuns.inc({ lifecycle: entry.lifecycle, outcome: 'failed' });
        break;
      case 'event-received':
        hrEvents.inc({ stage: 'workflow', verdict: 'accepted' });
        break;
      case 'event-duplicate':
        hrEvents.inc({ stage: 'workflow', verdict: 'duplicate' });
        break;
      case 'event-stale':
        hrEvents.inc({ stage: 'workflow', verdict: 'stale' });
        break;
      default:
        break;
    }
  }
}

export function observeSlaBreach(lifecycle: LifecycleKind): void {
  slaBreaches.inc({ lifecycle });
}

export type IntakeVerdict =
  | 'accepted'
  | 'duplicate'
  | 'conflict'
  | 'invalid'
  | 'unauthorized'
  | 'rate_limited'
  | 'unavailable';

export function observeHrEvent(verdict: IntakeVerdict, count = 1): void {
  hrEvents.inc({ stage: 'intake', verdict }, count);
}
