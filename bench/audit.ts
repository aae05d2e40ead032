/**
 * `npm run bench -- audit`: the audit store's write cost per hire at realistic arrival patterns,
 * with the group commit's linger off (the baseline: every batch written at once) and on, in the
 * same run, alternating, several rounds. PGlite (in a temporary directory, in this process, as
 * the worker has it) always; PostgreSQL too when DATABASE_URL is set.
 *
 * Each hire writes 8 records to its chain and 5 account-registry upserts, spread over ~2 s as
 * its apps answer. Phases:
 *  - steady: hires start at a fixed pace (default 18/s: ~145 records/s + ~90 upserts/s, what
 *    the onboarding bench's worker writes at 5 apps × 50 requests/s);
 *  - burst: many terminations at once, each 5 urgent request records + 5 urgent upserts (a
 *    revocation's evidence, never lingered) and 2 milestones, all within ~200 ms.
 * Reports CPU-seconds per 1,000 hires (this process: the writer and PGlite; for PostgreSQL also
 * the server's backends, from /proc when the server is on this machine), transactions, writes
 * per transaction, and write latency (append → promise settled, i.e. committed) p50/p99.
 * Numbers, never assertions. Writes bench/results/audit-<timestamp>.json.
 *
 *   npm run bench -- audit [--hires 300] [--rate 18] [--burst 100] [--rounds 2] [--lingers 0,30]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AuditStore, auditKeyFromString, type AppendInput, type WriteOptions } from '../lib/audit';
import { describeMachine, machine, sleep, writeResults } from './common';
import { percentile, postgresCpuSeconds } from './processes';

const { values } = parseArgs({
  options: {
    hires: { type: 'string', default: '300' },
    rate: { type: 'string', default: '18' },
    burst: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '2' },
    lingers: { type: 'string', default: '0,30' },
  },
});
const HIRES = Number(values.hires);
const RATE = Number(values.rate);
const BURST = Number(values.burst);
const ROUNDS = Number(values.rounds);
const LINGERS = values.lingers.split(',').map(Number);
for (const [name, v] of Object.entries({ hires: HIRES, rate: RATE, burst: BURST, rounds: ROUNDS })) {
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
}
if (LINGERS.some((l) => !Number.isFinite(l) || l < 0))
  throw new Error('--lingers: comma-separated milliseconds, e.g. 0,30');

const KEY = auditKeyFromString(randomBytes(48).toString('base64'));

/** Deterministic jitter (mulberry32): every configuration sees the same arrival pattern. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Write = { atMs: number; urgent: boolean } & ({ record: AppendInput } | { account: { app: string } });

interface PersonWrites {
  employeeId: string;
  writes: Write[];
}

const APPS = ['app01', 'app02', 'app03', 'app04', 'app05'];

/** A hire: 3 milestones, and per app a lookup and a create (one record kept: 5) and the registry entry. */
function hire(employeeId: string, startMs: number, rnd: () => number): PersonWrites {
  const writes: Write[] = [];
  let n = 0;
  const rec = (atMs: number, kind: AppendInput['kind'], data: Record<string, unknown>): Write => ({
    atMs,
    urgent: false,
    record: {
      key: `${employeeId}#${++n}`,
      kind,
      employeeId,
      workflowId: `employee-${employeeId}`,
      runId: 'r1',
      occurredAtMs: 0,
      data,
    },
  });
  writes.push(rec(startMs, 'milestone', { kind: 'event-received', eventId: `hire-${employeeId}` }));
  writes.push(rec(startMs + 20, 'milestone', { kind: 'lifecycle-started', lifecycle: 'joiner' }));
  let last = startMs;
  for (const app of APPS) {
    const at = startMs + 100 + rnd() * 1800;
    last = Math.max(last, at + 5);
    writes.push(
      rec(at, 'scim-request', {
        app,
        method: 'POST',
        path: '/Users',
        status: 201,
        durationMs: 12,
        operation: 'create',
      }),
    );
    writes.push({ atMs: at + 1, urgent: false, account: { app } });
  }
  writes.push(rec(last + 30, 'milestone', { kind: 'lifecycle-completed', lifecycle: 'joiner' }));
  return { employeeId, writes };
}

/** A termination: per app the PATCH active=false record and the registry entry (urgent), 2 milestones. */
function termination(employeeId: string, startMs: number, rnd: () => number): PersonWrites {
  const writes: Write[] = [];
  let n = 100;
  const rec = (atMs: number, kind: AppendInput['kind'], data: Record<string, unknown>, urgent: boolean): Write => ({
    atMs,
    urgent,
    record: {
      key: `${employeeId}#${++n}`,
      kind,
      employeeId,
      workflowId: `employee-${employeeId}`,
      runId: 'r2',
      occurredAtMs: 0,
      data,
    },
  });
  writes.push(rec(startMs, 'milestone', { kind: 'event-received', eventId: `term-${employeeId}` }, false));
  for (const app of APPS) {
    const at = startMs + rnd() * 200;
    writes.push(
      rec(at, 'scim-request', { app, method: 'PATCH', status: 200, active: false, operation: 'deactivate' }, true),
    );
    writes.push({ atMs: at + 1, urgent: true, account: { app } });
  }
  writes.push(rec(startMs + 250, 'milestone', { kind: 'lifecycle-completed', lifecycle: 'leaver' }, false));
  return { employeeId, writes };
}

