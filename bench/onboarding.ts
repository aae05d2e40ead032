/**
 * `npm run bench -- onboarding`: bulk onboarding under app rate limits, on the real pieces as
 * separate processes (embedded engine, reference SCIM apps that answer 429 + Retry-After
 * beyond their limit, worker, API). Hires are posted at once; the run ends when every
 * employee's accounts are active in every app. Then a naive sequential script does the same
 * people on a fresh, equally limited set of apps as the baseline. Both are checked for lost
 * and duplicated accounts. Prints tables and writes bench/results/onboarding-<timestamp>.json.
 *
 *   npm run bench -- onboarding [--employees 1000] [--apps 5] [--rate 50] [--latency 0] [--max-activities 100]
 *                               [--terminations 0] [--priority on|off|both] [--rounds 1] [--baseline on|off]
 *
 * `--terminations N`: N more people are hired (and active everywhere) before the bulk load;
 * their terminations are posted during it, one a second from a second after the first hire,
 * and each one's latency (its `202` → the last app deactivated) is reported: what a leaver
 * waits while the stack is busiest. `--priority both` runs the orchestrator with the engine's
 * task priority off (first in, first out: `jml engine --no-priority`) and on, alternating for
 * `--rounds` rounds, on fresh stacks and apps; `--baseline off` skips the naive script.
 *
 * With DATABASE_URL set (an empty database: the audit store remembers SCIM ids by employee id)
 * the worker writes its audit trail to PostgreSQL instead of the embedded PGlite.
 *
 * No added latency by default: the rate limit is the bottleneck being measured, and the naive
 * script at 50 ms would need 1,000 × 5 × 2 × 50 ms ≈ 8 min on its own.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppLog, census, naiveJoiners, type AppCounts, type Census } from './apps';
import {
  appId,
  describeMachine,
  event,
  machine,
  pool,
  post,
  sleep,
  startApps,
  startStack,
  status,
  writeResults,
  type Status,
} from './common';
import { describeMemory, type MemoryBreakdown } from './memory';
import { cpuSeconds, peakRssMiB, percentile, postgresCpuSeconds, type Proc } from './processes';
import { describeWorkflowTasks, workflowTaskDurations, type WorkflowTaskDurations } from './workflow-tasks';

const { values } = parseArgs({
  options: {
    employees: { type: 'string', default: '1000' },
    apps: { type: 'string', default: '5' },
    rate: { type: 'string', default: '50' },
    latency: { type: 'string', default: '0' },
    'max-activities': { type: 'string', default: '100' },
    terminations: { type: 'string', default: '0' },
    priority: { type: 'string', default: 'on' },
    rounds: { type: 'string', default: '1' },
    baseline: { type: 'string', default: 'on' },
  },
});
// Where the worker's memory is, sampled every second (bench/memory-probe.js); BENCH_MEMORY= turns it off.
process.env.BENCH_MEMORY ??= 'worker';
if (!['on', 'off', 'both'].includes(values.priority))
  throw new Error(`--priority must be on, off or both, got "${values.priority}"`);
if (!['on', 'off'].includes(values.baseline)) throw new Error(`--baseline must be on or off, got "${values.baseline}"`);
const TERMINATIONS = Number(values.terminations);
const ROUNDS = Number(values.rounds);
/** The engine's dispatch order for each orchestrator run, in the order they run. */
const MODES: boolean[] = Array.from({ length: ROUNDS }, () =>
  values.priority === 'both' ? [false, true] : [values.priority === 'on'],
).flat();
const BASELINE = values.baseline === 'on';
/** Terminations are posted this far apart during the bulk load, the first this long after the first hire. */
const TERMINATION_EVERY_MS = 1000;
const EMPLOYEES = Number(values.employees);
const APPS = Number(values.apps);
const RATE = Number(values.rate);
const LATENCY_MS = Number(values.latency);
const MAX_ACTIVITIES = Number(values['max-activities']);
/**
 * The connector's burst is a fifth of a second's worth (10 at 50 rps) where the app allows a
 * full second's: at equal rates the client's bucket then never holds more than the app's, and
 * the app's spare 0.8 s absorbs requests granted at an even pace that reach it unevenly (a
 * token taken, then a wait for a connection slot or for the event loop on a loaded host).
 */
