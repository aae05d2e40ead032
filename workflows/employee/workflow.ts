/**
 * `employee-<employeeId>`: one long-lived workflow per person that serializes their HR events.
 * Runbook: admit the event (drop duplicates and stale versions — never silently), hold
 * future-dated ones until due, classify the change, run exactly one lifecycle child at a time,
 * keep the account registry, run deferred revocations and retention deletions (never under
 * legal hold), and continue-as-new before the history grows large.
 *
 * Revocation first: nothing sits in front of a lifecycle child. Evidence (the audit hand-off)
 * and alerts run beside the main loop, after the fact, retried on their own back-off; their
 * failures are recorded and shown in `status`, never awaited by a run. No activity failure
 * fails this workflow: its state (holds, pending deletions, deferred revocations) must outlive
 * any one bad run, so failures become marked apps and `needsOperator` entries instead.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { HrEvent } from '../../lib/hr/event';
import { classifyTransition, holdsAccess, snapshotOf } from '../../lib/lifecycle/classify';
import {
  admitEvent,
  DEFAULT_ORDERING_LIMITS,
  eventVersion,
  nextHighWater,
  plausibleVersion,
  rememberEventId,
  type OrderingLimits,
} from './ordering';
import { addPending, cancelPending, dueTime, takeDue } from './pending';
import {
  alertDelivered,
  alertFailed,
  appendTimeline,
  applyRecheckRemovals,
  applyResult,
  applySnapshot,
  auditFailed,
  auditSucceeded,
  cancelScheduledRemovals,
  dueAlert,
  enqueueAlert,
  initialState,
  lifecycleFor,
  markPreempted,
  markRunFailed,
  needOperator,
  nextAlertAtMs,
  nextWakeUpMs,
  placeHold,
  receiveEvent,
  recordVerdict,
  releaseHold,
  rememberAccepted,
  requestEnsure,
  requestRetry,
  scheduleDeletion,
  scheduleRechecks,
  setPending,
  takeDueDeletions,
  takeDueRechecks,
  takeDueRevocations,
  takeEnsure,
  takeInbox,
  takeRetry,
  unauditedTimeline,
  upgradeState,
  type EmployeeState,
  type InboxItem,
} from './state';
import { appsToRevoke, invalidReason, isTermination, supersedesInferred, waitingTermination } from './admission';
import type { EmployeeRecord } from '../../lib/hr/employee';
import { milestoneKey } from '../../lib/lifecycle/audit-keys';
import { displayNameOf } from '../../lib/hr/display-name';
import type {
  AlertInput,
  LifecycleKind,
  LifecyclePlan,
  LifecycleResult,
  TimelineEntry,
} from '../../lib/lifecycle/types';
import { forwardHold, runDeletionChild, runLifecycleChild, type DeletionChildSlot } from '../children';
import { toStepError } from '../steps';
import { checkEnsureAccount, checkPlaceHold, checkReleaseHold, checkRetry } from './operator-actions';
import { describeStatus } from './status';
import { alerts, auditing, auditRound, PLAN_LOCALLY_PATCH, planningFor, rechecking } from '../lifecycle-activities';
import { RECHECK } from '../activity-options';
import * as msg from '../../lib/temporal/contract';
import {
  EMPLOYEE_ID,
  OPERATOR_ACTION_REJECTED,
  type EmployeeWorkflowStart,
  type EventVerdict,
} from '../../lib/temporal/contract';

export interface EmployeeWorkflowInput extends EmployeeWorkflowStart {
  /** Carried across continue-as-new (possibly written by an older build: see upgradeState). */
  state?: EmployeeState;
  /** Bounds on `occurredAt`/`sequence` values the workflow believes; carried across continue-as-new. */
  ordering?: Partial<OrderingLimits>;
}

/** Continue-as-new well before Temporal's history limits (50k events / 50 MB). */
const HISTORY_EVENTS_BEFORE_CONTINUE = 5_000;

/**
 * Patch marker: evidence and alerts off the revocation path, plausible ordering, terminations
 * never dropped. Runs recorded before it replay on the old path until their next
 * continue-as-new (docs/workflows.md, "Versioning").
 */
export const REVOCATION_FIRST_PATCH = 'revocation-first-v1';
/** Patch marker: a termination cuts a running joiner, re-hire or mover short. */
export const PREEMPT_FOR_TERMINATION_PATCH = 'preempt-for-termination-v1';

/**
 * Patch marker: an event is planned once. Only a hire or re-hire needs the plan before it is
 * applied (for its lead time); that plan goes to the child, which plans only when given none.
 * Runs recorded before it plan every event here and again in the child.
 */
export const PLAN_ONCE_PATCH = 'plan-once-v1';

/**
 * Patch marker: deferred revocations are settled by every run — an app granted again (a mover
 * back within the grace period) is no longer revoked, a deactivated one has nothing left to
 * revoke, and a later move never extends an app's grace period. Runs recorded before it add
 * every mover's revocations as they come.
 */
export const REGRANT_SETTLES_REVOCATIONS_PATCH = 'regrant-settles-revocations-v1';

