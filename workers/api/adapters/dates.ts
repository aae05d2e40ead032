/**
 * HR systems send dates without a time (`2026-12-04`); the canonical event needs an instant
 * with an offset. A date means local midnight in the company's (or employee's) time zone.
 */

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Offset of `timeZone` from UTC at `utcMs`, in minutes (Intl gives us the zone rules). */
function offsetMinutes(timeZone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - utcMs) / 60_000);
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** True for `YYYY-MM-DD` naming a real calendar day. */
export function isDateOnly(value: string): boolean {
  const m = DATE_ONLY.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * Local midnight of `date` (+ `addDays`) in `timeZone` as ISO 8601 with offset, e.g.
 * `2026-12-04T00:00:00+01:00`. Returns undefined for a malformed date.
 */
export function localMidnight(date: string, timeZone: string, addDays = 0): string | undefined {
  if (!isDateOnly(date)) return undefined;
  const [y, m, d] = date.split('-').map(Number);
  const wallUtc = Date.UTC(y, m - 1, d + addDays);
  // Two passes: the offset at the guessed instant can differ across a DST change.
  let offset = offsetMinutes(timeZone, wallUtc);
  offset = offsetMinutes(timeZone, wallUtc - offset * 60_000);
  const day = new Date(wallUtc).toISOString().slice(0, 10);
  return `${day}T00:00:00${formatOffset(offset)}`;
}

/** The instant as ISO 8601 in UTC with an explicit `+00:00` offset. */
export function isoUtc(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/** True if `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
