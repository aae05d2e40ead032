/**
 * The audit store: append-only, hash-chained records of every SCIM request and lifecycle
 * milestone, idempotent by a caller-supplied key (a retried activity writes nothing twice),
 * plus the account registry (employee, app, SCIM id, state) the leaver reads.
 */
import { CHAIN_VERSION, GENESIS, keyedRecordHash, verifyChain, type ChainProblem, type StoredRecord } from './chain';
import { compareWithCheckpoint, readCheckpoints, signCheckpoint, type Checkpoint, type ChainState } from './checkpoint';
import { openDatabase, type Database, type OpenOptions as DbOpenOptions, type Sql } from './db';
import { AuditKeyError, MISSING_KEY_MESSAGE, type AuditKey } from './key';
import { checkSchema, migrate } from './migrations';

export interface OpenOptions extends DbOpenOptions {
  /** The audit key (lib/audit/key.ts): needed to append and to verify keyed records. */
  key?: AuditKey;
  /**
   * Run pending migrations (DDL) on open. Processes on PostgreSQL pass false: `jml migrate`
   * does that as the owner, and they only check the schema version. @default true
   */
  migrate?: boolean;
}

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
  /** When the database server wrote it (absent on records from before the keyed chain). */
  recordedAtMs?: number;
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
  /** Checkpoints compared (0 without --checkpoint). */
  checkpoints: number;
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
  recorded_at: Date | string;
  chain_version?: number;
  key_id?: string | null;
}

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

function stored(r: Row): StoredRecord {
  return {
    seq: Number(r.seq), idempotencyKey: r.idempotency_key, chain: r.chain, chainSeq: Number(r.chain_seq), kind: r.kind,
    employeeId: r.employee_id, workflowId: r.workflow_id, runId: r.run_id, occurredAt: iso(r.occurred_at), data: r.data,
    prevHash: r.prev_hash, hash: r.hash, chainVersion: Number(r.chain_version ?? 1), keyId: r.key_id ?? null,
    recordedAt: iso(r.recorded_at),
  };
}

function toRecord(r: Row): AuditRecord {
  const keyed = Number(r.chain_version ?? 1) >= CHAIN_VERSION;
  return {
    seq: Number(r.seq), key: r.idempotency_key, kind: r.kind as AuditKind, employeeId: r.employee_id, chainSeq: Number(r.chain_seq),
    workflowId: r.workflow_id ?? undefined, runId: r.run_id ?? undefined, occurredAtMs: Date.parse(iso(r.occurred_at)), data: r.data,
    hash: r.hash, ...(keyed ? { recordedAtMs: Date.parse(iso(r.recorded_at)) } : {}),
  };
}

export class AuditStore {
  private constructor(
    readonly db: Database,
    private readonly key: AuditKey | undefined,
  ) {}

