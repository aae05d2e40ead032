/**
 * `jml api` and `jml event send` as processes: the API connects to the engine from
 * TEMPORAL_ADDRESS, `event send` signs a file and prints the answer, and SIGTERM stops the API.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createTestEnv, type TemporalTestEnv } from '../../helpers/temporal-env';
import { signalsOf, spawnApi, type ApiProcess } from './helpers';

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..', '..');
const JML = path.join(ROOT, 'bin', 'jml.js');
const SECRET = 'cli-test-secret-0123456789';
const FIXTURES = path.join(__dirname, 'fixtures');

let env: TemporalTestEnv;
let api: ApiProcess;
let baseUrl: string;

function runJml(args: string[], extraEnv: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [JML, ...args], { cwd: ROOT, env: { ...process.env, ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  env = await createTestEnv({ timeSkipping: false });
  api = await spawnApi(['--port', '0', '--task-queue', 'jml-cli-test'], { TEMPORAL_ADDRESS: env.address, JML_API_HMAC_SECRETS: `${SECRET},previous-secret-0123456789` });
  baseUrl = api.url;
});

afterAll(async () => {
  await api?.stop();
  await env?.teardown();
});

test('event send signs the file, prints 202 and the answer; the workflow has the signal', async () => {
  const res = await runJml(['event', 'send', path.join(FIXTURES, 'canonical-hire.json'), '--url', baseUrl], { JML_API_HMAC_SECRETS: SECRET });
  expect(res.code).toBe(0);
  expect(res.stdout).toContain('HTTP 202');
  expect(JSON.parse(res.stdout.slice(res.stdout.indexOf('{')))).toEqual({ workflowId: 'employee-E1001', eventId: 'hr-2026-000123', status: 'accepted' });
  expect(await signalsOf(env.client, 'employee-E1001')).toEqual(['hrEvent']);
});

test('event send with a vendor format posts to its route', async () => {
  const res = await runJml(['event', 'send', path.join(FIXTURES, 'entra-bulk.json'), '--url', baseUrl, '--format', 'scim-bulk'], { JML_API_HMAC_SECRETS: SECRET });
  expect(res.code).toBe(0);
  expect(res.stdout).toContain('employee-701984');
});

test('a wrong secret prints the 401 answer and exits 1', async () => {
  const res = await runJml(['event', 'send', path.join(FIXTURES, 'canonical-hire.json'), '--url', baseUrl], { JML_API_HMAC_SECRETS: 'not-the-right-secret-000' });
  expect(res.code).toBe(1);
  expect(res.stderr).toContain('HTTP 401');
  expect(res.stderr).toContain('API_SIGNATURE_INVALID');
});

test('--dry-run prints the signed request without sending', async () => {
  const res = await runJml(['event', 'send', path.join(FIXTURES, 'canonical-hire.json'), '--url', 'http://127.0.0.1:9', '--dry-run'], { JML_API_HMAC_SECRETS: SECRET });
  expect(res.code).toBe(0);
  expect(res.stdout).toMatch(/^POST http:\/\/127\.0\.0\.1:9\/v1\/hr\/events\n/);
  expect(res.stdout).toMatch(/x-jml-signature: v1=[0-9a-f]{64}/);
});

test('jml api refuses to start without credentials', async () => {
  const res = await runJml(['api', '--port', '0'], { JML_API_HMAC_SECRETS: '', JML_API_BEARER_TOKENS: '', TEMPORAL_ADDRESS: env.address });
  expect(res.code).toBe(1);
  expect(res.stderr).toContain('no API credentials');
});

test('SIGTERM stops jml api with exit code 0', async () => {
  const exited = new Promise<number | null>((r) => api.child.on('exit', (code) => r(code)));
  api.child.kill('SIGTERM');
  expect(await exited).toBe(0);
});
