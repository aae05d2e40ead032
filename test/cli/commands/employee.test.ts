/**
 * `jml employee` as an operator runs it — a separate process against a real lifecycle run on
 * the embedded engine (time skipping in the test, real SCIM reference apps). Every action is
 * answered by the workflow: exit 0 prints what it did, exit 1 prints why it was refused, and a
 * refused action changes nothing. The hold placed from the command line keeps the GitHub
 * account past its 90-day retention; the release lets the DELETE go out.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveSecret } from '../../../lib/config';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../../helpers/lifecycle-stack';

jest.setTimeout(180_000);
const DAY = 24 * 60 * 60_000;
const ROOT = path.join(__dirname, '../../..');
const exec = promisify(execFile);

let stack: LifecycleStack;

beforeAll(async () => {
  stack = await startLifecycleStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** Runs `jml employee …` as its own process against the test's engine. */
async function jml(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const env = { ...process.env, TEMPORAL_ADDRESS: stack.env.address, TEMPORAL_NAMESPACE: stack.env.namespace };
  try {
    const { stdout, stderr } = await exec(process.execPath, [path.join(ROOT, 'bin/jml.js'), 'employee', ...args], {
      cwd: ROOT,
      env,
    });
    return { code: 0, out: stdout.trim(), err: stderr.trim() };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout.trim(), err: failed.stderr.trim() };
  }
}

const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();

test('hold and release: the answer of the workflow, refusals with their reason, nothing changed by a refusal', async () => {
  await stack.send(
    hrEvent('hire', { employeeId: 'K1' }, { eventId: 'K1-hire', effectiveAt: await now(), sequence: 1 }),
  );
  await stack.waitFor('K1', (s) => s.stage === 'idle' && s.accounts.length === 2);
  await stack.send(
    hrEvent('terminate', { employeeId: 'K1' }, { eventId: 'K1-term', effectiveAt: await now(), sequence: 2 }),
  );
  await stack.waitFor('K1', (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'));

  let r = await jml('status', 'K1');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/employee K1: stage idle/);
  expect(r.out).toMatch(/github\s+deactivated\s+.*delete due \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  expect(r.out).toMatch(/K1-term\s+terminate\s+accepted/);

  r = await jml('hold', 'K1', '--case', 'LIT-42', '--reason', 'litigation', '--by', 'legal@example.com');
  expect(r).toMatchObject({ code: 0, err: '' });
  expect(r.out).toBe(
    'legal hold placed on employee K1 for case LIT-42; 1 scheduled deletion paused until it is released',
  );

  r = await jml('hold', 'K1', '--case', 'LIT-42');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(
    /^employee K1 is already under legal hold for case LIT-42 \(since \d{4}-.*\); nothing changed$/,
  );

  r = await jml('hold', 'K1', '--case', 'LIT-7');
  expect(r).toMatchObject({ code: 1, out: '' });
  expect(r.err).toMatch(
    /^jml employee hold: refused: K1 is already under legal hold for case LIT-42 \(since .*\); deletions stay paused\./,
  );

  r = await jml('release', 'K1', '--case', 'WRONG');
  expect(r).toMatchObject({ code: 1, out: '' });
  expect(r.err).toBe(
    'jml employee release: refused: K1 is under legal hold for case LIT-42, not WRONG; nothing released',
  );

  await stack.env.sleep(120 * DAY);
  r = await jml('status', 'K1', '--json');
  const held = JSON.parse(r.out) as { legalHold: { placedAt: string }; accounts: { app: string; state: string }[] };
  expect(held.legalHold).toMatchObject({ caseId: 'LIT-42', reason: 'litigation', placedBy: 'legal@example.com' });
  expect(held.legalHold.placedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(held.accounts.find((a) => a.app === 'github')).toMatchObject({
    state: 'deactivated',
    pendingDeletion: { mode: 'hard', onHold: true },
  });

  r = await jml('release', 'K1', '--case', 'LIT-42', '--json');
  expect(r.code).toBe(0);
  expect(JSON.parse(r.out)).toMatchObject({ caseId: 'LIT-42', resumedDeletions: 1 });
  await stack.waitFor('K1', (s) => s.accounts.find((a) => a.app === 'github')?.state === 'deleted', DAY);

  r = await jml('release', 'K1', '--case', 'LIT-42');
  expect(r).toMatchObject({
    code: 1,
    err: 'jml employee release: refused: K1 is not under legal hold; nothing to release',
  });
  const timeline = (await stack.timeline('K1'))!;
  expect(timeline.filter((t) => t.kind === 'legal-hold-placed')).toHaveLength(1);
  expect(timeline.filter((t) => t.kind === 'legal-hold-released')).toHaveLength(1);
});

test('retry: refused for an app the person never had and for a step that did not fail; a failed step runs again', async () => {
  const github = stack.apps.apps.github!.server;
  // The team for Platform was deleted in GitHub and the connector may not create teams.
  const platform = github.groups().find((g) => g.displayName === 'eng-Platform')!;
  const token = await resolveSecret('env:GITHUB_SCIM_TOKEN');
  const res = await fetch(`${stack.apps.apps.github!.url}/Groups/${platform.id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(204);
  await stack.send(
    hrEvent(
      'hire',
      { employeeId: 'R3', department: 'Platform' },
      { eventId: 'R3-hire', effectiveAt: await now(), sequence: 1 },
    ),
  );
  await stack.waitFor('R3', (s) => s.stage === 'idle' && s.failedApps.length === 1);

  let r = await jml('retry', 'R3', 'canva');
  expect(r).toMatchObject({ code: 1, out: '' });
  expect(r.err).toBe(
    'jml employee retry: refused: R3 has no account in canva; nothing to retry (apps with an account: github, slack)',
  );

  r = await jml('retry', 'R3', 'slack');
  expect(r).toMatchObject({
    code: 1,
    err: 'jml employee retry: refused: slack: the last step for R3 did not fail (account active); nothing to retry',
  });

  github.seedGroup({ displayName: 'eng-Platform' });
  r = await jml('retry', 'R3', 'github', '--by', 'ops@example.com');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(
    /^retry of the joiner step in github queued for employee R3 \(it failed with SCIM_NOT_FOUND: .+\)\nfollow it with: jml employee status R3$/,
  );
  const fixed = await stack.waitFor('R3', (s) => s.stage === 'idle' && s.failedApps.length === 0);
  expect(fixed.accounts.find((a) => a.app === 'github')?.state).toBe('active');
  expect(github.users().filter((u) => u.externalId === 'R3')).toHaveLength(1);
  const retries = (await stack.timeline('R3'))!.filter((t) => t.kind === 'retry-requested');
  expect(retries).toEqual([expect.objectContaining({ app: 'github', detail: 'by ops@example.com' })]);
});

test('a person without a workflow, and usage mistakes, say what is wrong', async () => {
  let r = await jml('status', 'NOBODY');
  expect(r).toMatchObject({ code: 1, err: 'no lifecycle workflow for employee NOBODY (namespace default)' });
  r = await jml('hold', 'NOBODY', '--case', 'C-1');
  expect(r).toMatchObject({ code: 1, err: 'no running lifecycle workflow for employee NOBODY (namespace default)' });
  expect(await jml('hold', 'K1')).toMatchObject({
    code: 2,
    err: expect.stringContaining('--case is required for hold'),
  });
  expect(await jml('retry', 'K1')).toMatchObject({ code: 2, err: expect.stringContaining('expected an app id') });
  expect(await jml('frobnicate', 'K1')).toMatchObject({
    code: 2,
    err: expect.stringContaining('unknown action "frobnicate"'),
  });
});
