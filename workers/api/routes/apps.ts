/**
 * Read endpoints for the apps' health: which apps are paused (by whom, why, since) or
 * quarantined (why, since, the next probe). Read-token protected like the employee reads.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TemporalGateway } from '../gateway';
import { ApiError, API_ERROR_CODES } from '../problems';
import { readGuard, unavailable } from './employees';

/** Connector ids: the same characters as their file names. */
const APP_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

async function validApp(request: FastifyRequest<{ Params: { app: string } }>) {
  if (!APP_ID.test(request.params.app))
    throw new ApiError(400, API_ERROR_CODES.BAD_REQUEST, 'app in the path: a connector id (letters, digits, - and _)');
}

export function registerAppRoutes(
  app: FastifyInstance,
  deps: { gateway: TemporalGateway; readTokens: readonly string[] },
): void {
  const onRequest = readGuard(deps.readTokens);
  app.get('/v1/apps', { onRequest }, async (request) => {
    const apps = await deps.gateway.apps().catch((err: unknown) => {
      request.log.error({ err }, 'app health read failed');
      throw unavailable();
    });
    return { apps };
  });
  app.get<{ Params: { app: string } }>('/v1/apps/:app', { onRequest, preHandler: validApp }, async (request) => {
    const health = await deps.gateway.app(request.params.app).catch((err: unknown) => {
      request.log.error({ err }, 'app health read failed');
      throw unavailable();
    });
    if (!health)
      throw new ApiError(404, API_ERROR_CODES.NOT_FOUND, `no health workflow for app "${request.params.app}"`);
    return health;
  });
}
