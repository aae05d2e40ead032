/**
 * `npm run bench`: leaver latency and requests per operation, on the real pieces as separate
 * processes (embedded engine, reference SCIM apps with a set round-trip latency, worker, API),
 * against a naive sequential script over the same apps as the baseline. Prints tables and
 * writes bench/results/leaver-<timestamp>.json. Numbers, never assertions.
 *
 *   npm run bench -- [--employees 100] [--apps 10] [--latency 50]
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { createSignedRequest } from '../workers/api';
import { freePort, percentile, ROOT, startJml, waitForLine, type Proc } from './processes';

const { values } = parseArgs({ options: { employees: { type: 'string', default: '100' }, apps: { type: 'string', default: '10' }, latency: { type: 'string', default: '50' } } });
const EMPLOYEES = Number(values.employees);
const APPS = Number(values.apps);
const LATENCY_MS = Number(values.latency);
const SECRET = `bench-${Date.now()}-0123456789abcdef`;
const TOKEN = 'bench-token-0123456789abcdef';

interface Status { accounts?: { app: string; state: string; deactivatedAtMs?: number; scimId?: string }[] }

function writeConfig(dir: string, urls: string[]): void {
  mkdirSync(path.join(dir, 'connectors'), { recursive: true });
  urls.forEach((url, i) => {
    const id = `app${String(i + 1).padStart(2, '0')}`;
    writeFileSync(path.join(dir, 'connectors', `${id}.yaml`), [
      `id: ${id}`, `displayName: App ${i + 1}`, 'scim:', `  baseUrl: ${url}`, 'auth:', '  type: bearer', '  token: env:BENCH_SCIM_TOKEN',
      'rateLimit:', '  requestsPerSecond: 500', '  burst: 500', '  maxConcurrency: 32', 'capabilities:', '  patch: true', '  groups: false', 'delete:', '  mode: hard',
      'mappings:', '  - source: employeeId', '    target: externalId', '    required: true', '  - source: workEmail', '    target: userName', '    required: true',
      '  - source: givenName', '    target: name.givenName', '  - source: familyName', '    target: name.familyName', '  - source: title', '    target: title', '',
    ].join('\n'));
  });
  writeFileSync(path.join(dir, 'policy.yaml'), ['access:', '  rules:', '    - name: everyone', '      when: {}', '      grant:', ...urls.map((_, i) => `        - app: app${String(i + 1).padStart(2, '0')}`), ''].join('\n'));
}

async function post(api: string, body: unknown): Promise<number> {
  const signed = createSignedRequest({ body, secret: SECRET });
  const res = await request(`${api}/v1/hr/events`, { method: 'POST', headers: signed.headers, body: signed.body });
  await res.body.dump();
  if (res.statusCode !== 202) throw new Error(`intake answered ${res.statusCode}`);
  return Date.now();
}

async function status(api: string, id: string): Promise<Status> {
  const res = await request(`${api}/v1/employees/${id}`);
  return res.statusCode === 200 ? ((await res.body.json()) as Status) : (await res.body.dump(), {});
}

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function waitAll(api: string, ids: string[], done: (s: Status) => boolean, label: string): Promise<Map<string, Status>> {
  const result = new Map<string, Status>();
  const started = Date.now();
  while (result.size < ids.length) {
    await pool(ids.filter((id) => !result.has(id)), 20, async (id) => {
      const s = await status(api, id);
      if (done(s)) result.set(id, s);
    });
    process.stdout.write(`\r  ${label}: ${result.size}/${ids.length} (${((Date.now() - started) / 1000).toFixed(1)} s)   `);
    if (result.size < ids.length) await new Promise((r) => setTimeout(r, 200));
  }
  process.stdout.write('\n');
  return result;
}

const employee = (n: number, title = 'Engineer') => ({ employeeId: `B${n}`, givenName: 'Bench', familyName: `User${n}`, workEmail: `bench.user${n}@example.com`, title, status: 'active' });
const event = (n: number, type: string, seq: number, title?: string) => ({ eventId: `B${n}-${type}-${seq}`, type, effectiveAt: new Date().toISOString(), sequence: seq, employee: { ...employee(n, title), status: type === 'terminate' ? 'terminated' : 'active' } });

/** The naive baseline: one script, one person after another, one app after another: look up, then PATCH. */
async function naiveLeavers(urls: string[], ids: string[]): Promise<number[]> {
  const t0 = Date.now();
  const latencies: number[] = [];
  for (const id of ids) {
    for (const url of urls) {
      const found = await request(`${url}/Users?filter=${encodeURIComponent(`externalId eq "${id}"`)}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = (await found.body.json()) as { Resources?: { id: string }[] };
      const userId = body.Resources?.[0]?.id;
      if (!userId) continue;
      const res = await request(`${url}/Users/${userId}`, { method: 'PATCH', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' }, body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] }) });
      await res.body.dump();
    }
    latencies.push(Date.now() - t0);
  }
  return latencies;
}

const requestCount = (apps: Proc[]) => apps.reduce((n, a) => n + a.lines.filter((l) => l.includes('"scim request"')).length, 0);

async function main(): Promise<void> {
  const procs: Proc[] = [];
  const work = mkdtempSync(path.join(tmpdir(), 'jml-bench-'));
  try {
    console.log(`leaver benchmark: ${EMPLOYEES} employees × ${APPS} apps, ${LATENCY_MS} ms per app round trip; machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
    const engine = startJml('engine', ['engine', '--port', '0']);
    procs.push(engine);
    const address = (await waitForLine(engine, /listening on (\S+)/))[1]!;
    const apps: Proc[] = [];
    for (let i = 0; i < APPS; i++) {
      const p = startJml(`app${i + 1}`, ['scim-server', '--port', '0', '--latency', String(LATENCY_MS), '--token-env', 'BENCH_SCIM_TOKEN', '--log-requests', '--rate-limit', 'off', '--max-recorded-requests', '1000'], { BENCH_SCIM_TOKEN: TOKEN, LOG_LEVEL: 'info' });
      apps.push(p);
      procs.push(p);
    }
    const urls = await Promise.all(apps.map(async (a) => (await waitForLine(a, /^(http:\S+)/))[1]!));
    writeConfig(path.join(work, 'config'), urls);
    const env = { TEMPORAL_ADDRESS: address, JML_CONFIG_DIR: path.join(work, 'config'), JML_AUDIT_DIR: path.join(work, 'audit'), BENCH_SCIM_TOKEN: TOKEN, JML_API_HMAC_SECRETS: SECRET };
    const worker = startJml('worker', ['worker', '--max-activities', '200'], env);
    procs.push(worker);
    const apiPort = await freePort();
    const apiProc = startJml('api', ['api', '--port', String(apiPort), '--rate', '10000', '--burst', '10000'], { ...env, LOG_LEVEL: 'info' });
    procs.push(apiProc);
    await waitForLine(apiProc, /intake API listening/);
    const api = `http://127.0.0.1:${apiPort}`;

    // Requests per operation, on one person first (the minimum for a leaver with a known id is 1 per app).
    const perOp: Record<string, number> = {};
    let before = requestCount(apps);
    await post(api, event(0, 'hire', 1));
    await waitAll(api, ['B0'], (s) => (s.accounts ?? []).filter((a) => a.state === 'active').length === APPS, 'joiner');
    perOp.joiner = (requestCount(apps) - before) / APPS;
    before = requestCount(apps);
    await post(api, event(0, 'update', 2, 'Staff Engineer'));
    await new Promise((r) => setTimeout(r, 1500));
    perOp.mover = (requestCount(apps) - before) / APPS;
    before = requestCount(apps);
    await post(api, event(0, 'terminate', 3));
    await waitAll(api, ['B0'], (s) => (s.accounts ?? []).every((a) => a.state === 'deactivated'), 'leaver');
    perOp.leaver = (requestCount(apps) - before) / APPS;

    console.log(`hiring ${EMPLOYEES} employees…`);
    const ids = Array.from({ length: EMPLOYEES }, (_, i) => `B${i + 1}`);
    await pool(ids.map((_, i) => i + 1), 20, async (n) => void (await post(api, event(n, 'hire', 1))));
    await waitAll(api, ids, (s) => (s.accounts ?? []).filter((a) => a.state === 'active').length === APPS, 'accounts active');

    console.log(`terminating ${EMPLOYEES} employees at once…`);
    const accepted = new Map<string, number>();
    await pool(ids.map((_, i) => i + 1), 50, async (n) => void accepted.set(`B${n}`, await post(api, event(n, 'terminate', 2))));
    const done = await waitAll(api, ids, (s) => (s.accounts ?? []).length === APPS && s.accounts!.every((a) => a.state === 'deactivated'), 'deactivated everywhere');
    const latencies = ids.map((id) => Math.max(...done.get(id)!.accounts!.map((a) => a.deactivatedAtMs ?? 0)) - accepted.get(id)!).sort((a, b) => a - b);

    console.log('baseline: a naive sequential script over the same apps…');
    const naive = (await naiveLeavers(urls, ids)).sort((a, b) => a - b);

    const row = (name: string, xs: number[]) => ({ name, p50: percentile(xs, 50), p95: percentile(xs, 95), p99: percentile(xs, 99), max: xs[xs.length - 1]! });
    const rows = [row('orchestrator', latencies), row('naive sequential script', naive)];
    console.log(`\nLeaver latency, 202 → last app deactivated (${EMPLOYEES} terminations posted at once, ${APPS} apps, ${LATENCY_MS} ms round trip)`);
    console.log(`${'run'.padEnd(26)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}  p50 / round trip`);
    for (const r of rows) console.log(`${r.name.padEnd(26)} ${String(r.p50).padStart(8)} ${String(r.p95).padStart(8)} ${String(r.p99).padStart(8)} ${String(r.max).padStart(8)}  ${(r.p50 / LATENCY_MS).toFixed(1)}×`);
    console.log(`orchestrator p95 vs naive p95: ${(rows[0]!.p95 / rows[1]!.p95).toFixed(3)}`);
    console.log('\nSCIM requests per app per operation (one person)');
    console.log(`  joiner ${perOp.joiner}   (minimum 2: look up, create)`);
    console.log(`  mover  ${perOp.mover}   (minimum 1: PATCH the changed attribute; the client reads first to diff: 2)`);
    console.log(`  leaver ${perOp.leaver}   (minimum 1 with the SCIM id known)`);
    const results = { at: new Date().toISOString(), machine: { cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version }, params: { employees: EMPLOYEES, apps: APPS, latencyMs: LATENCY_MS }, leaverLatencyMs: rows, requestsPerAppPerOperation: perOp };
    mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
    const out = path.join(ROOT, 'bench', 'results', `leaver-${results.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(out, JSON.stringify(results, null, 2));
    console.log(`\nresults: ${path.relative(ROOT, out)}`);
  } finally {
    for (const p of procs.reverse()) await p.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
