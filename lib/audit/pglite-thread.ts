/**
 * PGlite in a worker thread of its own. PGlite runs PostgreSQL as WebAssembly on the thread that
 * calls it, synchronously between awaits: on the worker's main thread it took a quarter to a half
 * of the busy time under load, in front of every activity and workflow-task hand-off the main
 * thread also runs. Here it runs beside them (on another core when there is one); the main
 * thread only posts statements and receives rows.
 *
 * One statement at a time, in the order sent (the caller serializes: PGlite is one connection,
 * and a transaction is BEGIN … COMMIT sent through it). A statement may carry its transaction's
 * BEGIN (run before it) and COMMIT (run after it, if it succeeded) in the same message: every
 * message costs a post and a reply on both threads, which made up most of a small transaction's
 * main-thread time. Values cross the thread boundary by structured clone (Date, Uint8Array,
 * BigInt and plain objects survive). A statement's error comes back with its fields (`code`,
 * `detail`, …) on a plain Error. If the thread dies, every pending and later statement fails
 * saying so.
 */
import { Worker } from 'node:worker_threads';

/**
 * The PostgreSQL settings PGlite starts with, on top of its own start parameters. PostgreSQL's
 * defaults size a server for many connections and a large cache; PGlite allocates its shared
 * memory inside its WebAssembly memory, which never shrinks, so every buffer page once read stays
 * resident for the process's life (128 MB of shared buffers alone). The store's hot pages are the
 * chain heads, the key index and the registry; the rest is read through the operating system's
 * page cache like any file. Start parameters hold for one start (initdb's postgresql.conf keeps
 * the server defaults), so they are given every time the store is opened.
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = {
  // 2,048 pages of 8 kB; WAL buffers follow (1/32 of it, 512 kB).
  shared_buffers: '16MB',
  // Index builds in a migration; beyond it they sort on disk instead of holding it resident.
  maintenance_work_mem: '16MB',
  // No temporary tables: allocated only if one is ever used.
  temp_buffers: '1MB',
};

/** The thread's code: plain JavaScript (it runs without the TypeScript hook). */
const THREAD_SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglitePath);
const settings = Object.entries(workerData.settings).flatMap(([k, v]) => ['-c', k + '=' + v]);
const db = new PGlite(workerData.dataDir, { startParams: [...PGlite.defaultStartParams, ...settings] });
const plain = (err) => {
  const out = { message: String((err && err.message) || err), name: (err && err.name) || 'Error' };
  for (const [k, v] of Object.entries(err || {})) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v;
  }
  return out;
};
let tail = Promise.resolve();
parentPort.on('message', (msg) => {
  tail = tail.then(async () => {
    try {
      let result = {};
      if (msg.begin) await db.exec('BEGIN');
      if (msg.op === 'query') result = { rows: (await db.query(msg.sql, msg.params)).rows };
      else if (msg.op === 'exec') await db.exec(msg.sql);
      else if (msg.op === 'close') await db.close();
      if (msg.commit) await db.exec('COMMIT');
      parentPort.postMessage({ id: msg.id, result });
    } catch (err) {
      parentPort.postMessage({ id: msg.id, error: plain(err) });
    }
  });
});
`;

interface Pending {
  resolve(result: { rows?: unknown[] }): void;
  reject(err: Error): void;
}

/** A statement's place in a transaction sent through the thread. */
export interface TransactionSteps {
  /** Send BEGIN first, in the same message. */
  begin?: boolean;
  /** Send COMMIT after it, in the same message, if it succeeded (a failure leaves the ROLLBACK to the caller). */
  commit?: boolean;
}

export interface PgliteThread {
  query<T>(text: string, params?: unknown[], steps?: TransactionSteps): Promise<{ rows: T[] }>;
  exec(text: string): Promise<void>;
  /** Closes the database, then ends the thread. */
  close(): Promise<void>;
  /** The thread itself (its `threadId`; the tests end it to check that waiting statements fail). */
  readonly thread: Worker;
}

export function startPgliteThread(
  dataDir: string | undefined,
  settings: Readonly<Record<string, string>> = PGLITE_SETTINGS,
): PgliteThread {
  const worker = new Worker(THREAD_SCRIPT, {
    eval: true,
    workerData: { pglitePath: require.resolve('@electric-sql/pglite'), dataDir, settings },
  });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let dead: Error | undefined;
  // The thread keeps the process alive only while a statement is waiting for it (a store that
  // is never closed must not hold a finished process open; one that is waiting must).
  worker.unref();
  const settle = () => {
    if (pending.size === 0) worker.unref();
  };
  const failAll = (err: Error) => {
    dead ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    settle();
  };
  worker.on('message', (msg: { id: number; result?: { rows?: unknown[] }; error?: Record<string, unknown> }) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    settle();
    if (msg.error) p.reject(Object.assign(new Error(String(msg.error.message)), msg.error));
    else p.resolve(msg.result ?? {});
  });
  worker.on('error', (err) => failAll(new Error(`the audit store's PGlite thread failed: ${err.message}`)));
  worker.on('exit', (code) => failAll(new Error(`the audit store's PGlite thread exited (code ${code})`)));

  const send = (op: 'query' | 'exec' | 'close', sql?: string, params?: unknown[], steps: TransactionSteps = {}) =>
    new Promise<{ rows?: unknown[] }>((resolve, reject) => {
      if (dead) return reject(dead);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.ref();
      try {
        worker.postMessage({ id, op, sql, params, begin: steps.begin, commit: steps.commit });
      } catch (err) {
        // A value that cannot cross the thread (DataCloneError): this statement fails, nothing
        // was sent, and its entry must not keep the thread (and so the process) waiting.
        pending.delete(id);
        settle();
        reject(err as Error);
      }
    });

  return {
    query: async <T>(text: string, params?: unknown[], steps?: TransactionSteps) => ({
      rows: ((await send('query', text, params, steps)).rows ?? []) as T[],
    }),
    exec: async (text) => void (await send('exec', text)),
    close: async () => {
      try {
        if (!dead) await send('close');
      } finally {
        dead ??= new Error('the audit store is closed');
        await worker.terminate();
      }
    },
    thread: worker,
  };
}
