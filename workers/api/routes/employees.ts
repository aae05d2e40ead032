/** Read endpoints: the employee workflow's status and its timeline. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TemporalGateway } from '../gateway';
import { ApiError, API_ERROR_CODES } from '../problems';
import { verifyBearer } from '../signature';

export type TimelineSource = (employeeId: string) => Promise<unknown | null>;

function notFound(employeeId: string): ApiError {
  return new ApiError(404, API_ERROR_CODES.NOT_FOUND, `no lifecycle workflow for employee "${employeeId}"`);
}

function unavailable(): ApiError {
  return new ApiError(503, API_ERROR_CODES.TEMPORAL_UNAVAILABLE, 'the workflow service did not answer; retry later', undefined, { 'retry-after': '5' });
}

/** Employee state is personal data: with tokens configured, reads need one of them. */
function readGuard(tokens: readonly string[]) {
  return async (request: FastifyRequest) => {
    if (tokens.length === 0) return;
    const value = request.headers.authorization;
    if (!verifyBearer(Array.isArray(value) ? value[0] : value, tokens)) {
      throw new ApiError(401, API_ERROR_CODES.UNAUTHORIZED, 'missing or invalid bearer token for the read endpoints', undefined, { 'www-authenticate': 'Bearer realm="jml"' });
    }
  };
}

export function registerEmployeeRoutes(app: FastifyInstance, deps: { gateway: TemporalGateway; timelineSource: TimelineSource; readTokens: readonly string[] }): void {
  const onRequest = readGuard(deps.readTokens);
  app.get<{ Params: { id: string } }>('/v1/employees/:id', { onRequest }, async (request) => {
    const status = await deps.gateway.status(request.params.id).catch((err: unknown) => {
      request.log.error({ err }, 'status query failed');
      throw unavailable();
    });
    if (!status) throw notFound(request.params.id);
    return status;
  });
  app.get<{ Params: { id: string } }>('/v1/employees/:id/timeline', { onRequest }, async (request) => {
    const timeline = await deps.timelineSource(request.params.id).catch((err: unknown) => {
      request.log.error({ err }, 'timeline read failed');
      throw unavailable();
    });
    if (timeline === null || timeline === undefined) throw notFound(request.params.id);
    return { employeeId: request.params.id, timeline };
  });
}
