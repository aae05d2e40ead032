/**
 * The compose stack's least privilege, for real: the audit-db init script runs against a real
 * PostgreSQL (when JML_TEST_DATABASE_URL is set), `jml migrate` runs as the owner it creates,
 * and the worker's login may append but not change history or the schema. Structurally, the
 * compose file gives DDL to the migrate job only.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { AuditStore } from '../../lib/audit';
import { TEST_AUDIT_KEY, TEST_DATABASE_URL, freshDatabase } from '../helpers/audit-targets';

const ROOT = path.join(__dirname, '..', '..');

function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('docker-compose.yml audit store roles', () => {
  const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<
      string,
      {
        command?: string[];
        environment?: Record<string, string>;
        volumes?: string[];
        depends_on?: Record<string, unknown>;
      }
    >;
  };

  test('only the migrate job connects as the owner; worker and API use insert-only logins and wait for it', () => {
    const url = (name: string) => compose.services[name]!.environment!.DATABASE_URL!;
    expect(compose.services['audit-migrate']!.command).toEqual(['migrate']);
    expect(url('audit-migrate')).toMatch(/^postgres:\/\/jml_owner:/);
    expect(url('worker')).toMatch(/^postgres:\/\/jml_worker:/);
    expect(url('api')).toMatch(/^postgres:\/\/jml_api:/);
    for (const name of ['worker', 'api']) expect(compose.services[name]!.depends_on).toHaveProperty('audit-migrate');
    expect(compose.services['audit-db']!.volumes).toContain('./deploy/audit-db:/docker-entrypoint-initdb.d:ro');
  });
});

(TEST_DATABASE_URL ? describe : describe.skip)('deploy/audit-db init script on PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await freshDatabase(TEST_DATABASE_URL!, 'jml_roles');
  });
  afterAll(async () => db?.drop());

  const as = (user: string) => {
    const u = new URL(db.url);
    u.username = user;
    u.password = 'pw-for-tests';
    return u.toString();
  };

  test('creates owner and insert-only logins; migrate runs as the owner; the worker cannot rewrite history', async () => {
    const base = new URL(db.url);
    const env = {
      PGHOST: base.hostname,
      PGPORT: base.port,
      POSTGRES_USER: decodeURIComponent(base.username || 'postgres'),
      POSTGRES_DB: base.pathname.slice(1),
      AUDIT_DB_OWNER_PASSWORD: 'pw-for-tests',
      AUDIT_DB_WORKER_PASSWORD: 'pw-for-tests',
      AUDIT_DB_API_PASSWORD: 'pw-for-tests',
    };
    for (let i = 0; i < 2; i++) {
      // Twice: by hand on an existing volume must work too.
      const init = await run('sh', ['deploy/audit-db/10-jml-roles.sh'], env);
      expect(init).toMatchObject({ code: 0 });
    }
    const migrate = await run(process.execPath, ['bin/jml.js', 'migrate'], { DATABASE_URL: as('jml_owner') });
    expect(migrate).toMatchObject({ code: 0, stdout: expect.stringMatching(/applied migrations 1, 2, 3, 4, 5, 6/) });

    const worker = await AuditStore.open({ databaseUrl: as('jml_worker'), key: TEST_AUDIT_KEY, migrate: false });
    try {
      await worker.append({
        key: 'R#1',
        kind: 'milestone',
        employeeId: 'R',
        occurredAtMs: Date.now(),
        data: { kind: 'event-received' },
      });
      expect((await worker.verify({ employeeId: 'R' })).ok).toBe(true);
      for (const sql of [
        "UPDATE audit_records SET data = '{}'",
        'DELETE FROM audit_records',
        'TRUNCATE audit_records',
        'CREATE TABLE x (y int)',
        'DROP TABLE audit_records',
      ]) {
        await expect(worker.db.query(sql)).rejects.toThrow(/permission denied|must be (the )?owner/);
      }
    } finally {
      await worker.close();
    }
  }, 120_000);
});
