/**
 * Commands that connect, run as processes against an address where nothing listens: each says
 * in one line which address it tried and what to check, exits 1 (or, for `jml api`, which waits
 * for Temporal to come up, logs that line per attempt), and prints no stack trace.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// Generous: under a loaded CI machine the worker opens its audit store (PGlite) before connecting.
jest.setTimeout(180_000);
const ROOT = path.join(__dirname, '../..');
const exec = promisify(execFile);
const SECRET = randomBytes(48).toString('base64');

/** A port that was free a moment ago and has nothing listening on it now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function jml(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [path.join(ROOT, 'bin/jml.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      timeout: 120_000,
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout, err: failed.stderr };
  }
}

function expectOneLine(text: string): string {
  const lines = text.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(text).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

let address: string;
beforeAll(async () => {
  address = `127.0.0.1:${await closedPort()}`;
});

test.each([
  ['employee status', ['employee', 'status', 'E1']],
  ['employee hold', ['employee', 'hold', 'E1', '--case', 'LIT-1']],
  ['employee release', ['employee', 'release', 'E1', '--case', 'LIT-1']],
  ['employee retry', ['employee', 'retry', 'E3', 'canva']],
])('jml %s names the address and what to check', async (_name, args) => {
  const r = await jml(args, { TEMPORAL_ADDRESS: address });
  expect(r.code).toBe(1);
  expect(r.out).toBe('');
  expect(expectOneLine(r.err)).toBe(
    `jml employee: cannot reach Temporal at ${address} (namespace default): connection refused (nothing is listening on that port); ` +
      'check that the Temporal server is running there (jml dev runs one locally) or set TEMPORAL_ADDRESS',
  );
});

test('an unknown host is named as such', async () => {
  const r = await jml(['employee', 'status', 'E1'], { TEMPORAL_ADDRESS: 'temporal.invalid:7233' });
  expect(r.code).toBe(1);
  expect(expectOneLine(r.err)).toMatch(
    /^jml employee: cannot reach Temporal at temporal\.invalid:7233 \(namespace default\): host temporal\.invalid not found;/,
  );
});

test('a port that answers but is not Temporal is told apart from one where nothing listens', async () => {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const r = await jml(['employee', 'status', 'E1'], { TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(expectOneLine(r.err)).toMatch(
      /the port answers, but not as a Temporal frontend .*; check TEMPORAL_ADDRESS points at the frontend/,
    );
  } finally {
    server.close();
  }
});

test('jml worker stops with the same line', async () => {
  const auditDir = mkdtempSync(path.join(tmpdir(), 'jml-unreachable-'));
  const r = await jml(['worker'], { TEMPORAL_ADDRESS: address, JML_AUDIT_DIR: auditDir, DATABASE_URL: '' });
  expect(r.code).toBe(1);
  expect(expectOneLine(r.err)).toMatch(
    new RegExp(`^jml worker: cannot reach Temporal at ${address} .*set TEMPORAL_ADDRESS$`),
  );
});

test('jml api logs one line per attempt while it waits for Temporal', async () => {
  const api = spawn(process.execPath, [path.join(ROOT, 'bin/jml.js'), 'api', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: address, JML_API_HMAC_SECRETS: SECRET, DATABASE_URL: '' },
  });
  let output = '';
  api.stdout.on('data', (c: Buffer) => (output += c.toString()));
  api.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise((resolve) => api.once('exit', resolve));
  for (let i = 0; i < 1200 && !output.includes('"attempt":2') && api.exitCode === null; i++)
    await new Promise((r) => setTimeout(r, 100));
  api.kill('SIGTERM');
  await exited;
  const lines = output
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const retries = lines.filter((l) => l.msg === 'Temporal not reachable yet; retrying');
  expect(retries.length).toBeGreaterThanOrEqual(2);
  expect(retries[0]).toMatchObject({ address, attempt: 1 });
  expect(retries[0]!.reason).toMatch(/connection refused .* set TEMPORAL_ADDRESS$/);
  expect(output).not.toContain('"stack"');
});

test('jml event send names the intake URL and what to check', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'jml-unreachable-'));
  const file = path.join(dir, 'event.json');
  writeFileSync(file, '{}');
  const url = `http://${address}`;
  const r = await jml(['event', 'send', file, '--url', url], { JML_API_HMAC_SECRETS: SECRET });
  expect(r.code).toBe(1);
  expect(expectOneLine(r.err)).toBe(
    `jml event send: cannot reach ${url}/v1/hr/events (connect ECONNREFUSED ${address}); check that jml api (or jml dev) runs there, or set --url / JML_API_URL`,
  );
});