interface PhaseResult {
  engine: string;
  lingerMs: number;
  round: number;
  phase: 'steady' | 'burst';
  people: number;
  writes: number;
  seconds: number;
  cpuSeconds: number;
  /** Of cpuSeconds, the main thread's (where the writer runs; PGlite too unless it has a thread). */
  mainThreadCpuSeconds?: number;
  serverCpuSeconds?: number;
  transactions: number;
  lingered: number;
  latencyMs: { p50: number; p99: number; max: number };
  urgentLatencyMs?: { p50: number; p99: number; max: number };
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * The main thread's own CPU-seconds (Linux: /proc/self/task/<pid>/stat, utime + stime; the main
 * thread's id is the process id), undefined elsewhere. process.cpuUsage() counts every thread:
 * with PGlite in a thread of its own the difference is mostly that thread.
 */
const TICKS_PER_SECOND = 100;
const mainThreadCpuNow = (): number | undefined => {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
};

/** Replays the writes at their times (relative to now), awaiting none before the next is due. */
async function drive(store: AuditStore, people: PersonWrites[]) {
  const all = people
    .flatMap((p) => p.writes.map((w) => ({ ...w, employeeId: p.employeeId })))
    .sort((a, b) => a.atMs - b.atMs);
  const latencies: number[] = [];
  const urgent: number[] = [];
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  let lastChangeAtMs = Date.now();
  for (const w of all) {
    const wait = t0 + w.atMs - performance.now();
    if (wait > 1) await sleep(wait);
    const opts: WriteOptions = { urgent: w.urgent };
    // From when the write was due, not when the loop got to it: a store that holds the thread
    // (PGlite on the main thread) delays the writes themselves, which is latency too.
    const start = t0 + w.atMs;
    const p =
      'record' in w
        ? store.append({ ...w.record, occurredAtMs: Date.now() }, opts).then(() => undefined)
        : store.upsertAccount(
            {
              employeeId: w.employeeId,
              app: w.account.app,
              scimId: `${w.employeeId}-${w.account.app}`,
              state: w.urgent ? 'deactivated' : 'active',
              lastChangeAtMs: ++lastChangeAtMs,
            },
            opts,
          );
    pending.push(
      p.then(() => {
        const ms = performance.now() - start;
        latencies.push(ms);
        if (w.urgent) urgent.push(ms);
      }),
    );
  }
  await Promise.all(pending);
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const r = (v: number) => Math.round(v * 10) / 10;
    return { p50: r(percentile(s, 50)), p99: r(percentile(s, 99)), max: r(s[s.length - 1] ?? NaN) };
  };
  return {
    writes: all.length,
    seconds: (performance.now() - t0) / 1000,
    latencyMs: stats(latencies),
    urgentLatencyMs: urgent.length ? stats(urgent) : undefined,
  };
}

async function phase(
  store: AuditStore,
  meta: { engine: string; lingerMs: number; round: number },
  name: 'steady' | 'burst',
  people: PersonWrites[],
): Promise<PhaseResult> {
  const before = { ...store.writeStats };
  const cpu0 = cpuNow();
  const main0 = mainThreadCpuNow();
  const server0 = meta.engine === 'PostgreSQL' ? postgresCpuSeconds() : undefined;
  const run = await drive(store, people);
  const server1 = meta.engine === 'PostgreSQL' ? postgresCpuSeconds() : undefined;
  return {
    ...meta,
    phase: name,
    people: people.length,
    ...run,
    cpuSeconds: cpuNow() - cpu0,
    mainThreadCpuSeconds: main0 === undefined ? undefined : mainThreadCpuNow()! - main0,
    serverCpuSeconds: server0 !== undefined && server1 !== undefined ? server1 - server0 : undefined,
    transactions: store.writeStats.batches - before.batches,
    lingered: store.writeStats.lingered - before.lingered,
  };
}

