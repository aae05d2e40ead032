/**
 * Idempotency records: HR systems deliver at least once, so the `eventId` of every accepted
 * event is remembered with the answer that was given and a hash of what was sent. A repeat
 * gets the same answer and changes nothing; the same id with different content is a conflict.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json';

export interface AcceptedAnswer {
  workflowId: string;
  eventId: string;
  status: 'accepted';
}

export interface IdempotencyRecord {
  /** SHA-256 (hex) of the event's canonical JSON. */
  bodyHash: string;
  answer: AcceptedAnswer;
  acceptedAtMs: number;
}

/**
 * Storage for idempotency records. The in-memory one below is bounded and per process; a
 * durable implementation (PostgreSQL, with the audit store) plugs in through this interface.
 */
export interface IdempotencyStore {
  get(eventId: string): Promise<IdempotencyRecord | undefined>;
  /** Called only after the event is durable in Temporal. */
  put(eventId: string, record: IdempotencyRecord): Promise<void>;
}

/**
 * Least-recently-used records up to `maxEntries`. Losing an old record is safe: the employee
 * workflow drops `eventId`s it has already seen, so a late repeat still changes nothing; the
 * caller just gets a fresh 202 instead of the recorded one.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, IdempotencyRecord>();

  /** @param maxEntries @default 100000 */
  constructor(private readonly maxEntries = 100_000) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.records.size;
  }

  async get(eventId: string): Promise<IdempotencyRecord | undefined> {
    const record = this.records.get(eventId);
    if (record) {
      // Map keeps insertion order: re-inserting marks the record as recently used.
      this.records.delete(eventId);
      this.records.set(eventId, record);
    }
    return record;
  }

  async put(eventId: string, record: IdempotencyRecord): Promise<void> {
    this.records.delete(eventId);
    this.records.set(eventId, record);
    while (this.records.size > this.maxEntries) {
      const oldest = this.records.keys().next().value as string;
      this.records.delete(oldest);
    }
  }
}

export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
