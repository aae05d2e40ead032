/**
 * The app gate's sliding window: outcomes of recent requests to one app, and whether they say
 * the app should be quarantined — too many authentication refusals (401/403: the credentials
 * were revoked or expired, every further request will be refused too), or most requests failing
 * once enough were made to judge (an outage). Pure: the caller passes the time.
 */

/** `ok`: the app answered (a 404 or a 409 is the app working). `auth`: 401/403. `failure`: 5xx, timeout, connection. */
export type RequestOutcome = 'ok' | 'auth' | 'failure';

export interface QuarantineThresholds {
  /** Trip at all (pause by an operator works either way). */
  enabled: boolean;
  windowMs: number;
  /** Authentication refusals within the window that trip it. */
  authFailures: number;
  /** Share of failed requests (`failure` and `auth`) within the window that trips it… */
  failureRatio: number;
  /** …once at least this many requests were made in the window. */
  minRequests: number;
}

export interface Trip {
  cause: 'auth' | 'failure-ratio';
  /** For people: `3 authentication refusals in 5 min (last: …)`. */
  reason: string;
}

/** Beyond this many outcomes in one window the oldest are dropped (memory stays bounded under load). */
const MAX_ENTRIES = 10_000;

export class OutcomeWindow {
  private entries: { atMs: number; outcome: RequestOutcome }[] = [];
  private lastProblem?: string;

  /** Records one outcome; returns the trip when the window now says quarantine (the window is then emptied). */
  record(outcome: RequestOutcome, nowMs: number, thresholds: QuarantineThresholds, detail?: string): Trip | undefined {
    this.prune(nowMs, thresholds.windowMs);
    this.entries.push({ atMs: nowMs, outcome });
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    if (outcome !== 'ok' && detail) this.lastProblem = detail;
    if (!thresholds.enabled) return undefined;
    const counts = this.counts();
    const span = describeSpan(thresholds.windowMs);
    const last = this.lastProblem ? ` (last: ${this.lastProblem})` : '';
    let trip: Trip | undefined;
    if (counts.auth >= thresholds.authFailures) {
      trip = {
        cause: 'auth',
        reason: `${counts.auth} authentication refusal${counts.auth === 1 ? '' : 's'} (401/403) in ${span}${last}`,
      };
    } else if (counts.total >= thresholds.minRequests && counts.failed / counts.total >= thresholds.failureRatio) {
      trip = {
        cause: 'failure-ratio',
        reason: `${counts.failed} of ${counts.total} requests failed in ${span}${last}`,
      };
    }
    if (trip) this.reset();
    return trip;
  }

  counts(): { total: number; failed: number; auth: number } {
    let failed = 0;
    let auth = 0;
    for (const e of this.entries) {
      if (e.outcome !== 'ok') failed += 1;
      if (e.outcome === 'auth') auth += 1;
    }
    return { total: this.entries.length, failed, auth };
  }

  reset(): void {
    this.entries = [];
    this.lastProblem = undefined;
  }

  private prune(nowMs: number, windowMs: number): void {
    const from = nowMs - windowMs;
    let drop = 0;
    while (drop < this.entries.length && this.entries[drop]!.atMs <= from) drop += 1;
    if (drop > 0) this.entries.splice(0, drop);
  }
}

function describeSpan(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}
