/**
 * The audit commands as an operator runs them, as separate processes: `jml audit checkpoint`
 * then `jml audit verify --checkpoint` after a truncation; a second process on a PGlite
 * directory that is in use is refused with how to read it instead (a stale lock is taken
 * over); on PostgreSQL the worker and the API refuse an unmigrated store (the worker a missing key too), and
 * `jml migrate` brings the schema up.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditStore } from '../../../lib/audit';
import { TEST_AUDIT_KEY, TEST_AUDIT_KEY_TEXT, TEST_DATABASE_URL, freshDatabase } from '../../helpers/audit-targets';

const ROOT = path.resolve(__dirname, '../../..');

function jml(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin/jml.js'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('jml audit on a PGlite store', () => {
  let work: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'jml-audit-cli-'));
    dir = path.join(work, 'audit');
    env = { JML_AUDIT_DIR: dir, JML_AUDIT_KEY: TEST_AUDIT_KEY_TEXT };
    const store = await AuditStore.open({ dataDir: dir, key: TEST_AUDIT_KEY });
    for (const employeeId of ['E1', 'E2']) {
      for (let i = 1; i <= 3; i++) {
        await store.append({
          key: `${employeeId}#${i}`,
          kind: 'milestone',
          employeeId,
          occurredAtMs: Date.parse('2026-11-20') + i,
          data: { kind: 'event-received' },
        });
      }
    }
    await store.close();
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('writes a signed checkpoint and finds a truncated chain with it', async () => {
    const file = path.join(work, 'checkpoints.jsonl');
    const cp = await jml(['audit', 'checkpoint', '--out', file], env);
    expect(cp).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/checkpoint of 6 records in 2 chains .* appended to/),
    });
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);

    const store = await AuditStore.open({ dataDir: dir, key: TEST_AUDIT_KEY });
    await store.db
      .exec(`ALTER TABLE audit_records DISABLE TRIGGER USER; DELETE FROM audit_records WHERE chain = 'E2' AND chain_seq = 3;
      ALTER TABLE audit_records ENABLE TRIGGER USER`);
    await store.close();

    const plain = await jml(['audit', 'verify'], env);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/without --checkpoint, removed chains and truncated tails cannot be detected/);
    const checked = await jml(['audit', 'verify', '--checkpoint', file], env);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(/BROKEN chain E2 was truncated: 2 records, the checkpoint of .* saw 3/);
    expect(checked.stdout).toMatch(/FAILED: 5 records in 2 chains verified, against 1 checkpoint, 1 broken/);
  }, 120_000);

  it('refuses without the key, and with a weak one', async () => {
    const noKey = await jml(['audit', 'verify'], { JML_AUDIT_DIR: dir });
    expect(noKey).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/keyed records: no audit key: set JML_AUDIT_KEY or JML_AUDIT_KEY_FILE/),
    });
    const weak = await jml(['audit', 'verify'], {
      JML_AUDIT_DIR: dir,
      JML_AUDIT_KEY: 'replace-with-a-long-random-secret-of-many-chars',
    });
    expect(weak.code).not.toBe(0);
    expect(weak.stderr).toMatch(/JML_AUDIT_KEY looks like a placeholder.*openssl rand -base64 48/);
  }, 60_000);

  it('refuses a second process on the directory and says how to read it; takes over a stale lock', async () => {
    const store = await AuditStore.open({ dataDir: dir, key: TEST_AUDIT_KEY });
    try {
      const verify = await jml(['audit', 'verify'], env);
      expect(verify.code).toBe(1);
      expect(verify.stderr).toContain(`is in use by process ${process.pid}`);
      expect(verify.stderr).toMatch(/GET \/v1\/employees\/<id>\/timeline/);
      const timeline = await jml(['timeline', 'E1'], env);
      expect(timeline).toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/jml timeline: the audit store in .* is in use by process/),
      });
    } finally {
      await store.close();
    }
    // A lock left by a process that is gone (kill -9) does not stand in the way.
    writeFileSync(
      path.join(dir, 'jml.lock'),
      JSON.stringify({ pid: 2 ** 22 + 17, host: require('node:os').hostname(), command: 'worker', since: '' }),
    );
    const timeline = await jml(['timeline', 'E1', '--format', 'json'], env);
    expect(timeline.code).toBe(0);
    expect(JSON.parse(timeline.stdout)).toMatchObject({ employeeId: 'E1' });
  }, 120_000);
});

(TEST_DATABASE_URL ? describe : describe.skip)('least privilege on PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await freshDatabase(TEST_DATABASE_URL!, 'jml_migrate');
  });
  afterAll(async () => db?.drop());

  it('the worker refuses an unmigrated store and a missing key; jml migrate brings the schema up', async () => {
    const base = { DATABASE_URL: db.url, TEMPORAL_ADDRESS: '127.0.0.1:1' };
    const noKey = await jml(['worker'], base);
    expect(noKey).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/jml worker: no audit key: set JML_AUDIT_KEY/),
    });
    const unmigrated = await jml(['worker'], { ...base, JML_AUDIT_KEY: TEST_AUDIT_KEY_TEXT });
    expect(unmigrated).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/jml worker: the audit store has no schema yet: run `jml migrate`/),
    });
    const api = await jml(['api', '--port', '0'], {
      ...base,
      JML_API_HMAC_SECRETS: randomBytes(32).toString('base64'),
    });
    expect(api).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/jml api: the audit store has no schema yet: run `jml migrate`/),
    });

    const migrated = await jml(['migrate'], { DATABASE_URL: db.url });
    expect(migrated).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/applied migrations 1, 2, 3, 4, 5, 6, 7, 8; the schema is at 8/),
    });
    expect((await jml(['migrate'], { DATABASE_URL: db.url })).stdout).toMatch(/nothing to do/);
    const store = await AuditStore.open({ databaseUrl: db.url, key: TEST_AUDIT_KEY, migrate: false });
    await store.close();
  }, 120_000);

  it('gives the writer role no DDL, UPDATE, DELETE or TRUNCATE', async () => {
    const store = await AuditStore.open({ databaseUrl: db.url, key: TEST_AUDIT_KEY });
    try {
      await store.append({ key: 'P#1', kind: 'milestone', employeeId: 'P', occurredAtMs: Date.now(), data: {} });
      const asWriter = (sql: string) =>
        store.db.transaction(async (tx) => {
          await tx.query('SET LOCAL ROLE jml_audit_writer');
          return tx.query(sql);
        });
      await expect(asWriter(`UPDATE audit_records SET data = '{}'`)).rejects.toThrow(/permission denied/);
      await expect(asWriter('DELETE FROM audit_records')).rejects.toThrow(/permission denied/);
      await expect(asWriter('TRUNCATE audit_records')).rejects.toThrow(/permission denied/);
      await expect(asWriter('DELETE FROM audit_legacy_heads')).rejects.toThrow(/permission denied/);
      await expect(asWriter('CREATE TABLE sneaky (x int)')).rejects.toThrow(/permission denied/);
      await expect(asWriter('ALTER TABLE audit_records DISABLE TRIGGER USER')).rejects.toThrow(/must be (the )?owner/);
    } finally {
      await store.close();
    }
  }, 60_000);
});
