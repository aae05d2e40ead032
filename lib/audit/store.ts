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
import { findPeople, personById, upsertPerson, type PeopleQuery, type PersonEntry, type PersonRow } from './people';

export interface OpenOptions extends DbOpenOptions {
  /** The audit key (lib/audit/key.ts): needed to append and to verify keyed records. */
  key?: AuditKey;
  /**
   * Run pending migrations (DDL) on open. Processes on PostgreSQL pass false: `jml migrate`
   * does that as the owner, and they only check the schema version. @default true
   */
  migrate?: boolean;
  /** How the group commit gathers batches (see {@link GroupCommitOptions}). */
  groupCommit?: GroupCommitOptions;
}

/**
 * The group commit's linger (like Kafka's `linger.ms`): while writes arrive at a sustained
 * rate, the next batch is held a little so that more writes join it — one transaction for
 * several records instead of one each. A write that arrives after a quiet spell, an urgent
 * write, or a full batch is written at once.
 */
export interface GroupCommitOptions {
  /**
   * The longest a write is held to gather a batch; 0 writes every batch at once (only what
   * queued during the previous transaction joins it). @default 30 (JML_AUDIT_MAX_LINGER_MS)
   */
  maxLingerMs?: number;
  /** A queue this long is written at once, whatever the linger. @default 64 */
  flushAt?: number;
}

/** Per write: whether it may wait for the linger. */
export interface WriteOptions {
  /**
   * Written at once, never held to gather a batch: the evidence a revocation waits on (its
   * activity completes only once its records are committed). @default false
   */
  urgent?: boolean;
}

const DEFAULT_MAX_LINGER_MS = 30;
const DEFAULT_FLUSH_AT = 64;

function lingerFromEnv(): number | undefined {
  const raw = process.env.JML_AUDIT_MAX_LINGER_MS;
  if (raw === undefined || raw === '') return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0 || v > 1000) {
    throw new Error(
      `JML_AUDIT_MAX_LINGER_MS must be a number of milliseconds from 0 to 1000 (got "${raw}"); unset it for the default ${DEFAULT_MAX_LINGER_MS}`,
    );
  }
  return v;
}

/** `reconciliation`: a scheduled reconciliation run of an app (chain `reconcile-<app>`). */
export type AuditKind = 'milestone' | 'scim-request' | 'reconciliation';

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
    seq: Number(r.seq),
    idempotencyKey: r.idempotency_key,
    chain: r.chain,
    chainSeq: Number(r.chain_seq),
    kind: r.kind,
    employeeId: r.employee_id,
    workflowId: r.workflow_id,
    runId: r.run_id,
    occurredAt: iso(r.occurred_at),
    data: r.data,
    prevHash: r.prev_hash,
    hash: r.hash,
    chainVersion: Number(r.chain_version ?? 1),
    keyId: r.key_id ?? null,
    recordedAt: iso(r.recorded_at),
  };
}

function toRecord(r: Row): AuditRecord {
  const keyed = Number(r.chain_version ?? 1) >= CHAIN_VERSION;
  return {
    seq: Number(r.seq),
    key: r.idempotency_key,
    kind: r.kind as AuditKind,
    employeeId: r.employee_id,
    chainSeq: Number(r.chain_seq),
    workflowId: r.workflow_id ?? undefined,
    runId: r.run_id ?? undefined,
    occurredAtMs: Date.parse(iso(r.occurred_at)),
    data: r.data,
    hash: r.hash,
    ...(keyed ? { recordedAtMs: Date.parse(iso(r.recorded_at)) } : {}),
  };
}

/** Writes per group-commit transaction (14 parameters each at most, far below PostgreSQL's 65,535). */
const MAX_BATCH = 200;

