/**
 * The audit store: append-only, hash-chained records of every SCIM request and lifecycle
 * milestone, idempotent by a caller-supplied key (a retried activity writes nothing twice),
 * plus the account registry (employee, app, SCIM id, state) the leaver reads.
 */
import { GENESIS, recordHash, verifyChain, type ChainProblem, type StoredRecord } from './chain';
import { openDatabase, type Database, type OpenOptions, type Sql } from './db';
import { migrate } from './migrations';

export type AuditKind = 'milestone' | 'scim-request';

export interface AppendInput {
  /** Stable across retries and replays: workflow id + sequence, or activity + attempt + n. */
  key: string;
  kind: AuditKind;
  employeeId: string;
  workflowId?: string;
  runId?: string;
  occurredAtMs: number;
  data: Record<string, unknown>;
}

export interface AuditRecord {
  seq: number;
  key: string;
  kind: AuditKind;
  employeeId: string;
  chainSeq: number;
  workflowId?: string;
  runId?: string;
  occurredAtMs: number;
  data: Record<string, unknown>;
  hash: string;
}

export interface AccountEntry {
  employeeId: string;
  app: string;
  scimId?: string;
  state: string;
  lastChangeAtMs: number;
}

export interface VerifyResult {
  ok: boolean;
  chains: number;
  records: number;
  problems: ChainProblem[];
}

interface Row {
  seq: string | number;
  idempotency_key: string;
  chain: string;
  chain_seq: number;
  kind: string;
  employee_id: string;
  workflow_id: string | null;
  run_id: string | null;
  occurred_at: Date | string;
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

function stored(r: Row): StoredRecord {
  return { seq: Number(r.seq), idempotencyKey: r.idempotency_key, chain: r.chain, chainSeq: Number(r.chain_seq), kind: r.kind, employeeId: r.employee_id, workflowId: r.workflow_id, runId: r.run_id, occurredAt: iso(r.occurred_at), data: r.data, prevHash: r.prev_hash, hash: r.hash };
}

function toRecord(r: Row): AuditRecord {
  return { seq: Number(r.seq), key: r.idempotency_key, kind: r.kind as AuditKind, employeeId: r.employee_id, chainSeq: Number(r.chain_seq), workflowId: r.workflow_id ?? undefined, runId: r.run_id ?? undefined, occurredAtMs: Date.parse(iso(r.occurred_at)), data: r.data, hash: r.hash };
}

export class AuditStore {
  private constructor(readonly db: Database) {}

  /** Opens (and migrates) the store: PostgreSQL with `databaseUrl`, else PGlite in `dataDir` (or memory). */
  static async open(options: OpenOptions = {}): Promise<AuditStore> {
    const db = await openDatabase(options);
    await migrate(db);
    return new AuditStore(db);
  }

  get kind(): Database['kind'] {
    return this.db.kind;
  }

