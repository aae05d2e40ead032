/**
 * `jml import` as a process: a roster file that cannot be read as a roster stops before
 * anything is contacted (exit 2, naming the file and the fix); bad usage is exit 2.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

function jml(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin/jml.js'), 'import', ...args],
      // Nothing listens on port 1: a command that got as far as Temporal would say so.
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: '127.0.0.1:1' },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'jml-import-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('an unknown CSV column stops the import before anything is contacted, naming it and the valid ones', async () => {
  const file = path.join(dir, 'people.csv');
  writeFileSync(file, 'employeeId,firstName,familyName,status\nE1,Ada,Lovelace,active\n');
  const { code, stderr, stdout } = await jml(['--roster', file]);
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr).toContain(
    `jml import: ${file}: line 1: unknown column(s) "firstName"; columns are fields of the HR record`,
  );
  expect(stderr).not.toContain('Temporal');
});

test('unreadable files, unknown formats and a missing --roster are exit 2 with the fix', async () => {
  const missing = await jml(['--roster', path.join(dir, 'nope.json')]);
  expect([missing.code, missing.stderr.trim()]).toEqual([
    2,
    `jml import: ${path.join(dir, 'nope.json')}: cannot read (ENOENT)`,
  ]);
  const json = path.join(dir, 'people.json');
  writeFileSync(json, '{"people": []}');
  const wrong = await jml(['--roster', json]);
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toContain('a JSON roster is an array of employee records');
  const txt = await jml(['--roster', path.join(dir, 'people.txt')]);
  expect([txt.code, txt.stderr]).toEqual([2, expect.stringContaining('pass --format-in csv|json')]);
  const none = await jml([]);
  expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('--roster FILE is required')]);
});
