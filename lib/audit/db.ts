/**
 * The SQL connection under the audit store: PostgreSQL through `pg` when `DATABASE_URL` is set
 * (production), PGlite (PostgreSQL compiled to WASM, no server) otherwise — so the same SQL,
 * migrations, triggers and grants run in both.
 */
import { mkdirSync } from 'node:fs';
import { Pool, type PoolClient } from 'pg';

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Several statements, no parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface Database extends Sql {
  readonly kind: 'postgres' | 'pglite';
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
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openPglite(options.dataDir);
}

function openPostgres(url: string): Database {
  const pool = new Pool({ connectionString: url, max: 10 });
  return {
    kind: 'postgres',
    query: async <T>(text: string, params?: unknown[]) => ({ rows: (await pool.query(text, params)).rows as T[] }),
    exec: async (text) => void (await pool.query(text)),
    transaction: async (fn) => {
      const client: PoolClient = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: async <T>(text: string, params?: unknown[]) => ({ rows: (await client.query(text, params)).rows as T[] }),
          exec: async (text: string) => void (await client.query(text)),
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

interface PgliteLike {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(text: string): Promise<unknown>;
  transaction<T>(fn: (tx: { query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>; exec(text: string): Promise<unknown> }) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  const { PGlite } = require('@electric-sql/pglite') as { PGlite: new (dir?: string) => PgliteLike };
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = new PGlite(dataDir);
  // PGlite is single-connection: transactions are serialized here so concurrent appends queue.
  let tail: Promise<unknown> = Promise.resolve();
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
  return {
    kind: 'pglite',
    query: <T>(text: string, params?: unknown[]) => serialized(() => db.query<T>(text, params)),
    exec: (text) => serialized(async () => void (await db.exec(text))),
    transaction: (fn) =>
      serialized(() => db.transaction((tx) => fn({ query: <T>(text: string, params?: unknown[]) => tx.query<T>(text, params), exec: async (text: string) => void (await tx.exec(text)) }))),
    close: () => db.close(),
  };
}
