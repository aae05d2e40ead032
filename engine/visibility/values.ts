/**
 * Checks a literal against its attribute's type and converts it to the form records are
 * compared in, following the server's converter: Int/Double need a number, Bool `true`/`false`,
 * Keyword/KeywordList/Text a quoted string, Datetime an RFC 3339 string or integer nanoseconds,
 * ExecutionStatus a status name (or its enum number), ExecutionDuration a duration or nanoseconds.
 */
import type { Literal } from './ast';
import type { Field, Scalar } from './fields';
import { VisibilityQueryError, type ExecutionStatusName } from './types';

/** `temporal.api.enums.v1.WorkflowExecutionStatus`, in enum order from 1. */
const STATUSES: readonly ExecutionStatusName[] = [
  'Running',
  'Completed',
  'Failed',
  'Canceled',
  'Terminated',
  'ContinuedAsNew',
  'TimedOut',
];
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DURATION_UNITS_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

function typeError(lit: Literal, field: Field): VisibilityQueryError {
  if (lit.kind === 'name') {
    return new VisibilityQueryError(`a column name cannot be a value: did you forget to quote '${lit.text}'?`, lit.pos);
  }
  const shown = lit.kind === 'string' ? JSON.stringify(lit.text) : lit.text;
  return new VisibilityQueryError(
    `invalid value ${shown} for search attribute ${field.name} of type ${field.type}`,
    lit.pos,
  );
}

function statusValue(lit: Literal, field: Field): string {
  if (lit.kind === 'number' && /^\d+$/.test(lit.text) && STATUSES[Number(lit.text) - 1])
    return STATUSES[Number(lit.text) - 1]!;
  if (lit.kind === 'string' && (STATUSES as readonly string[]).includes(lit.text)) return lit.text;
  if (lit.kind === 'string' || lit.kind === 'number') {
    throw new VisibilityQueryError(
      `invalid ExecutionStatus value ${JSON.stringify(lit.text)} (one of ${STATUSES.join(', ')})`,
      lit.pos,
    );
  }
  throw typeError(lit, field);
}

/** Go's time.ParseDuration forms ("1h30m", "1.5s", "300ms") and "hh:mm:ss", as the server accepts for ExecutionDuration. */
export function parseDurationNs(text: string): number | undefined {
  const clock = /^(\d+):([0-5]\d):([0-5]\d)$/.exec(text);
  if (clock) return ((Number(clock[1]) * 60 + Number(clock[2])) * 60 + Number(clock[3])) * 1e9;
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, n, , unit] of text.matchAll(/(\d+(\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
    total += Number(n) * DURATION_UNITS_NS[unit!]!;
  return total;
}

function durationValue(lit: Literal, field: Field): number {
  if (lit.kind === 'number' && /^\d+$/.test(lit.text)) return Number(lit.text);
  const ns = lit.kind === 'string' ? parseDurationNs(lit.text) : undefined;
  if (ns === undefined)
    throw new VisibilityQueryError(
      `invalid duration for ${field.name}: use nanoseconds, "1h30m" or "01:30:00"`,
      lit.pos,
    );
  return ns;
}

function datetimeValue(lit: Literal, field: Field): number {
  if (lit.kind === 'number' && /^-?\d+$/.test(lit.text)) return Number(lit.text) / 1e6; // integer literals are Unix nanoseconds
  if (lit.kind !== 'string') throw typeError(lit, field);
  const ms = RFC3339.test(lit.text) ? Date.parse(lit.text.replace(' ', 'T')) : Number.NaN;
  if (Number.isNaN(ms))
    throw new VisibilityQueryError(
      `unable to parse datetime ${JSON.stringify(lit.text)}: use RFC 3339, e.g. "2026-11-22T10:00:00Z"`,
      lit.pos,
    );
  return ms;
}

/** The literal as a comparable scalar for `field`, or a {@link VisibilityQueryError} at the literal's position. */
export function literalValue(lit: Literal, field: Field): Scalar {
  if (field.special === 'status') return statusValue(lit, field);
  if (field.special === 'duration') return durationValue(lit, field);
  switch (field.type) {
    case 'Int':
    case 'Double':
      if (lit.kind !== 'number') throw typeError(lit, field);
      return Number(lit.text);
    case 'Bool':
      if (lit.kind !== 'bool') throw typeError(lit, field);
      return lit.text === 'true';
    case 'Datetime':
      return datetimeValue(lit, field);
    default:
      if (lit.kind !== 'string') throw typeError(lit, field);
      return lit.text;
  }
}
