/**
 * Metrics and health as an operator scrapes them: the engine, two reference SCIM apps, `jml
 * worker` (with --metrics-port) and `jml api` as separate processes; a real hire and a real
 * termination go through the signed intake; then /metrics of both processes is fetched over
 * HTTP, parsed, and checked for the runs, durations, SCIM requests, HR verdicts, pending
 * deletions and Node process metrics that they caused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { event, post, sleep, startApps, startStack, status, type Stack } from '../../../bench/common';
import { freePort, type Proc } from '../../../bench/processes';
import { createSignedRequest } from '../../../workers/api';

jest.setTimeout(180_000);

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, as far as these tests need it: one sample per non-comment line. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found.length === 0 ? undefined : found.reduce((sum, s) => sum + s.value, 0);
}

async function get(url: string): Promise<{ status: number; type: string; text: string }> {
  const res = await request(url);
  return { status: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() };
}

const work = mkdtempSync(path.join(tmpdir(), 'jml-metrics-'));
const started: Proc[] = [];
let stack: Stack;
let workerMetricsUrl: string;

beforeAll(async () => {
  const { apps, urls } = await startApps(2, []);
  started.push(...apps);
  const metricsPort = await freePort();
  stack = await startStack(
    work,
    urls,
    { requestsPerSecond: 50, burst: 50, maxConcurrency: 4 },
    ['--metrics-port', String(metricsPort)],
    started,
  );
  workerMetricsUrl = `http://127.0.0.1:${metricsPort}`;
});

afterAll(async () => {
  for (const proc of started.reverse()) await proc.stop();
  rmSync(work, { recursive: true, force: true });
});

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

test('the worker answers /healthz and /readyz (Temporal connected, audit store reachable)', async () => {
  const health = await get(`${workerMetricsUrl}/healthz`);
  expect(health.status).toBe(200);
  const ready = await get(`${workerMetricsUrl}/readyz`);
  expect(ready.status).toBe(200);
  expect(JSON.parse(ready.text)).toEqual({ status: 'ready', checks: { temporal: 'ok', auditStore: 'ok' } });
  expect((await get(`${workerMetricsUrl}/nope`)).status).toBe(404);
});

test('a hire and a termination show up in the worker and API metrics', async () => {
  const hire = event(1, 'hire', 1);
  await post(stack.url, hire);
  await until(
    async () => (await status(stack.url, 'B1')).accounts?.filter((a) => a.state === 'active').length === 2,
    'the hire',
  );
  // The same event again: the intake answers it from its idempotency record.
  await post(stack.url, hire);
  // A bad signature: rejected at the intake.
  const forged = createSignedRequest({ body: event(1, 'hire', 9), secret: 'not-the-secret-0123456789' });
  await (
    await request(`${stack.url}/v1/hr/events`, { method: 'POST', headers: forged.headers, body: forged.body })
  ).body.dump();
  await post(stack.url, event(1, 'terminate', 2));
  await until(
    async () => (await status(stack.url, 'B1')).accounts?.filter((a) => a.state === 'deactivated').length === 2,
    'the termination',
  );

  // Milestones reach the audit activity just after the status changes: wait for the leaver's run to be counted.
  let worker: Sample[] = [];
  await until(async () => {
    const res = await get(`${workerMetricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    worker = parseMetrics(res.text);
    // The pending-deletions gauge is read from the store at most every 15 s: wait for it too.
    return (
      (value(worker, 'jml_lifecycle_runs_total', { lifecycle: 'leaver' }) ?? 0) >= 1 &&
      value(worker, 'jml_pending_deletions') === 2
    );
  }, 'the leaver run and its scheduled deletions in the metrics');

  expect(value(worker, 'jml_lifecycle_runs_total', { lifecycle: 'joiner', outcome: 'succeeded' })).toBe(1);
  expect(value(worker, 'jml_lifecycle_runs_total', { lifecycle: 'leaver', outcome: 'succeeded' })).toBe(1);
  expect(value(worker, 'jml_lifecycle_runs_total', { outcome: 'failed' })).toBeUndefined();
  expect(value(worker, 'jml_lifecycle_runs_started_total', { lifecycle: 'leaver' })).toBe(1);
  // Histogram: one observation per run, well inside the leaver's 15-minute SLA.
  expect(value(worker, 'jml_lifecycle_duration_seconds_count', { lifecycle: 'leaver' })).toBe(1);
  expect(value(worker, 'jml_lifecycle_duration_seconds_bucket', { lifecycle: 'leaver', le: '900' })).toBe(1);
  expect(value(worker, 'jml_lifecycle_duration_seconds_sum', { lifecycle: 'joiner' })).toBeLessThan(120);
  expect(value(worker, 'jml_sla_breaches_total')).toBeUndefined();

  // Every SCIM request the apps answered: a create for the hire, a PATCH active=false for the termination.
  for (const app of ['app01', 'app02']) {
    expect(value(worker, 'jml_scim_requests_total', { app, operation: 'create-user', status: '201' })).toBe(1);
    expect(value(worker, 'jml_scim_requests_total', { app, operation: 'deactivate-user', status: '200' })).toBe(1);
    const total = value(worker, 'jml_scim_requests_total', { app })!;
    expect(value(worker, 'jml_scim_request_duration_seconds_count', { app })).toBe(total);
    // Deleted after the 30-day retention: pending now.
    expect(value(worker, 'jml_pending_deletions', { app })).toBe(1);
  }
  expect(value(worker, 'jml_scim_rate_limited_total')).toBeUndefined();
  // The employee workflow's verdicts: both events admitted (the repeat never reached it).
  expect(value(worker, 'jml_hr_events_total', { stage: 'workflow', verdict: 'accepted' })).toBe(2);
  // Node process metrics.
  expect(value(worker, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  expect(value(worker, 'nodejs_eventloop_lag_seconds')).toBeDefined();

  const apiRes = await get(`${stack.url}/metrics`);
  expect(apiRes.status).toBe(200);
  const api = parseMetrics(apiRes.text);
  expect(value(api, 'jml_hr_events_total', { stage: 'intake', verdict: 'accepted' })).toBe(2);
  expect(value(api, 'jml_hr_events_total', { stage: 'intake', verdict: 'duplicate' })).toBe(1);
  expect(value(api, 'jml_hr_events_total', { stage: 'intake', verdict: 'unauthorized' })).toBe(1);
  expect(value(api, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  // The API is its own process: the worker's series are not there.
  expect(value(api, 'jml_scim_requests_total')).toBeUndefined();
});
