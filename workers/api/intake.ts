/**
 * From a parsed payload to durable events: adapt, validate every event, check idempotency,
 * then deliver. Nothing reaches Temporal unless the whole request is valid and conflict-free.
 */
import { HrEventSchema, type HrEvent } from '../../lib/hr/event';
import type { Logger } from '../../lib/logger';
import type { AdaptedEvent, AdapterContext, HrAdapter } from './adapters';
import type { TemporalGateway } from './gateway';
import { contentHash, type AcceptedAnswer, type IdempotencyStore } from './idempotency';
import { ApiError, API_ERROR_CODES, formatIssues } from './problems';

interface Checked {
  event: HrEvent;
  bodyHash: string;
}

/** Validates every adapted event against the canonical schema; all problems are reported at once. */
export function validateAdapted(adapted: readonly AdaptedEvent[]): Checked[] {
  const issues: string[] = [];
  const checked: Checked[] = [];
  for (const item of adapted) {
    const parsed = HrEventSchema.safeParse(item.event);
    if (parsed.success) checked.push({ event: parsed.data, bodyHash: contentHash(item.fingerprint) });
    else issues.push(...formatIssues(parsed.error.issues, item.where));
  }
  if (issues.length > 0) throw new ApiError(400, API_ERROR_CODES.INVALID_EVENT, 'the event is invalid; fix the fields listed in "issues"', issues);
  return checked;
}

export interface IntakeDeps {
  gateway: TemporalGateway;
  store: IdempotencyStore;
  logger: Logger;
}

export class EventIntake {
  /** Deliveries under way, so a concurrent repeat waits for the first instead of signalling twice. */
  private readonly inFlight = new Map<string, Promise<AcceptedAnswer>>();

  constructor(private readonly deps: IntakeDeps) {}

  /** Adapts and validates, then accepts each event; the answers in payload order. */
  async handle(adapter: HrAdapter, payload: unknown, ctx: AdapterContext): Promise<AcceptedAnswer[]> {
    const result = adapter.adapt(payload, ctx);
    if (!result.ok) throw new ApiError(400, API_ERROR_CODES.INVALID_EVENT, `the ${adapter.name} payload is invalid; fix the fields listed in "issues"`, result.issues);
    if (result.events.length > adapter.maxEvents) {
      throw new ApiError(400, API_ERROR_CODES.INVALID_EVENT, `at most ${adapter.maxEvents} events per ${adapter.name} request; split the batch`);
    }
    const checked = dedupe(validateAdapted(result.events));
    await this.assertNoConflicts(checked);
    const answers: AcceptedAnswer[] = [];
    for (const item of checked) answers.push(await this.accept(item));
    return answers;
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
      this.deps.logger.info({ eventId: event.eventId, workflowId: existing.answer.workflowId }, 'repeated event: answered from the idempotency record');
      return existing.answer;
    }
    let workflowId: string;
    try {
      ({ workflowId } = await this.deps.gateway.deliver(event));
    } catch (err) {
      this.deps.logger.error({ err, eventId: event.eventId }, 'could not deliver the event to Temporal');
      throw new ApiError(503, API_ERROR_CODES.TEMPORAL_UNAVAILABLE, 'the workflow service did not confirm the event; retry with the same eventId (a repeat is safe)', undefined, { 'retry-after': '5' });
    }
    const answer: AcceptedAnswer = { workflowId, eventId: event.eventId, status: 'accepted' };
    await this.deps.store.put(event.eventId, { bodyHash, answer, acceptedAtMs: Date.now() });
    this.deps.logger.info({ eventId: event.eventId, workflowId, type: event.type ?? 'snapshot', source: event.source, effectiveAt: event.effectiveAt }, 'event accepted');
    return answer;
  }
}

function conflict(eventId: string): ApiError {
  return new ApiError(409, API_ERROR_CODES.IDEMPOTENCY_CONFLICT, `eventId "${eventId}" was already accepted with different content; use a new eventId for a new change`);
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
