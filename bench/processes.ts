/**
 * Starting the system's pieces as separate processes for benchmarks: the embedded engine,
 * reference SCIM servers, the worker and the intake API, each through `bin/jml.js` exactly as
 * an operator would run them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..');

export interface Proc {
  name: string;
  child: ChildProcess;
  /** Every stdout line so far (the first `keepLines` only, when set). */
  lines: string[];
  /** Every stderr line (also echoed to this process's stderr, prefixed): the fault campaign scans them. */
  errLines: string[];
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Called with every complete stdout line (a request log tally, say). */
  onLine?: (line: string) => void;
  /**
   * Lines kept in `lines`: enough for the ready line. A busy request log kept whole would
   * inflate the bench process's own memory, which the onboarding benchmark reports.
   * @default Infinity
   */
  keepLines?: number;
}

/**
 * `BENCH_CPU_PROF=worker,engine` writes a V8 CPU profile of those processes (by name) into
 * bench/results/profiles/ when they stop (open it in Chrome DevTools or speedscope).
 */
function profileArgs(name: string): string[] {
  if (!(process.env.BENCH_CPU_PROF ?? '').split(',').includes(name)) return [];
  return [
    '--cpu-prof',
    `--cpu-prof-dir=${path.join(ROOT, 'bench', 'results', 'profiles')}`,
    `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`,
  ];
}

/**
 * `BENCH_MEMORY=worker` (the onboarding benchmark sets it unless it is set) preloads bench/memory-probe.js into those processes: a `JML_MEMORY_SAMPLE {…}` line on
 * stdout every second with where their memory is (see `MemorySamples`).
 */
function memoryProbeArgs(name: string): string[] {
  if (!(process.env.BENCH_MEMORY ?? '').split(',').includes(name)) return [];
  return ['--require', path.join(ROOT, 'bench', 'memory-probe.js')];
}

/**
 * For trying a process's memory settings without touching the others: `BENCH_NODE_ARGS_WORKER=
 * "--max-semi-space-size=4"` adds node flags, `BENCH_ENV_WORKER="MALLOC_ARENA_MAX=4"` environment
 * variables (space-separated; the suffix is the process's name in capitals).
 */
function words(raw: string | undefined): string[] {
  return (raw ?? '').split(' ').filter(Boolean);
}

export function startJml(name: string, args: string[], env: NodeJS.ProcessEnv = {}, options: StartOptions = {}): Proc {
  const key = name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const argv = [
    ...profileArgs(name),
    ...memoryProbeArgs(name),
    ...words(process.env[`BENCH_NODE_ARGS_${key}`]),
    path.join(ROOT, 'bin/jml.js'),
    ...args,
  ];
  const extraEnv = Object.fromEntries(words(process.env[`BENCH_ENV_${key}`]).map((kv) => kv.split(/=(.*)/s, 2)));
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, ...extraEnv },
  });
  const lines: string[] = [];
  const keep = options.keepLines ?? Infinity;
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const parts = text.split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      if (lines.length < keep) lines.push(line);
      options.onLine?.(line);
    }
  });
  const errLines: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    errLines.push(...chunk.toString().split('\n').filter(Boolean));
    process.stderr.write(`[${name}] ${chunk.toString()}`);
  });
  return {
    name,
    child,
    lines,
    errLines,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resolves with the first stdout line matching `re` (the process's "ready" line). */
export async function waitForLine(proc: Proc, re: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const line of proc.lines) {
      const m = re.exec(line);
      if (m) return m;
    }
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited with ${proc.child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${proc.name} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Peak resident memory (`VmHWM`, the RSS high-water mark) of a process in MiB, from
 * `/proc/<pid>/status`; undefined where there is no procfs (not Linux) or the process is gone.
 */
export function peakRssMiB(pid: number | 'self' | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in seconds to 0.1 s, from `/proc/<pid>/stat` (100 ticks/s). */
export function cpuSeconds(pid: number | 'self' | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Math.round((Number(fields[11]) + Number(fields[12])) / 10) / 10;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of this machine's PostgreSQL server processes (its backends do the SQL work), or
 * undefined when none runs here. Backends come and go with the connections (a pool closes idle
 * ones): an exited backend's CPU is counted in the postmaster's reaped-children time (cutime +
 * cstime), so the total only grows.
 */
export function postgresCpuSeconds(): number | undefined {
  let total = 0;
  let found = false;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const f = stat.split(') ')[1]!.split(' ');
      // utime + stime, and cutime + cstime (children waited for: only the postmaster has any).
      total += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
      found = true;
    } catch {
      // gone meanwhile
    }
  }
  return found ? total : undefined;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
