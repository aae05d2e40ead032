/**
 * The process's Prometheus registry and every jml metric. One registry per process: in `jml dev`
 * the worker and the API share it, so the API's `/metrics` shows the worker's series too.
 * A registry of our own (not prom-client's global one) so a library registering metrics of its
 * own cannot clash with ours.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export const registry = new Registry();

let defaultsCollected = false;

/** Node process metrics (CPU, memory, event-loop lag, GC); idempotent. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: registry });
}

/** Lifecycle runs from effective time to done: seconds up to a mover's 4 h SLA and beyond. */
const LIFECYCLE_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400];
/** One SCIM request, from a fast local app to the client's request timeout. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const lifecycleRuns = new Counter({
  name: 'jml_lifecycle_runs_total',
  help: 'Lifecycle runs finished, by lifecycle (joiner, mover, leaver, rehire, revocation, deletion) and outcome (succeeded: every app done; failed: an app or the run failed)',
  labelNames: ['lifecycle', 'outcome'] as const,
  registers: [registry],
});

export const lifecycleStarted = new Counter({
  name: 'jml_lifecycle_runs_started_total',
  help: 'Lifecycle runs started, by lifecycle (compare with jml_lifecycle_runs_total to see runs that do not finish)',
  labelNames: ['lifecycle'] as const,
  registers: [registry],
});

export const lifecycleDuration = new Histogram({
  name: 'jml_lifecycle_duration_seconds',
  help: 'Seconds from the HR effective time (or receipt, if later) to the run being done',
  labelNames: ['lifecycle'] as const,
  buckets: LIFECYCLE_BUCKETS,
  registers: [registry],
});

export const slaBreaches = new Counter({
  name: 'jml_sla_breaches_total',
  help: 'SLA deadlines that passed before the run was done, counted when the breach is alerted',
  labelNames: ['lifecycle'] as const,
  registers: [registry],
});

export const scimRequests = new Counter({
  name: 'jml_scim_requests_total',
  help: 'SCIM requests sent, by app, operation and HTTP status (or timeout / network when no answer came)',
  labelNames: ['app', 'operation', 'status'] as const,
  registers: [registry],
});

export const scimRequestDuration = new Histogram({
  name: 'jml_scim_request_duration_seconds',
  help: 'SCIM request latency, by app and operation',
  labelNames: ['app', 'operation'] as const,
  buckets: REQUEST_BUCKETS,
  registers: [registry],
});

export const scimRateLimited = new Counter({
  name: 'jml_scim_rate_limited_total',
  help: 'SCIM requests an app answered with 429 Too Many Requests',
  labelNames: ['app'] as const,
  registers: [registry],
});

export const hrEvents = new Counter({
  name: 'jml_hr_events_total',
  help:
    'HR events by stage and verdict. stage="intake" (API): accepted, duplicate (answered from the idempotency record), ' +
    'conflict, invalid, unauthorized, rate_limited, unavailable. stage="workflow" (worker): accepted, duplicate, stale',
  labelNames: ['stage', 'verdict'] as const,
  registers: [registry],
});