type QueuedWrite = {
  resolve(r: AuditRecord | undefined): void;
  reject(err: unknown): void;
  /** When it was queued (performance.now()). */
  atMs: number;
  /** False: the batch it is in is written at once (urgent, or the first after a quiet spell). */
  mayLinger: boolean;
  /** The write handed over before it in one `appendAll`: if that one fails, this one is not written. */
  after?: QueuedWrite;
  /** Set when it failed (or was refused because the one before it failed). */
  failed?: { err: unknown };
} & ({ input: AppendInput } | { account: AccountEntry });

/**
 * One registry write per account for the batch, with what writing them one by one in queue
 * order would leave: the newest change (the later of equal ones), and the last SCIM id known
 * among the changes that applied (a change without one keeps the id).
 */
export function mergeAccountWrites(entries: AccountEntry[]): AccountEntry[] {
  const merged = new Map<string, AccountEntry>();
  for (const e of entries) {
    const k = JSON.stringify([e.employeeId, e.app]);
    const cur = merged.get(k);
    if (!cur) merged.set(k, e);
    else if (cur.lastChangeAtMs <= e.lastChangeAtMs) merged.set(k, { ...e, scimId: e.scimId ?? cur.scimId });
  }
  return [...merged.values()];
}

/**
 * The registry upsert for a batch, its parameters appended to `params`. Rows in one order
 * (employee, app), so two workers' batches lock the same rows in the same order.
 */
function accountUpsert(entries: AccountEntry[], params: unknown[]): string {
  const merged = mergeAccountWrites(entries).sort((a, b) =>
    a.employeeId === b.employeeId ? (a.app < b.app ? -1 : 1) : a.employeeId < b.employeeId ? -1 : 1,
  );
  const values = merged.map((e) => {
    const row = [e.employeeId, e.app, e.scimId ?? null, e.state, new Date(e.lastChangeAtMs).toISOString()];
    return `(${row.map((v) => `$${params.push(v)}`).join(', ')}, now())`;
  });
  // Last change wins; an older write (a slow retry) never overwrites a newer state.
  return `INSERT INTO accounts (employee_id, app, scim_id, state, last_change_at, updated_at) VALUES ${values.join(', ')}
     ON CONFLICT (employee_id, app) DO UPDATE SET scim_id = COALESCE(EXCLUDED.scim_id, accounts.scim_id), state = EXCLUDED.state,
       last_change_at = EXCLUDED.last_change_at, updated_at = now()
     WHERE accounts.last_change_at <= EXCLUDED.last_change_at`;
}

/** What the batch's one read returns (json: records by key, chain heads). */
interface BatchRead {
  t: Date | string;
  found: Row[] | string | null;
  heads: [string, number, string][] | string | null;
}

const parsedJson = <T>(v: T | string | null): T | null => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

export class AuditStore {
  private readonly maxLingerMs: number;
  private readonly flushAt: number;

  private constructor(
    readonly db: Database,
    private readonly key: AuditKey | undefined,
    groupCommit: GroupCommitOptions = {},
  ) {
    this.maxLingerMs = Math.max(0, groupCommit.maxLingerMs ?? DEFAULT_MAX_LINGER_MS);
    this.flushAt = Math.max(1, Math.min(groupCommit.flushAt ?? DEFAULT_FLUSH_AT, MAX_BATCH));
  }

