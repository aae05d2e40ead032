/**
 * The worker's V8 heap settings: how far its heaps may grow past their live size before a full
 * collection, and how large their young generation may get.
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
 *
 * The young generation (two semi-spaces; V8's default is 16 MiB each on a 64-bit host) is where
 * every new object starts; each heap keeps its semi-spaces committed once they have grown. The
 * worker runs four heaps (its main thread, two workflow threads, the PGlite thread), and little
 * of what they allocate survives a scavenge (activations, SCIM bodies, audit batches): 4 MiB
 * semi-spaces held ~55 MiB less at the worker's peak in the onboarding benchmark (1,000 hires)
 * for no CPU difference measured there. V8 reads the flag when a heap is created, so a setting
 * at run time reaches the threads the worker starts after it; the main thread's heap already
 * exists and takes it only from node's command line or NODE_OPTIONS (as the compose file sets it).
 */
import v8 from 'node:v8';

/** V8's growing factor as 1 + N/100. */
export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/** The semi-space size in MiB (V8's `--max-semi-space-size`): the young generation is twice it. */
export const DEFAULT_SEMI_SPACE_MB = 4;

const FLAG = /^--heap[-_]growing[-_]percent(=|$)/;
const SEMI_SPACE_FLAG = /^--max[-_]semi[-_]space[-_]size(=|$)/;

/**
 * The percent to set, or undefined to leave V8's own: an explicit setting wins (0 = V8's own),
 * then a `--heap-growing-percent` node flag the operator already gave (NODE_OPTIONS or the
 * command line), then the default.
 */
export function heapGrowingPercent(requested: number | undefined, nodeFlags: readonly string[]): number | undefined {
  return setting(requested, nodeFlags, FLAG, DEFAULT_HEAP_GROWING_PERCENT);
}

/** The semi-space size to set (MiB), or undefined to leave V8's own; the same precedence. */
export function semiSpaceMb(requested: number | undefined, nodeFlags: readonly string[]): number | undefined {
  return setting(requested, nodeFlags, SEMI_SPACE_FLAG, DEFAULT_SEMI_SPACE_MB);
}

function setting(
  requested: number | undefined,
  nodeFlags: readonly string[],
  flag: RegExp,
  fallback: number,
): number | undefined {
  if (requested !== undefined) return requested === 0 ? undefined : requested;
  if (nodeFlags.some((f) => flag.test(f))) return undefined;
  return fallback;
}

/** The node flags this process was started with: its command line and NODE_OPTIONS. */
export function nodeFlags(
  env: NodeJS.ProcessEnv = process.env,
  execArgv: readonly string[] = process.execArgv,
): string[] {
  return [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)];
}

/**
 * Sets the growing factor and the semi-space size (see above) for the heaps created after it;
 * returns what was set, for the start-up log.
 */
export function applyHeapSettings(
  requested: { growingPercent?: number; semiSpaceMb?: number },
  flags = nodeFlags(),
): { growingPercent?: number; semiSpaceMb?: number } {
  const percent = heapGrowingPercent(requested.growingPercent, flags);
  if (percent !== undefined) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  const semiSpace = semiSpaceMb(requested.semiSpaceMb, flags);
  if (semiSpace !== undefined) v8.setFlagsFromString(`--max-semi-space-size=${semiSpace}`);
  return { growingPercent: percent, semiSpaceMb: semiSpace };
}