  /**
   * Opens the store: PostgreSQL with `databaseUrl`, else PGlite in `dataDir` (or memory); runs
   * migrations, or with `migrate: false` only checks that the schema is current.
   */
  static async open(options: OpenOptions = {}): Promise<AuditStore> {
    const db = await openDatabase(options);
    try {
      if (options.migrate === false) await checkSchema(db);
      else await migrate(db);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
    return new AuditStore(db, options.key);
  }

  /** The fingerprint of the key this store writes with (never the key). */
  get keyId(): string | undefined {
    return this.key?.id;
  }

  get kind(): Database['kind'] {
    return this.db.kind;
  }

  /** Appends one record to the employee's chain; a repeated key returns the existing record. */
  async append(input: AppendInput): Promise<AuditRecord> {
    const key = this.key;
    if (!key) throw new AuditKeyError(MISSING_KEY_MESSAGE);
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
      // The record time is the database server's clock (a trigger refuses anything else), read
      // here so the MAC covers it.
      const now = await tx.query<{ t: Date | string }>(`SELECT date_trunc('milliseconds', clock_timestamp()) AS t`);
      const recordedAt = iso(now.rows[0]!.t);
      // jsonb drops nothing but undefined; hash what will be stored.
      const data = JSON.parse(JSON.stringify(input.data)) as Record<string, unknown>;
      const fields = {
        idempotencyKey: input.key, chain, chainSeq, kind: input.kind, employeeId: input.employeeId,
        workflowId: input.workflowId ?? null, runId: input.runId ?? null, occurredAt, data, recordedAt, keyId: key.id,
      };
      const hash = keyedRecordHash(key, prevHash, fields);
      const inserted = await tx.query<Row>(
        `INSERT INTO audit_records (idempotency_key, chain, chain_seq, kind, employee_id, workflow_id, run_id, occurred_at, data, prev_hash,
           hash, recorded_at, chain_version, key_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *`,
        [input.key, chain, chainSeq, input.kind, input.employeeId, fields.workflowId, fields.runId, occurredAt, JSON.stringify(data), prevHash,
          hash, recordedAt, CHAIN_VERSION, key.id],
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

  /**
   * Recomputes the chains (one employee's, or all) and names the first broken record of each;
   * with checkpoints, also what they prove was there: truncated, removed or rewritten chains.
   */
  async verify(filter: { employeeId?: string; checkpoints?: Checkpoint[] } = {}): Promise<VerifyResult> {
    return this.db.transaction(async (tx) => {
      await this.snapshot(tx);
      const { byChain, records } = await this.readChains(tx, filter.employeeId);
      const problems = await this.chainProblems(tx, byChain);
      const seen = new Set(problems.map((p) => p.chain));
      const state = (chain: string): ChainState | undefined => {
        const rs = byChain.get(chain);
        if (!rs) return undefined;
        const bySeq = new Map(rs.map((r) => [r.chainSeq, r.hash]));
        return { length: Math.max(0, ...rs.map((r) => r.chainSeq)), hashAt: (n) => bySeq.get(n) };
      };
      for (const cp of filter.checkpoints ?? []) {
        for (const p of compareWithCheckpoint(cp, state, filter.employeeId)) {
          if (seen.has(p.chain)) continue;
          seen.add(p.chain);
          problems.push(p);
        }
      }
      return { ok: problems.length === 0, chains: byChain.size, records, problems, checkpoints: filter.checkpoints?.length ?? 0 };
    });
  }

  /**
   * Verifies every chain and, when all hold, signs their heads: the checkpoint an auditor keeps
   * outside the database. Refuses (returns the problems) when anything is already broken, so a
   * checkpoint never vouches for tampered records.
   */
  async checkpoint(): Promise<{ checkpoint?: Checkpoint; verify: VerifyResult }> {
    const key = this.key;
    if (!key) throw new AuditKeyError(MISSING_KEY_MESSAGE);
    return this.db.transaction(async (tx) => {
      await this.snapshot(tx);
      const { byChain, records } = await this.readChains(tx);
      const problems = await this.chainProblems(tx, byChain);
      const verify = { ok: problems.length === 0, chains: byChain.size, records, problems, checkpoints: 0 };
      if (!verify.ok) return { verify };
      const takenAt = iso((await tx.query<{ t: Date | string }>('SELECT clock_timestamp() AS t')).rows[0]!.t);
      const chains: Record<string, [number, string]> = {};
      for (const [chain, rs] of [...byChain].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const last = rs[rs.length - 1]!;
        chains[chain] = [last.chainSeq, last.hash];
      }
      return { checkpoint: signCheckpoint(key, { takenAt, records, chains }), verify };
    });
  }

  /** Parses a checkpoint file and authenticates each line with this store's key. */
  readCheckpoints(text: string, source: string): { checkpoints: Checkpoint[]; problems: ChainProblem[] } {
    if (!this.key) throw new AuditKeyError(`checking checkpoints needs the audit key: ${MISSING_KEY_MESSAGE}`);
    return readCheckpoints(text, this.key, source);
  }

  /** One consistent view for the whole read (PostgreSQL; PGlite has one connection anyway). */
  private async snapshot(tx: Sql): Promise<void> {
    if (this.db.kind === 'postgres') await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  private async readChains(tx: Sql, employeeId?: string): Promise<{ byChain: Map<string, StoredRecord[]>; records: number }> {
    const { rows } = await tx.query<Row>(
      `SELECT * FROM audit_records ${employeeId ? 'WHERE chain = $1' : ''} ORDER BY chain, chain_seq, seq`,
      employeeId ? [employeeId] : [],
    );
    const byChain = new Map<string, StoredRecord[]>();
    for (const r of rows.map(stored)) {
      const list = byChain.get(r.chain);
      if (list) list.push(r);
      else byChain.set(r.chain, [r]);
    }
    return { byChain, records: rows.length };
  }

  private async chainProblems(tx: Sql, byChain: Map<string, StoredRecord[]>): Promise<ChainProblem[]> {
    const { rows } = await tx.query<{ chain: string; last_chain_seq: number }>('SELECT chain, last_chain_seq FROM audit_legacy_heads');
    const legacy = new Map(rows.map((r) => [r.chain, Number(r.last_chain_seq)]));
    const keyed = [...byChain.values()].some((rs) => rs.some((r) => r.chainVersion >= CHAIN_VERSION));
    if (keyed && !this.key) throw new AuditKeyError(`the store holds keyed records: ${MISSING_KEY_MESSAGE}`);
    const problems: ChainProblem[] = [];
    for (const [chain, records] of byChain) {
      const problem = verifyChain(chain, records, { key: this.key, legacyUpTo: legacy.get(chain) ?? 0 });
      if (problem) problems.push(problem);
    }
    return problems;
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
