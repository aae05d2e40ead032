/**
 * The worker's memory samples (bench/memory-probe.js, preloaded through BENCH_MEMORY): the one
 * taken at the highest RSS, with its parts, so a result says what the peak was made of.
 */
export interface HeapSample {
  usedMiB: number;
  committedMiB: number;
  physicalMiB: number;
  limitMiB: number;
  mallocedMiB: number;
  externalMiB: number;
  contexts: number;
}

export interface MemorySample {
  atS: number;
  rssMiB: number;
  hwmMiB: number;
  osThreads: number;
  mainHeap: HeapSample;
  externalMiB: number;
  arrayBuffersMiB: number;
  /** The SDK's workflow thread(s) (and any other worker thread). */
  threads: (HeapSample & { threadId: number })[];
  maps?: { wasmMiB: number; mallocMiB: number; fileMiB: number; otherAnonMiB: number; stacksMiB: number };
  /** CPU the probe itself has used so far (its main-thread timer, smaps mostly), ms. */
  probeCpuMs?: number;
}

/** The parts of the peak, in MiB; `threads` sums every worker thread's V8 heap. */
export interface MemoryBreakdown {
  samples: number;
  peak?: {
    atS: number;
    rssMiB: number;
    mainHeapUsedMiB: number;
    mainHeapCommittedMiB: number;
    workflowThreadsHeapUsedMiB: number;
    workflowThreadsHeapCommittedMiB: number;
    workflowThreads: number;
    osThreads: number;
    wasmMiB?: number;
    mallocMiB?: number;
    fileMiB?: number;
    otherAnonMiB?: number;
    externalMiB: number;
    arrayBuffersMiB: number;
  };
  /** The largest value each part reached over the run (not necessarily at the same moment). */
  max?: Record<string, number>;
  hwmMiB?: number;
}

const PREFIX = 'JML_MEMORY_SAMPLE ';

export class MemorySamples {
  private count = 0;
  private peak?: MemorySample;
  private last?: MemorySample;
  private readonly max: Record<string, number> = {};

  readonly onLine = (line: string): boolean => {
    if (!line.startsWith(PREFIX)) return false;
    let sample: MemorySample;
    try {
      sample = JSON.parse(line.slice(PREFIX.length)) as MemorySample;
    } catch {
      return true;
    }
    this.count += 1;
    this.last = sample;
    if (!this.peak || sample.rssMiB > this.peak.rssMiB) this.peak = sample;
    for (const [key, value] of Object.entries(flatten(sample))) this.max[key] = Math.max(this.max[key] ?? 0, value);
    return true;
  };

  /** CPU seconds the probe has cost the process so far (as of its last sample); the worker's figure leaves it out. */
  probeCpuS(): number | undefined {
    const ms = this.last?.probeCpuMs;
    return ms === undefined ? undefined : Math.round(ms / 100) / 10;
  }

  breakdown(): MemoryBreakdown {
    const p = this.peak;
    if (!p) return { samples: 0 };
    return { samples: this.count, peak: flatten(p), max: this.max, hwmMiB: this.last?.hwmMiB };
  }
}

function flatten(s: MemorySample): NonNullable<MemoryBreakdown['peak']> {
  const sum = (key: 'usedMiB' | 'committedMiB') => Math.round(s.threads.reduce((n, t) => n + t[key], 0) * 10) / 10;
  return {
    atS: s.atS,
    rssMiB: s.rssMiB,
    mainHeapUsedMiB: s.mainHeap.usedMiB,
    mainHeapCommittedMiB: s.mainHeap.committedMiB,
    workflowThreadsHeapUsedMiB: sum('usedMiB'),
    workflowThreadsHeapCommittedMiB: sum('committedMiB'),
    workflowThreads: s.threads.length,
    osThreads: s.osThreads,
    wasmMiB: s.maps?.wasmMiB,
    mallocMiB: s.maps?.mallocMiB,
    fileMiB: s.maps?.fileMiB,
    otherAnonMiB: s.maps?.otherAnonMiB,
    externalMiB: s.externalMiB,
    arrayBuffersMiB: s.arrayBuffersMiB,
  };
}

/** One line for the printed report. */
export function describeMemory(b: MemoryBreakdown): string {
  const p = b.peak;
  if (!p) return 'worker memory: no samples (BENCH_MEMORY did not include the worker)';
  const parts = [
    `main V8 heap ${p.mainHeapUsedMiB} used / ${p.mainHeapCommittedMiB} committed`,
    // Every worker thread: the SDK's workflow thread (one, as it reuses a V8 context) and PGlite's.
    `worker-thread heap${p.workflowThreads === 1 ? '' : 's'} (${p.workflowThreads}: workflows, PGlite) ${p.workflowThreadsHeapUsedMiB} used / ${p.workflowThreadsHeapCommittedMiB} committed`,
    // PGlite's WebAssembly memory is counted in V8's external memory (not in array buffers).
    `external beyond array buffers (PGlite's WebAssembly memory, mostly) ${Math.round((p.externalMiB - p.arrayBuffersMiB) * 10) / 10}`,
    p.mallocMiB !== undefined ? `malloc (Rust core, V8/Node C++, buffers) ${p.mallocMiB}` : undefined,
    p.otherAnonMiB !== undefined ? `other anonymous (the V8 heaps and WebAssembly) ${p.otherAnonMiB}` : undefined,
    p.fileMiB !== undefined ? `code/files ${p.fileMiB}` : undefined,
    `external ${p.externalMiB} (array buffers ${p.arrayBuffersMiB})`,
  ].filter(Boolean);
  return `worker memory at its peak RSS ${p.rssMiB} MiB (${p.atS} s after start, ${b.samples} samples): ${parts.join('; ')} — MiB resident`;
}
