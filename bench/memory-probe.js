'use strict';
/**
 * Where a benchmarked process's memory is: preloaded with `node --require` (startJml does it
 * for the processes named in BENCH_MEMORY, which the onboarding benchmark sets to the worker). `--require` is inherited by worker threads, so it also runs inside the SDK's
 * workflow thread(s), whose V8 heaps `process.memoryUsage()` does not show: each thread posts
 * its heap statistics on a BroadcastChannel, and the main thread prints one line per sample,
 *
 *   JML_MEMORY_SAMPLE {"rssMiB":…,"mainHeap":{…},"threads":[…],"maps":{…}}
 *
 * with the resident memory split by kind of mapping from /proc/self/smaps: WebAssembly
 * memories (PGlite's: reservations of 4 GiB and more), glibc malloc (the `[heap]` and the
 * 64 MiB per-thread arenas, where the Rust core, V8's own C++ objects, Node's buffers and
 * zlib live), file-backed (code) and the other anonymous mappings (V8's heap pages, mostly).
 * Not production code: the product's processes never load it.
 */
const { BroadcastChannel, isMainThread, threadId } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const v8 = require('node:v8');

const EVERY_MS = Number(process.env.BENCH_MEMORY_SAMPLE_MS) || 1000;
// The process the benchmark started, not the children it forks (they inherit --require and the
// environment): the first main thread to load this claims it; worker threads copy the claim.
if (isMainThread && process.env.BENCH_MEMORY_PROBE_PID === undefined)
  process.env.BENCH_MEMORY_PROBE_PID = String(process.pid);
const OWNER = process.env.BENCH_MEMORY_PROBE_PID;
const MiB = (n) => Math.round((n / 2 ** 20) * 10) / 10;

function heap() {
  const h = v8.getHeapStatistics();
  return {
    usedMiB: MiB(h.used_heap_size),
    committedMiB: MiB(h.total_heap_size),
    physicalMiB: MiB(h.total_physical_size),
    limitMiB: MiB(h.heap_size_limit),
    mallocedMiB: MiB(h.malloced_memory),
    externalMiB: MiB(h.external_memory),
    contexts: h.number_of_native_contexts,
  };
}

/** Resident kB per kind of mapping, from /proc/self/smaps (Linux only). */
function maps() {
  let text;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return undefined;
  }
  const out = { wasm: 0, malloc: 0, file: 0, otherAnon: 0, stacks: 0 };
  let kind = 'otherAnon';
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (m) {
      const size = Number(BigInt(`0x${m[2]}`) - BigInt(`0x${m[1]}`));
      const name = m[4];
      const inode = m[3];
      if (name === '[heap]') kind = 'malloc';
      else if (name.startsWith('[stack')) kind = 'stacks';
      else if (inode !== '0' || name.startsWith('/')) kind = 'file';
      else if (size >= 4 * 2 ** 30) kind = 'wasm';
      // glibc's thread arenas: 64 MiB reservations (HEAP_MAX_SIZE), aligned to 64 MiB.
      else if (size <= 64 * 2 ** 20 && BigInt(`0x${m[1]}`) % BigInt(64 * 2 ** 20) === 0n) kind = 'malloc';
      else kind = 'otherAnon';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[kind] += Number(rss[1]);
  }
  return Object.fromEntries(Object.entries(out).map(([k, kB]) => [`${k}MiB`, Math.round(kB / 102.4) / 10]));
}

/**
 * CPU time of this thread so far, in ns (`/proc/thread-self/schedstat`; 0 where there is none).
 * Reading smaps is not free (10–15 ms a sample in the onboarding benchmark, most of it in the kernel):
 * the probe reports its own CPU so the benchmark can leave it out of the process's.
 */
function threadCpuNs() {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) || 0;
  } catch {
    return 0;
  }
}

function status() {
  try {
    const text = readFileSync('/proc/self/status', 'utf8');
    const kB = (key) => Number((new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text) ?? [])[1] ?? NaN);
    return {
      rssMiB: MiB(kB('VmRSS') * 1024),
      hwmMiB: MiB(kB('VmHWM') * 1024),
      osThreads: Number(/^Threads:\s+(\d+)/m.exec(text)?.[1]),
    };
  } catch {
    return {};
  }
}

if (isMainThread && OWNER !== String(process.pid)) {
  // Not the benchmarked process (a child it forked): nothing to do.
} else if (isMainThread) {
  const channel = new BroadcastChannel('jml-bench-memory');
  channel.unref();
  const threads = new Map();
  channel.onmessage = (event) => threads.set(event.data.threadId, event.data.heap);
  const started = Date.now();
  let probeCpuNs = 0;
  const timer = setInterval(() => {
    const cpuAtStart = threadCpuNs();
    const mem = process.memoryUsage();
    const sample = {
      atS: Math.round((Date.now() - started) / 100) / 10,
      ...status(),
      mainHeap: heap(),
      externalMiB: MiB(mem.external),
      arrayBuffersMiB: MiB(mem.arrayBuffers),
      threads: [...threads.entries()].map(([id, h]) => ({ threadId: id, ...h })),
      maps: maps(),
    };
    probeCpuNs += threadCpuNs() - cpuAtStart;
    sample.probeCpuMs = Math.round(probeCpuNs / 1e6);
    process.stdout.write(`JML_MEMORY_SAMPLE ${JSON.stringify(sample)}\n`);
  }, EVERY_MS);
  timer.unref();
} else {
  const channel = new BroadcastChannel('jml-bench-memory');
  channel.unref();
  const timer = setInterval(() => channel.postMessage({ threadId, heap: heap() }), EVERY_MS);
  timer.unref();
}
