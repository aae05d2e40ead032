/** `jml plan` as a real process: exit codes and the dry-run output. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '../../..');
const run = promisify(execFile);

async function jml(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin/jml.js'), 'plan', ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('prints the termination plan and sends nothing', async () => {
  const { code, stdout } = await jml(['examples/events/terminate.json']);
  expect(code).toBe(0);
  expect(stdout).toContain('Event evt-E1001-terminate: leaver — every account is deactivated');
  expect(stdout).toContain('slack — revoke');
  expect(stdout).toContain('~ active = false');
});

test('--json gives the plan as data', async () => {
  const { code, stdout } = await jml(['examples/events/hire.json', '--json']);
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toMatchObject({ eventId: 'evt-E1001-hire', transition: 'join' });
});

test('an invalid event file exits 1 naming the field; a missing argument is a usage error', async () => {
  const bad = await jml(['test/lib/plan/fixtures/bad-event.json']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('employee.workEmail');
  const usage = await jml([]);
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain('expected one event file');
});