const CLIENT_BURST = Math.max(1, Math.round(RATE / 5));
/** The worker and the API inherit DATABASE_URL from this environment (startJml passes it on). */
const AUDIT_STORE = process.env.DATABASE_URL
  ? 'PostgreSQL (DATABASE_URL)'
  : 'embedded PGlite in the worker (DATABASE_URL unset)';
/** No request to any app and no employee newly done for this long: report what there is. */
const STALL_MS = 90_000;
const PEOPLE = Array.from({ length: EMPLOYEES }, (_, i) => i + 1);
const IDS = PEOPLE.map((n) => `B${n}`);
/** The people terminated during the bulk load (numbered after the hires). */
const LEAVERS = Array.from({ length: TERMINATIONS }, (_, i) => EMPLOYEES + i + 1);

const appArgs = () => [
  '--rate-limit',
  `${RATE}:${Math.ceil(RATE)}`,
  '--latency',
  String(LATENCY_MS),
  '--max-recorded-requests',
  '100',
];
const totalRequests = (logs: AppLog[]) => logs.reduce((n, l) => n + l.requests, 0);
const seconds = (ms: number) => Number((ms / 1000).toFixed(1));

function progress(label: string, logs: AppLog[], t0: number, extra = '', end = ''): void {
  const created = logs.map((l) => l.created);
  const limited = logs.reduce((n, l) => n + l.rateLimited, 0);
  process.stdout.write(
    `\r  ${label}: created ${Math.min(...created)}–${Math.max(...created)}/${EMPLOYEES} per app, ${limited} × 429, ${seconds(Date.now() - t0)} s${extra}      ${end}`,
  );
}

/** The apps' log lines arrive over pipes after the answers: wait until they stop coming. */
async function quiet(logs: AppLog[]): Promise<void> {
  for (let last = -1, i = 0; totalRequests(logs) !== last && i < 20; i++) {
    last = totalRequests(logs);
    await sleep(500);
  }
}

/** Waits until every app created every account (counted from `before`), or nothing happened for STALL_MS. */
async function untilAppsCreated(logs: AppLog[], before: AppCounts[]): Promise<void> {
  let last = -1;
  let since = Date.now();
  while (Math.min(...logs.map((l, i) => l.created - before[i]!.created)) < EMPLOYEES) {
    if (totalRequests(logs) !== last) [last, since] = [totalRequests(logs), Date.now()];
    else if (Date.now() - since > STALL_MS) return;
    await sleep(1000);
  }
}

const allActive = (s: Status) => (s.accounts ?? []).filter((a) => a.state === 'active').length === APPS;

/** Reads every employee's status (4 at a time, every 2 s, only those not yet done) until all are active everywhere. */
async function untilActive(api: string, logs: AppLog[]): Promise<Map<string, Status>> {
  const done = new Map<string, Status>();
  let [lastDone, lastRequests, since] = [0, totalRequests(logs), Date.now()];
  while (done.size < IDS.length && Date.now() - since < STALL_MS) {
    await pool(
      IDS.filter((id) => !done.has(id)),
      4,
      async (id) => {
        const s = await status(api, id);
        if (allActive(s)) done.set(id, s);
      },
    );
    if (done.size !== lastDone || totalRequests(logs) !== lastRequests)
      [lastDone, lastRequests, since] = [done.size, totalRequests(logs), Date.now()];
    if (done.size < IDS.length) await sleep(2000);
  }
  return done;
}