async function runOnce(
  engine: string,
  open: (lingerMs: number) => Promise<AuditStore>,
  lingerMs: number,
  round: number,
): Promise<PhaseResult[]> {
  const store = await open(lingerMs);
  try {
    const rnd = random(1000 + round);
    const tag = `B${Date.now().toString(36)}-${lingerMs}-${round}`;
    const meta = { engine, lingerMs, round };
    const hires = Array.from({ length: HIRES }, (_, i) => hire(`${tag}-H${i}`, (i * 1000) / RATE, rnd));
    const steady = await phase(store, meta, 'steady', hires);
    await sleep(200);
    const leavers = Array.from({ length: BURST }, (_, i) => termination(`${tag}-H${i}`, rnd() * 50, rnd));
    const burst = BURST > 0 ? [await phase(store, meta, 'burst', leavers)] : [];
    return [steady, ...burst];
  } finally {
    await store.close();
  }
}

function table(results: PhaseResult[]): void {
  console.log(
    '\n| store | linger | phase | CPU-s / 1,000 people | of which main thread | server CPU-s / 1,000 | transactions | writes / tx | latency from due p50 / p99 ms | urgent p50 / p99 ms |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const groups = new Map<string, PhaseResult[]>();
  for (const r of results) {
    const k = `${r.engine}|${r.lingerMs}|${r.phase}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const [, rs] of groups) {
    const r0 = rs[0]!;
    const cpu = mean(rs.map((r) => (r.cpuSeconds / r.people) * 1000));
    const mainThread = rs.every((r) => r.mainThreadCpuSeconds !== undefined)
      ? mean(rs.map((r) => (r.mainThreadCpuSeconds! / r.people) * 1000)).toFixed(2)
      : '–';
    const server = rs.every((r) => r.serverCpuSeconds !== undefined)
      ? mean(rs.map((r) => (r.serverCpuSeconds! / r.people) * 1000)).toFixed(2)
      : '–';
    const tx = mean(rs.map((r) => r.transactions));
    const perTx = mean(rs.map((r) => r.writes / r.transactions));
    const lat = `${mean(rs.map((r) => r.latencyMs.p50)).toFixed(1)} / ${mean(rs.map((r) => r.latencyMs.p99)).toFixed(1)}`;
    const urgent = r0.urgentLatencyMs
      ? `${mean(rs.map((r) => r.urgentLatencyMs!.p50)).toFixed(1)} / ${mean(rs.map((r) => r.urgentLatencyMs!.p99)).toFixed(1)}`
      : '–';
    console.log(
      `| ${r0.engine} | ${r0.lingerMs ? `${r0.lingerMs} ms` : 'off'} | ${r0.phase} (${r0.people}) | ${cpu.toFixed(2)} | ${mainThread} | ${server} | ${Math.round(tx)} | ${perTx.toFixed(1)} | ${lat} | ${urgent} |`,
    );
  }
  console.log(
    `(means over ${ROUNDS} rounds; CPU is this process's, every thread: the writer and, on PGlite, the database; the main thread's apart)`,
  );
}

async function main(): Promise<void> {
  const at = new Date().toISOString();
  console.log(
    `audit benchmark: ${HIRES} hires at ${RATE}/s (8 records + 5 registry upserts each), then ${BURST} terminations at once; linger ${LINGERS.map((l) => (l ? `${l} ms` : 'off')).join(' vs ')}, ${ROUNDS} rounds`,
  );
  console.log(describeMachine());
  const dir = mkdtempSync(path.join(tmpdir(), 'jml-bench-audit-'));
  const engines: [string, (lingerMs: number) => Promise<AuditStore>][] = [
    [
      'PGlite',
      (lingerMs) =>
        AuditStore.open({ dataDir: path.join(dir, 'pglite'), key: KEY, groupCommit: { maxLingerMs: lingerMs } }),
    ],
  ];
  if (process.env.DATABASE_URL) {
    const databaseUrl = process.env.DATABASE_URL;
    engines.push([
      'PostgreSQL',
      (lingerMs) => AuditStore.open({ databaseUrl, key: KEY, groupCommit: { maxLingerMs: lingerMs } }),
    ]);
  }
  const results: PhaseResult[] = [];
  try {
    for (const [engine, open] of engines) {
      // Alternating order each round, so neither setting always runs on the warmer store.
      for (let round = 1; round <= ROUNDS; round++) {
        const order = round % 2 ? LINGERS : [...LINGERS].reverse();
        for (const lingerMs of order) {
          const rs = await runOnce(engine, open, lingerMs, round);
          for (const r of rs) {
            console.log(
              `  ${engine} linger ${lingerMs || 'off'} round ${round} ${r.phase}: ${r.cpuSeconds.toFixed(2)} CPU-s (main thread ${r.mainThreadCpuSeconds?.toFixed(2) ?? '?'}), ${r.transactions} tx (${(r.writes / r.transactions).toFixed(1)} writes/tx), p50 ${r.latencyMs.p50} ms p99 ${r.latencyMs.p99} ms`,
            );
          }
          results.push(...rs);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  table(results);
  const file = writeResults('audit', { at, machine: machine(), hires: HIRES, rate: RATE, burst: BURST, results } as {
    at: string;
  });
  console.log(`\nresults: ${file}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
