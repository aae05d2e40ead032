/**
 * A PostgreSQL restart under an open store, in a process of its own (an unhandled pool 'error'
 * event kills the whole process, which jest would not show): every server connection of that
 * process is terminated (pg_terminate_backend, what a restart or failover does to clients),
 * the process must survive and its next write must succeed on a new connection.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { TEST_AUDIT_KEY_TEXT, TEST_DATABASE_URL } from '../../helpers/audit-targets';

const ROOT = path.resolve(__dirname, '../../..');

const CHILD = `
require(${JSON.stringify(path.join(ROOT, 'lib/runtime/register-ts'))}).register();
const { AuditStore, auditKeyFromString } = require(${JSON.stringify(path.join(ROOT, 'lib/audit'))});
(async () => {
  const store = await AuditStore.open({
    databaseUrl: process.env.URL, key: auditKeyFromString(process.env.KEY), applicationName: process.env.APP,
    onConnectionError: (err) => console.log('connection error:', err.message),
  });
  const write = (i) => store.append({ key: process.env.APP + '#' + i, kind: 'milestone', employeeId: process.env.APP, occurredAtMs: Date.now(), data: { i } });
  // Several pooled connections, all idle when the server drops them.
  await Promise.all([1, 2, 3].map(write));
  console.log('ready');
  process.stdin.once('data', async () => {
    process.stdin.pause();
    await write(4);
    const v = await store.verify({ employeeId: process.env.APP });
    console.log('wrote after reconnect', v.ok, v.records);
    await store.close();
  });
})().catch((err) => { console.log('failed:', err.message); process.exit(2); });
`;

(TEST_DATABASE_URL ? describe : describe.skip)('audit store on PostgreSQL across a server-side disconnect', () => {
  it('survives its connections being terminated and writes on a new one', async () => {
    const app = `jml-reconnect-${process.pid}-${Date.now()}`;
    const child = spawn(process.execPath, ['-e', CHILD], {
      env: { ...process.env, URL: TEST_DATABASE_URL, KEY: TEST_AUDIT_KEY_TEXT, APP: app },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    for (let i = 0; i < 300 && !out.includes('ready') && child.exitCode === null; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain('ready');

    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    const { rows } = await admin.query(
      'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1',
      [app],
    );
    await admin.end();
    expect(rows.length).toBeGreaterThan(0);
    // Let the dropped connections' errors arrive while the pool is idle (where the crash was).
    for (let i = 0; i < 50 && !out.includes('connection error'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(child.exitCode).toBeNull();

    child.stdin.end('go\n');
    const code = await exited;
    expect(out).not.toMatch(/Unhandled 'error' event/);
    expect(out).toContain('wrote after reconnect true 4');
    expect(code).toBe(0);
  }, 60_000);
});
