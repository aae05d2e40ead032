/**
 * What the benchmarks share: the stack (engine, reference SCIM apps, worker, API as separate
 * processes), the connector config they are given, signed HR events, status reads, and the
 * results file.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { createSignedRequest } from '../workers/api';
import { writeConnector, writeEveryonePolicy } from './config-files';
import { MemorySamples } from './memory';
import { freePort, ROOT, startJml, waitForLine, type Proc, type StartOptions } from './processes';

export const SECRET = randomBytes(32).toString('base64url');
export const TOKEN = 'bench-token-0123456789abcdef';

/** GET /v1/employees/:id, the parts the benchmarks read (times are ISO 8601). */
export interface Status {
  accounts?: { app: string; state: string; lastChangeAt?: string; deactivatedAt?: string; scimId?: string }[];
}

/** The connector's client-side pacing (`rateLimit` in config/connectors/*.yaml). */
export interface ClientRateLimit {
  requestsPerSecond: number;
  burst: number;
  maxConcurrency: number;
}

export const appId = (i: number) => `app${String(i + 1).padStart(2, '0')}`;

export function writeConfig(dir: string, urls: string[], limit: ClientRateLimit): void {
  urls.forEach((baseUrl, i) =>
    writeConnector(dir, {
      id: appId(i),
      displayName: `App ${i + 1}`,
      baseUrl,
      tokenEnv: 'BENCH_SCIM_TOKEN',
      rateLimit: limit,
    }),
  );
  writeEveryonePolicy(
    dir,
    urls.map((_, i) => ({ app: appId(i) })),
  );
}

/** Reference SCIM apps, one process each, bearer-protected, logging one JSON line per request. */
export async function startApps(
  count: number,
  args: string[],
  label = 'app',
  options: (i: number) => StartOptions = () => ({}),
): Promise<{ apps: Proc[]; urls: string[] }> {
  const apps = Array.from({ length: count }, (_, i) =>
    startJml(
      `${label}${i + 1}`,
      ['scim-server', '--port', '0', '--token-env', 'BENCH_SCIM_TOKEN', '--log-requests', ...args],
      { BENCH_SCIM_TOKEN: TOKEN, LOG_LEVEL: 'info' },
      options(i),
    ),
  );
  const urls = await Promise.all(apps.map(async (a) => (await waitForLine(a, /^(http:\S+)/))[1]!));
  return { apps, urls };
}

export interface Stack {
  /** Absent when TEMPORAL_ADDRESS named a server to measure against. */
  engine?: Proc;
  worker: Proc;
  api: Proc;
  url: string;
  /** The Temporal frontend the stack uses, and its task queue. */
  address: string;
  taskQueue: string;
  /** Worker log lines at warn or above, counted by message (`Activity failed`: an attempt to retry). */
  workerWarnings: Record<string, number>;
  /** The worker's memory samples, when BENCH_MEMORY includes it. */
  workerMemory: MemorySamples;
}

interface LogEntry {
  level?: unknown;
  msg?: unknown;
  sdk?: { error?: { type?: unknown } };
}

function parseJson(line: string): LogEntry | undefined {
  try {
    return JSON.parse(line) as LogEntry;
  } catch {
    return undefined;
  }
}

/**
 * The worker at info level, for its ready line. Its warnings (SDK ones included, as pino JSON)
 * are counted by kind, not kept: a retried activity is worth counting, a megabyte of them is not.
 */