  /**
   * Opens the store: PostgreSQL with `databaseUrl`, else PGlite in `dataDir` (or memory); runs
   * migrations, or with `migrate: false` only checks that the schema is current.
   */
  static async open(options: OpenOptions = {}): Promise<AuditStore> {
    // Checked before anything is opened: a bad setting names itself instead of leaking a connection.
    const groupCommit = { ...options.groupCommit, maxLingerMs: options.groupCommit?.maxLingerMs ?? lingerFromEnv() };
    const db = await openDatabase(options);
    try {
      if (options.migrate === false) await checkSchema(db);
      else await migrate(db);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
    return new AuditStore(db, options.key, groupCommit);
  }

  /** The fingerprint of the key this store writes with (never the key). */
  get keyId(): string | undefined {
    return this.key?.id;
  }

  get kind(): Database['kind'] {
    return this.db.kind;
  }

  /**
   * Appends one record to the employee's chain; a repeated key returns the existing record.
   *
   * Group commit: appends that arrive while a write is in flight are queued and written
   * together by the next one, in one transaction — the chain is extended per batch, not per
   * record — so a busy worker pays one round trip (and on PGlite one turn of its single
   * connection) for many records instead of several each. A batch that fails is retried record
   * by record, so one bad record never fails the others. Under sustained load a batch is held
   * up to `maxLingerMs` to gather more (see {@link GroupCommitOptions}); an `urgent` write never
   * is. The promise settles only after the transaction that holds the record has committed.
   */
  append(input: AppendInput, options: WriteOptions = {}): Promise<AuditRecord> {
    if (!this.key) return Promise.reject(new AuditKeyError(MISSING_KEY_MESSAGE));
    return new Promise((resolve, reject) =>
      this.enqueue({ input, resolve: (r) => resolve(r!), reject, ...this.arrival(options) }),
    );
  }

  /**
   * Appends records in order, handed over together so they can share a transaction: each is
   * written only if the ones before it were (a failed one fails the rest unwritten, so a retry
   * writes them in the same order). Resolves with every record once all are committed.
   */
  appendAll(inputs: AppendInput[], options: WriteOptions = {}): Promise<AuditRecord[]> {
    if (!this.key) return Promise.reject(new AuditKeyError(MISSING_KEY_MESSAGE));
    let previous: QueuedWrite | undefined;
    const written = inputs.map(
      (input) =>
        new Promise<AuditRecord>((resolve, reject) => {
          const write: QueuedWrite = {
            input,
            resolve: (r) => resolve(r!),
            reject,
            after: previous,
            ...this.arrival(options),
          };
          previous = write;
          this.enqueue(write);
        }),
    );
    // Every promise is looked at: a rejection after the first one is not an unhandled one.
    written.forEach((p) => p.catch(() => undefined));
    return Promise.all(written);
  }

  /**
   * Records an account's state in the registry; last change wins: an older write (a slow
   * retry) never overwrites a newer state. Joins the group commit of the appends (the same
   * transaction), so a step's registry write costs no turn of the connection of its own.
   */
  upsertAccount(entry: AccountEntry, options: WriteOptions = {}): Promise<void> {
    return new Promise((resolve, reject) =>
      this.enqueue({ account: entry, resolve: () => resolve(), reject, ...this.arrival(options) }),
    );
  }

  /**
   * Written so far by this store: records, registry writes, transactions, and how many batches
   * were held by the linger (group commit at work).
   */
  readonly writeStats = { records: 0, accounts: 0, batches: 0, lingered: 0 };

  private readonly queue: QueuedWrite[] = [];
  private flushing = false;
  private flushed: Promise<void> = Promise.resolve();
  private closing = false;
  /** Ends the current linger early (an urgent write, a full batch, close). */
  private wake: (() => void) | undefined;
  private lastArrivalMs = -Infinity;
  /** Smoothed gap between writes (ms): the arrival rate the linger adapts to. */
  private gapMs = Infinity;

  /**
   * Classifies a write as it arrives. It may linger when writes are arriving steadily: the
   * previous one came within the linger and the smoothed gap is at most half of it (so at
   * least two more are expected while it waits). Otherwise waiting would gather nothing.
   */
  private arrival(options: WriteOptions): { atMs: number; mayLinger: boolean } {
    const atMs = performance.now();
    const gap = atMs - this.lastArrivalMs;
    this.lastArrivalMs = atMs;
    const capped = Math.min(gap, 4 * this.maxLingerMs);
    this.gapMs = this.gapMs === Infinity ? capped : 0.8 * this.gapMs + 0.2 * capped;
    const steady = gap <= this.maxLingerMs && this.gapMs <= this.maxLingerMs / 2;
    return { atMs, mayLinger: this.maxLingerMs > 0 && !options.urgent && steady };
  }

  private enqueue(write: QueuedWrite): void {
    this.queue.push(write);
    if (!this.flushing) this.flushed = this.flush();
    else if (this.wake && (!write.mayLinger || this.queue.length >= this.flushAt)) this.wake();
  }

  /**
   * How long to hold the next batch: until its oldest write has waited `maxLingerMs`; nothing
   * when any queued write must go at once, the batch is full, or the store is closing.
   */
  private lingerFor(): number {
    if (this.closing || this.queue.length >= this.flushAt) return 0;
    if (this.queue.some((w) => !w.mayLinger)) return 0;
    return this.queue[0]!.atMs + this.maxLingerMs - performance.now();
  }

  private async linger(): Promise<void> {
    const ms = this.lingerFor();
    if (ms <= 0) return;
    this.writeStats.lingered++;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.ceil(ms));
      this.wake = done;
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      // Let the writes of the current tick join the first batch.
      await new Promise((r) => setImmediate(r));
      while (this.queue.length > 0) {
        await this.linger();
        const batch = this.queue.splice(0, MAX_BATCH).filter((b) => !this.refusedAfter(b));
        if (batch.length === 0) continue;
        try {
          const records = await this.writeBatch(batch);
          batch.forEach((b, i) => b.resolve(records[i]!));
        } catch (err) {
          if (batch.length === 1) this.fail(batch[0]!, err);
          else {
            for (const b of batch) {
              if (this.refusedAfter(b)) continue;
              await this.writeBatch([b]).then(
                (r) => b.resolve(r[0]!),
                (e: unknown) => this.fail(b, e),
              );
            }
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private fail(write: QueuedWrite, err: unknown): void {
    write.failed = { err };
    write.reject(err);
  }

  /** A write whose predecessor in its `appendAll` failed is refused unwritten: the order holds. */
  private refusedAfter(write: QueuedWrite): boolean {
    if (!write.after?.failed) return false;
    this.fail(write, write.after.failed.err);
    return true;
  }

  /**
   * Writes a batch in one transaction: the records (for each, its record — the existing one
   * for a repeated key) and the account registry entries (undefined in their places).
   */
  private async writeBatch(batch: QueuedWrite[]): Promise<(AuditRecord | undefined)[]> {
    const inputs = batch.flatMap((b) => ('input' in b ? [b.input] : []));
    const accounts = batch.flatMap((b) => ('account' in b ? [b.account] : []));
    let records = new Map<string, AuditRecord>();
    if (inputs.length === 0) {
      // One statement is atomic on its own: no BEGIN and COMMIT around it.
      const params: unknown[] = [];
      await this.db.query(accountUpsert(accounts, params), params);
    } else {
      records = await this.db.transaction((tx) => this.appendRecords(tx, inputs, accounts));
    }
    this.writeStats.batches++;
    this.writeStats.records += inputs.length;
    this.writeStats.accounts += accounts.length;
    return batch.map((b) => ('input' in b ? records.get(b.input.key)! : undefined));
  }

  /**
   * The records of a batch (and its registry writes) in three statements inside the
   * transaction: the chain locks (with the registry upsert), one read after them (records
   * already written under the batch's keys, the chain heads, the server's clock), the insert.
   * On one connection (PGlite) there is no other transaction to lock against: the registry
   * upsert rides on the read, and the transaction is two statements.
   */
  private async appendRecords(
    tx: Sql,
    inputs: AppendInput[],
    accounts: AccountEntry[],
  ): Promise<Map<string, AuditRecord>> {
    const key = this.key!;
    const chains = [...new Set(inputs.map((i) => i.employeeId))].sort();
    const keys = [...new Set(inputs.map((i) => i.key))];
    const lockParams: unknown[] = [chains];
    const readParams: unknown[] = [keys, chains];
    // On one connection no other transaction can come between: no locks, and the registry
    // writes ride on the read instead.
    const locking = !this.db.oneConnection;
    const registry =
      accounts.length > 0 ? `WITH registry AS (${accountUpsert(accounts, locking ? lockParams : readParams)}) ` : '';
    // Serializes appends to one chain across workers; other chains proceed in parallel. Locks
    // are taken in one order (sorted; a volatile output expression is evaluated after ORDER
    // BY), so two batches never wait on each other in a cycle. The registry writes ride along
    // as a data-modifying CTE (run to completion whether or not it is referenced).
    if (locking) {
      await tx.query(
        `${registry}SELECT pg_advisory_xact_lock(hashtext('jml-audit:' || c)) FROM unnest($1::text[]) WITH ORDINALITY AS t(c, n) ORDER BY n`,
        lockParams,
      );
    }
    // A statement of its own, after the locks: its snapshot sees every batch committed before
    // them (READ COMMITTED), so the heads are current and no chain forks. The record time is
    // the database server's clock (a trigger refuses anything else), read here so the MAC
    // covers it.
    const read = await tx.query<BatchRead>(
      `${locking ? '' : registry}SELECT date_trunc('milliseconds', clock_timestamp()) AS t,
         (SELECT json_agg(r) FROM audit_records r WHERE r.idempotency_key = ANY($1::text[])) AS found,
         (SELECT json_agg(json_build_array(h.chain, h.chain_seq, h.hash)) FROM (
            SELECT DISTINCT ON (chain) chain, chain_seq, hash FROM audit_records WHERE chain = ANY($2::text[])
            ORDER BY chain, chain_seq DESC) h) AS heads`,
      readParams,
    );
    const { t, found: foundRows, heads: headRows } = read.rows[0]!;
    const found = new Map<string, AuditRecord>();
    for (const r of (parsedJson(foundRows) ?? []).map(toRecord)) found.set(r.key, r);
    const fresh = inputs.filter((i, n) => !found.has(i.key) && inputs.findIndex((j) => j.key === i.key) === n);
    if (fresh.length === 0) return found;
    const heads = new Map<string, { chainSeq: number; hash: string }>();
    for (const [chain, chainSeq, hash] of parsedJson(headRows) ?? [])
      heads.set(chain, { chainSeq: Number(chainSeq), hash });
    const recordedAt = iso(t);
    const params: unknown[] = [];
    const values: string[] = [];
    const written: AuditRecord[] = [];
    for (const input of fresh) {
      const chain = input.employeeId;
      const head = heads.get(chain);
      const chainSeq = (head?.chainSeq ?? 0) + 1;
      const prevHash = head?.hash ?? GENESIS;
      // jsonb drops nothing but undefined; hash what will be stored.
      const data = JSON.parse(JSON.stringify(input.data)) as Record<string, unknown>;
      const fields = {
        idempotencyKey: input.key,
        chain,
        chainSeq,
        kind: input.kind,
        employeeId: input.employeeId,
        workflowId: input.workflowId ?? null,
        runId: input.runId ?? null,
        occurredAt: new Date(input.occurredAtMs).toISOString(),
        data,
        recordedAt,
        keyId: key.id,
      };
      const hash = keyedRecordHash(key, prevHash, fields);
      heads.set(chain, { chainSeq, hash });
      const row = [
        input.key,
        chain,
        chainSeq,
        input.kind,
        input.employeeId,
        fields.workflowId,
        fields.runId,
        fields.occurredAt,
        JSON.stringify(data),
        prevHash,
        hash,
        recordedAt,
        CHAIN_VERSION,
        key.id,
      ];
      values.push(`(${row.map((v) => `$${params.push(v)}`).join(', ')})`);
      written.push({
        seq: 0,
        key: input.key,
        kind: input.kind,
        employeeId: input.employeeId,
        chainSeq,
        workflowId: input.workflowId,
        runId: input.runId,
        occurredAtMs: Date.parse(fields.occurredAt),
        data,
        hash,
        recordedAtMs: Date.parse(recordedAt),
      });
    }
    // Only the sequence numbers come back: the rest of each record is what was just sent.
    const inserted = await tx.query<{ seq: string | number; idempotency_key: string }>(
      `INSERT INTO audit_records (idempotency_key, chain, chain_seq, kind, employee_id, workflow_id, run_id, occurred_at, data, prev_hash,
         hash, recorded_at, chain_version, key_id)
       VALUES ${values.join(', ')} RETURNING seq, idempotency_key`,
      params,
      { last: true },
    );
    const seqs = new Map(inserted.rows.map((r) => [r.idempotency_key, Number(r.seq)]));
    for (const r of written) found.set(r.key, { ...r, seq: seqs.get(r.key)! });
    return found;
  }

  async records(
    filter: { employeeId?: string; sinceMs?: number; untilMs?: number; kind?: AuditKind } = {},
  ): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.employeeId) where.push(`employee_id = $${params.push(filter.employeeId)}`);
    if (filter.sinceMs !== undefined)
      where.push(`occurred_at >= $${params.push(new Date(filter.sinceMs).toISOString())}`);
    if (filter.untilMs !== undefined)
      where.push(`occurred_at < $${params.push(new Date(filter.untilMs).toISOString())}`);
    if (filter.kind) where.push(`kind = $${params.push(filter.kind)}`);
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM audit_records ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY occurred_at, seq`,
      params,
    );
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

  /** The newest recorded reconciliation run of each app (one `reconcile-<app>` chain per app), by app. */
  async lastReconciliationRuns(): Promise<AuditRecord[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT DISTINCT ON (employee_id) * FROM audit_records WHERE kind = 'reconciliation'
       ORDER BY employee_id, occurred_at DESC, seq DESC`,
    );
    return rows.map(toRecord);
  }

  /** Employees with records in a time window (for exports). */
  async employees(filter: { sinceMs?: number; untilMs?: number } = {}): Promise<string[]> {
    const records = await this.records(filter);
    // Reconciliation runs have chains of their own (`reconcile-<app>`): they are not people.
    return [...new Set(records.filter((r) => r.kind !== 'reconciliation').map((r) => r.employeeId))].sort();
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
      return {
        ok: problems.length === 0,
        chains: byChain.size,
        records,
        problems,
        checkpoints: filter.checkpoints?.length ?? 0,
      };
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

  private async readChains(
    tx: Sql,
    employeeId?: string,
  ): Promise<{ byChain: Map<string, StoredRecord[]>; records: number }> {
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
    const { rows } = await tx.query<{ chain: string; last_chain_seq: number }>(
      'SELECT chain, last_chain_seq FROM audit_legacy_heads',
    );
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

  /** The people directory (lib/audit/people.ts): newest display fields win. */
  async upsertPerson(entry: PersonEntry): Promise<void> {
    await upsertPerson(this.db, entry);
  }

  /** A page of people on record, searchable by id, name and department. */
  async people(query: PeopleQuery = {}): Promise<{ people: PersonRow[]; total: number }> {
    return findPeople(this.db, query);
  }

  /** One person's directory entry (name, department, HR status), if recorded. */
  async person(employeeId: string): Promise<PersonRow | undefined> {
    return personById(this.db, employeeId);
  }

  async getAccounts(employeeId: string): Promise<AccountEntry[]> {
    const { rows } = await this.db.query<{
      employee_id: string;
      app: string;
      scim_id: string | null;
      state: string;
      last_change_at: Date | string;
    }>('SELECT * FROM accounts WHERE employee_id = $1 ORDER BY app', [employeeId]);
    return rows.map((r) => ({
      employeeId: r.employee_id,
      app: r.app,
      scimId: r.scim_id ?? undefined,
      state: r.state,
      lastChangeAtMs: Date.parse(iso(r.last_change_at)),
    }));
  }

  async close(): Promise<void> {
    // Queued appends are written first, without lingering: their callers are waiting for them.
    this.closing = true;
    this.wake?.();
    await this.flushed;
    await this.db.close();
  }
}
