/**
 * Idempotency records in the audit store's database (PostgreSQL in production), so every API
 * replica gives a repeated `eventId` the same answer and a changed one a 409 — the in-memory
 * store only knows what its own process accepted. Records older than the retention are pruned
 * now and then; a forgotten id is still safe (the workflow drops `eventId`s it has seen).
 */
import type { Database } from '../../lib/audit/db';
import type { IdempotencyRecord, IdempotencyStore } from './idempotency';

export interface SqlIdempotencyOptions {
  /** How long records are kept. @default 30 days */
  retentionMs?: number;
  /** Prune on roughly one `put` in this many. @default 1000 */
  pruneEvery?: number;
  now?: () => number;
}

export class SqlIdempotencyStore implements IdempotencyStore {
  private puts = 0;
  private readonly retentionMs: number;
  private readonly pruneEvery: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Database,
    options: SqlIdempotencyOptions = {},
  ) {
    this.retentionMs = options.retentionMs ?? 30 * 24 * 60 * 60_000;
    this.pruneEvery = options.pruneEvery ?? 1000;
    this.now = options.now ?? Date.now;
  }

  async get(eventId: string): Promise<IdempotencyRecord | undefined> {
    const { rows } = await this.db.query<{
      body_hash: string;
      answer: IdempotencyRecord['answer'] | string;
      accepted_at: Date | string;
    }>('SELECT body_hash, answer, accepted_at FROM api_idempotency WHERE event_id = $1', [eventId]);
    const row = rows[0];
    if (!row) return undefined;
    const answer =
      typeof row.answer === 'string' ? (JSON.parse(row.answer) as IdempotencyRecord['answer']) : row.answer;
    return { bodyHash: row.body_hash, answer, acceptedAtMs: new Date(row.accepted_at).getTime() };
  }

  /** The first record for an id wins: a replica that lost the race keeps the earlier answer. */
  async put(eventId: string, record: IdempotencyRecord): Promise<void> {
    await this.db.query(
      'INSERT INTO api_idempotency (event_id, body_hash, answer, accepted_at) VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING',
      [eventId, record.bodyHash, JSON.stringify(record.answer), new Date(record.acceptedAtMs).toISOString()],
    );
    if (++this.puts % this.pruneEvery === 0) await this.prune();
  }

  /** Deletes records older than the retention; returns how many. */
  async prune(): Promise<number> {
    const { rows } = await this.db.query<{ n: string | number }>(
      'WITH gone AS (DELETE FROM api_idempotency WHERE accepted_at < $1 RETURNING 1) SELECT count(*) AS n FROM gone',
      [new Date(this.now() - this.retentionMs).toISOString()],
    );
    return Number(rows[0]?.n ?? 0);
  }
}
