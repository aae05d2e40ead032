/** Read endpoints: the employee workflow's status and its timeline. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HR_ID_HINT, HR_ID_PATTERN } from '../../../lib/hr/employee';
import type { TemporalGateway } from '../gateway';
import { ApiError, API_ERROR_CODES } from '../problems';
import { verifyBearer } from '../signature';

export type TimelineSource = (employeeId: string) => Promise<unknown | null>;

function notFound(employeeId: string): ApiError {
  return new ApiError(404, API_ERROR_CODES.NOT_FOUND, `no lifecycle workflow for employee "${employeeId}"`);
}

export function unavailable(): ApiError {
  return new ApiError(
    503,
    API_ERROR_CODES.TEMPORAL_UNAVAILABLE,
    'the workflow service did not answer; retry later',
    undefined,
    { 'retry-after': '5' },
  );
}

/** Employee state is personal data: with tokens configured, reads need one of them. */
export function readGuard(tokens: readonly string[]) {
  return async (request: FastifyRequest) => {
    if (tokens.length === 0) return;
    const value = request.headers.authorization;
    if (!verifyBearer(Array.isArray(value) ? value[0] : value, tokens)) {
      throw new ApiError(
        401,
        API_ERROR_CODES.UNAUTHORIZED,
        'missing or invalid bearer token for the read endpoints',
        undefined,
        { 'www-authenticate': 'Bearer realm="jml"' },
      );
    }
  };
}

/** The id names a workflow: it follows the employeeId rule, so nothing else reaches Temporal or the store. */
async function validId(request: FastifyRequest<{ Params: { id: string } }>) {
  if (!HR_ID_PATTERN.test(request.params.id) || request.params.id.length > 128) {
    throw new ApiError(400, API_ERROR_CODES.BAD_REQUEST, `employeeId in the path: ${HR_ID_HINT} (at most 128)`);
  }
}

export function registerEmployeeRoutes(
  app: FastifyInstance,
  deps: { gateway: TemporalGateway; timelineSource: TimelineSource; readTokens: readonly string[] },
): void {
  const onRequest = readGuard(deps.readTokens);
  const preHandler = validId;
  app.get<{ Params: { id: string } }>('/v1/employees/:id', { onRequest, preHandler }, async (request) => {
    const status = await deps.gateway.status(request.params.id).catch((err: unknown) => {
      request.log.error({ err }, 'status query failed');
      throw unavailable();
    });
    if (!status) throw notFound(request.params.id);
    return status;
  });
  app.get<{ Params: { id: string } }>('/v1/employees/:id/timeline', { onRequest, preHandler }, async (request) => {
    const timeline = await deps.timelineSource(request.params.id).catch((err: unknown) => {
      request.log.error({ err }, 'timeline read failed');
      throw unavailable();
    });
    if (timeline === null || timeline === undefined) throw notFound(request.params.id);
    return { employeeId: request.params.id, timeline };
  });
}
