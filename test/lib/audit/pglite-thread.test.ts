/**
 * PGlite in its own thread (lib/audit/pglite-thread.ts): statements and their values cross the
 * thread boundary intact, a statement's error keeps its PostgreSQL fields, a closed store
 * refuses further statements, and an open store does not keep a finished process alive. A
 * thread that dies or cannot start fails every statement waiting for it and every later one
 * (never a hang), and closing the database lets a transaction in flight finish first.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { openDatabase } from '../../../lib/audit/db';
import { startPgliteThread, type PgliteThread } from '../../../lib/audit/pglite-thread';

jest.setTimeout(60_000);

describe('PGlite thread', () => {
  let db: PgliteThread;
  beforeAll(() => {
    db = startPgliteThread(undefined);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('runs statements in order and returns dates, json, bytes and numbers as PGlite does', async () => {
    await db.exec('CREATE TABLE t (n int, at timestamptz, doc jsonb, raw bytea)');
    const at = new Date('2026-12-01T01:02:03.456Z');
    await db.query('INSERT INTO t VALUES ($1, $2, $3, $4)', [
      7,
      at,
      JSON.stringify({ a: [1, 'b'] }),
      new Uint8Array([1, 2, 255]),
    ]);
    const { rows } = await db.query<{ n: number; at: Date; doc: unknown; raw: Uint8Array }>('SELECT * FROM t');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.n).toBe(7);
    expect(rows[0]!.at).toEqual(at);
    expect(rows[0]!.doc).toEqual({ a: [1, 'b'] });
    expect([...rows[0]!.raw]).toEqual([1, 2, 255]);
  });

  it('keeps a transaction sent as BEGIN … ROLLBACK on its one connection', async () => {
    await db.exec('CREATE TABLE u (k text PRIMARY KEY)');
    await db.exec('BEGIN');
    await db.query('INSERT INTO u VALUES ($1)', ['gone']);
    await db.exec('ROLLBACK');
    expect((await db.query('SELECT * FROM u')).rows).toEqual([]);
  });

  it("carries its transaction's BEGIN and COMMIT with a statement, and commits only one that succeeded", async () => {
    await db.exec('CREATE TABLE bc (k text PRIMARY KEY)');
    await db.query('INSERT INTO bc VALUES ($1)', ['one'], { begin: true, commit: true });
    expect((await db.query('SELECT k FROM bc')).rows).toEqual([{ k: 'one' }]);

    await db.query('INSERT INTO bc VALUES ($1)', ['two'], { begin: true });
    // A duplicate key: the statement fails, its COMMIT is not run, the caller rolls back.
    await expect(db.query('INSERT INTO bc VALUES ($1)', ['one'], { commit: true })).rejects.toMatchObject({
      code: '23505',
    });
    await db.exec('ROLLBACK');
    expect((await db.query('SELECT k FROM bc ORDER BY k')).rows).toEqual([{ k: 'one' }]);
  });

  it('rejects a failed statement with its PostgreSQL error code and goes on', async () => {
    await db.exec('CREATE TABLE v (k text PRIMARY KEY)');
    await db.query('INSERT INTO v VALUES ($1)', ['x']);
    await expect(db.query('INSERT INTO v VALUES ($1)', ['x'])).rejects.toMatchObject({
      code: '23505',
      message: expect.stringContaining('duplicate key'),
    });
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM v')).rows[0]!.n).toBe(1);
  });

  it('refuses statements once closed', async () => {
    const other = startPgliteThread(undefined);
    await other.query('SELECT 1');
    await other.close();
    await expect(other.query('SELECT 1')).rejects.toThrow(/closed|exited/);
  });

  it('does not keep a process alive when a store is left open', async () => {
    const script = `
      require(${JSON.stringify(path.join(__dirname, '../../../lib/runtime/register-ts'))}).register();
      const { startPgliteThread } = require(${JSON.stringify(path.join(__dirname, '../../../lib/audit/pglite-thread'))});
      const db = startPgliteThread(undefined);
      db.query('SELECT 41 + 1 AS n').then(({ rows }) => console.log(rows[0].n));`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['-e', script], { timeout: 45_000 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    );
    // The answer came (the thread held the process while a statement waited), then it exited.
    expect(out.trim()).toBe('42');
  });

  it('rejects a statement whose values cannot cross to the thread, goes on, and still lets the process exit', async () => {
    await expect(db.query('SELECT $1::text AS n', [() => 1])).rejects.toMatchObject({ name: 'DataCloneError' });
    expect((await db.query<{ n: number }>('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
    const script = `
      require(${JSON.stringify(path.join(__dirname, '../../../lib/runtime/register-ts'))}).register();
      const { startPgliteThread } = require(${JSON.stringify(path.join(__dirname, '../../../lib/audit/pglite-thread'))});
      const db = startPgliteThread(undefined);
      db.query('SELECT $1::text AS n', [Symbol('x')]).catch((err) => console.log(err.name));`;
    // Before, the refused statement stayed registered as waiting and held the process open.
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['-e', script], { timeout: 30_000 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    );
    expect(out.trim()).toBe('DataCloneError');
  });
});

describe('PGlite thread failures', () => {
  it('rejects the statements waiting when the thread dies, and every later one', async () => {
    const db = startPgliteThread(undefined);
    await db.query('SELECT 1');
    const waiting = [db.query('SELECT 2'), db.exec('CREATE TABLE w (n int)')];
    // Ended before it could answer (as when it crashes: an uncaught error ends it the same way).
    await db.thread.terminate();
    for (const p of waiting) await expect(p).rejects.toThrow(/PGlite thread exited/);
    await expect(db.query('SELECT 3')).rejects.toThrow(/PGlite thread exited/);
    await expect(db.close()).resolves.toBeUndefined();
  });

  it('rejects every statement when the thread cannot open its directory', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'jml-pglite-thread-'));
    try {
      const file = path.join(dir, 'not-a-directory');
      writeFileSync(file, '');
      const db = startPgliteThread(path.join(file, 'audit'));
      await expect(db.query('SELECT 1')).rejects.toThrow(/PGlite thread failed: .*not a directory/);
      await expect(db.query('SELECT 1')).rejects.toThrow(/PGlite thread failed/);
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends a transaction of n statements as n messages: BEGIN with the first, COMMIT with the last', async () => {
    const db = await openDatabase({});
    const posted = jest.spyOn(Worker.prototype, 'postMessage');
    try {
      await db.exec('CREATE TABLE m (n int PRIMARY KEY)');
      posted.mockClear();
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO m VALUES ($1)', [1]);
        await tx.query('INSERT INTO m VALUES ($1)', [2], { last: true });
      });
      expect(posted).toHaveBeenCalledTimes(2);
      expect((await db.query<{ n: number }>('SELECT n FROM m ORDER BY n')).rows).toEqual([{ n: 1 }, { n: 2 }]);

      // The last statement fails: nothing of the transaction stays (the ROLLBACK is a message of its own).
      posted.mockClear();
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO m VALUES ($1)', [3]);
          await tx.query('INSERT INTO m VALUES ($1)', [1], { last: true });
        }),
      ).rejects.toMatchObject({ code: '23505' });
      expect(posted).toHaveBeenCalledTimes(3);
      expect((await db.query<{ n: number }>('SELECT n FROM m ORDER BY n')).rows).toEqual([{ n: 1 }, { n: 2 }]);

      // Nothing may follow the last statement: it would run outside the transaction.
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO m VALUES ($1)', [4], { last: true });
          await tx.query('INSERT INTO m VALUES ($1)', [5]);
        }),
      ).rejects.toThrow(/statement after the last one of a transaction/);
      expect((await db.query<{ n: number }>('SELECT n FROM m ORDER BY n')).rows).toEqual([
        { n: 1 },
        { n: 2 },
        { n: 4 },
      ]);

      // Without a statement marked last, COMMIT goes on its own after the function returns.
      await db.transaction(async (tx) => void (await tx.query('INSERT INTO m VALUES ($1)', [6])));
      expect((await db.query<{ n: number }>('SELECT max(n) AS n FROM m')).rows).toEqual([{ n: 6 }]);
    } finally {
      posted.mockRestore();
      await db.close();
    }
  });

  it('closing the database lets the transaction in flight commit first', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'jml-pglite-thread-'));
    try {
      const first = await openDatabase({ dataDir: dir });
      await first.exec('CREATE TABLE c (n int)');
      const committed = first.transaction(async (tx) => {
        for (let n = 1; n <= 3; n++) await tx.query('INSERT INTO c VALUES ($1)', [n]);
        return 'committed';
      });
      // Before, the close went to the thread ahead of the transaction's statements, which then
      // failed on the closed connection.
      await first.close();
      await expect(committed).resolves.toBe('committed');
      const again = await openDatabase({ dataDir: dir });
      try {
        expect((await again.query<{ n: number }>('SELECT n FROM c ORDER BY n')).rows).toEqual([
          { n: 1 },
          { n: 2 },
          { n: 3 },
        ]);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
