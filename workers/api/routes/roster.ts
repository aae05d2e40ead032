/**
 * `POST /v1/hr/roster` (signed exactly like events) and `GET /v1/hr/roster/:rosterId`. The
 * roster is validated whole (every problem reported at once; nothing is delivered unless all of
 * it is valid), handed to the `roster-<rosterId>` workflow in batches, and answered 202 at once:
 * the workflow delivers each person's event and, for a full roster, infers the leavers — which
 * may take minutes for a large company, so the answer does not wait (its status is the GET).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HR_ID_HINT, HR_ID_PATTERN } from '../../../lib/hr/employee';
import { checkPlausibility, type PlausibilityLimits } from '../../../lib/hr/plausibility';
import { RosterSchema } from '../../../lib/hr/roster';
import { toPointer } from '../../../lib/hr/text';
import { rosterEvent } from '../../../lib/roster/missing';
import { RosterConflictError } from '../../../lib/temporal/roster-client';
import { authenticate } from '../auth';
import { assertCleanText, parseJsonBody } from '../body';
import type { TemporalGateway } from '../gateway';
import { contentHash } from '../idempotency';
import { ApiError, API_ERROR_CODES, formatIssues, formatPath } from '../problems';
import type { ApiSecrets } from '../secrets';
import { verifyBearer } from '../signature';

export interface RosterRouteDeps {
  gateway: TemporalGateway;
  secrets: ApiSecrets;
  readTokens: readonly string[];
  replayWindowSec: number;
  plausibility: PlausibilityLimits;
  bodyLimit: number;
  now: () => number;
}

/** What the 202 says: the roster is durable in Temporal; its progress is at `statusUrl`. */
export interface RosterAccepted {
  status: 'accepted';
  rosterId: string;
  workflowId: string;
  full: boolean;
  employees: number;
  batches: number;
  /** The same roster was accepted before: nothing new was started. */
  repeated: boolean;
  statusUrl: string;
}

function invalid(issues: string[], fields: string[]): ApiError {
  return new ApiError(
    400,
    API_ERROR_CODES.INVALID_EVENT,
    'the roster is invalid; fix the fields listed in "issues" (nothing was delivered)',
    issues,
    {},
    fields,
  );
}

export function registerRosterRoutes(app: FastifyInstance, deps: RosterRouteDeps): void {
  app.post('/v1/hr/roster', { bodyLimit: deps.bodyLimit }, async (request: FastifyRequest, reply: FastifyReply) => {
    if (!Buffer.isBuffer(request.body))
      throw new ApiError(
        415,
        API_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
        'send the roster as Content-Type: application/json',
      );
    const nowMs = deps.now();
    authenticate(request, request.body, deps.secrets, deps.replayWindowSec, nowMs, 'roster');
    const payload = parseJsonBody(request.body);
    assertCleanText(payload);
    const parsed = RosterSchema.safeParse(payload);
    const issues: string[] = [];
    const fields: string[] = [];
    // Every problem at once: the schema's, a person listed twice, and the checks an event gets.
    if (!parsed.success) {
      issues.push(...formatIssues(parsed.error.issues));
      fields.push(...parsed.error.issues.map((i) => toPointer(i.path as (string | number)[])));
    }
    const listed = (payload as { employees?: unknown } | null)?.employees;
    const seen = new Map<string, number>();
    (Array.isArray(listed) ? listed : []).forEach((employee: unknown, i) => {
      const id = (employee as { employeeId?: unknown } | null)?.employeeId;
      if (typeof id !== 'string') return;
      const first = seen.get(id);
      if (first === undefined) return void seen.set(id, i);
      issues.push(`employees[${i}].employeeId: the same as employees[${first}]; list each person once`);
      fields.push(toPointer(['employees', i, 'employeeId']));
    });
    const roster = parsed.success ? parsed.data : undefined;
    const asOf = roster?.asOf ?? new Date(nowMs).toISOString();
    roster?.employees.forEach((employee, i) => {
      // An occurredAt ahead of the clock, implausible values: checked on the event this person becomes.
      for (const p of checkPlausibility(rosterEvent(roster.rosterId, asOf, employee), nowMs, deps.plausibility)) {
        const path = p.path[0] === 'employee' ? ['employees', i, ...p.path.slice(1)] : ['asOf'];
        issues.push(`${formatPath(path)}: ${p.message}`);
        fields.push(toPointer(path));
      }
    });
    if (!roster || issues.length > 0) throw invalid([...new Set(issues)], [...new Set(fields)]);

    let submitted;
    try {
      submitted = await deps.gateway.submitRoster({
        rosterId: roster.rosterId,
        full: roster.full,
        asOf,
        ...(roster.source ? { source: roster.source } : {}),
        employees: roster.employees,
        // Of what HR sent (asOf defaulted or not), so an identical re-delivery is recognised.
        contentHash: contentHash(roster),
      });
    } catch (err) {
      if (err instanceof RosterConflictError)
        throw new ApiError(409, API_ERROR_CODES.IDEMPOTENCY_CONFLICT, err.message);
      request.log.error({ err, rosterId: roster.rosterId }, 'could not hand the roster to Temporal');
      throw new ApiError(
        503,
        API_ERROR_CODES.TEMPORAL_UNAVAILABLE,
        'the workflow service did not confirm the roster; send it again with the same rosterId (a repeat is safe)',
        undefined,
        { 'retry-after': '5' },
      );
    }
    request.log.info(
      {
        rosterId: roster.rosterId,
        full: roster.full,
        employees: roster.employees.length,
        repeated: submitted.repeated,
      },
      'roster accepted',
    );
    const statusUrl = `/v1/hr/roster/${encodeURIComponent(roster.rosterId)}`;
    const body: RosterAccepted = {
      status: 'accepted',
      rosterId: roster.rosterId,
      workflowId: submitted.workflowId,
      full: roster.full,
      employees: roster.employees.length,
      batches: submitted.batches,
      repeated: submitted.repeated,
      statusUrl,
    };
    return reply.code(202).header('location', statusUrl).send(body);
  });

  app.get<{ Params: { rosterId: string } }>('/v1/hr/roster/:rosterId', async (request) => {
    if (deps.readTokens.length > 0 && !verifyBearer(request.headers.authorization, deps.readTokens))
      throw new ApiError(
        401,
        API_ERROR_CODES.UNAUTHORIZED,
        'missing or invalid bearer token for the read endpoints',
        undefined,
        {
          'www-authenticate': 'Bearer realm="jml"',
        },
      );
    const { rosterId } = request.params;
    if (!HR_ID_PATTERN.test(rosterId) || rosterId.length > 64)
      throw new ApiError(400, API_ERROR_CODES.BAD_REQUEST, `rosterId in the path: ${HR_ID_HINT} (at most 64)`);
    const status = await deps.gateway.rosterStatus(rosterId).catch((err: unknown) => {
      request.log.error({ err }, 'roster status query failed');
      throw new ApiError(
        503,
        API_ERROR_CODES.TEMPORAL_UNAVAILABLE,
        'the workflow service did not answer; retry later',
        undefined,
        {
          'retry-after': '5',
        },
      );
    });
    if (!status) throw new ApiError(404, API_ERROR_CODES.NOT_FOUND, `no roster "${rosterId}"`);
    return status;
  });
}
