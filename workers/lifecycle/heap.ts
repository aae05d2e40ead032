/**
 * How far the worker's V8 heaps may grow past their live size before a full collection.
 *
 * V8 sizes its next full collection from a growing factor of up to 4× the live heap (on a host
 * with 16 GiB or more its heap limit is ~4 GiB, so nothing holds it back). The worker allocates
 * quickly (SCIM bodies, activations, the audit batches) and keeps little, so its main heap sat
 * at ~300 MiB resident around ~100 MiB live. A fixed factor of 1.5 keeps both heaps nearer their
 * live size (~200 MiB less at 300 hires in the onboarding benchmark) for no CPU cost measured
 * there; 1.2 saved ~25 MiB more for ~9 % more worker CPU.
 *
 * A V8 flag set at run time: it is read at every collection by the main thread's heap, and when
 * the SDK's workflow thread(s) create their heap, so it must be set before `Worker.create`.
 */
import v8 from 'node:v8';

/** V8's growing factor as 1 + N/100. */
export const DEFAULT_HEAP_GROWING_PERCENT = 50;

const FLAG = /^--heap[-_]growing[-_]percent(=|$)/;

/**
 * The percent to set, or undefined to leave V8's own: an explicit setting wins (0 = V8's own),
 * then a `--heap-growing-percent` node flag the operator already gave (NODE_OPTIONS or the
 * command line), then the default.
 */
export function heapGrowingPercent(requested: number | undefined, nodeFlags: readonly string[]): number | undefined {
  if (requested !== undefined) return requested === 0 ? undefined : requested;
  if (nodeFlags.some((flag) => FLAG.test(flag))) return undefined;
  return DEFAULT_HEAP_GROWING_PERCENT;
}

/** The node flags this process was started with: its command line and NODE_OPTIONS. */
export function nodeFlags(
  env: NodeJS.ProcessEnv = process.env,
  execArgv: readonly string[] = process.execArgv,
): string[] {
  return [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)];
}

/** Sets the growing factor (see above); returns the percent set, if any, for the start-up log. */
export function applyHeapGrowingPercent(requested: number | undefined, flags = nodeFlags()): number | undefined {
  const percent = heapGrowingPercent(requested, flags);
  if (percent !== undefined) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
