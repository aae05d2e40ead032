/** `POST /v1/hr/events` (canonical) and `POST /v1/hr/events/<adapter>` (BambooHR, SCIM bulk). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { observeHrEvent, type IntakeVerdict } from '../../../lib/metrics';
import { canonicalAdapter, VENDOR_ADAPTERS, type HrAdapter } from '../adapters';
import { authenticate } from '../auth';
import { parseJsonBody } from '../body';
import type { EventIntake } from '../intake';
import { ApiError, API_ERROR_CODES } from '../problems';
import type { ApiSecrets } from '../secrets';

export interface EventRouteDeps {
  intake: EventIntake;
  secrets: ApiSecrets;
  replayWindowSec: number;
  timeZone: string;
  now: () => number;
}

function handler(adapter: HrAdapter, deps: EventRouteDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!Buffer.isBuffer(request.body)) {
      throw new ApiError(
        415,
        API_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
        'send the event as Content-Type: application/json (or application/scim+json)',
      );
    }
    const nowMs = deps.now();
    authenticate(request, request.body, deps.secrets, deps.replayWindowSec, nowMs, adapter.name);
    const payload = parseJsonBody(request.body);
    const answers = await deps.intake.handle(adapter, payload, {
      receivedAt: new Date(nowMs),
      timeZone: deps.timeZone,
    });
    // One event → the single answer (the documented shape); a batch → every answer in order.
    const body = adapter.maxEvents === 1 ? answers[0] : { status: 'accepted', events: answers };
    return reply.code(202).send(body);
  };
}

/** Rejections by status, for `jml_hr_events_total{stage="intake"}` (202s are counted per event by the intake). */
function rejectionVerdict(status: number): IntakeVerdict | undefined {
  if (status < 400) return undefined;
  if (status === 401) return 'unauthorized';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'invalid';
}

export function registerEventRoutes(app: FastifyInstance, deps: EventRouteDeps): void {
  const onResponse = async (_request: FastifyRequest, reply: FastifyReply) => {
    const verdict = rejectionVerdict(reply.statusCode);
    if (verdict) observeHrEvent(verdict);
  };
  // Rate limiting is a global hook (server.ts): it runs before the body is read.
  app.post('/v1/hr/events', { onResponse }, handler(canonicalAdapter, deps));
  for (const adapter of VENDOR_ADAPTERS) {
    app.post(`/v1/hr/events/${adapter.name}`, { onResponse }, handler(adapter, deps));
  }
}
