/**
 * Ordering values an HR event may carry. The employee workflow keeps the newest `sequence` /
 * `occurredAt` it accepted as a high-water mark and treats anything older as stale, so a
 * single event from the future (`occurredAt: 9999-12-31`, `sequence: 2^53-1`) would make every
 * later real change — a termination included — look stale. Such values are refused at the
 * edge instead. `effectiveAt` is different: future-dated hires and terminations are normal and
 * only a value beyond any plausible contract horizon is refused.
 */
import type { HrEvent } from './event';

export interface PlausibilityLimits {
  /** How far `occurredAt` may be ahead of the receiving clock (HR clocks drift). @default 300 */
  clockSkewSec: number;
  /** Largest accepted `sequence`. @default 1e15 (above epoch milliseconds, below 2^53) */
  maxSequence: number;
  /** How far ahead `effectiveAt` may be. @default 36525 (a century: refuses placeholders like 9999-12-31) */
  maxEffectiveAheadDays: number;
}

export const DEFAULT_PLAUSIBILITY: PlausibilityLimits = {
  clockSkewSec: 300,
  maxSequence: 1e15,
  maxEffectiveAheadDays: 36_525,
};

export interface PlausibilityIssue {
  path: (string | number)[];
  message: string;
}

const DAY_MS = 86_400_000;

/** Problems with the ordering and timing values of a schema-valid event, measured at `nowMs`. */
export function checkPlausibility(
  event: HrEvent,
  nowMs: number,
  limits: PlausibilityLimits = DEFAULT_PLAUSIBILITY,
): PlausibilityIssue[] {
  const issues: PlausibilityIssue[] = [];
  if (event.occurredAt !== undefined) {
    const latest = nowMs + limits.clockSkewSec * 1000;
    if (Date.parse(event.occurredAt) > latest) {
      issues.push({
        path: ['occurredAt'],
        message:
          `is later than now plus the accepted clock skew (${limits.clockSkewSec} s); ` +
          'send when HR recorded the change (check the HR system clock), not a future date — a future ' +
          'change goes in effectiveAt',
      });
    }
  }
  if (event.sequence !== undefined && event.sequence > limits.maxSequence) {
    issues.push({
      path: ['sequence'],
      message: `is larger than the accepted maximum (${limits.maxSequence}); send HR's per-employee change counter`,
    });
  }
  if (Date.parse(event.effectiveAt) > nowMs + limits.maxEffectiveAheadDays * DAY_MS) {
    issues.push({
      path: ['effectiveAt'],
      message:
        `is more than ${limits.maxEffectiveAheadDays} days ahead; send the real date of the change ` +
        '(placeholder dates such as 9999-12-31 are not accepted)',
    });
  }
  return issues;
}
