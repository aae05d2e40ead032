/**
 * PGlite in its own thread (lib/audit/pglite-thread.ts): statements and their values cross the
 * thread boundary intact, a statement's error keeps its PostgreSQL fields, a closed store
 * refuses further statements, and an open store does not keep a finished process alive.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
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
});