interface RunResult {
  totalMs: number;
  /** The last `201` to a `POST /Users` in the apps' own logs, from the first post or the script's start. */
  appsLastCreatedMs: number;
  apps: (AppCounts & Census)[];
  rateLimited: number;
  /**
   * Per process: peak RSS (VmHWM) in MiB and CPU seconds used, read just before it stops. The
   * worker's CPU leaves out what the benchmark's memory probe cost it (`memoryProbeCpuS`).
   */
  processes: Record<string, { peakRssMiB?: number; cpuS?: number; memoryProbeCpuS?: number }>;
}

const usage = (procs: Proc[]) =>
  Object.fromEntries(
    procs.map((p) => [p.name, { peakRssMiB: peakRssMiB(p.child.pid), cpuS: cpuSeconds(p.child.pid) }]),
  );

/**
 * The memory probe (bench/memory-probe.js) runs inside the worker and reads its smaps every
 * second: the benchmark's instrument, not the product's work, so its own CPU comes off the
 * worker's figure (and is kept beside it).
 */
function withoutProbe(processes: RunResult['processes'], probeCpuS: number | undefined): void {
  const worker = processes.worker;
  if (worker?.cpuS === undefined || probeCpuS === undefined) return;
  processes.worker = { ...worker, cpuS: Math.round((worker.cpuS - probeCpuS) * 10) / 10, memoryProbeCpuS: probeCpuS };
}

const sub = (a: AppCounts, b: AppCounts): AppCounts => ({
  ...a,
  requests: a.requests - b.requests,
  gets: a.gets - b.gets,
  posts: a.posts - b.posts,
  rateLimited: a.rateLimited - b.rateLimited,
  created: a.created - b.created,
});

/** Hires the people to be terminated later and waits until they are active everywhere. */
async function hireLeavers(api: string): Promise<void> {
  if (LEAVERS.length === 0) return;
  process.stdout.write(`  hiring the ${LEAVERS.length} people terminated during the run… `);
  await pool(LEAVERS, 10, async (n) => void (await post(api, event(n, 'hire', 1))));
  const pending = new Set(LEAVERS.map((n) => `B${n}`));
  const deadline = Date.now() + STALL_MS;
  while (pending.size > 0 && Date.now() < deadline) {
    for (const id of [...pending]) if (allActive(await status(api, id))) pending.delete(id);
    if (pending.size > 0) await sleep(500);
  }
  if (pending.size > 0) throw new Error(`not active everywhere before the run: ${[...pending].join(', ')}`);
  process.stdout.write('active everywhere\n');
}

/** Posts the terminations one after another during the bulk load; resolves to each one's `202` time. */
async function postTerminations(api: string, t0: number): Promise<Map<string, number>> {
  const accepted = new Map<string, number>();
  for (const [i, n] of LEAVERS.entries()) {
    await sleep(Math.max(0, t0 + TERMINATION_EVERY_MS * (i + 1) - Date.now()));
    accepted.set(`B${n}`, await post(api, event(n, 'terminate', 2)));
  }
  return accepted;
}

/** Each termination's `202` → its last app deactivated (from the status API), ms; NaN when not deactivated everywhere. */
async function terminationLatencies(api: string, accepted: Map<string, number>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [id, at] of accepted) {
    let s = await status(api, id);
    const deadline = Date.now() + STALL_MS;
    const done = (st: Status) =>
      (st.accounts ?? []).length === APPS && (st.accounts ?? []).every((a) => a.state === 'deactivated');
    while (!done(s) && Date.now() < deadline) {
      await sleep(500);
      s = await status(api, id);
    }
    out[id] = done(s) ? Math.max(...(s.accounts ?? []).map((a) => Date.parse(a.deactivatedAt ?? ''))) - at : NaN;
  }
  return out;
}

