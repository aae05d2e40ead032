/** Read endpoints: the employee workflow's status and its timeline. */
import type { FastifyInstance } from 'fastify';
import type { TemporalGateway } from '../gateway';
import { ApiError, API_ERROR_CODES } from '../problems';

export type TimelineSource = (employeeId: string) => Promise<unknown | null>;

function notFound(employeeId: string): ApiError {
  return new ApiError(404, API_ERROR_CODES.NOT_FOUND, `no lifecycle workflow for employee "${employeeId}"`);
}

function unavailable(): ApiError {
  return new ApiError(503, API_ERROR_CODES.TEMPORAL_UNAVAILABLE, 'the workflow service did not answer; retry later', undefined, { 'retry-after': '5' });
}

export function registerEmployeeRoutes(app: FastifyInstance, deps: { gateway: TemporalGateway; timelineSource: TimelineSource }): void {
  app.get<{ Params: { id: string } }>('/v1/employees/:id', async (request) => {
    const status = await deps.gateway.status(request.params.id).catch((err: unknown) => {
      request.log.error({ err }, 'status query failed');
      throw unavailable();
    });
    if (!status) throw notFound(request.params.id);
    return status;
  });
  app.get<{ Params: { id: string } }>('/v1/employees/:id/timeline', async (request) => {
    const timeline = await deps.timelineSource(request.params.id).catch((err: unknown) => {
      request.log.error({ err }, 'timeline read failed');
      throw unavailable();
    });
    if (timeline === null || timeline === undefined) throw notFound(request.params.id);
    return { employeeId: request.params.id, timeline };
  });
}