  /** Appends one record to the employee's chain; a repeated key returns the existing record. */
  async append(input: AppendInput): Promise<AuditRecord> {
    return this.db.transaction(async (tx) => {
      const existing = await this.byKey(tx, input.key);
      if (existing) return existing;
      const chain = input.employeeId;
      // Serializes appends to one chain across workers; other chains proceed in parallel.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`jml-audit:${chain}`]);
      const again = await this.byKey(tx, input.key);
      if (again) return again;
      const { rows } = await tx.query<{ chain_seq: number; hash: string }>('SELECT chain_seq, hash FROM audit_records WHERE chain = $1 ORDER BY chain_seq DESC LIMIT 1', [chain]);
      const chainSeq = rows[0] ? Number(rows[0].chain_seq) + 1 : 1;
      const prevHash = rows[0]?.hash ?? GENESIS;
      const occurredAt = new Date(input.occurredAtMs).toISOString();
      const fields = { idempotencyKey: input.key, chain, chainSeq, kind: input.kind, employeeId: input.employeeId, workflowId: input.workflowId ?? null, runId: input.runId ?? null, occurredAt, data: input.data };
      const hash = recordHash(prevHash, fields);
      const inserted = await tx.query<Row>(
        `INSERT INTO audit_records (idempotency_key, chain, chain_seq, kind, employee_id, workflow_id, run_id, occurred_at, data, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
        [input.key, chain, chainSeq, input.kind, input.employeeId, fields.workflowId, fields.runId, occurredAt, JSON.stringify(input.data), prevHash, hash],
      );
      return toRecord(inserted.rows[0]!);
    });
  }

  private async byKey(tx: Sql, key: string): Promise<AuditRecord | undefined> {
    const { rows } = await tx.query<Row>('SELECT * FROM audit_records WHERE idempotency_key = $1', [key]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async records(filter: { employeeId?: string; sinceMs?: number; untilMs?: number; kind?: AuditKind } = {}): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.employeeId) where.push(`employee_id = $${params.push(filter.employeeId)}`);
    if (filter.sinceMs !== undefined) where.push(`occurred_at >= $${params.push(new Date(filter.sinceMs).toISOString())}`);
    if (filter.untilMs !== undefined) where.push(`occurred_at < $${params.push(new Date(filter.untilMs).toISOString())}`);
    if (filter.kind) where.push(`kind = $${params.push(filter.kind)}`);
    const { rows } = await this.db.query<Row>(`SELECT * FROM audit_records ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY occurred_at, seq`, params);
    return rows.map(toRecord);
  }

  /** The newest lifecycle milestones (runs started and completed), newest first, for the console. */
  async lifecycleMilestones(limit = 200): Promise<AuditRecord[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM audit_records WHERE kind = 'milestone' AND data->>'kind' IN ('lifecycle-started', 'lifecycle-completed', 'lifecycle-failed', 'sla-breached') ORDER BY seq DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toRecord);
  }

  /** Employees with records in a time window (for exports). */
  async employees(filter: { sinceMs?: number; untilMs?: number } = {}): Promise<string[]> {
    const records = await this.records(filter);
    return [...new Set(records.map((r) => r.employeeId))].sort();
  }

  /** Recomputes the chains (one employee's, or all) and names the first broken record of each. */
  async verify(filter: { employeeId?: string } = {}): Promise<VerifyResult> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM audit_records ${filter.employeeId ? 'WHERE chain = $1' : ''} ORDER BY chain, chain_seq, seq`,
      filter.employeeId ? [filter.employeeId] : [],
    );
    const byChain = new Map<string, StoredRecord[]>();
    for (const r of rows.map(stored)) byChain.set(r.chain, [...(byChain.get(r.chain) ?? []), r]);
    const problems: ChainProblem[] = [];
    for (const [chain, records] of byChain) {
      const problem = verifyChain(chain, records);
      if (problem) problems.push(problem);
    }
    return { ok: problems.length === 0, chains: byChain.size, records: rows.length, problems };
  }

  async upsertAccount(entry: AccountEntry): Promise<void> {
    // Last change wins; an older write (a slow retry) never overwrites a newer state.
    await this.db.query(
      `INSERT INTO accounts (employee_id, app, scim_id, state, last_change_at, updated_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (employee_id, app) DO UPDATE SET scim_id = COALESCE(EXCLUDED.scim_id, accounts.scim_id), state = EXCLUDED.state,
         last_change_at = EXCLUDED.last_change_at, updated_at = now()
       WHERE accounts.last_change_at <= EXCLUDED.last_change_at`,
      [entry.employeeId, entry.app, entry.scimId ?? null, entry.state, new Date(entry.lastChangeAtMs).toISOString()],
    );
  }

  async getAccounts(employeeId: string): Promise<AccountEntry[]> {
    const { rows } = await this.db.query<{ employee_id: string; app: string; scim_id: string | null; state: string; last_change_at: Date | string }>(
      'SELECT * FROM accounts WHERE employee_id = $1 ORDER BY app',
      [employeeId],
    );
    return rows.map((r) => ({ employeeId: r.employee_id, app: r.app, scimId: r.scim_id ?? undefined, state: r.state, lastChangeAtMs: Date.parse(iso(r.last_change_at)) }));
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