async function orchestratorRun(
  work: string,
  procs: Proc[],
  priority: boolean,
): Promise<
  RunResult & {
    priority: boolean;
    /** The first account any app created, from the first post. */
    firstCreatedMs: number;
    /** Per terminated person: `202` → last app deactivated, ms. */
    terminationMs: Record<string, number>;
    postMs: number;
    confirmed: number;
    pending: string[];
    workerWarnings: Record<string, number>;
    workflowTasks: WorkflowTaskDurations;
    workerMemory: MemoryBreakdown;
  }
> {
  const logs = Array.from({ length: APPS }, () => new AppLog());
  const { apps, urls } = await startApps(APPS, appArgs(), 'app', (i) => ({ onLine: logs[i]!.onLine, keepLines: 5 }));
  procs.push(...apps);
  // The audit store's server, when it runs here, does the work PGlite does inside the worker.
  const postgresCpu0 = process.env.DATABASE_URL ? postgresCpuSeconds() : undefined;
  const stack = await startStack(
    work,
    urls,
    { requestsPerSecond: RATE, burst: CLIENT_BURST, maxConcurrency: 8 },
    ['--max-activities', String(MAX_ACTIVITIES)],
    procs,
    priority ? [] : ['--no-priority'],
  );
  await hireLeavers(stack.url);
  const before = logs.map((l) => l.snapshot());
  const createdBefore = logs.map((l) => l.createdAtMs.length);
  let posted = 0;
  let phase = 'posting hires';
  const t0 = Date.now();
  const ticker = setInterval(() => progress(phase, logs, t0, posted < EMPLOYEES ? `, ${posted} posted` : ''), 2000);
  const terminations = postTerminations(stack.url, t0);
  await pool(PEOPLE, 20, async (n) => {
    await post(stack.url, event(n, 'hire', 1));
    posted += 1;
  });
  const postMs = Date.now() - t0;
  phase = 'orchestrator';
  await untilAppsCreated(logs, before);
  phase = 'orchestrator, reading employee status';
  const done = await untilActive(stack.url, logs);
  clearInterval(ticker);
  progress('orchestrator', logs, t0, `, ${done.size}/${EMPLOYEES} confirmed active everywhere`, '\n');
  await quiet(logs);
  const counts = logs.map((l, i) => sub(l.snapshot(), before[i]!));
  const lastActive = done.size
    ? Math.max(
        ...[...done.values()].flatMap((s) => (s.accounts ?? []).map((a) => Date.parse(a.lastChangeAt ?? '') || 0)),
      )
    : NaN;
  const terminationMs = await terminationLatencies(stack.url, await terminations);
  const firstCreatedMs = Math.min(...logs.flatMap((l, i) => l.createdAtMs.slice(createdBefore[i]))) - t0;
  const censuses = await Promise.all(urls.map((u) => census(u, IDS)));
  const processes = usage([...(stack.engine ? [stack.engine] : []), stack.worker, stack.api, ...apps]);
  withoutProbe(processes, stack.workerMemory.probeCpuS());
  const postgresCpu1 = postgresCpu0 === undefined ? undefined : postgresCpuSeconds();
  if (postgresCpu0 !== undefined && postgresCpu1 !== undefined)
    processes.postgres = { peakRssMiB: undefined, cpuS: Math.round((postgresCpu1 - postgresCpu0) * 10) / 10 };
  // After the usage snapshot: reading the histories costs the engine CPU the run did not.
  const workflowTasks = await workflowTaskDurations(stack.address, stack.taskQueue);
  for (const p of [stack.api, stack.worker, ...(stack.engine ? [stack.engine] : []), ...apps]) await p.stop();
  return {
    priority,
    firstCreatedMs,
    terminationMs,
    workflowTasks,
    totalMs: lastActive - t0,
    appsLastCreatedMs: Math.max(...counts.map((c) => c.lastCreatedAtMs)) - t0,
    apps: counts.map((c, i) => ({ ...c, ...censuses[i]! })),
    rateLimited: counts.reduce((n, c) => n + c.rateLimited, 0),
    processes,
    postMs,
    confirmed: done.size,
    pending: IDS.filter((id) => !done.has(id)),
    workerWarnings: stack.workerWarnings,
    workerMemory: stack.workerMemory.breakdown(),
  };
}

