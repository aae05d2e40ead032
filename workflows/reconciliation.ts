/**
 * `reconcile-<app>`: scheduled reconciliation of one app, durably. Every `everyMs` (the policy's
 * `reconciliation.every`, re-read from each run's answer) or when an operator sends
 * `runReconciliation`, one `reconcileApp` activity compares the app with the people and the
 * policy, deactivates active leavers at once and records the run in the audit store. Findings
 * and failures are alerted (best effort). Nothing fails this workflow: a failed run is kept in
 * its status, alerted, and the next round tries again.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { LifecycleActivities } from '../activities/contract';
import {
  OPERATOR_ACTION_REJECTED,
  reconciliationStatusQuery,
  runReconciliationUpdate,
  type ReconciliationRun,
  type ReconciliationWorkflowStart,
  type RunReconciliation,
} from '../lib/temporal/contract';
import { ALERTING } from './activity-options';

/** A scan of a large app takes minutes; heartbeats notice a dead worker early. A few attempts, then next round. */
const { reconcileApp } = proxyActivities<Pick<LifecycleActivities, 'reconcileApp'>>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});
const { sendAlert } = proxyActivities<Pick<LifecycleActivities, 'sendAlert'>>(ALERTING);

const DEFAULT_ROUNDS_PER_RUN = 50;

export async function reconciliationWorkflow(input: ReconciliationWorkflowStart): Promise<void> {
  const { app } = input;
  const workflowId = workflowInfo().workflowId;
  let everyMs = input.everyMs;
  let round = input.state?.round ?? 0;
  let lastRun = input.state?.lastRun;
  let running = false;
  let requested: RunReconciliation | undefined;
  let nextRunAtMs: number | undefined;

  setHandler(reconciliationStatusQuery, () => ({ app, everyMs, round, running, nextRunAtMs, lastRun }));
  setHandler(
    runReconciliationUpdate,
    async (request: RunReconciliation) => {
      // Set here, not in the validator: validators do not run on replay and must not change state.
      requested = request ?? {};
      const before = round;
      await condition(() => round > before && !running);
      return lastRun!;
    },
    {
      validator: (_request: RunReconciliation) => {
        if (running || requested) {
          throw ApplicationFailure.create({
            type: OPERATOR_ACTION_REJECTED,
            message: `a reconciliation of ${app} is already running`,
            nonRetryable: true,
          });
        }
      },
    },
  );

  const roundsPerRun = input.roundsPerRun ?? DEFAULT_ROUNDS_PER_RUN;
  for (let roundsThisRun = 0; ; ) {
    nextRunAtMs = Date.now() + everyMs;
    await condition(() => requested !== undefined, everyMs);
    const trigger = requested;
    running = true;
    nextRunAtMs = undefined;
    const startedAtMs = Date.now();
    const nextRound = round + 1;
    let run: ReconciliationRun;
    try {
      const result = await reconcileApp({
        app,
        workflowId,
        runId: workflowInfo().runId,
        round: nextRound,
        trigger: trigger ? 'operator' : 'schedule',
        ...(trigger?.requestedBy ? { requestedBy: trigger.requestedBy } : {}),
        startedAtMs,
      });
      const { everyMs: current, ...rest } = result;
      // The policy may have changed since the start; a bad value never makes the loop spin.
      if (current >= 60_000) everyMs = current;
      run = rest;
    } catch (err) {
      run = {
        app,
        round: nextRound,
        trigger: trigger ? 'operator' : 'schedule',
        ...(trigger?.requestedBy ? { requestedBy: trigger.requestedBy } : {}),
        startedAtMs,
        finishedAtMs: Date.now(),
        findings: {},
        activeLeavers: [],
        error: failureMessage(err),
      };
    }
    lastRun = run;
    round = nextRound;
    running = false;
    requested = undefined;
    await alertAbout(run, workflowId);
    roundsThisRun += 1;
    if (roundsThisRun >= roundsPerRun || workflowInfo().continueAsNewSuggested) {
      // A pending trigger's caller is answered before the history is handed over.
      await condition(allHandlersFinished);
      await continueAsNew<typeof reconciliationWorkflow>({
        app,
        everyMs,
        roundsPerRun: input.roundsPerRun,
        state: { round, lastRun },
      });
    }
  }
}

/** Best effort: an alert that cannot be delivered never stops the schedule. */
async function alertAbout(run: ReconciliationRun, workflowId: string): Promise<void> {
  const total = Object.values(run.findings).reduce((a, b) => a + b, 0);
  if (total === 0 && !run.error) return;
  const counts = Object.entries(run.findings)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  const leavers = run.activeLeavers
    .map(
      (l) =>
        `${l.employeeId ?? '?'} (${l.scimId ?? '?'}): ${l.repaired === 'yes' ? 'deactivated' : 'deactivation FAILED'}`,
    )
    .join('; ');
  const message = run.error
    ? `reconciliation of ${run.app} failed (round ${run.round}): ${run.error}; tried again next round`
    : `reconciliation of ${run.app} found ${counts}${leavers ? `; active leavers: ${leavers}` : ''}`;
  try {
    await sendAlert({
      kind: run.activeLeavers.length > 0 ? 'active-leaver' : 'reconciliation',
      employeeId: run.activeLeavers.length === 1 ? (run.activeLeavers[0]!.employeeId ?? '') : '',
      app: run.app,
      workflowId,
      message,
      atMs: run.finishedAtMs,
    });
  } catch {
    // Logged by the worker; the run is recorded in the audit store and in this workflow's status.
  }
}

function failureMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}
