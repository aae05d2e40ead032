/**
 * `mass-change-guard`: one global workflow that counts deactivations and deletions per app and
 * in total over the policy's sliding window and hands out permits for irreversible changes
 * (state and decisions: ./state.ts). Lifecycle children ask with `permitRequestSignal` and get
 * `permitAnswerSignal` back (granted, or held until `approveApp`); HR terminations are reported
 * after the fact with `guardReportSignal`. Alerts are best effort; nothing fails this workflow.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { LifecycleActivities } from '../../activities/contract';
import { POLICY_DEFAULTS } from '../../lib/config/defaults';
import {
  approveAppUpdate,
  guardReportSignal,
  guardStatusQuery,
  OPERATOR_ACTION_REJECTED,
  permitAnswerSignal,
  permitRequestSignal,
  permitWithdrawSignal,
  type GuardReport,
  type PermitAnswer,
  type PermitRequest,
} from '../../lib/temporal/contract';
import { ALERTING } from '../activity-options';
import {
  approve,
  checkApprove,
  describeGuard,
  initialGuardState,
  prune,
  reportChanges,
  requestPermit,
  withdraw,
  type GuardSettingsState,
  type GuardState,
  type Outcome,
} from './state';

const { guardSettings } = proxyActivities<Pick<LifecycleActivities, 'guardSettings'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});
const { sendAlert } = proxyActivities<Pick<LifecycleActivities, 'sendAlert'>>(ALERTING);

/** The policy and the apps' account counts are read again when older than this (a scan changes the counts). */
const SETTINGS_EVERY_MS = 15 * 60_000;
/** Continue-as-new well before Temporal's limits; every request is a few events. */
const HISTORY_EVENTS_BEFORE_CONTINUE = 10_000;

export interface MassChangeGuardInput {
  /** Carried over continue-as-new. */
  state?: GuardState;
  settings?: GuardSettingsState;
}

type Inbound =
  | { kind: 'request'; request: PermitRequest }
  | { kind: 'report'; report: GuardReport }
  | { kind: 'withdraw'; requestId: string };

const DEFAULT_SETTINGS: GuardSettingsState = {
  policy: { ...POLICY_DEFAULTS.guard, allApps: {}, apps: {} },
  apps: [],
  accounts: {},
};

export async function massChangeGuardWorkflow(input: MassChangeGuardInput = {}): Promise<void> {
  let s = input.state ?? initialGuardState();
  let settings = input.settings ?? DEFAULT_SETTINGS;
  let settingsError: string | undefined;
  let settingsAtMs: number | undefined;
  const inbox: Inbound[] = [];
  const outbox: Outcome['answers'] = [];
  const alertQueue: Outcome['alerts'] = [];

  setHandler(permitRequestSignal, (request) => void inbox.push({ kind: 'request', request }));
  setHandler(guardReportSignal, (report) => void inbox.push({ kind: 'report', report }));
  setHandler(permitWithdrawSignal, ({ requestId }) => void inbox.push({ kind: 'withdraw', requestId }));
  setHandler(guardStatusQuery, () => describeGuard(s, settings, Date.now(), settingsError));
  setHandler(
    approveAppUpdate,
    ({ app, approvedBy }) => {
      // Requests still in the inbox for this app are decided first: they belong to the episode.
      drainInbox();
      const done = approve(s, app.trim(), Date.now(), approvedBy);
      s = done.state;
      outbox.push(...done.answers);
      return done.result;
    },
    {
      validator: ({ app }) => {
        const refused = checkApprove(s, app?.trim());
        if (refused)
          throw ApplicationFailure.create({ type: OPERATOR_ACTION_REJECTED, message: refused, nonRetryable: true });
      },
    },
  );

  function apply(outcome: Outcome): void {
    s = outcome.state;
    outbox.push(...outcome.answers);
    alertQueue.push(...outcome.alerts);
  }

  function drainInbox(): void {
    const now = Date.now();
    s = prune(s, settings, now);
    for (let item = inbox.shift(); item; item = inbox.shift()) {
      if (item.kind === 'request') apply(requestPermit(s, settings, item.request, now));
      else if (item.kind === 'report') apply(reportChanges(s, settings, item.report.changes ?? [], now));
      else s = withdraw(s, item.requestId);
    }
  }

  async function refreshSettings(): Promise<void> {
    try {
      // The counts known so far: one that cannot be read now keeps its value (activities/guard.ts).
      settings = await guardSettings({ known: settings.accounts });
      settingsError = undefined;
    } catch (err) {
      if (isCancellation(err)) throw err;
      // The last known limits (or the defaults) keep applying; status says why.
      settingsError = err instanceof Error ? err.message : String(err);
    }
    settingsAtMs = Date.now();
  }

  /** A requester that is gone (its run finished or was cut short) cannot be answered: dropped. */
  async function sendAnswers(): Promise<void> {
    const batch = outbox.splice(0);
    await Promise.all(
      batch.map(({ to, answer }: { to: string; answer: PermitAnswer }) =>
        getExternalWorkflowHandle(to)
          .signal(permitAnswerSignal, answer)
          .catch((err: unknown) => {
            if (isCancellation(err)) throw err;
          }),
      ),
    );
  }

  async function sendAlerts(): Promise<void> {
    const { workflowId } = workflowInfo();
    for (const a of alertQueue.splice(0)) {
      try {
        await sendAlert({ kind: a.kind, employeeId: '', app: a.app, workflowId, message: a.message, atMs: Date.now() });
      } catch (err) {
        if (isCancellation(err)) throw err;
        // Best effort: the hold is in this workflow's status (`jml app status`) either way.
      }
    }
  }

  await refreshSettings();
  for (;;) {
    // No timer while idle: a guard nobody asks costs nothing (and never keeps time-skipping tests busy).
    await condition(() => inbox.length > 0 || outbox.length > 0 || alertQueue.length > 0);
    if (Date.now() >= settingsAtMs! + SETTINGS_EVERY_MS) await refreshSettings();
    drainInbox();
    await sendAnswers();
    await sendAlerts();
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > HISTORY_EVENTS_BEFORE_CONTINUE) {
      await condition(allHandlersFinished);
      drainInbox();
      await sendAnswers();
      await sendAlerts();
      if (inbox.length === 0 && outbox.length === 0) {
        await continueAsNew<typeof massChangeGuardWorkflow>({ state: prune(s, settings, Date.now()), settings });
      }
    }
  }
}