/**
 * Patch marker: after a leaver, each app is searched again (the policy's leaver.recheckAfter)
 * and an account found active is deactivated and alerted. Checked only when a leaver
 * completes with a recheck delay, so runs recorded before it replay without one.
 */
export const LEAVER_RECHECK_PATCH = 'leaver-recheck-v1';

/** Patch marker: a leaver's group memberships the app did not confirm removed are alerted and need an operator. */
export const GROUP_REMOVAL_ALERT_PATCH = 'group-removal-alert-v1';

/**
 * Patch marker: the audit hand-off waits while the main loop is working on an event (a run's
 * milestones come in bursts: received, started, completed) and hands them over in one round
 * when it is done, or after AUDIT_ROUND_LINGER_MS of a long run. One round per event instead
 * of one per burst: fewer activities and workflow tasks per person, bigger audit batches.
 */
export const AUDIT_BETWEEN_EVENTS_PATCH = 'audit-between-events-v1';

/**
 * Patch marker standing for every patch above and `plan-locally-v1`: a run that takes it takes
 * all of their new paths without recording a marker for each. Every marker comes with the SDK's
 * upsert of the TemporalChangeVersion search attribute, so a new run's first workflow task
 * recorded twelve patch events (six markers, six upserts) before its first real command, and a
 * leaver recheck or a group-removal alert two more; now two in all. Runs recorded before it have
 * no baseline marker and ask for each patch as they did (`took`).
 */
export const EMPLOYEE_BASELINE_PATCH = 'employee-baseline-v1';

/** The longest a milestone waits for the main loop to finish its work before it is handed over anyway. */
export const AUDIT_ROUND_LINGER_MS = 30_000;

