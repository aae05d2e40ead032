/**
 * From a parsed payload to durable events: check the text, adapt, validate every event, check
 * idempotency, then deliver. Nothing reaches Temporal unless the whole request is valid and
 * conflict-free. A rejected termination is logged at error level: until HR fixes and resends
 * it, the person keeps their access.
 */
import { HrEventSchema, type HrEvent } from '../../lib/hr/event';
import { checkPlausibility, DEFAULT_PLAUSIBILITY, type PlausibilityLimits } from '../../lib/hr/plausibility';
import { toPointer } from '../../lib/hr/text';
import type { Logger } from '../../lib/logger';
import { observeHrEvent } from '../../lib/metrics';
import type { AdaptedEvent, AdapterContext, HrAdapter } from './adapters';
import { assertCleanText } from './body';
import type { TemporalGateway } from './gateway';
import { contentHash, type AcceptedAnswer, type IdempotencyStore } from './idempotency';
import { ApiError, API_ERROR_CODES, formatIssues, formatPath } from './problems';

interface Checked {
  event: HrEvent;
  bodyHash: string;
}

/**
 * Validates every adapted event against the canonical schema and the plausibility limits
 * (measured at `nowMs`); all problems are reported at once. Pointers into the body are given
 * for items that are the body itself (the canonical route).
 */
export function validateAdapted(
  adapted: readonly AdaptedEvent[],
  nowMs: number = Date.now(),
  limits: PlausibilityLimits = DEFAULT_PLAUSIBILITY,
): Checked[] {
  const issues: string[] = [];
  const fields: string[] = [];
  const checked: Checked[] = [];
  for (const item of adapted) {
    const parsed = HrEventSchema.safeParse(item.event);
    const prefix = item.where ? [item.where] : [];
    const problems = parsed.success
      ? checkPlausibility(parsed.data, nowMs, limits).map((p) => ({
          path: p.path,
          line: `${formatPath([...prefix, ...p.path])}: ${p.message}`,
        }))
      : parsed.error.issues.map((issue) => ({
          path: issue.path as (string | number)[],
          line: formatIssues([issue], item.where)[0],
        }));
    if (problems.length === 0 && parsed.success) {
      checked.push({ event: parsed.data, bodyHash: contentHash(item.fingerprint) });
      continue;
    }
    for (const p of problems) {
      issues.push(p.line);
      if (item.where === undefined) fields.push(toPointer(p.path));
    }
  }
  if (issues.length > 0) {
    const message = 'the event is invalid; fix the fields listed in "issues"';
    throw new ApiError(400, API_ERROR_CODES.INVALID_EVENT, message, issues, {}, fields);
  }
  return checked;
}

/** What an unvalidated event says about itself, for the rejection log (ids only, no personal data). */
function terminationIds(event: Record<string, unknown>): { eventId: string; employeeId: string } | undefined {
  const employee = (event.employee ?? {}) as Record<string, unknown>;
  const terminates = event.type === 'terminate' || (event.type === undefined && employee.status === 'terminated');
  if (!terminates) return undefined;
  return { eventId: loggableId(event.eventId), employeeId: loggableId(employee.employeeId) };
}

