/**
 * The worker's app gate, used by every SCIM step (activities/accounts.ts). Two jobs:
 *
 * - It counts each step attempt's outcome per app over the policy's sliding window and, when
 *   the app keeps refusing our credentials or most attempts fail, reports a trip to the app's
 *   `app-<name>` workflow, which quarantines it (lib/health/window.ts decides).
 * - It holds joiner/mover writes and deletions while the app is paused or quarantined: the
 *   step fails at once, before any request, with a retryable `APP_PAUSED`/`APP_QUARANTINED`
 *   failure that names why and carries the next retry delay — no request reaches the app and
 *   the retry backoff does not grow while the app is held.
 *
 * A leaver's deactivation is never held: it is attempted anyway, and its success on a
 * quarantined app reports the app recovered (each attempt doubles as a probe). The gate learns
 * the app's state by querying `app-<name>`, reused for a few seconds; when that read fails or
 * is slow the gate lets the step through (fail open) — it never crashes a step.
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { LoadedConfig } from '../lib/config/types';
import { ERROR_CODES, hasErrorCode } from '../lib/errors';
import { OutcomeWindow, type RequestOutcome } from '../lib/health/window';
import type { Logger } from '../lib/logger';
import { appHealth, reportAppHealth } from '../lib/temporal/app-client';
import type { AppHealth, AppHealthReport } from '../lib/temporal/contract';
import { stopWaitingAfter } from '../lib/temporal/deadline';

/** The `type` of a step held by a paused app. */
export const APP_PAUSED = 'APP_PAUSED';
/** The `type` of a step held by a quarantined app. */
export const APP_QUARANTINED = 'APP_QUARANTINED';

/** A held step looks again this often: no request reaches the app, one cached state read per look. */
export const HOLD_RETRY_MS = 30_000;
/** A held step's 401/403 is tried again after this while the gate counts refusals (see `settle`). */
const AUTH_RECHECK_MS = 20_000;

export interface AppGateDeps {
  config: () => LoadedConfig;
  /** Without one, the gate still counts outcomes but cannot learn or report the app's state. */
  temporal?: Client;
  logger?: Logger;
  /** How long a read state is reused. @default 5000 */
  cacheMs?: number;
  /** How long a step waits for the state before it goes ahead as if the app were active. @default 2000 */
  readTimeoutMs?: number;
  now?: () => number;
}

export interface Attempt {
  app: string;
  /** `provision`, `deactivate`, … (for the messages). */
  operation: string;
  /** Joiner/mover writes and deletions: held while the app is paused or quarantined. Deactivations: never. */
  held: boolean;
  attempt: number;
  /** The activity's task queue: a report starts the app's workflow there if no worker has. */
  taskQueue?: string;
}

export class AppGate {
  private readonly windows = new Map<string, OutcomeWindow>();
  private readonly cache = new Map<string, { atMs: number; health?: AppHealth }>();
  private readonly reads = new Map<string, Promise<AppHealth | undefined>>();
  private readonly now: () => number;

