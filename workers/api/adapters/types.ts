/** The contract every HR payload adapter fulfils. */

/** One event the adapter extracted, not yet validated against `HrEventSchema`. */
export interface AdaptedEvent {
  /** Candidate canonical event (validated by the route, so every adapter gets the same errors). */
  event: Record<string, unknown>;
  /**
   * What the idempotency hash covers: the part of the payload this event came from, so a
   * retried delivery hashes the same even when the event carries a receive time.
   */
  fingerprint: unknown;
  /** Prefix for validation messages, e.g. `employees[2]`. */
  where?: string;
}

export type AdapterResult = { ok: true; events: AdaptedEvent[] } | { ok: false; issues: string[] };

export interface AdapterContext {
  /** When the request arrived (snapshot payloads without a date take effect then). */
  receivedAt: Date;
  /** IANA zone for date-only HR values (hire/termination dates). @default 'UTC' */
  timeZone: string;
}

export interface HrAdapter {
  /** Route segment: `POST /v1/hr/events/<name>`. */
  name: string;
  /** Which HR format this accepts, for docs and the OpenAPI document. */
  description: string;
  /** At most this many events per request (Entra's bulkUpload allows 50 operations). */
  maxEvents: number;
  adapt(payload: unknown, ctx: AdapterContext): AdapterResult;
}
