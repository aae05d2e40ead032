/**
 * `jml api` and `jml event send` as processes: the API connects to the engine from
 * TEMPORAL_ADDRESS, `event send` signs a file and prints the answer, and SIGTERM stops the API.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startJml, waitForLine } from '../../../bench/processes';
import { createSignedRequest } from '../../../workers/api';
import { createTestEnv, type TemporalTestEnv } from '../../helpers/temporal-env';
import { signalsOf, spawnApi, strongSecret, type ApiProcess } from './helpers';

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..', '..');
const JML = path.join(ROOT, 'bin', 'jml.js');
const SECRET = strongSecret();
const FIXTURES = path.join(__dirname, 'fixtures');

let env: TemporalTestEnv;
let api: ApiProcess;
let baseUrl: string;

function runJml(
  args: string[],
  extraEnv: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
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
  api = await spawnApi(['--port', '0', '--task-queue', 'jml-cli-test'], {
    TEMPORAL_ADDRESS: env.address,
    JML_API_HMAC_SECRETS: `${SECRET},${strongSecret()}`,
  });
  baseUrl = api.url;
});

afterAll(async () => {
  await api?.stop();
  await env?.teardown();
});

test('event send signs the file, prints 202 and the answer; the workflow has the signal', async () => {
  const res = await runJml(['event', 'send', path.join(FIXTURES, 'canonical-hire.json'), '--url', baseUrl], {
    JML_API_HMAC_SECRETS: SECRET,
  });
  expect(res.code).toBe(0);
  expect(res.stdout).toContain('HTTP 202');
  expect(JSON.parse(res.stdout.slice(res.stdout.indexOf('{')))).toEqual({
    workflowId: 'employee-E1001',
    eventId: 'hr-2026-000123',
    status: 'accepted',
  });
  expect(await signalsOf(env.client, 'employee-E1001')).toEqual(['hrEvent']);
});

test('event send with a vendor format posts to its route', async () => {
  const res = await runJml(
    ['event', 'send', path.join(FIXTURES, 'entra-bulk.json'), '--url', baseUrl, '--format', 'scim-bulk'],
    { JML_API_HMAC_SECRETS: SECRET },
  );
  expect(res.code).toBe(0);
  expect(res.stdout).toContain('employee-701984');
});

test('a wrong secret prints the 401 answer and exits 1', async () => {
  const res = await runJml(['event', 'send', path.join(FIXTURES, 'canonical-hire.json'), '--url', baseUrl], {
    JML_API_HMAC_SECRETS: 'not-the-right-secret-000',
  });
  expect(res.code).toBe(1);
  expect(res.stderr).toContain('HTTP 401');
  expect(res.stderr).toContain('API_SIGNATURE_INVALID');
});

test('--dry-run prints the signed request without sending', async () => {
  const res = await runJml(
    ['event', 'send', path.join(FIXTURES, 'canonical-hire.json'), '--url', 'http://127.0.0.1:9', '--dry-run'],
    { JML_API_HMAC_SECRETS: SECRET },
  );
  expect(res.code).toBe(0);
  expect(res.stdout).toMatch(/^POST http:\/\/127\.0\.0\.1:9\/v1\/hr\/events\n/);
  expect(res.stdout).toMatch(/x-jml-signature: v1=[0-9a-f]{64}/);
});

test('jml api refuses to start without credentials', async () => {
  const res = await runJml(['api', '--port', '0'], {
    JML_API_HMAC_SECRETS: '',
    JML_API_BEARER_TOKENS: '',
    TEMPORAL_ADDRESS: env.address,
  });
  expect(res.code).toBe(1);
  expect(res.stderr).toContain('no API credentials');
});

test('jml api refuses bearer tokens without an HMAC secret: they never authorize a change', async () => {
  const res = await runJml(['api', '--port', '0'], {
    JML_API_HMAC_SECRETS: '',
    JML_API_BEARER_TOKENS: strongSecret(),
    TEMPORAL_ADDRESS: env.address,
  });
  expect(res.code).toBe(1);
  expect(res.stderr).toContain('every POST needs an HMAC signature');
});

test.each([
  [
    'the .env.example HMAC placeholder',
    { JML_API_HMAC_SECRETS: 'replace-with-a-long-random-secret' },
    'JML_API_HMAC_SECRETS value 1 is a placeholder',
  ],
  [
    'the .env.example read-token placeholder',
    { JML_API_READ_TOKENS: 'replace-with-a-long-random-read-token' },
    'JML_API_READ_TOKENS value 1 is a placeholder',
  ],
  [
    'a short hand-made secret',
    { JML_API_HMAC_SECRETS: `${SECRET},hmac-secret-0123456789abcdef` },
    'JML_API_HMAC_SECRETS value 2 is too weak',
  ],
  [
    'a 16-byte hex token',
    { JML_API_BEARER_TOKENS: '0123456789abcdef0123456789abcdef' },
    'JML_API_BEARER_TOKENS value 1 is too weak',
  ],
])('jml api refuses %s at start-up and says how to generate one', async (_name, secrets, message) => {
  const res = await runJml(['api', '--port', '0'], {
    JML_API_HMAC_SECRETS: SECRET,
    JML_API_READ_TOKENS: '',
    JML_API_BEARER_TOKENS: '',
    TEMPORAL_ADDRESS: env.address,
    ...secrets,
  });
  expect(res.code).toBe(1);
  expect(res.stderr).toContain(message);
  expect(res.stderr).toContain('openssl rand -base64 48');
  for (const value of Object.values(secrets))
    for (const v of value.split(',')) if (v !== SECRET) expect(res.stderr).not.toContain(v);
});

test.each([
  [['--trusted-proxies', '10.0.0.300'], '--trusted-proxies: "10.0.0.300" is not an IP address'],
  [['--trusted-proxies', '10.0.0.1', '--trust-proxy'], '--trust-proxy and --trusted-proxies exclude each other'],
])('jml api refuses %j with the field and the fix (exit 2)', async (args, message) => {
  const res = await runJml(['api', '--port', '0', ...args], {
    JML_API_HMAC_SECRETS: SECRET,
    TEMPORAL_ADDRESS: env.address,
  });
  expect(res.code).toBe(2);
  expect(res.stderr).toContain(message);
});

test('jml api listens before Temporal is reachable: /readyz and the intake answer 503', async () => {
  // A port nothing listens on (the engine answers there only later, in a real deployment).
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as net.AddressInfo).port;
  await new Promise((r) => blocker.close(r));
  const early = startJml('api-early', ['api', '--port', '0'], {
    LOG_LEVEL: 'info',
    TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
    JML_API_HMAC_SECRETS: SECRET,
  });
  try {
    const open = await waitForLine(early, /"msg":"HTTP port open/);
    const url = String((JSON.parse(open.input) as { address: string }).address);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', temporal: 'unreachable' });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const signed = createSignedRequest({
      body: JSON.parse(readFileSync(path.join(FIXTURES, 'canonical-hire.json'), 'utf8')),
      secret: SECRET,
    });
    const post = await fetch(`${url}/v1/hr/events`, { method: 'POST', headers: signed.headers, body: signed.body });
    expect(post.status).toBe(503);
    expect(post.headers.get('retry-after')).toBe('5');
    expect(await post.json()).toMatchObject({ code: 'API_TEMPORAL_UNAVAILABLE' });
  } finally {
    await early.stop();
  }
});

test('SIGTERM stops jml api with exit code 0', async () => {
  const exited = new Promise<number | null>((r) => api.child.on('exit', (code) => r(code)));
  api.child.kill('SIGTERM');
  expect(await exited).toBe(0);
});