async function naiveRun(procs: Proc[]): Promise<RunResult & { rateLimitedSeen: number }> {
  const logs = Array.from({ length: APPS }, () => new AppLog());
  const { apps, urls } = await startApps(APPS, appArgs(), 'naive-app', (i) => ({
    onLine: logs[i]!.onLine,
    keepLines: 5,
  }));
  procs.push(...apps);
  const t0 = Date.now();
  let people = 0;
  const ticker = setInterval(() => progress('naive script', logs, t0, `, ${people} people done`), 2000);
  const rateLimitedSeen = await naiveJoiners(urls, PEOPLE, (n) => void (people = n));
  const totalMs = Date.now() - t0;
  clearInterval(ticker);
  await quiet(logs);
  progress('naive script', logs, t0, `, ${people} people done`, '\n');
  const counts = logs.map((l) => l.snapshot());
  const censuses = await Promise.all(urls.map((u) => census(u, IDS)));
  const processes = usage(apps);
  for (const p of apps) await p.stop();
  return {
    totalMs,
    appsLastCreatedMs: Math.max(...counts.map((c) => c.lastCreatedAtMs)) - t0,
    apps: counts.map((c, i) => ({ ...c, ...censuses[i]! })),
    rateLimited: counts.reduce((n, c) => n + c.rateLimited, 0),
    rateLimitedSeen,
    processes,
  };
}

const col = (v: string | number, w: number) => String(v).padStart(w);

type OrchestratorResult = Awaited<ReturnType<typeof orchestratorRun>>;
type NaiveResult = Awaited<ReturnType<typeof naiveRun>>;

function summaryRow(name: string, r: RunResult) {
  const busiest = Math.max(...r.apps.map((a) => a.requests));
  const idealS = busiest / RATE;
  const minimumS = (2 * EMPLOYEES) / RATE;
  const sum = (key: 'missing' | 'duplicates') => r.apps.reduce((n, a) => n + a[key], 0);
  return {
    name,
    totalS: seconds(r.totalMs),
    appsLastCreatedS: seconds(r.appsLastCreatedMs),
    idealSentS: seconds(idealS * 1000),
    minimumS,
    vsIdealSent: Number((r.totalMs / 1000 / idealS).toFixed(2)),
    vsMinimum: Number((r.totalMs / 1000 / minimumS).toFixed(2)),
    rateLimited: r.rateLimited,
    requestsPerPersonPerApp: Number((busiest / EMPLOYEES).toFixed(2)),
    missing: sum('missing'),
    duplicates: sum('duplicates'),
  };
}

const runName = (r: OrchestratorResult) =>
  MODES.length > 1 || !r.priority ? `orchestrator, priority ${r.priority ? 'on' : 'off'}` : 'orchestrator';