/** An id as a log field: escaped where it holds the characters that got it rejected, bounded. */
function loggableId(value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number') return '(missing)';
  const text = String(value).slice(0, 200);
  return text.replace(/[\p{Cc}\p{Cs}]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface IntakeDeps {
  gateway: TemporalGateway;
  store: IdempotencyStore;
  logger: Logger;
  /** @default DEFAULT_PLAUSIBILITY */
  plausibility?: PlausibilityLimits;
}

export class EventIntake {
  /** Deliveries under way, so a concurrent repeat waits for the first instead of signalling twice. */
  private readonly inFlight = new Map<string, Promise<AcceptedAnswer>>();

  constructor(private readonly deps: IntakeDeps) {}

  /** Adapts and validates, then accepts each event; the answers in payload order. */
  async handle(adapter: HrAdapter, payload: unknown, ctx: AdapterContext): Promise<AcceptedAnswer[]> {
    const result = adapter.adapt(payload, ctx);
    const events = result.ok ? result.events : [];
    let checked: Checked[];
    try {
      assertCleanText(payload);
      if (!result.ok)
        throw new ApiError(
          400,
          API_ERROR_CODES.INVALID_EVENT,
          `the ${adapter.name} payload is invalid; fix the fields listed in "issues"`,
          result.issues,
        );
      if (events.length > adapter.maxEvents) {
        throw new ApiError(
          400,
          API_ERROR_CODES.INVALID_EVENT,
          `at most ${adapter.maxEvents} events per ${adapter.name} request; split the batch`,
        );
      }
      checked = dedupe(validateAdapted(events, ctx.receivedAt.getTime(), this.deps.plausibility));
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) this.logRejectedTerminations(events, err);
      throw err;
    }
    await this.assertNoConflicts(checked);
    const answers: AcceptedAnswer[] = [];
    for (const item of checked) answers.push(await this.accept(item));
    return answers;
  }

  /** Every termination in a rejected request, at error level: HR must fix and resend it. */
  private logRejectedTerminations(events: readonly AdaptedEvent[], err: ApiError): void {
    for (const item of events) {
      const ids = terminationIds(item.event);
      if (!ids) continue;
      this.deps.logger.error(
        { ...ids, code: err.code, issues: err.issues, fields: err.fields },
        'termination rejected (400): the person keeps their access until HR fixes the event and sends it again',
      );
    }
  }

  private async assertNoConflicts(checked: readonly Checked[]): Promise<void> {
    for (const { event, bodyHash } of checked) {
      const record = await this.deps.store.get(event.eventId);
      if (record && record.bodyHash !== bodyHash) throw conflict(event.eventId);
    }
  }

  private async accept(item: Checked): Promise<AcceptedAnswer> {
    const { eventId } = item.event;
    const pending = this.inFlight.get(eventId);
    if (pending) {
      const answer = await pending;
      const record = await this.deps.store.get(eventId);
      if (record && record.bodyHash !== item.bodyHash) throw conflict(eventId);
      return answer;
    }
    const work = this.deliverOnce(item);
    this.inFlight.set(eventId, work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(eventId);
    }
  }

  private async deliverOnce({ event, bodyHash }: Checked): Promise<AcceptedAnswer> {
    const existing = await this.deps.store.get(event.eventId);
    if (existing) {
      if (existing.bodyHash !== bodyHash) throw conflict(event.eventId);
      this.deps.logger.info(
        { eventId: event.eventId, workflowId: existing.answer.workflowId },
        'repeated event: answered from the idempotency record',
      );
      observeHrEvent('duplicate');
      return existing.answer;
    }
    let workflowId: string;
    try {
      ({ workflowId } = await this.deps.gateway.deliver(event));
    } catch (err) {
      this.deps.logger.error({ err, eventId: event.eventId }, 'could not deliver the event to Temporal');
      throw new ApiError(
        503,
        API_ERROR_CODES.TEMPORAL_UNAVAILABLE,
        'the workflow service did not confirm the event; retry with the same eventId (a repeat is safe)',
        undefined,
        { 'retry-after': '5' },
      );
    }
    const answer: AcceptedAnswer = { workflowId, eventId: event.eventId, status: 'accepted' };
    await this.deps.store.put(event.eventId, { bodyHash, answer, acceptedAtMs: Date.now() });
    observeHrEvent('accepted');
    this.deps.logger.info(
      {
        eventId: event.eventId,
        workflowId,
        type: event.type ?? 'snapshot',
        source: event.source,
        effectiveAt: event.effectiveAt,
      },
      'event accepted',
    );
    return answer;
  }
}

function conflict(eventId: string): ApiError {
  return new ApiError(
    409,
    API_ERROR_CODES.IDEMPOTENCY_CONFLICT,
    `eventId "${eventId}" was already accepted with different content; use a new eventId for a new change`,
  );
}

/** A batch may name the same event twice (BambooHR coalescing); keep the first of identical ones. */
function dedupe(checked: Checked[]): Checked[] {
  const seen = new Map<string, string>();
  const out: Checked[] = [];
  for (const item of checked) {
    const hash = seen.get(item.event.eventId);
    if (hash === undefined) {
      seen.set(item.event.eventId, item.bodyHash);
      out.push(item);
    } else if (hash !== item.bodyHash) {
      throw conflict(item.event.eventId);
    }
  }
  return out;
}
