/**
 * The SQL connection under the audit store: PostgreSQL through `pg` when `DATABASE_URL` is set
 * (production), PGlite (PostgreSQL compiled to WASM, no server) otherwise — so the same SQL,
 * migrations, triggers and grants run in both.
 *
 * PostgreSQL connections die (server restart, failover, `pg_terminate_backend`): the pool's
 * 'error' event is handled (an unhandled one kills the process), dead clients are discarded,
 * and a statement that failed because its connection was lost is retried on a fresh one a few
 * times. Every statement the store sends is idempotent (keyed appends, last-change-wins upserts,
 * ON CONFLICT inserts, reads), which is what makes the retry safe.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Pool, type PoolClient } from 'pg';
import { acquireDirectoryLock } from './dir-lock';
import { PGLITE_SETTINGS, startPgliteThread, type PgliteThread } from './pglite-thread';

export interface StatementOptions {
  /**
   * Inside a transaction: its last statement, nothing may follow it. Where the connection can
   * (PGlite's thread) the COMMIT goes with it, one round trip less; elsewhere the transaction
   * commits after its function returns, as always. Ignored outside a transaction.
   */
  last?: boolean;
}

export interface Sql {
  query<T = Record<string, unknown>>(
    text: string,
    params?: unknown[],
    options?: StatementOptions,
  ): Promise<{ rows: T[] }>;
  /** Several statements, no parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface Database extends Sql {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Every statement goes through one connection, and transactions one after another (PGlite):
   * no two transactions overlap, so a lock taken only against another transaction is not needed.
   */
  readonly oneConnection: boolean;
  /** Runs `fn` in one transaction (BEGIN … COMMIT, ROLLBACK on error). */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  exec(text: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://… — the worker's connection should use the insert-only role (docs/audit.md). */
  databaseUrl?: string;
  /** PGlite data directory. @default in-memory */
  dataDir?: string;
  /** Background connection errors (PostgreSQL): logged by the caller, never fatal. */
  onConnectionError?: (err: Error) => void;
  /** PostgreSQL: give up connecting after this long. @default 10 s (JML_DB_CONNECT_TIMEOUT_MS) */
  connectTimeoutMs?: number;
  /** PostgreSQL: server-side statement_timeout. @default 30 s (JML_DB_STATEMENT_TIMEOUT_MS) */
  statementTimeoutMs?: number;
  /** PostgreSQL application_name (visible in pg_stat_activity). @default jml-orchestrator */
  applicationName?: string;
  /** PGlite: the PostgreSQL settings it starts with. @default {@link PGLITE_SETTINGS} */
  pgliteSettings?: Readonly<Record<string, string>>;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openPglite(options.dataDir, options.pgliteSettings ?? PGLITE_SETTINGS);
}

const envMs = (name: string): number | undefined => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : undefined;
};