  constructor(private readonly deps: AppGateDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The app's state, read from its workflow when the cached one is stale; undefined when unknown. Never throws. */
  async state(app: string): Promise<AppHealth | undefined> {
    const cached = this.cache.get(app);
    if (cached && this.now() - cached.atMs < (this.deps.cacheMs ?? 5_000)) return cached.health;
    const client = this.deps.temporal;
    if (!client) return undefined;
    let read = this.reads.get(app);
    if (!read) {
      // One read per app at a time, shared by every step that asks meanwhile.
      // A deadline on the call itself: a query nobody answers (no worker on the app workflow's queue) is given up.
      const timeoutMs = this.deps.readTimeoutMs ?? 2_000;
      read = client
        .withDeadline(Date.now() + timeoutMs, () => appHealth(client, app))
        .then(
          (health) => {
            this.cache.set(app, { atMs: this.now(), health });
            return health;
          },
          (err: unknown) => {
            // Not asked again for a cache period: an unreachable Temporal must not cost every step a wait.
            this.cache.set(app, { atMs: this.now(), health: cached?.health });
            // Once per failed read, not once per step that shared it: under load hundreds do.
            this.deps.logger?.warn(
              { app, err },
              'app gate: state of the app not readable; held steps go ahead until the next read',
            );
            throw err;
          },
        )
        .finally(() => this.reads.delete(app));
      this.reads.set(app, read);
    }
    try {
      return await stopWaitingAfter(read, this.deps.readTimeoutMs ?? 2_000, `state of ${app}`);
    } catch {
      // The read's failure is logged once, above (a read slower than the wait fails by its own deadline).
      return cached?.health;
    }
  }

  /** Before a step: throws the hold failure when the step is held and the app is paused or quarantined. */
  async admit(a: Attempt): Promise<void> {
    if (!a.held) return;
    const health = await this.state(a.app);
    if (health && health.state !== 'active') throw holdFailure(a, health, this.now());
  }

  /**
   * After a step attempt (`err` undefined when it succeeded): counts the outcome, reports a trip
   * or a recovery, and returns the failure the step should throw instead of its own error — the
   * hold failure when the app is (now) held — or undefined to throw the step's error as usual.
   * Never throws.
   */
  settle(a: Attempt, err?: unknown): ApplicationFailure | undefined {
    try {
      return this.settleUnsafe(a, err);
    } catch (e) {
      this.deps.logger?.error({ app: a.app, err: e }, 'app gate: outcome not counted');
      return undefined;
    }
  }

  private settleUnsafe(a: Attempt, err: unknown): ApplicationFailure | undefined {
    const outcome = err === undefined ? 'ok' : outcomeOf(err);
    if (outcome === undefined) return undefined;
    const thresholds = this.deps.config().policy.quarantine;
    let window = this.windows.get(a.app);
    if (!window) this.windows.set(a.app, (window = new OutcomeWindow()));
    const nowMs = this.now();
    const detail = err instanceof Error ? err.message.slice(0, 300) : undefined;
    const trip = window.record(outcome, nowMs, thresholds, detail);
    const entry = this.cache.get(a.app);
    const known = entry?.health;
    const fresh = entry !== undefined && nowMs - entry.atMs < (this.deps.cacheMs ?? 5_000);
    if (trip && known?.state !== 'quarantined' && known?.state !== 'paused') {
      const health: AppHealth = {
        app: a.app,
        state: 'quarantined',
        quarantine: { cause: trip.cause, reason: trip.reason, sinceMs: nowMs, probes: 0 },
        transitions: [],
        undeliveredAlerts: 0,
      };
      // Held at once here; other workers learn it from the workflow within their cache time.
      this.cache.set(a.app, { atMs: nowMs, health });
      this.report(a, { kind: 'trip', cause: trip.cause, reason: trip.reason, atMs: nowMs });
    } else if (outcome === 'ok' && known?.state === 'quarantined') {
      this.recovered(a, known, nowMs);
    } else if (outcome === 'ok' && !a.held && !fresh && this.deps.temporal) {
      // A deactivation is never held, so it never read the state: look now (not awaited) — its
      // success on a quarantined app is a probe that passed.
      void this.state(a.app).then((health) => {
        if (health?.state === 'quarantined') this.recovered(a, health, this.now());
      });
    }
    if (err === undefined || !a.held) return undefined;
    const now = this.cache.get(a.app)?.health;
    if (now && now.state !== 'active') return holdFailure(a, now, nowMs);
    // 401/403 are final for one request, but an app refusing everyone is quarantined after a few:
    // a held step tries again meanwhile instead of failing for good on the first refusal.
    if (outcome === 'auth' && a.attempt <= thresholds.authFailures && thresholds.enabled) {
      const message = err instanceof Error ? err.message : String(err);
      return ApplicationFailure.create({
        type: hasErrorCode(err) ? err.code : 'SCIM_UNAUTHORIZED',
        message: `${message} (tried again in ${AUTH_RECHECK_MS / 1000} s: ${thresholds.authFailures} refusals in the window quarantine ${a.app})`,
        nonRetryable: false,
        nextRetryDelay: AUTH_RECHECK_MS,
        cause: err instanceof Error ? err : undefined,
      });
    }
    return undefined;
  }

  private recovered(a: Attempt, known: AppHealth, nowMs: number): void {
    const { quarantine: _ended, ...rest } = known;
    this.cache.set(a.app, { atMs: nowMs, health: { ...rest, state: 'active' } });
    this.report(a, { kind: 'recovered', reason: `a ${a.operation} request succeeded`, atMs: nowMs });
  }

  private report(a: Attempt, report: AppHealthReport): void {
    const client = this.deps.temporal;
    const log = this.deps.logger;
    if (report.kind === 'trip') log?.warn({ app: a.app, cause: report.cause }, `app gate: ${report.reason}`);
    if (!client || !a.taskQueue) return;
    const probeEveryMs = this.deps.config().policy.quarantine.probeEveryMs;
    // Not awaited: a step never waits for (or fails with) the report.
    reportAppHealth(client, a.app, report, { taskQueue: a.taskQueue, probeEveryMs }).catch((err: unknown) =>
      log?.error({ app: a.app, err, report }, 'app gate: report not delivered to the app workflow'),
    );
  }
}

/** What an attempt's error says about the app's health; undefined when nothing (rate limit, config, mapping). */
export function outcomeOf(err: unknown): RequestOutcome | undefined {
  if (!hasErrorCode(err)) return undefined;
  switch (err.code) {
    case ERROR_CODES.SCIM_UNAUTHORIZED:
    case ERROR_CODES.SCIM_FORBIDDEN:
      return 'auth';
    case ERROR_CODES.SCIM_SERVER_ERROR:
    case ERROR_CODES.SCIM_NETWORK:
    case ERROR_CODES.SCIM_TIMEOUT:
      return 'failure';
    case ERROR_CODES.SCIM_RATE_LIMITED:
      return undefined;
    default:
      // The app answered (404, 409, 400…): it is up and accepts our credentials.
      return err.code.startsWith('SCIM_') ? 'ok' : undefined;
  }
}

function holdFailure(a: Attempt, health: AppHealth, nowMs: number): ApplicationFailure {
  const iso = (ms: number) => new Date(ms).toISOString();
  let why: string;
  if (health.state === 'paused' && health.paused) {
    const p = health.paused;
    why = `${a.app} is paused by ${p.by} since ${iso(p.sinceMs)} (${p.reason})`;
  } else if (health.quarantine) {
    const q = health.quarantine;
    const probe = q.nextProbeAtMs ? `; next probe ${iso(q.nextProbeAtMs)}` : '';
    why = `${a.app} is quarantined since ${iso(q.sinceMs)} (${q.reason})${probe}`;
  } else {
    why = `${a.app} is ${health.state}`;
  }
  return ApplicationFailure.create({
    type: health.state === 'paused' ? APP_PAUSED : APP_QUARANTINED,
    message: `${why}: ${a.operation} waits, no request sent; it runs once the app is resumed (\`jml app resume ${a.app}\`)`,
    nonRetryable: false,
    nextRetryDelay: HOLD_RETRY_MS,
    details: [{ app: a.app, state: health.state, checkedAtMs: nowMs }],
  });
}
