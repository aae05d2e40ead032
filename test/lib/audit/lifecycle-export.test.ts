/**
 * `jml audit export --lifecycle joiner|mover|leaver|all` over real runs: a hire, a move with
 * a deferred revocation, a termination, recorded by the worker's activities in a PGlite store
 * (engine with time skipping, reference apps); the CLI, as its own process, prints one row per
 * run and app for joiners and movers, and every lifecycle with `all`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditStore, EXPORT_KINDS, LIFECYCLE_CSV_HEADER, lifecycleCsvRows } from '../../../lib/audit';
import { TEST_AUDIT_KEY, TEST_AUDIT_KEY_TEXT } from '../../helpers/audit-targets';
import { hrEvent, startLifecycleStack } from '../../helpers/lifecycle-stack';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../../..');
const work = mkdtempSync(path.join(tmpdir(), 'jml-export-'));
const dir = path.join(work, 'audit');
const since = new Date(Date.now() - 86_400_000).toISOString();

function jml(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin/jml.js'), ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, JML_AUDIT_DIR: dir, JML_AUDIT_KEY: TEST_AUDIT_KEY_TEXT },
        timeout: 120_000,
      },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

const col = (name: string) => LIFECYCLE_CSV_HEADER.indexOf(name);

beforeAll(async () => {
  const store = await AuditStore.open({ dataDir: dir, key: TEST_AUDIT_KEY });
  const stack = await startLifecycleStack({ auditStore: store });
  try {
    const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
    await stack.send(
      hrEvent('hire', { employeeId: 'X1' }, { eventId: 'X1-hire', effectiveAt: await now(), sequence: 1 }),
    );
    await stack.waitFor('X1', (s) => s.stage === 'idle' && s.accounts.length === 2);
    await stack.send(
      hrEvent(
        'update',
        { employeeId: 'X1', department: 'Marketing' },
        { eventId: 'X1-move', effectiveAt: await now(), sequence: 2 },
      ),
    );
    await stack.waitFor(
      'X1',
      (s) => s.stage === 'idle' && s.accounts.some((a) => a.app === 'canva' && a.state === 'active'),
    );
    // The 24-hour grace passes: GitHub is revoked by a deferred revocation run.
    await stack.waitFor(
      'X1',
      (s) => s.accounts.find((a) => a.app === 'github')?.state === 'deactivated',
      2 * 86_400_000,
    );
    await stack.send(
      hrEvent(
        'terminate',
        { employeeId: 'X1', department: 'Marketing', status: 'terminated' },
        { eventId: 'X1-term', effectiveAt: await now(), sequence: 3 },
      ),
    );
    await stack.waitFor('X1', (s) => s.stage === 'idle' && s.accounts.filter((a) => a.state === 'active').length === 0);
    // Milestones are written after the fact: wait for the leaver's completion in the store.
    for (let i = 0; i < 60; i++) {
      const done = (await store.records({ employeeId: 'X1', kind: 'milestone' })).filter(
        (r) => (r.data as { kind?: string }).kind === 'lifecycle-completed',
      );
      if (done.length >= 4) break;
      await stack.env.sleep(1_000);
    }
  } finally {
    await stack.stop();
    await store.close();
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('rows per run and app: the joiner, the mover and its deferred revocation', async () => {
  const store = await AuditStore.open({ dataDir: dir, key: TEST_AUDIT_KEY });
  try {
    const records = await store.records({ employeeId: 'X1' });
    const joiner = lifecycleCsvRows('X1', records, EXPORT_KINDS.joiner, 0);
    expect(
      joiner.map((r) => [r[col('lifecycle')], r[col('event_id')], r[col('app')], r[col('action')], r[col('sla')]]),
    ).toEqual([
      ['joiner', 'X1-hire', 'github', 'created', 'met'],
      ['joiner', 'X1-hire', 'slack', 'created', 'met'],
    ]);
    for (const r of joiner) {
      expect(r[col('event_type')]).toBe('hire');
      expect(r[col('response_status')]).toMatch(/^20\d$/);
      expect(r[col('scim_id')]).not.toBe('');
      expect(r[col('app_done_at')]).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    const mover = lifecycleCsvRows('X1', records, EXPORT_KINDS.mover, 0);
    expect(mover.map((r) => [r[col('lifecycle')], r[col('app')], r[col('action')]])).toEqual(
      expect.arrayContaining([
        ['mover', 'canva', 'created'],
        ['mover', 'slack', 'updated'],
        ['revocation', 'github', 'deactivated'],
      ]),
    );
    const all = lifecycleCsvRows('X1', records, EXPORT_KINDS.all, 0);
    expect(new Set(all.map((r) => r[col('lifecycle')]))).toEqual(new Set(['joiner', 'mover', 'revocation', 'leaver']));
    // Outside the window: nothing.
    expect(lifecycleCsvRows('X1', records, EXPORT_KINDS.all, Date.parse('2100-01-01'))).toEqual([]);
  } finally {
    await store.close();
  }
});

test('jml audit export --lifecycle joiner|mover|all as a process; a wrong value names the choices', async () => {
  const joiner = await jml(['audit', 'export', '--since', since, '--lifecycle', 'joiner']);
  expect(joiner.code).toBe(0);
  const lines = joiner.stdout.trim().split('\n');
  expect(lines[0]).toBe(LIFECYCLE_CSV_HEADER.join(','));
  expect(lines.filter((l) => l.startsWith('X1,joiner,X1-hire,hire,'))).toHaveLength(2);
  expect(lines.at(-1)).toMatch(/^# chain verification: OK/);
  const all = await jml(['audit', 'export', '--since', since, '--lifecycle', 'all']);
  expect(all.stdout).toMatch(/^X1,revocation,X1-move,/m);
  expect(all.stdout).toMatch(/^X1,leaver,X1-term,terminate,/m);
  // The leaver export keeps its own format.
  const leaver = await jml(['audit', 'export', '--since', since]);
  expect(leaver.stdout.split('\n')[0]).toMatch(/^employee_id,event_id,hr_terminated_at/);
  const wrong = await jml(['audit', 'export', '--since', since, '--lifecycle', 'hires']);
  expect(wrong.code).not.toBe(0);
  expect(wrong.stderr).toContain('--lifecycle must be joiner, mover, leaver or all, got "hires"');
});
