/**
 * `npm run bench`: leaver latency and requests per operation, on the real pieces as separate
 * processes (embedded engine, reference SCIM apps with a set round-trip latency, worker, API),
 * against a naive sequential script over the same apps as the baseline. Prints tables and
 * writes bench/results/leaver-<timestamp>.json. Numbers, never assertions.
 *
 *   npm run bench -- leaver [--employees 100] [--apps 10] [--latency 50] [--one-at-a-time] [--baseline on|off]
 *
 * `--one-at-a-time`: each termination is posted once the previous person is deactivated
 * everywhere and the stack has been idle for a moment: the latency of a single termination on
 * an idle stack, not of a queue. `--baseline off` skips the naive script (500 people take it
 * ~9 minutes at 50 ms; its time is linear and was measured before).
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import {
  describeMachine,
  event,
  machine,
  pool,
  post,
  sleep,
  startApps,
  startStack,
  status,
  TOKEN,
  writeResults,
  type Status,
} from './common';
import { cpuSeconds, peakRssMiB, percentile, postgresCpuSeconds, type Proc } from './processes';
import { describeWorkflowTasks, workflowTaskDurations } from './workflow-tasks';

const { values } = parseArgs({
  options: {
    employees: { type: 'string', default: '100' },
    apps: { type: 'string', default: '10' },
    latency: { type: 'string', default: '50' },
    'one-at-a-time': { type: 'boolean', default: false },
    baseline: { type: 'string', default: 'on' },
  },
});
const ONE_AT_A_TIME = values['one-at-a-time'];
if (!['on', 'off'].includes(values.baseline)) throw new Error(`--baseline must be on or off, got "${values.baseline}"`);
const BASELINE = values.baseline === 'on';
/** Pause between terminations in --one-at-a-time, so each meets an idle stack (milestones, group removals done). */
const IDLE_MS = 300;
const EMPLOYEES = Number(values.employees);
const APPS = Number(values.apps);
const LATENCY_MS = Number(values.latency);

/** Reads the status of the employees not yet done, 8 at a time, once a second, until `done` holds for all. */
async function waitAll(
  api: string,
  ids: string[],
  done: (s: Status) => boolean,
  label: string,
): Promise<Map<string, Status>> {
  const result = new Map<string, Status>();
  const started = Date.now();
  while (result.size < ids.length) {
    await pool(
      ids.filter((id) => !result.has(id)),
      8,
      async (id) => {
        const s = await status(api, id);
        if (done(s)) result.set(id, s);
      },
    );
    process.stdout.write(
      `\r  ${label}: ${result.size}/${ids.length} (${((Date.now() - started) / 1000).toFixed(1)} s)   `,
    );
    if (result.size < ids.length) await sleep(1000);
  }
  process.stdout.write('\n');
  return result;
}

const CREATED = /"method":"POST".*"status":201/;
const DEACTIVATED = /"method":"PATCH".*"status":20[04]/;
const offsets = (apps: Proc[]) => apps.map((a) => a.lines.length);
const logged = (apps: Proc[], from: number[], re: RegExp) =>
  apps.reduce((n, a, i) => n + a.lines.slice(from[i]).filter((l) => re.test(l)).length, 0);

/**
 * Waits, reading only the apps' request logs, until `target` answers matching `re` came since
 * `from` (or none for 60 s). A status read is a workflow query, which the worker answers by
 * replaying the history: hundreds of them a second would slow down the very work measured.
 */
async function untilLogged(apps: Proc[], from: number[], re: RegExp, target: number, label: string): Promise<void> {
  const started = Date.now();
  let [last, since] = [-1, Date.now()];
  for (;;) {
    const n = logged(apps, from, re);
    process.stdout.write(
      `\r  ${label} (apps' logs): ${n}/${target} (${((Date.now() - started) / 1000).toFixed(1)} s)   `,
    );
    if (n >= target) break;
    if (n !== last) [last, since] = [n, Date.now()];
    else if (Date.now() - since > 60_000) break;
    await sleep(1000);
  }
  process.stdout.write('\n');
}

