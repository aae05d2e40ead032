/**
 * `app-<name>`: whether the orchestrator may write to one app, durably. States: `active`,
 * `paused` (by an operator: who, why, since) and `quarantined` (a worker saw auth refused, or
 * most requests failing over its window). While quarantined, a cheap authenticated read probes
 * the app every `probeEveryMs`; the first success resumes it. Entering quarantine and leaving it
 * on its own are alerted (best effort: an alert never fails this workflow). Workers read the
 * state with the `appHealth` query and hold joiner/mover writes and deletions while it is not
 * `active`; a leaver's deactivation is never held (activities/app-gate.ts).
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { LifecycleActivities } from '../activities/contract';
import {
  appHealthQuery,
  appHealthWorkflowId,
  appHealthReportSignal,
  OPERATOR_ACTION_REJECTED,
  pauseAppUpdate,
  resumeAppUpdate,
  type AppHealth,
  type AppHealthChange,
  type AppHealthReport,
  type AppHealthState,
  type AppHealthWorkflowStart,
  type PauseApp,
  type ResumeApp,
} from '../lib/temporal/contract';
import { ALERTING } from './activity-options';

/** One quick read; a probe that fails is simply the next probe's business. */
const { probeApp } = proxyActivities<Pick<LifecycleActivities, 'probeApp'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumAttempts: 2 },
});
const { sendAlert } = proxyActivities<Pick<LifecycleActivities, 'sendAlert'>>(ALERTING);

const DEFAULT_EVENTS_PER_RUN = 200;
const MAX_TRANSITIONS = 20;
/** A bad interval from the policy never makes the probe loop spin. */
const MIN_PROBE_EVERY_MS = 10_000;