function printSummary(runs: OrchestratorResult[], naive: NaiveResult | undefined) {
  const orch = runs[runs.length - 1]!;
  const rows = [
    ...runs.map((r) => summaryRow(runName(r), r)),
    ...(naive ? [summaryRow('naive sequential script', naive)] : []),
  ];
  console.log(
    `\nBulk onboarding: ${EMPLOYEES} joiners × ${APPS} apps, each app limited to ${RATE} requests/s (429 + Retry-After beyond), ${LATENCY_MS} ms added latency`,
  );
  console.log(
    `${'run'.padEnd(30)}${col('total s', 9)}${col('ideal s', 9)}${col('÷ ideal', 9)}${col('÷ min', 8)}${col('429s', 6)}${col('req/person/app', 16)}${col('missing / duplicates', 22)}`,
  );
  for (const r of rows)
    console.log(
      `${r.name.padEnd(30)}${col(r.totalS, 9)}${col(r.idealSentS, 9)}${col(`${r.vsIdealSent}×`, 9)}${col(`${r.vsMinimum}×`, 8)}${col(r.rateLimited, 6)}${col(r.requestsPerPersonPerApp, 16)}${col(`${r.missing} / ${r.duplicates}`, 22)}`,
    );
  console.log(
    `  ideal = the busiest app's requests sent ÷ ${RATE}/s; min = ${seconds(rows[0]!.minimumS * 1000)} s (1 lookup + 1 create per person per app ÷ ${RATE}/s); the apps' buckets start full, so a run can beat either by ${seconds((Math.ceil(RATE) / RATE) * 1000)} s`,
  );
  console.log(
    `  orchestrator total: first post → last account recorded active (last 201 in the apps' logs: ${rows[0]!.appsLastCreatedS} s; posting took ${seconds(orch.postMs)} s)`,
  );
  if (naive) console.log(`  orchestrator / naive total time: ${(orch.totalMs / naive.totalMs).toFixed(2)}`);
  if (orch.pending.length)
    console.log(
      `  not confirmed active everywhere by the orchestrator: ${orch.pending.length} (${orch.pending.slice(0, 10).join(', ')}…)`,
    );
  return rows;
}

/** Time to the first account and the terminations' latencies, per run (the engine's task priority on or off). */
function printPriority(runs: OrchestratorResult[]) {
  const rows = runs.map((r) => {
    const latencies = Object.values(r.terminationMs);
    const sorted = latencies.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
    return {
      name: runName(r),
      firstAccountS: seconds(r.firstCreatedMs),
      totalS: seconds(r.totalMs),
      terminations: latencies.length,
      notDeactivated: latencies.length - sorted.length,
      terminationP50S: sorted.length ? seconds(percentile(sorted, 50)) : undefined,
      terminationMaxS: sorted.length ? seconds(sorted[sorted.length - 1]!) : undefined,
    };
  });
  console.log(
    `\n${'run'.padEnd(30)}${col('first account s', 16)}${col('total s', 9)}${col('terminations', 13)}${col('p50 s', 7)}${col('max s', 7)}`,
  );
  for (const r of rows)
    console.log(
      `${r.name.padEnd(30)}${col(r.firstAccountS, 16)}${col(r.totalS, 9)}${col(`${r.terminations}${r.notDeactivated ? ` (${r.notDeactivated} not done)` : ''}`, 13)}${col(r.terminationP50S ?? '–', 7)}${col(r.terminationMaxS ?? '–', 7)}`,
    );
  if (TERMINATIONS > 0)
    console.log(
      `  termination latency: its 202 → the last of its ${APPS} apps deactivated, posted every ${TERMINATION_EVERY_MS / 1000} s during the bulk load from ${TERMINATION_EVERY_MS / 1000} s after the first hire`,
    );
  return rows;
}

function printApps(orch: OrchestratorResult, naive: NaiveResult | undefined): void {
  console.log(
    `\n${'app'.padEnd(12)}${col('requests', 9)}${col('GET', 6)}${col('POST', 6)}${col('429', 5)}${col('users', 7)}${col('missing', 8)}${col('dupes', 6)}`,
  );
  for (const [label, r] of [['', orch] as const, ...(naive ? [['naive-', naive] as const] : [])]) {
    r.apps.forEach((a, i) =>
      console.log(
        `${`${label}${appId(i)}`.padEnd(12)}${col(a.requests, 9)}${col(a.gets, 6)}${col(a.posts, 6)}${col(a.rateLimited, 5)}${col(a.users, 7)}${col(a.missing, 8)}${col(a.duplicates, 6)}`,
      ),
    );
  }
  const warnings = Object.entries(orch.workerWarnings)
    .map(([msg, n]) => `${n} × ${msg}`)
    .join(', ');
  console.log(`  worker warnings: ${warnings || 'none'}`);
  console.log(`  ${describeWorkflowTasks(orch.workflowTasks)}`);
  console.log(`  ${describeMemory(orch.workerMemory)}`);
}