/** The naive baseline: one script, one person after another, one app after another: look up, then PATCH. Latency per person, ms. */
async function naiveLeavers(urls: string[], ids: string[], each: boolean): Promise<number[]> {
  let t0 = Date.now();
  const latencies: number[] = [];
  for (const id of ids) {
    // One at a time: each person's own time; all at once: everyone was waiting from the start.
    if (each) t0 = Date.now();
    for (const url of urls) {
      const found = await request(`${url}/Users?filter=${encodeURIComponent(`externalId eq "${id}"`)}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const body = (await found.body.json()) as { Resources?: { id: string }[] };
      const userId = body.Resources?.[0]?.id;
      if (!userId) continue;
      const res = await request(`${url}/Users/${userId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'active', value: false }],
        }),
      });
      await res.body.dump();
    }
    latencies.push(Date.now() - t0);
  }
  return latencies;
}

const requestCount = (apps: Proc[]) =>
  apps.reduce((n, a) => n + a.lines.filter((l) => l.includes('"scim request"')).length, 0);

async function main(): Promise<void> {
  const procs: Proc[] = [];
  const work = mkdtempSync(path.join(tmpdir(), 'jml-bench-'));
  try {
    console.log(
      `leaver benchmark: ${EMPLOYEES} employees × ${APPS} apps, ${LATENCY_MS} ms per app round trip; ${describeMachine()}`,
    );
    const { apps, urls } = await startApps(APPS, [
      '--latency',
      String(LATENCY_MS),
      '--rate-limit',
      'off',
      '--max-recorded-requests',
      '1000',
    ]);
    procs.push(...apps);
    const stack = await startStack(
      work,
      urls,
      { requestsPerSecond: 500, burst: 500, maxConcurrency: 32 },
      ['--max-activities', '200'],
      procs,
    );
    const api = stack.url;

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
    let from = offsets(apps);
    await pool(
      ids.map((_, i) => i + 1),
      20,
      async (n) => void (await post(api, event(n, 'hire', 1))),
    );
    await untilLogged(apps, from, CREATED, EMPLOYEES * APPS, 'accounts created');
    await waitAll(
      api,
      ids,
      (s) => (s.accounts ?? []).filter((a) => a.state === 'active').length === APPS,
      'accounts active',
    );

    const accepted = new Map<string, number>();
    const measured = [...(stack.engine ? [stack.engine] : []), stack.worker, stack.api];
    // CPU and load of the terminations alone (the hires before them cost most of each process's total).
    const cpuBefore = measured.map((p) => cpuSeconds(p.child.pid));
    // With a PostgreSQL audit store on this machine, its server does what PGlite does in the worker.
    const postgresBefore = process.env.DATABASE_URL ? postgresCpuSeconds() : undefined;
    const loadAtTerminations = Math.round(loadavg()[0] * 10) / 10;
    from = offsets(apps);
    if (ONE_AT_A_TIME) {
      console.log(`terminating ${EMPLOYEES} employees one after another…`);
      await sleep(2000);
      for (let n = 1; n <= EMPLOYEES; n++) {
        accepted.set(`B${n}`, await post(api, event(n, 'terminate', 2)));
        // The apps' logs, not status queries (a query is a workflow task of its own).
        while (logged(apps, from, DEACTIVATED) < n * APPS) await sleep(5);
        process.stdout.write(`\r  deactivated everywhere: ${n}/${EMPLOYEES}   `);
        await sleep(IDLE_MS);
      }
      process.stdout.write('\n');
    } else {
      console.log(`terminating ${EMPLOYEES} employees at once…`);
      await pool(
        ids.map((_, i) => i + 1),
        50,
        async (n) => void accepted.set(`B${n}`, await post(api, event(n, 'terminate', 2))),
      );
    }
    await untilLogged(apps, from, DEACTIVATED, EMPLOYEES * APPS, 'accounts deactivated');
    const done = await waitAll(
      api,
      ids,
      (s) => (s.accounts ?? []).length === APPS && s.accounts!.every((a) => a.state === 'deactivated'),
      'deactivated everywhere',
    );
    const terminationCpuS = Object.fromEntries(
      measured.map((p, i) => {
        const [now, then] = [cpuSeconds(p.child.pid), cpuBefore[i]];
        return [p.name, now === undefined || then === undefined ? undefined : Math.round((now - then) * 10) / 10];
      }),
    );
    const postgresAfter = postgresBefore === undefined ? undefined : postgresCpuSeconds();
    if (postgresBefore !== undefined && postgresAfter !== undefined)
      terminationCpuS.postgres = Math.round((postgresAfter - postgresBefore) * 10) / 10;
    const latencies = ids
      .map(
        (id) =>
          Math.max(...done.get(id)!.accounts!.map((a) => Date.parse(a.deactivatedAt ?? '') || 0)) - accepted.get(id)!,
      )
      .sort((a, b) => a - b);

    const processes = Object.fromEntries(
      measured.map((p) => [p.name, { peakRssMiB: peakRssMiB(p.child.pid), cpuS: cpuSeconds(p.child.pid) }]),
    );
    const workflowTasks = await workflowTaskDurations(stack.address, stack.taskQueue);
    let naive: number[] | undefined;
    if (BASELINE) {
      console.log('baseline: a naive sequential script over the same apps…');
      naive = (await naiveLeavers(urls, ids, ONE_AT_A_TIME)).sort((a, b) => a - b);
    }

    const row = (name: string, xs: number[]) => ({
      name,
      p50: percentile(xs, 50),
      p95: percentile(xs, 95),
      p99: percentile(xs, 99),
      max: xs[xs.length - 1]!,
    });
    const rows = [row('orchestrator', latencies), ...(naive ? [row('naive sequential script', naive)] : [])];
    const how = ONE_AT_A_TIME ? 'posted one after another, each on an idle stack' : 'posted at once';
    console.log(
      `\nLeaver latency, 202 → last app deactivated (${EMPLOYEES} terminations ${how}, ${APPS} apps, ${LATENCY_MS} ms round trip)`,
    );
    console.log(
      `${'run'.padEnd(26)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}  p50 / round trip`,
    );
    for (const r of rows)
      console.log(
        `${r.name.padEnd(26)} ${String(r.p50).padStart(8)} ${String(r.p95).padStart(8)} ${String(r.p99).padStart(8)} ${String(r.max).padStart(8)}  ${(r.p50 / LATENCY_MS).toFixed(1)}×`,
      );
    if (rows[1]) console.log(`orchestrator p95 vs naive p95: ${(rows[0]!.p95 / rows[1].p95).toFixed(3)}`);
    console.log('\nSCIM requests per app per operation (one person)');
    console.log(`  joiner ${perOp.joiner}   (minimum 2: look up, create)`);
    console.log(
      `  mover  ${perOp.mover}   (minimum 1: PATCH the changed attribute; the client reads first to diff: 2)`,
    );
    console.log(`  leaver ${perOp.leaver}   (minimum 1 with the SCIM id known)`);
    console.log(`\n${describeWorkflowTasks(workflowTasks)}`);
    for (const [name, p] of Object.entries(processes))
      console.log(
        `${name.padEnd(8)} peak RSS ${p.peakRssMiB ?? '?'} MiB, CPU ${p.cpuS ?? '?'} s (${terminationCpuS[name] ?? '?'} s during the terminations)`,
      );
    if (terminationCpuS.postgres !== undefined)
      console.log(`postgres CPU ${terminationCpuS.postgres} s during the terminations (the audit store's server)`);
    console.log(`1-minute load average when the terminations were posted: ${loadAtTerminations}`);
    const results = {
      at: new Date().toISOString(),
      machine: machine(),
      params: {
        employees: EMPLOYEES,
        apps: APPS,
        latencyMs: LATENCY_MS,
        oneAtATime: ONE_AT_A_TIME,
        baseline: BASELINE,
      },
      leaverLatencyMs: rows,
      requestsPerAppPerOperation: perOp,
      workflowTasks,
      processes,
      terminationCpuS,
      loadAtTerminations,
    };
    console.log(`\nresults: ${writeResults('leaver', results)}`);
  } finally {
    for (const p of procs.reverse()) await p.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