function startWorker(
  args: string[],
  env: NodeJS.ProcessEnv,
): { worker: Proc; ready: Promise<void>; workerWarnings: Record<string, number>; workerMemory: MemorySamples } {
  const workerWarnings: Record<string, number> = {};
  const workerMemory = new MemorySamples();
  let running: () => void = () => undefined;
  // Metrics on any free port: the default one may be taken by another stack on the machine.
  // Two malloc arenas, as the image sets, and the main thread's 4 MiB semi-spaces, as the compose
  // file's worker has (unless this environment says otherwise).
  const worker = startJml(
    'worker',
    ['worker', ...args],
    {
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
      NODE_OPTIONS: process.env.NODE_OPTIONS ?? '--max-semi-space-size=4',
      ...env,
      LOG_LEVEL: 'info',
      JML_WORKER_METRICS_PORT: '0',
    },
    {
      keepLines: 0,
      onLine: (line) => {
        if (workerMemory.onLine(line)) return;
        if (line.includes('lifecycle worker running')) running();
        const entry = parseJson(line);
        if (typeof entry?.level !== 'number' || entry.level < 40) return;
        // The counts say what went wrong, not why: BENCH_WORKER_LOG=<file> keeps the lines.
        if (process.env.BENCH_WORKER_LOG) appendFileSync(process.env.BENCH_WORKER_LOG, line + '\n');
        // Run ids and history positions (`<uuid>:27:1`) taken out of the message.
        const kind = String(entry.msg)
          .replace(/\s*[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}(?::\d+)*\s*/g, ' ')
          .trim();
        const type = entry.sdk?.error?.type;
        const key = typeof type === 'string' ? `${kind} (${type})` : kind;
        workerWarnings[key] = (workerWarnings[key] ?? 0) + 1;
      },
    },
  );
  const ready = new Promise<void>((resolve, reject) => {
    running = resolve;
    worker.child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
  // Handled where it is awaited; until then an early exit must not count as unhandled.
  ready.catch(() => undefined);
  return { worker, ready, workerWarnings, workerMemory };
}

/**
 * The engine, then the worker and the intake API against it, with the connector config in
 * `work/config`. Each process is pushed onto `started` as soon as it exists, so the caller
 * stops it even when a later one fails to start.
 */
export async function startStack(
  work: string,
  urls: string[],
  limit: ClientRateLimit,
  workerArgs: string[],
  started: Proc[],
  engineArgs: string[] = [],
): Promise<Stack> {
  // TEMPORAL_ADDRESS set: measure against that server (a real cluster) on a task queue of its own.
  const external = process.env.TEMPORAL_ADDRESS;
  let address = external;
  let engine: Proc | undefined;
  if (!address) {
    engine = startJml('engine', ['engine', '--port', '0', ...engineArgs]);
    started.push(engine);
    address = (await waitForLine(engine, /listening on (\S+)/))[1]!;
  }
  writeConfig(path.join(work, 'config'), urls, limit);
  const env = {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: external ? `jml-bench-${Date.now()}` : 'jml-lifecycle',
    JML_CONFIG_DIR: path.join(work, 'config'),
    JML_AUDIT_DIR: path.join(work, 'audit'),
    BENCH_SCIM_TOKEN: TOKEN,
    JML_API_HMAC_SECRETS: SECRET,
    ...postgresAuditEnv(),
  };
  const { worker, ready, workerWarnings, workerMemory } = startWorker(workerArgs, env);
  started.push(worker);
  const apiPort = await freePort();
  const api = startJml('api', ['api', '--port', String(apiPort), '--rate', '10000', '--burst', '10000'], {
    ...env,
    LOG_LEVEL: 'info',
  });
  started.push(api);
  await waitForLine(api, /intake API listening/);
  // Bundling the workflows takes seconds: a hire posted before the worker polls would time its start-up.
  await ready;
  return {
    engine,
    worker,
    api,
    url: `http://127.0.0.1:${apiPort}`,
    address,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    workerWarnings,
    workerMemory,
  };
}

/**
 * With DATABASE_URL (a PostgreSQL audit store) the worker runs no DDL and needs an audit key:
 * migrate first, as a deployment does, and hand the processes a key for this run. (PGlite
 * migrates on open and generates its key beside the store.)
 */
function postgresAuditEnv(): Record<string, string> {
  if (!process.env.DATABASE_URL) return {};
  execFileSync(process.execPath, [path.join(ROOT, 'bin/jml.js'), 'migrate'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { JML_AUDIT_KEY: process.env.JML_AUDIT_KEY || randomBytes(48).toString('base64') };
}

/** Posts one signed HR event; resolves with the time the `202` arrived. */
export async function post(api: string, body: unknown): Promise<number> {
  const signed = createSignedRequest({ body, secret: SECRET });
  const res = await request(`${api}/v1/hr/events`, { method: 'POST', headers: signed.headers, body: signed.body });
  await res.body.dump();
  if (res.statusCode !== 202) throw new Error(`intake answered ${res.statusCode}`);
  return Date.now();
}

export async function status(api: string, id: string): Promise<Status> {
  const res = await request(`${api}/v1/employees/${id}`);
  return res.statusCode === 200 ? ((await res.body.json()) as Status) : (await res.body.dump(), {});
}

/** Runs `fn` over `items` with at most `size` in flight. */
export async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

export const employee = (n: number, title = 'Engineer') => ({
  employeeId: `B${n}`,
  givenName: 'Bench',
  familyName: `User${n}`,
  workEmail: `bench.user${n}@example.com`,
  title,
  status: 'active',
});
export const event = (n: number, type: string, seq: number, title?: string) => ({
  eventId: `B${n}-${type}-${seq}`,
  type,
  effectiveAt: new Date().toISOString(),
  sequence: seq,
  employee: { ...employee(n, title), status: type === 'terminate' ? 'terminated' : 'active' },
});

/**
 * The code measured: HEAD and the files that differ from it. The checkout may be shared, and
 * each process runs the sources as they were when it started.
 */
function code(): { head: string; uncommitted: string[] } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  try {
    return {
      head: git('rev-parse', '--short', 'HEAD').trim(),
      uncommitted: git('status', '--porcelain')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.slice(3)),
    };
  } catch {
    return { head: 'unknown', uncommitted: [] };
  }
}

export function machine() {
  return {
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverage1mAtStart: Number(loadavg()[0]!.toFixed(2)),
    code: code(),
  };
}

export function describeMachine(): string {
  const m = machine();
  const dirty = m.code.uncommitted.filter((f) => !f.startsWith('bench/'));
  return `machine: ${m.cores} cores, ${m.memGiB} GiB, node ${m.node}, load average ${m.loadAverage1mAtStart} at start; code ${m.code.head}${dirty.length ? ` + uncommitted ${dirty.join(' ')}` : ''}`;
}

/** Writes bench/results/<name>-<timestamp>.json (git-ignored) and returns its path relative to the repo. */
export function writeResults(name: string, results: { at: string }): string {
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  const out = path.join(ROOT, 'bench', 'results', `${name}-${results.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, JSON.stringify(results, null, 2));
  return path.relative(ROOT, out);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
