/** The text Prometheus scrapes, for any HTTP server (the API's fastify, the worker's node:http). */
import { registry } from './registry';
import './pending-deletions';

export const METRICS_CONTENT_TYPE = registry.contentType;

export function metricsText(): Promise<string> {
  return registry.metrics();
}