/** Errors that mean the connection (not the statement) failed: worth one more try on a new one. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  // admin_shutdown, crash_shutdown, cannot_connect_now, connection_exception class.
  if (e.code && (['57P01', '57P02', '57P03'].includes(e.code) || e.code.startsWith('08'))) return true;
  if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN'].includes(e.code))
    return true;
  return /Connection terminated|not queryable|connection timeout|Connection ended/i.test(e.message ?? '');
}

const RETRY_DELAYS_MS = [100, 500, 1500, 3000];

function openPostgres(url: string, options: OpenOptions): Database {
  const statementTimeout = options.statementTimeoutMs ?? envMs('JML_DB_STATEMENT_TIMEOUT_MS') ?? 30_000;
  const pool = new Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? envMs('JML_DB_CONNECT_TIMEOUT_MS') ?? 10_000,
    statement_timeout: statementTimeout,
    // Client-side too: a server that stopped answering without closing the socket.
    query_timeout: statementTimeout + 5_000,
    idle_in_transaction_session_timeout: 60_000,
    keepAlive: true,
    application_name: options.applicationName ?? 'jml-orchestrator',
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled, it kills the
  // process. The pool has already discarded that client and opens a new one on demand.
  pool.on('error', (err) => options.onConnectionError?.(err));
  let closed = false;
  const retrying = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (closed || attempt >= RETRY_DELAYS_MS.length || !isConnectionError(err)) throw err;
        options.onConnectionError?.(err as Error);
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
      }
    }
  };
  return {
    kind: 'postgres',
    oneConnection: false,
    query: <T>(text: string, params?: unknown[]) =>
      retrying(async () => ({ rows: (await pool.query(text, params)).rows as T[] })),
    exec: (text) => retrying(async () => void (await pool.query(text))),
    transaction: (fn) =>
      retrying(async () => {
        const client: PoolClient = await pool.connect();
        let broken: Error | undefined;
        try {
          await client.query('BEGIN');
          const result = await fn({
            query: async <T>(text: string, params?: unknown[]) => ({
              rows: (await client.query(text, params)).rows as T[],
            }),
            exec: async (text: string) => void (await client.query(text)),
          });
          await client.query('COMMIT');
          return result;
        } catch (err) {
          if (isConnectionError(err)) broken = err as Error;
          else await client.query('ROLLBACK').catch((e: Error) => (broken = e));
          throw err;
        } finally {
          // A client whose connection failed is destroyed, not returned to the pool.
          client.release(broken);
        }
      }),
    close: async () => {
      closed = true;
      await pool.end();
    },
  };
}

/**
 * Creating a PGlite directory (its initdb) takes ~850 MiB at peak, opening an existing one
 * ~300 MiB, and a process does not give that peak back: a long-running worker that created
 * its store would carry it for its whole life. So a fresh directory is created by a
 * short-lived child process (under this process's directory lock), then opened here.
 */
async function createPgliteDirectory(dataDir: string): Promise<void> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  const script = `const { PGlite } = require(process.argv[1]);
    const db = new PGlite(process.argv[2]);
    db.waitReady.then(() => db.close()).then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });`;
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', script, require.resolve('@electric-sql/pglite'), dataDir],
      { env: process.env },
      (err, _stdout, stderr) =>
        err
          ? reject(new Error(`creating the audit store in ${dataDir} failed: ${stderr.trim() || err.message}`))
          : resolve(),
    );
  });
}

async function openPglite(dataDir: string | undefined, settings: Readonly<Record<string, string>>): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // PGlite is one process's database: a second process on the same directory would read stale
  // pages and corrupt it on write. The lock is taken before PGlite touches the files.
  const lock = dataDir ? acquireDirectoryLock(dataDir) : undefined;
  let db: PgliteThread;
  try {
    if (dataDir) await createPgliteDirectory(dataDir);
    // Off the main thread (pglite-thread.ts): its WebAssembly runs beside the worker's activities.
    db = startPgliteThread(dataDir, settings);
  } catch (err) {
    lock?.release();
    throw err;
  }
  // PGlite is single-connection: statements and transactions are serialized here, so a
  // transaction (BEGIN … COMMIT sent through that connection) never interleaves with another.
  let tail: Promise<unknown> = Promise.resolve();
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
  return {
    kind: 'pglite',
    oneConnection: true,
    query: <T>(text: string, params?: unknown[]) => serialized(() => db.query<T>(text, params)),
    exec: (text) => serialized(() => db.exec(text)),
    // BEGIN goes with the first statement and COMMIT with the last one marked so: a transaction
    // of n statements is n messages to the thread, not n + 2.
    transaction: (fn) =>
      serialized(async () => {
        let begun = false;
        let committed = false;
        const begin = (): boolean => {
          if (committed) throw new Error('statement after the last one of a transaction');
          return begun ? false : (begun = true);
        };
        const tx: Sql = {
          query: async <T>(text: string, params?: unknown[], options?: StatementOptions) => {
            const result = await db.query<T>(text, params, { begin: begin(), commit: options?.last });
            committed = options?.last === true;
            return result;
          },
          exec: async (text: string) => {
            if (begin()) await db.exec('BEGIN');
            await db.exec(text);
          },
        };
        try {
          const result = await fn(tx);
          if (begun && !committed) await db.exec('COMMIT');
          return result;
        } catch (err) {
          if (begun && !committed) await db.exec('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }),
    // After the statements and transactions already handed over: one in flight commits (or
    // fails) whole instead of losing its last statements to the closed connection.
    close: () =>
      serialized(async () => {
        try {
          await db.close();
        } finally {
          lock?.release();
        }
      }),
  };
}