/** The issue's yardstick: the orchestrator's CPU (worker + engine, and a local PostgreSQL's) per person hired. */
function describeCpuPerHire(processes: RunResult['processes']): string {
  const people = EMPLOYEES + LEAVERS.length;
  const perHire = (s: number) => (s / people).toFixed(3);
  const [worker, engine, postgres] = [processes.worker?.cpuS, processes.engine?.cpuS, processes.postgres?.cpuS];
  if (worker === undefined || engine === undefined) return 'CPU per hire: not read';
  const own = `CPU per hire: worker + engine ${perHire(worker + engine)} s`;
  return postgres === undefined ? own : `${own}; with the PostgreSQL server ${perHire(worker + engine + postgres)} s`;
}

function printProcesses(orch: OrchestratorResult, naive: NaiveResult | undefined) {
  const processes = {
    ...orch.processes,
    ...naive?.processes,
    bench: { peakRssMiB: peakRssMiB('self'), cpuS: cpuSeconds('self') },
  };
  console.log(`\n${'process'.padEnd(14)}${col('peak RSS MiB', 13)}${col('CPU s', 7)}`);
  for (const [name, p] of Object.entries(processes))
    console.log(`${name.padEnd(14)}${col(p.peakRssMiB ?? '?', 13)}${col(p.cpuS ?? '?', 7)}`);
  const probe = orch.processes.worker?.memoryProbeCpuS;
  if (probe !== undefined) console.log(`  worker CPU without the memory probe's own ${probe} s (BENCH_MEMORY)`);
  console.log(`  ${describeCpuPerHire(orch.processes)}`);
  return processes;
}

async function main(): Promise<void> {
  const procs: Proc[] = [];
  const work = mkdtempSync(path.join(tmpdir(), 'jml-bench-'));
  try {
    console.log(
      `onboarding benchmark: ${EMPLOYEES} joiners × ${APPS} apps at ${RATE} requests/s per app (connector burst ${CLIENT_BURST}, app burst ${Math.ceil(RATE)}), ${LATENCY_MS} ms added latency, worker --max-activities ${MAX_ACTIVITIES}, audit store ${AUDIT_STORE}; ${describeMachine()}`,
    );
    const runs: OrchestratorResult[] = [];
    for (const priority of MODES) {
      if (MODES.length > 1) console.log(`orchestrator, the engine's task priority ${priority ? 'on' : 'off'}…`);
      // A work directory per run: the audit store remembers SCIM ids, which a later run's fresh apps lack.
      runs.push(await orchestratorRun(mkdtempSync(path.join(work, 'run-')), procs, priority));
    }
    const orch = runs[runs.length - 1]!;
    let naive: NaiveResult | undefined;
    if (BASELINE) {
      console.log('baseline: a naive sequential script over a fresh, equally limited set of apps…');
      naive = await naiveRun(procs);
    }
    const rows = printSummary(runs, naive);
    const priorityRows = printPriority(runs);
    printApps(orch, naive);
    const processes = printProcesses(orch, naive);
    const results = {
      at: new Date().toISOString(),
      machine: machine(),
      params: {
        employees: EMPLOYEES,
        apps: APPS,
        rateLimitPerSecond: RATE,
        appBurst: Math.ceil(RATE),
        connectorBurst: CLIENT_BURST,
        latencyMs: LATENCY_MS,
        maxActivities: MAX_ACTIVITIES,
        auditStore: AUDIT_STORE,
        terminations: TERMINATIONS,
        priority: values.priority,
        rounds: ROUNDS,
      },
      summary: rows,
      priority: priorityRows,
      orchestrator: orch,
      runs,
      naive,
      processes,
    };
    console.log(`\nresults: ${writeResults('onboarding', results)}`);
  } finally {
    for (const p of procs.reverse()) await p.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