export async function appHealthWorkflow(input: AppHealthWorkflowStart): Promise<void> {
  const { app } = input;
  const workflowId = appHealthWorkflowId(app);
  let probeEveryMs = Math.max(MIN_PROBE_EVERY_MS, input.probeEveryMs);
  const h: AppHealth = {
    app,
    state: input.state?.state ?? 'active',
    ...(input.state?.paused ? { paused: input.state.paused } : {}),
    ...(input.state?.quarantine ? { quarantine: input.state.quarantine } : {}),
    transitions: [...(input.state?.transitions ?? [])],
    undeliveredAlerts: input.state?.undeliveredAlerts ?? 0,
  };
  let events = 0;
  /** Alerts decided by handlers, sent by the main loop (handlers stay synchronous and simple). */
  const outbox: { kind: 'app-quarantined' | 'app-resumed'; message: string; atMs: number }[] = [];

  const move = (to: AppHealthState, by: string, reason: string): AppHealthChange => {
    const from = h.state;
    const atMs = Date.now();
    h.state = to;
    if (to !== 'paused') delete h.paused;
    if (to !== 'quarantined') delete h.quarantine;
    h.transitions.push({ atMs, from, to, by, reason });
    if (h.transitions.length > MAX_TRANSITIONS) h.transitions.splice(0, h.transitions.length - MAX_TRANSITIONS);
    events += 1;
    return { app, from, to, atMs };
  };

  setHandler(appHealthQuery, () => h);

  setHandler(
    pauseAppUpdate,
    (request: PauseApp) => {
      const change = move('paused', request.by, request.reason);
      h.paused = { by: request.by, reason: request.reason, sinceMs: change.atMs };
      return change;
    },
    {
      validator: (request: PauseApp) => {
        if (!request?.reason?.trim()) reject(`a reason is required to pause ${app}`);
        if (!request.by?.trim()) reject(`who pauses ${app} is required`);
        if (h.state === 'paused') {
          const p = h.paused!;
          reject(`${app} is already paused by ${p.by} since ${new Date(p.sinceMs).toISOString()}: ${p.reason}`);
        }
      },
    },
  );

  setHandler(
    resumeAppUpdate,
    (request: ResumeApp) => {
      const was = h.state;
      return move('active', request.by, request.reason ?? `resumed by ${request.by} (was ${was})`);
    },
    {
      validator: (request: ResumeApp) => {
        if (!request?.by?.trim()) reject(`who resumes ${app} is required`);
        if (h.state === 'active') reject(`${app} is not paused or quarantined (it is active); nothing to resume`);
      },
    },
  );

  setHandler(appHealthReportSignal, (report: AppHealthReport) => {
    if (report.kind === 'trip') {
      // A paused app stays paused (the operator decides); a quarantined one is already held.
      if (h.state !== 'active') return;
      move('quarantined', report.worker ? `worker ${report.worker}` : 'worker', report.reason);
      h.quarantine = {
        cause: report.cause,
        reason: report.reason,
        sinceMs: Date.now(),
        nextProbeAtMs: Date.now() + probeEveryMs,
        probes: 0,
      };
      outbox.push({
        kind: 'app-quarantined',
        atMs: Date.now(),
        message: `${app} quarantined (${report.cause === 'auth' ? 'authentication refused' : 'most requests failing'}): ${report.reason}. Joiner/mover writes and deletions wait; leavers are still deactivated. Probing every ${Math.round(probeEveryMs / 1000)} s; \`jml app resume ${app}\` ends it by hand.`,
      });
      return;
    }
    if (h.state !== 'quarantined') return;
    move('active', report.worker ? `worker ${report.worker}` : 'worker', report.reason);
    outbox.push({ kind: 'app-resumed', atMs: Date.now(), message: `${app} out of quarantine: ${report.reason}` });
  });

  const eventsPerRun = input.eventsPerRun ?? DEFAULT_EVENTS_PER_RUN;
  for (;;) {
    await flushAlerts();
    if (events >= eventsPerRun) {
      await condition(allHandlersFinished);
      // Handlers may have queued alerts while the last ones were sent.
      await flushAlerts();
      const { app: _app, ...state } = h;
      await continueAsNew<typeof appHealthWorkflow>({ app, probeEveryMs, eventsPerRun: input.eventsPerRun, state });
    }
    if (h.state !== 'quarantined') {
      await condition(() => h.state === 'quarantined' || outbox.length > 0 || events >= eventsPerRun);
      continue;
    }
    const q = h.quarantine!;
    const dueMs = Math.max(0, (q.nextProbeAtMs ?? Date.now()) - Date.now());
    const since = q.sinceMs;
    // Woken early by a change of state (resume, pause, a success elsewhere) or an alert to send.
    const changed = await condition(
      () => h.state !== 'quarantined' || h.quarantine?.sinceMs !== since || outbox.length > 0,
      dueMs,
    );
    if (changed) continue;
    let result: { ok: boolean; error?: string; probeEveryMs?: number };
    try {
      result = await probeApp({ app });
    } catch (err) {
      result = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    if (result.probeEveryMs !== undefined && result.probeEveryMs >= MIN_PROBE_EVERY_MS)
      probeEveryMs = result.probeEveryMs;
    events += 1;
    // The state may have changed while the probe ran: only a still-running quarantine is updated.
    if (h.state !== 'quarantined' || h.quarantine?.sinceMs !== since) continue;
    const atMs = Date.now();
    h.quarantine.probes += 1;
    h.quarantine.lastProbe = { atMs, ok: result.ok, ...(result.error ? { error: result.error } : {}) };
    if (result.ok) {
      move('active', 'probe', `probe succeeded after ${h.quarantine.probes} attempt(s)`);
      outbox.push({
        kind: 'app-resumed',
        atMs,
        message: `${app} out of quarantine: a probe succeeded; held writes run again`,
      });
    } else {
      h.quarantine.nextProbeAtMs = atMs + probeEveryMs;
    }
  }

  async function flushAlerts(): Promise<void> {
    while (outbox.length > 0) {
      const alert = outbox.shift()!;
      try {
        await sendAlert({
          kind: alert.kind,
          employeeId: '',
          app,
          workflowId,
          message: alert.message,
          atMs: alert.atMs,
        });
      } catch {
        // Best effort: the state change stands and shows in `jml app status`.
        h.undeliveredAlerts += 1;
      }
    }
  }
}

function reject(message: string): never {
  throw ApplicationFailure.create({ type: OPERATOR_ACTION_REJECTED, message, nonRetryable: true });
}
