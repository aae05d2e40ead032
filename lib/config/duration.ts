/**
 * Durations in policy files: a short form (`500ms`, `90s`, `15m`, `1h`, `30d`, `2w`,
 * combinable as `1h30m`) or an ISO 8601 duration (`PT15M`, `P30D`, `P1DT12H`, `P2W`).
 * Months and years are refused: they have no fixed length, and a retention period that
 * depends on the calendar month is a surprise nobody wants in an audit.
 */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const SHORT_FORM = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;
const SHORT_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
/** ISO 8601 §4.4.3.2 (designator form), without Y and M date parts; `P2W` per §4.4.3.2 too. */
const ISO_FORM =
  /^P(?:(\d+(?:\.\d+)?)W|(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?)$/;

/** Message fragment reused by the config validator. */
export const DURATION_HINT = 'write a duration such as 15m, 1h, 30d or ISO 8601 PT15M, P30D';

/**
 * Parses a duration to whole milliseconds.
 * @throws Error saying what was expected when the text is not a duration.
 */
export function parseDuration(text: string): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) throw new Error(`"${text}" is not a duration; ${DURATION_HINT}`);
  return ms;
}

/** Like {@link parseDuration} but returns `undefined` instead of throwing. */
export function tryParseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  if (SHORT_FORM.test(s)) {
    let total = 0;
    for (const [, amount, unit] of s.matchAll(SHORT_PART)) total += Number(amount) * UNIT_MS[unit];
    return Math.round(total);
  }
  const iso = ISO_FORM.exec(s.toUpperCase());
  // "P" and "PT" alone match the optional groups but say nothing.
  if (!iso || s.toUpperCase() === 'P' || /T$/i.test(s)) return undefined;
  const [, weeks, days, hours, minutes, seconds] = iso.map((g) => (g === undefined ? 0 : Number(g)));
  return Math.round(
    weeks * UNIT_MS.w + days * UNIT_MS.d + hours * UNIT_MS.h + minutes * UNIT_MS.m + seconds * UNIT_MS.s,
  );
}

/** Milliseconds → the largest whole unit that fits exactly (`30d`, `90m`, `1500ms`), for summaries. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}
