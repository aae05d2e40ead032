/**
 * `jml employee`: the status read-out and the operator signals, against a real lifecycle run
 * on the embedded engine with time skipping. The hold placed from the command line keeps the
 * GitHub account past its 90-day retention; the release lets the DELETE go out.
 */
import { run } from '../../../cli/commands/employee';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../../helpers/lifecycle-stack';

jest.setTimeout(120_000);
const DAY = 24 * 60 * 60_000;

let stack: LifecycleStack;
let out: string[];
let err: string[];
const saved = { address: process.env.TEMPORAL_ADDRESS };

beforeAll(async () => {
  stack = await startLifecycleStack();
  process.env.TEMPORAL_ADDRESS = stack.env.address;
});
afterAll(async () => {
  if (saved.address === undefined) delete process.env.TEMPORAL_ADDRESS;
  else process.env.TEMPORAL_ADDRESS = saved.address;
  await stack?.stop();
});
beforeEach(() => {
  out = [];
  err = [];
  jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
});
afterEach(() => jest.restoreAllMocks());

test('status, hold and release from the command line', async () => {
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
  await stack.send(hrEvent('hire', { employeeId: 'K1' }, { eventId: 'K1-hire', effectiveAt: await now(), sequence: 1 }));
  await stack.waitFor('K1', (s) => s.stage === 'idle' && s.accounts.length === 2);
  await stack.send(hrEvent('terminate', { employeeId: 'K1' }, { eventId: 'K1-term', effectiveAt: await now(), sequence: 2 }));
  await stack.waitFor('K1', (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'));

  expect(await run(['status', 'K1'])).toBe(0);
  expect(out.join('\n')).toMatch(/employee K1: stage idle/);
  expect(out.join('\n')).toMatch(/github\s+deactivated\s+.*delete due \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  expect(out.join('\n')).toMatch(/K1-term\s+terminate\s+accepted/);

  expect(await run(['hold', 'K1', '--case', 'LIT-42', '--reason', 'litigation', '--by', 'legal@example.com'])).toBe(0);
  expect(out.at(-1)).toBe('hold sent to employee-K1');
  await stack.env.sleep(120 * DAY);
  out = [];
  expect(await run(['status', 'K1', '--json'])).toBe(0);
  const held = JSON.parse(out.join('\n'));
  expect(held.legalHold).toMatchObject({ caseId: 'LIT-42', reason: 'litigation', placedBy: 'legal@example.com' });
  expect(held.legalHold.placedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(held.accounts.find((a: { app: string }) => a.app === 'github')).toMatchObject({ state: 'deactivated', pendingDeletion: { mode: 'hard', onHold: true } });

  expect(await run(['release', 'K1', '--case', 'LIT-42'])).toBe(0);
  await stack.waitFor('K1', (s) => s.accounts.find((a) => a.app === 'github')?.state === 'deleted', DAY);
});

test('a person without a workflow, and usage mistakes, say what is wrong', async () => {
  expect(await run(['status', 'NOBODY'])).toBe(1);
  expect(err.join('\n')).toContain('no lifecycle workflow for employee NOBODY');
  expect(await run(['hold', 'NOBODY', '--case', 'C-1'])).toBe(1);
  expect(err.join('\n')).toContain('no running lifecycle workflow for employee NOBODY');
  await expect(run(['hold', 'K1'])).rejects.toThrow(/--case is required for hold/);
  await expect(run(['retry', 'K1'])).rejects.toThrow(/expected an app id/);
  await expect(run(['frobnicate', 'K1'])).rejects.toThrow(/unknown action "frobnicate"/);
});
