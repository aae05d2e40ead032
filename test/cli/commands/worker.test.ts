/** `jml worker` start-up checks that need no Temporal: the metrics port and heap options. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '../../..');

function runWorker(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/jml.js'), 'worker', ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let busy: Server;
let port: number;
const dir = mkdtempSync(join(tmpdir(), 'jml-worker-cli-'));

beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  port = (busy.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((r) => busy.close(r));
  rmSync(dir, { recursive: true, force: true });
});

test('a busy metrics port stops the worker with the port and how to choose another, no stack trace', async () => {
  const res = await runWorker(['--metrics-port', String(port)], {
    JML_AUDIT_DIR: join(dir, 'audit'),
    TEMPORAL_ADDRESS: '127.0.0.1:9',
  });
  expect(res.code).toBe(1);
  expect(res.stderr.trim()).toBe(
    `jml worker: metrics port 127.0.0.1:${port} is in use; choose another with --metrics-port N or JML_WORKER_METRICS_PORT (0 = any free port)`,
  );
});

test('a metrics port that is not a number is a usage error naming the option', async () => {
  const res = await runWorker([], { JML_WORKER_METRICS_PORT: 'nine' });
  expect(res.code).not.toBe(0);
  expect(res.stderr).toContain('--metrics-port (or JML_WORKER_METRICS_PORT) must be a port number 0-65535, got "nine"');
});

test('a heap growing percent that is not a whole number 0-1000 is a usage error naming the option', async () => {
  const res = await runWorker(['--heap-growing-percent', '1.5'], {});
  expect(res.code).not.toBe(0);
  expect(res.stderr).toContain(
    `--heap-growing-percent (or JML_WORKER_HEAP_GROWING_PERCENT) must be a whole number 0-1000 (0 = V8's own), got "1.5"`,
  );
  const fromEnv = await runWorker([], { JML_WORKER_HEAP_GROWING_PERCENT: 'lots' });
  expect(fromEnv.code).not.toBe(0);
  expect(fromEnv.stderr).toContain('got "lots"');
});

test('a semi-space size that is not a whole number of MiB 0-256 is a usage error naming the option', async () => {
  const res = await runWorker(['--semi-space-mb', '512'], {});
  expect(res.code).not.toBe(0);
  expect(res.stderr).toContain(
    `--semi-space-mb (or JML_WORKER_SEMI_SPACE_MB) must be a whole number of MiB 0-256 (0 = V8's own), got "512"`,
  );
  const fromEnv = await runWorker([], { JML_WORKER_SEMI_SPACE_MB: '4.5' });
  expect(fromEnv.code).not.toBe(0);
  expect(fromEnv.stderr).toContain('got "4.5"');
});
