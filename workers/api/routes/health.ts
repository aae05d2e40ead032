/** Liveness, readiness (Temporal reachable), Prometheus metrics and the OpenAPI document. */
import type { FastifyInstance } from 'fastify';
import { METRICS_CONTENT_TYPE, metricsText } from '../../../lib/metrics';
import type { TemporalGateway } from '../gateway';
import { openApiDocument } from '../openapi';

/** @default 2000 ms: a readiness probe must answer well within the orchestrator's probe timeout. */
export const READY_TIMEOUT_MS = 2_000;

export function registerHealthRoutes(app: FastifyInstance, deps: { gateway: TemporalGateway }): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = await deps.gateway.ready(READY_TIMEOUT_MS);
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'unavailable', temporal: ready ? 'reachable' : 'unreachable' });
  });
  // The process's registry: in `jml dev` it also holds the worker's series (one process).
  app.get('/metrics', async (_request, reply) =>
    reply
      .header('content-type', METRICS_CONTENT_TYPE)
      .header('cache-control', 'no-store')
      .send(await metricsText()),
  );
  const doc = openApiDocument();
  app.get('/openapi.json', async () => doc);
}