export async function employeeWorkflow(input: EmployeeWorkflowInput): Promise<void> {
  let s: EmployeeState = input.state ? upgradeState(input.state, Date.now()) : initialState(input.employeeId);
  const limits: OrderingLimits = { ...DEFAULT_ORDERING_LIMITS, ...input.ordering };
  // Asked first and once: the patches it stands for are then asked only by runs recorded before it.
  const baseline = patched(EMPLOYEE_BASELINE_PATCH);
  const took = (patch: string): boolean => baseline || patched(patch);
  const revocationFirst = took(REVOCATION_FIRST_PATCH);
  const preemptForTermination = revocationFirst && took(PREEMPT_FOR_TERMINATION_PATCH);
  const planOnce = took(PLAN_ONCE_PATCH);
  const planning = planningFor(took(PLAN_LOCALLY_PATCH));
  const auditBetweenEvents = revocationFirst && took(AUDIT_BETWEEN_EVENTS_PATCH);
  /** The main loop is handling work (not waiting for it): see AUDIT_BETWEEN_EVENTS_PATCH. */
  let working = false;
  const settleRevocations = took(REGRANT_SETTLES_REVOCATIONS_PATCH);
  let stage: msg.EmployeeStatus['stage'] = 'idle';
  let currentEventId: string | undefined;
  const deletionSlot: DeletionChildSlot = {};
  /** Changes the mass-change guard holds, as the running child reports them (shown in `status`). */
  let heldByGuard: msg.GuardHeldChange[] = [];
  const note = (entry: Omit<TimelineEntry, 'atMs'>) => {
    s = appendTimeline(s, [{ atMs: Date.now(), ...entry }]);
  };

  setHandler(msg.hrEventSignal, (event) => {
    s = receiveEvent(s, event, Date.now());
  });
  // Operator actions are Updates: validated against the state before they change anything
  // (a refusal leaves no trace), then answered with what they did.
  setHandler(
    msg.placeLegalHoldUpdate,
    (hold) => {
      const caseId = hold.caseId.trim();
      const alreadyPlaced = s.legalHold?.caseId === caseId;
      if (!alreadyPlaced) {
        s = placeHold(s, { ...hold, caseId }, Date.now());
        forwardHold(deletionSlot, true);
      }
      return { caseId, placedAtMs: s.legalHold!.placedAtMs, alreadyPlaced, pausedDeletions: s.deletions.length };
    },
    { validator: (hold) => checkPlaceHold(s, hold) },
  );
  setHandler(
    msg.releaseLegalHoldUpdate,
    () => {
      // The validator checked that this is the case that holds.
      const { caseId, placedAtMs } = s.legalHold!;
      s = releaseHold(s, caseId, Date.now());
      forwardHold(deletionSlot, false);
      return { caseId, heldSinceMs: placedAtMs, resumedDeletions: s.deletions.length };
    },
    { validator: (release) => checkReleaseHold(s, release) },
  );
  setHandler(
    msg.retryAppUpdate,
    ({ app, requestedBy }) => {
      const account = s.accounts[app.trim()]!;
      s = requestRetry(s, account.app, Date.now(), requestedBy);
      const lastError = account.lastError && { type: account.lastError.type, message: account.lastError.message };
      return { app: account.app, lifecycle: account.failedLifecycle!, lastError, queued: s.retries.length };
    },
    { validator: (retry) => checkRetry(s, retry) },
  );
  // An account asked for by reconciliation (`missing`): checked against the state, then against
  // the policy (an activity reads it), then queued for the main loop's joiner step. Only histories
  // that hold this Update take the new path, so running histories replay unchanged without a patch.
  setHandler(
    msg.ensureAccountUpdate,
    async ({ app, requestedBy, reason }) => {
      const name = app.trim();
      let granted: string[];
      try {
        granted = (await planning.planLifecycle({ employee: s.snapshot! })).grants.map((g) => g.app);
      } catch (err) {
        if (isCancellation(err)) throw err;
        throw ApplicationFailure.create({
          type: 'PlanningFailed',
          message: `the access policy could not be read (${toStepError(err).message}); nothing requested`,
          nonRetryable: true,
        });
      }
      // The state may have moved on while the policy was read (a termination arrived): check again.
      checkEnsureAccount(s, { app: name }, Date.now(), limits);
      if (!granted.includes(name)) {
        const list = granted.length > 0 ? `it grants ${[...granted].sort().join(', ')}` : 'it grants no app';
        throw ApplicationFailure.create({
          type: OPERATOR_ACTION_REJECTED,
          message: `${name} is not in ${s.employeeId}'s access: the policy does not grant it (${list}); no account is created`,
          nonRetryable: true,
        });
      }
      const queued = requestEnsure(s, name, Date.now(), { requestedBy, reason });
      s = queued.state;
      const { requestId, requestedAtMs } = queued.request;
      return { app: name, requestId, requestedAtMs, queued: s.ensures!.length };
    },
    { validator: (request) => checkEnsureAccount(s, request, Date.now(), limits) },
  );
  // The same actions as signals, as histories recorded before they were Updates hold them.
  setHandler(msg.placeLegalHoldSignal, (hold) => {
    s = placeHold(s, hold, Date.now());
    forwardHold(deletionSlot, true);
  });
  setHandler(msg.releaseLegalHoldSignal, ({ caseId }) => {
    const before = s;
    s = releaseHold(s, caseId, Date.now());
    if (s !== before) forwardHold(deletionSlot, false);
  });
  setHandler(msg.retryAppSignal, ({ app, requestedBy }) => {
    s = requestRetry(s, app, Date.now(), requestedBy);
  });
  setHandler(msg.guardHeldSignal, ({ state, ...held }) => {
    heldByGuard = heldByGuard.filter((h) => !(h.app === held.app && h.eventId === held.eventId));
    if (state === 'held') heldByGuard = [...heldByGuard, held];
  });
  setHandler(msg.statusQuery, () => describeStatus(s, stage, currentEventId, heldByGuard));
  setHandler(msg.timelineQuery, () => s.timeline);
  upsertSearchAttributes([{ key: EMPLOYEE_ID, value: s.employeeId }]);

  // ------------------------------------------------------------ evidence and alerts, beside the main loop

  /** The person's display fields for the store's people directory (the console lists people by name). */
  const person = () =>
    s.snapshot && {
      displayName: displayNameOf(s.snapshot),
      department: s.snapshot.department,
      status: s.snapshot.status,
      asOfMs: Date.now(),
    };

  /** Old path only: the hand-off every run used to wait for (unlimited retries). */
  async function flushAuditAwaited(): Promise<void> {
    const batch = unauditedTimeline(s);
    if (batch.length === 0) return;
    const { workflowId, runId } = workflowInfo();
    const upTo = s.timelineSeq;
    await auditing.recordMilestones({
      employeeId: s.employeeId,
      workflowId,
      runId,
      entries: batch.map(({ seq, entry }) => ({ key: milestoneKey(workflowId, seq, entry), entry })),
      person: person(),
    });
    s = { ...s, auditedSeq: Math.max(s.auditedSeq, upTo) };
  }

  /**
   * Hands new milestones to the audit store after the fact, in bounded rounds. A failing store
   * is recorded, alerted once per streak, shown in `status` and retried on a back-off; keys
   * (workflow id + sequence) make every retry idempotent.
   */
  async function auditPump(): Promise<never> {
    for (;;) {
      const retryAt = s.audit.nextAttemptAtMs;
      if (retryAt !== undefined && retryAt > Date.now()) await sleep(retryAt - Date.now());
      await condition(() => s.timelineSeq > s.auditedSeq);
      if (auditBetweenEvents && working) await condition(() => !working, AUDIT_ROUND_LINGER_MS);
      const batch = unauditedTimeline(s);
      const upTo = s.timelineSeq;
      const lost = upTo - s.auditedSeq - batch.length;
      const { workflowId, runId } = workflowInfo();
      try {
        await auditRound.recordMilestones({
          employeeId: s.employeeId,
          workflowId,
          runId,
          entries: batch.map(({ seq, entry }) => ({ key: milestoneKey(workflowId, seq, entry), entry })),
          person: person(),
        });
        s = auditSucceeded(s, upTo, Date.now());
        if (lost > 0) {
          note({
            kind: 'audit-failed',
            detail: `${lost} milestones left workflow state before the audit store took them; the workflow history still holds them`,
          });
        }
      } catch (err) {
        if (isCancellation(err)) throw err;
        const failed = auditFailed(s, toStepError(err).message, Date.now());
        s = failed.state;
        if (failed.startedFailing) {
          await alert({
            kind: 'audit-failed',
            message: `audit store rejects milestones for ${s.employeeId}: ${s.audit.lastError}`,
          });
        }
      }
    }
  }

  /** Delivers queued alerts; a failed round is recorded and retried later, never blocking anything. */
  async function alertPump(): Promise<never> {
    for (;;) {
      const next = nextAlertAtMs(s);
      if (next === undefined) {
        await condition(() => s.outbox.length > 0);
        continue;
      }
      if (next > Date.now()) {
        await condition(() => (nextAlertAtMs(s) ?? Infinity) < next, next - Date.now());
        continue;
      }
      const item = dueAlert(s, Date.now())!;
      try {
        await alerts.sendAlert(item.alert);
        s = alertDelivered(s, item);
      } catch (err) {
        if (isCancellation(err)) throw err;
        s = alertFailed(s, item, toStepError(err).message, Date.now());
      }
    }
  }

  /** Queues an alert (new path) or sends it inline, never letting its failure escape (old path). */
  function alert(a: Omit<AlertInput, 'employeeId' | 'workflowId' | 'atMs'> & Partial<AlertInput>): Promise<void> {
    const full: AlertInput = {
      employeeId: s.employeeId,
      workflowId: workflowInfo().workflowId,
      atMs: Date.now(),
      ...a,
    };
    if (revocationFirst) {
      s = enqueueAlert(s, full, Date.now());
      return Promise.resolve();
    }
    return alerts.sendAlert(full).catch((err: unknown) => {
      if (isCancellation(err)) throw err;
      note({
        kind: 'alert-failed',
        eventId: full.eventId,
        app: full.app,
        detail: `${full.kind} alert not delivered (${toStepError(err).message}): ${full.message}`,
      });
    });
  }

  if (revocationFirst) {
    void auditPump();
    void alertPump();
  }

  // ------------------------------------------------------------ lifecycle runs

  /**
   * Runs one child to completion and folds its result in; a failure marks apps for an operator.
   * `worksOn` (joiner, re-hire, mover: the record it provisions for) makes the run preemptible:
   * a termination that arrives meanwhile cuts it short, so the leaver does not wait behind it.
   */
  async function runLifecycle(
    kind: LifecycleKind,
    eventId: string,
    apps: string[],
    start: () => Promise<LifecycleResult>,
    worksOn?: EmployeeRecord,
    preemptWhen: () => string | undefined = () => waitingTermination(s, Date.now(), limits),
  ) {
    stage = kind;
    currentEventId = eventId;
    note({ kind: 'lifecycle-started', eventId, lifecycle: kind });
    if (!revocationFirst) await flushAuditAwaited();
    const scope = new CancellationScope();
    let finished = false;
    let preemptedBy: string | undefined;
    if (preemptForTermination && worksOn) {
      void condition(() => finished || preemptWhen() !== undefined).then(() => {
        if (finished) return;
        preemptedBy = preemptWhen();
        scope.cancel();
      });
    }
    try {
      const result = await scope.run(start);
      s = appendTimeline(applyResult(s, result, { settleRevocations }), result.timeline);
      if (kind === 'leaver' && (result.recheckAfterMs ?? 0) > 0 && took(LEAVER_RECHECK_PATCH)) {
        s = scheduleRechecks(s, result, result.recheckAfterMs!, Date.now());
      }
      const failed = result.outcomes.filter((o) => o.action === 'failed');
      const sla =
        result.slaDeadlineMs > 0 ? { slaDeadlineMs: result.slaDeadlineMs, slaBreached: result.slaBreached } : {};
      note({
        kind: 'lifecycle-completed',
        eventId,
        lifecycle: kind,
        detail: `${result.outcomes.length - failed.length} ok, ${failed.length} failed`,
        ...sla,
      });
      for (const undelivered of result.undeliveredAlerts ?? []) await alert(undelivered);
      // What the run could only do partly (a leaver without its policy schedules no deletion).
      for (const t of result.timeline.filter((e) => e.kind === 'operator-attention')) {
        const reason = `${kind} ${eventId}: ${t.detail ?? 'needs an operator'}`;
        s = needOperator(s, { atMs: t.atMs, reason, eventId, lifecycle: kind });
        await alert({ kind: 'lifecycle-failed', lifecycle: kind, eventId, message: reason });
      }
      for (const f of failed) {
        await alert({
          kind: 'app-failed',
          lifecycle: kind,
          eventId,
          app: f.app,
          message: `${kind} step failed in ${f.app}: ${f.error?.type} ${f.error?.message}`,
        });
      }
      await unconfirmedGroupRemovals(kind, eventId, result);
    } catch (err) {
      if (isCancellation(err) && preemptedBy && worksOn) {
        await preempted(kind, eventId, apps, preemptedBy, worksOn);
        return;
      }
      if (isCancellation(err)) throw err;
      // The child failed as a whole (e.g. planning): mark its apps for an operator's retryApp.
      const error = { ...toStepError(err), type: 'LifecycleFailed', nonRetryable: true };
      s = markRunFailed(s, { kind, eventId, apps, error, atMs: Date.now() });
      note({ kind: 'lifecycle-failed', eventId, lifecycle: kind, detail: error.message });
      await alert({
        kind: revocationFirst ? 'lifecycle-failed' : 'app-failed',
        lifecycle: kind,
        eventId,
        message: `${kind} run failed as a whole: ${error.message}`,
      });
    } finally {
      finished = true;
      heldByGuard = heldByGuard.filter((h) => h.eventId !== eventId);
      stage = 'idle';
      currentEventId = undefined;
    }
  }

  /**
   * Memberships a leaver (or a mover's deferred revocation) could not remove, or the app would
   * not confirm removed: the account is deactivated, but the app still lists the person in
   * those groups. An operator must see that, not only the timeline.
   */
  async function unconfirmedGroupRemovals(kind: LifecycleKind, eventId: string, result: LifecycleResult) {
    if (kind !== 'leaver' && kind !== 'revocation') return;
    for (const outcome of result.outcomes) {
      const kept = (outcome.groupRemovals ?? []).filter((r) => !r.removed);
      // Checked only when there is something to report, so runs without it record no marker.
      if (kept.length === 0 || !took(GROUP_REMOVAL_ALERT_PATCH)) continue;
      const groups = kept.map((r) => `${r.group} (${r.error?.type ?? 'not confirmed'})`).join(', ');
      const reason = `${kind} ${eventId}: ${outcome.app} still lists ${s.employeeId} in ${groups}; the account is deactivated — remove the memberships in the app or run jml reconcile --apply`;
      s = needOperator(s, {
        atMs: Date.now(),
        reason,
        eventId,
        lifecycle: kind,
        app: outcome.app,
        kind: 'groups-not-removed',
      });
      await alert({ kind: 'groups-not-removed', lifecycle: kind, eventId, app: outcome.app, message: reason });
    }
  }

  /** After a run was cut short: every app it may have touched is marked, for the leaver to look up. */
  async function preempted(
    kind: LifecycleKind,
    eventId: string,
    apps: string[],
    byEventId: string,
    worksOn: EmployeeRecord,
  ) {
    let grants: { app: string; groups: string[] }[] = [];
    try {
      grants = (await planning.planLifecycle({ employee: worksOn })).grants;
    } catch (err) {
      if (isCancellation(err)) throw err;
      s = needOperator(s, {
        atMs: Date.now(),
        eventId,
        lifecycle: kind,
        reason: `${kind} cut short by termination ${byEventId}; its apps could not be planned (${toStepError(err).message}): check every app`,
      });
    }
    // Its groups too: a create that landed may have added them, and the leaver removes what it knows of.
    const plannedGroups = Object.fromEntries(grants.map((g) => [g.app, g.groups]));
    const all = [...new Set([...apps, ...grants.map((g) => g.app)])].sort();
    s = markPreempted(s, { kind, eventId, apps: all, byEventId, atMs: Date.now(), plannedGroups });
  }

  async function applyEvent(item: InboxItem, plan?: LifecyclePlan): Promise<void> {
    const { event, receivedAtMs } = item;
    const snapshot = snapshotOf(event);
    const previous = s.snapshot;
    const transition = classifyTransition(previous, snapshot, s.everProvisioned);
    s = applySnapshot(s, snapshot);
    // SLAs count from the effective time, but never from before HR told us (back-dated events).
    const effectiveAtMs = Math.max(Date.parse(event.effectiveAt), receivedAtMs);
    if (transition === 'none') {
      // HR says "no access" and apps still grant it (a repeated termination, a leaver whose apps failed).
      const revoke = revocationFirst ? appsToRevoke(s) : [];
      if (revoke.length === 0)
        return note({ kind: 'lifecycle-completed', eventId: event.eventId, detail: 'no access change' });
      return revokeLive(event.eventId, revoke, effectiveAtMs, '');
    }
    if (transition === 'rehire') s = cancelScheduledRemovals(s, Date.now(), event.eventId);
    const kind = lifecycleFor(transition) as Exclude<LifecycleKind, 'deletion'>;
    const planned = plan ? { plan } : {};
    // A termination inferred from a roster: its deactivations wait for the mass-change guard.
    const inferredFrom = kind === 'leaver' ? (event as msg.HrEventDelivery).inferredFrom : undefined;
    const lifecycleInput = {
      employee: snapshot,
      previous,
      eventId: event.eventId,
      effectiveAtMs,
      accounts: s.accounts,
      ...planned,
      ...(inferredFrom ? { inferredFrom: { rosterId: String(inferredFrom.rosterId) } } : {}),
    };
    if (inferredFrom) {
      // While it waits, anything HR sends cuts it short (HR's word never waits behind a hold).
      return runLifecycle(
        kind,
        event.eventId,
        Object.keys(s.accounts),
        () => runLifecycleChild(kind, lifecycleInput),
        snapshot,
        () => supersedesInferred(s, Date.now(), limits),
      );
    }
    await runLifecycle(
      kind,
      event.eventId,
      Object.keys(s.accounts),
      () => runLifecycleChild(kind, lifecycleInput),
      kind === 'leaver' ? undefined : snapshot,
    );
  }

  /** A leaver run limited to the apps still live (`suffix` keeps the child's id unique for a repeated event id). */
  async function revokeLive(eventId: string, apps: string[], effectiveAtMs: number, suffix: string): Promise<void> {
    const lifecycleInput = { employee: s.snapshot!, eventId, effectiveAtMs, accounts: s.accounts, onlyApps: apps };
    await runLifecycle('leaver', eventId, apps, () => runLifecycleChild('leaver', lifecycleInput, suffix));
  }

  /**
   * An event that will not be applied. A termination among them is never silent: it is noted,
   * alerted, and — while HR's latest applied word is "no access" — still deactivates what is live.
   */
  async function reject(
    item: InboxItem,
    verdict: Exclude<EventVerdict['verdict'], 'accepted'>,
    reason: string,
  ): Promise<void> {
    const { event } = item;
    const kind = verdict === 'duplicate' ? 'event-duplicate' : verdict === 'stale' ? 'event-stale' : 'event-invalid';
    const eventType = event?.type ?? (isTermination(event) ? 'terminate' : 'snapshot');
    note({ kind, eventId: event?.eventId, detail: reason, eventType });
    if (!revocationFirst) return;
    s = recordVerdict(s, { eventId: String(event?.eventId), type: eventType, verdict, reason, atMs: Date.now() });
    if (!event?.employee || !isTermination(event)) return;
    const revoke = verdict === 'invalid' ? [] : appsToRevoke(s);
    const scheduled = s.pending.find((p) => p.event.eventId === event.eventId);
    const action =
      revoke.length > 0
        ? `deactivating what is still live: ${revoke.join(', ')}`
        : verdict === 'invalid'
          ? 'not applied; fix the event in HR and send it again'
          : scheduled
            ? `already scheduled for ${new Date(scheduled.dueAtMs).toISOString()}`
            : verdict === 'duplicate'
              ? 'already applied; nothing live to deactivate'
              : s.snapshot && !['terminated', 'pending'].includes(s.snapshot.status)
                ? `not applied: HR's newer record says ${s.snapshot.status}; check with HR`
                : 'nothing live to deactivate';
    const message = `termination ${event.eventId} for ${s.employeeId} judged ${verdict} (${reason}); ${action}`;
    await alert({ kind: 'event-rejected', eventId: event.eventId, message });
    // Someone has to look when a termination was not applied and nothing else will apply it.
    if (action.startsWith('not applied'))
      s = needOperator(s, { atMs: Date.now(), reason: message, eventId: event.eventId });
    if (revoke.length > 0)
      await revokeLive(event.eventId, revoke, Math.max(item.receivedAtMs, Date.now()), `-again${s.timelineSeq}`);
  }

  async function admitInbox(): Promise<void> {
    for (;;) {
      const taken = takeInbox(s);
      if (!taken.item) return;
      s = taken.state;
      const item = taken.item;
      const { event } = item;
      const invalid = revocationFirst ? invalidReason(event, s.employeeId) : undefined;
      if (invalid) {
        await reject(item, 'invalid', invalid);
        continue;
      }
      const now = Date.now();
      const verdict = revocationFirst
        ? admitEvent(event, new Set(s.seenEventIds), s.lastVersion, now, limits)
        : admitEvent(event, new Set(s.seenEventIds), s.lastVersion);
      if (verdict.verdict !== 'accept') {
        await reject(item, verdict.verdict, verdict.reason);
        continue;
      }
      let mark = eventVersion(event);
      if (revocationFirst) {
        const stored = s.lastVersion && plausibleVersion(s.lastVersion, now, undefined, limits).version;
        mark = nextHighWater(stored, plausibleVersion(mark, now, stored, limits).version) ?? {};
      }
      s = rememberAccepted(s, rememberEventId(s.seenEventIds, event.eventId), mark);
      if (revocationFirst) {
        s = recordVerdict(s, {
          eventId: event.eventId,
          type: event.type ?? 'snapshot',
          verdict: 'accepted',
          reason: verdict.note,
          atMs: now,
        });
      }
      note({
        kind: 'event-received',
        eventId: event.eventId,
        detail: [`${event.type ?? 'snapshot'} effective ${event.effectiveAt}`, verdict.note].filter(Boolean).join('; '),
        eventType: event.type ?? 'snapshot',
        effectiveAtMs: Date.parse(event.effectiveAt),
        ...(event.initiator === undefined ? {} : { initiator: event.initiator }),
      });
      if (event.type === 'cancel') {
        const { pending, cancelled } = cancelPending(s.pending, event.cancelsEventId!);
        s = setPending(s, pending);
        note({
          kind: 'event-cancelled',
          eventId: event.cancelsEventId,
          detail: cancelled ? `withdrawn by ${event.eventId}` : 'nothing pending with that id',
        });
        continue;
      }
      const planned = await joinerLeadTime(event);
      const dueAtMs = dueTime(event, planned.leadTimeMs);
      if (dueAtMs <= Date.now()) {
        await applyEvent(item, planned.plan);
        continue;
      }
      const { pending, replaced } = addPending(s.pending, { event, dueAtMs, receivedAtMs: item.receivedAtMs });
      s = setPending(s, pending);
      for (const r of replaced)
        note({ kind: 'event-cancelled', eventId: r.event.eventId, detail: `superseded by ${event.eventId}` });
      note({ kind: 'event-scheduled', eventId: event.eventId, detail: `due ${new Date(dueAtMs).toISOString()}` });
    }
  }

  /**
   * The policy's joiner lead time, and the plan it came from (handed to the child when the event
   * applies now). Only activations have a lead time; unreadable config must not stop an event
   * (it then applies when effective).
   */
  async function joinerLeadTime(event: HrEvent): Promise<{ leadTimeMs: number; plan?: LifecyclePlan }> {
    if (planOnce && event.type !== 'hire' && event.type !== 'rehire') return { leadTimeMs: 0 };
    const planned = async () => {
      const plan = await planning.planLifecycle({ employee: snapshotOf(event) });
      return { leadTimeMs: plan.joinerLeadTimeMs, plan: planOnce ? plan : undefined };
    };
    if (!revocationFirst) return planned();
    try {
      return await planned();
    } catch (err) {
      if (isCancellation(err)) throw err;
      const detail = `planning failed (${toStepError(err).message}); no joiner lead time applied`;
      note({ kind: 'operator-attention', eventId: event.eventId, detail });
      s = needOperator(s, { atMs: Date.now(), reason: `event ${event.eventId}: ${detail}`, eventId: event.eventId });
      return { leadTimeMs: 0 };
    }
  }

  async function runRevocations(): Promise<void> {
    if (!s.snapshot) return;
    const taken = takeDueRevocations(s, Date.now());
    if (taken.due.length === 0) return;
    s = taken.state;
    const now = Date.now();
    const employee = s.snapshot!;
    for (const [eventId, apps] of groupBy(taken.due, (r) => r.eventId)) {
      const onlyApps = apps.map((r) => r.app);
      const lifecycleInput = { employee, eventId, effectiveAtMs: now, accounts: s.accounts, onlyApps };
      await runLifecycle('revocation', eventId, onlyApps, () => runLifecycleChild('revocation', lifecycleInput));
    }
  }

  /**
   * A leaver's recheck: every app it deactivated is searched again for the person, and what is
   * active (a create applied after the client gave up on it, an admin's re-enable) is
   * deactivated and alerted. Runs in the main loop, so no re-hire overlaps it; only while HR's
   * latest word is still "no access".
   */
  async function runRechecks(): Promise<void> {
    if (s.rechecks.length === 0 || !s.snapshot) return;
    const taken = takeDueRechecks(s, Date.now());
    if (taken.due.length === 0) return;
    s = taken.state;
    const employee = s.snapshot!;
    if (holdsAccess(employee.status)) return;
    await Promise.all(
      taken.due.map(async ({ app, eventId }) => {
        const account = s.accounts[app];
        const ref = {
          app,
          employeeId: s.employeeId,
          scimId: account?.scimId,
          eventId,
          employee,
          // Memberships the leaver could not remove (a 429 storm, an app that would not confirm):
          // tried again now that the account has long been inactive.
          ...(account?.groups.length ? { groups: account.groups, groupIds: account.groupIds } : {}),
        };
        try {
          const outcome = await rechecking.recheckDeactivated.executeWithOptions(
            { ...RECHECK, summary: `recheck ${app}` },
            [ref],
          );
          note({ kind: 'leaver-rechecked', eventId, app, lifecycle: 'leaver', detail: outcome.note });
          s = applyRecheckRemovals(s, outcome, eventId);
          const found = outcome.recheck?.foundActive ?? [];
          if (found.length === 0) return;
          const message = `${s.employeeId} was active again in ${app} after termination ${eventId} (account ${found.join(', ')}): deactivated now; find out how it came back`;
          s = needOperator(s, { atMs: Date.now(), reason: message, eventId, lifecycle: 'leaver', app });
          await alert({ kind: 'active-leaver', lifecycle: 'leaver', eventId, app, message });
        } catch (err) {
          if (isCancellation(err)) throw err;
          const message = `recheck of ${app} after termination ${eventId} failed (${toStepError(err).message}); reconciliation will look again`;
          note({ kind: 'leaver-rechecked', eventId, app, lifecycle: 'leaver', detail: message });
          s = needOperator(s, { atMs: Date.now(), reason: message, eventId, lifecycle: 'leaver', app });
          await alert({ kind: 'app-failed', lifecycle: 'leaver', eventId, app, message });
        }
      }),
    );
  }

  async function runDeletions(): Promise<void> {
    if (!s.snapshot) return;
    const taken = takeDueDeletions(s, Date.now());
    if (taken.due.length === 0) return;
    s = taken.state;
    const employee = s.snapshot!;
    const batches = [...groupBy(taken.due, (d) => d.eventId)];
    for (const [i, [eventId, batch]] of batches.entries()) {
      const apps = batch.map((d) => d.app);
      // While the mass-change guard holds a deletion, a new HR event (a re-hire cancels deletions)
      // must not wait behind it: the run is cut short and its deletions scheduled again.
      const scope = new CancellationScope();
      let done = false;
      let interruptedBy: string | undefined;
      const heldHere = () => heldByGuard.some((h) => h.eventId === eventId && h.action === 'delete');
      void condition(() => done || (s.inbox.length > 0 && heldHere())).then(() => {
        if (done) return;
        interruptedBy = String(s.inbox[0]?.event?.eventId);
        scope.cancel();
      });
      try {
        await scope.run(() =>
          runLifecycle('deletion', eventId, apps, () =>
            runDeletionChild(employee, eventId, batch, s.accounts, deletionSlot),
          ),
        );
      } catch (err) {
        if (!isCancellation(err) || interruptedBy === undefined) throw err;
        const rest = batches.slice(i).flatMap(([, b]) => b);
        for (const d of rest) s = scheduleDeletion(s, d);
        for (const d of batch)
          note({
            kind: 'deletion-scheduled',
            eventId,
            app: d.app,
            detail: `held by the mass-change guard; event ${interruptedBy} came first, so the deletion waits again`,
          });
        return;
      } finally {
        done = true;
      }
    }
  }

  async function runRetries(): Promise<void> {
    while (s.retries.length > 0 && s.snapshot) {
      const employee = s.snapshot;
      const taken = takeRetry(s);
      s = taken.state;
      const app = taken.app!;
      const account = s.accounts[app];
      const kind = account?.failedLifecycle;
      if (account?.state !== 'failed' || !kind) {
        note({ kind: 'retry-requested', app, detail: 'nothing to retry: the app has no failed step' });
        continue;
      }
      const eventId = (revocationFirst ? s.lastEventByApp[app] : lastEventIdFor(s.timeline, app)) ?? 'retry';
      if (kind === 'deletion') {
        s = scheduleDeletion(s, { app, deleteAtMs: Date.now(), reversible: false, eventId });
        continue;
      }
      const attempt = revocationFirst
        ? (s.retryAttempts[app] ?? 1)
        : s.timeline.filter((t) => t.kind === 'retry-requested' && t.app === app).length;
      const lifecycleInput = {
        employee,
        previous: employee,
        eventId,
        effectiveAtMs: Date.now(),
        accounts: s.accounts,
        onlyApps: [app],
      };
      const preemptible = kind === 'joiner' || kind === 'rehire' || kind === 'mover' ? employee : undefined;
      await runLifecycle(
        kind,
        eventId,
        [app],
        () => runLifecycleChild(kind, lifecycleInput, `-retry${attempt}`),
        preemptible,
      );
    }
  }

  /**
   * Requested accounts, one at a time: the normal joiner step for that app alone. It is given the
   * registry without that app, so the step provisions — checks the id the registry knew, looks the
   * person up by externalId, adopts an account that exists meanwhile and creates only when none
   * does — instead of reactivating an id that is gone. A termination meanwhile cuts it short.
   */
  async function runEnsures(): Promise<void> {
    while ((s.ensures ?? []).length > 0 && s.snapshot) {
      const taken = takeEnsure(s);
      s = taken.state;
      const { app, requestId } = taken.request!;
      const employee = s.snapshot!;
      if (employee.status !== 'active' || s.pending.some((p) => isTermination(p.event))) {
        note({
          kind: 'account-requested',
          eventId: requestId,
          app,
          detail: `dropped before it ran: HR says ${employee.status}${employee.status === 'active' ? ' and a termination is scheduled' : ''}`,
        });
        continue;
      }
      const { [app]: _registered, ...accounts } = s.accounts;
      const lifecycleInput = { employee, eventId: requestId, effectiveAtMs: Date.now(), accounts, onlyApps: [app] };
      await runLifecycle('joiner', requestId, [app], () => runLifecycleChild('joiner', lifecycleInput), employee);
    }
  }

  for (;;) {
    const wakeAt = nextWakeUpMs(s);
    const hasWork = () =>
      s.inbox.length > 0 ||
      s.retries.length > 0 ||
      (s.ensures ?? []).length > 0 ||
      (!revocationFirst && s.timelineSeq > s.auditedSeq) ||
      (!s.legalHold && s.deletions.some((d) => d.deleteAtMs <= Date.now()));
    working = false;
    if (wakeAt === undefined) await condition(hasWork);
    else await condition(hasWork, Math.max(1, wakeAt - Date.now()));
    working = true;

    await admitInbox();
    const { due, rest } = takeDue(s.pending, Date.now());
    s = setPending(s, rest);
    for (const p of due) await applyEvent({ event: p.event, receivedAtMs: p.receivedAtMs ?? p.dueAtMs });
    await runRevocations();
    await runRechecks();
    await runDeletions();
    await runRetries();
    await runEnsures();
    if (!revocationFirst) await flushAuditAwaited();

    const info = workflowInfo();
    if (s.inbox.length === 0 && (info.continueAsNewSuggested || info.historyLength > HISTORY_EVENTS_BEFORE_CONTINUE)) {
      // An account request still reading the policy is answered first (it resolves at once when none is).
      await condition(allHandlersFinished);
      await continueAsNew<typeof employeeWorkflow>({ employeeId: s.employeeId, state: s, ordering: input.ordering });
    }
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** Old path only: the event behind an app's last step, read back from the (capped) timeline. */
function lastEventIdFor(timeline: TimelineEntry[], app: string): string | undefined {
  return [...timeline].reverse().find((t) => t.app === app && t.eventId !== undefined)?.eventId;
}
