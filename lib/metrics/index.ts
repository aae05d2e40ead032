/** Prometheus metrics: the registry, the observations the processes make, and the HTTP endpoints. */
export { registry, collectProcessMetrics } from './registry';
export {
  observeScimRequest,
  observeMilestones,
  observeSlaBreach,
  observeHrEvent,
  type IntakeVerdict,
  type SlaByKind,
} from './observe';
export { trackPendingDeletions, untrackPendingDeletions, countPendingDeletions } from './pending-deletions';
export { metricsText, METRICS_CONTENT_TYPE } from './exposition';
export { startMetricsServer, type MetricsServer, type ReadinessCheck } from './server';
