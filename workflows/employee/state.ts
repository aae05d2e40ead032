/**
 * The employee workflow's state and every change to it, as pure reducers: the workflow never
 * mutates state in place, it replaces it (`s = reducer(s, …)`). Kept out of the workflow file
 * so it is unit-tested directly and survives continue-as-new as plain JSON.
 *
 * What the workflow decides on (when an SLA starts, which event an app's last step belongs to,
 * the retry attempt that names a child run) lives in dedicated fields. The timeline is for
 * display and the audit hand-off only: it is capped, and anything read back from it would
 * silently change once old entries drop out.
 */
import type { EmployeeRecord } from '../../lib/hr/employee';
import type { HrEvent } from '../../lib/hr/event';
import type { EventVersion } from './ordering';
import type { PendingEvent } from './pending';
import type {
  AlertInput,
  AppAccount,
  AppOutcome,
  LifecycleKind,
  LifecycleResult,
  ScheduledDeletion,
  StepError,
  TimelineEntry,
} from '../../lib/lifecycle/types';
import type { AuditHealth, EventVerdict, OperatorAttention } from '../../lib/temporal/contract';
import { groupTimeline } from '../timeline';

export interface LegalHoldState {
  caseId: string;
  reason?: string;
  placedBy?: string;
  placedAtMs: number;
}

/** A received HR event waiting to be admitted; the receipt time is where SLAs may start. */
export interface InboxItem {
  event: HrEvent;
  receivedAtMs: number;
}

/** An alert waiting for (another) delivery attempt. */
export interface OutboxAlert {
  alert: AlertInput;
  /** Delivery rounds tried so far (each round is one activity with its own retries). */
  attempts: number;
  nextAttemptAtMs: number;
  lastError?: string;
}

export interface AuditProgress {
  failingSinceMs?: number;
  lastError?: string;
  /** Consecutive failed rounds: sets the back-off. */
  failedRounds: number;
  nextAttemptAtMs?: number;
}

export interface EmployeeState {
  employeeId: string;
  /** Last applied HR snapshot. */
  snapshot?: EmployeeRecord;
  /** Version of the last accepted event (staleness check); only plausible values get here. */
  lastVersion?: EventVersion;
  seenEventIds: string[];
  /** Some app account was ever created or adopted: distinguishes re-hire from first hire. */
  everProvisioned: boolean;
  accounts: Record<string, AppAccount>;
  /** Received signals not yet processed (carried across continue-as-new). */
  inbox: InboxItem[];
  pending: PendingEvent[];
  deletions: ScheduledDeletion[];
  revocations: { app: string; revokeAtMs: number; eventId: string }[];
  /** After a leaver: when to look for each app's account again (a late create, a re-enable). */
  rechecks: ScheduledRecheck[];
  legalHold?: LegalHoldState;
  /** Apps an operator asked to retry. */
  retries: string[];
  /** The event behind each app's last lifecycle step (a retry re-runs it under that id). */
  lastEventByApp: Record<string, string>;
  /** Operator retries requested per app: names the retry's child run (`-retry<n>`). */
  retryAttempts: Record<string, number>;
  /** The newest events received and their verdicts (bounded), for `status`. */
  recentEvents: EventVerdict[];
  /** What needs an operator (bounded). */
  attention: OperatorAttention[];
  /** Alerts not delivered yet. */
  outbox: OutboxAlert[];
  audit: AuditProgress;
  /** Newest milestones (bounded); the audit store keeps them all. */
  timeline: TimelineEntry[];
  /** Milestones ever appended: the sequence number that keys each one in the audit trail. */
  timelineSeq: number;
  /** Milestones already handed to the audit store. */
  auditedSeq: number;
  /** Account requests (`ensureAccount`) not run yet; absent in state from before they existed. */
  ensures?: EnsureRequest[];
  /** Account requests ever accepted: numbers each one's request id. */
  ensureSeq?: number;
}

/** Keeps the newest entries in workflow state; the audit store (not state) is the long-term record. */
export const TIMELINE_LIMIT = 1000;
export const RECENT_EVENTS_LIMIT = 50;
export const ATTENTION_LIMIT = 50;
export const OUTBOX_LIMIT = 100;
/** Delivery rounds per alert before it is given up (and that is recorded). ~1 day with the back-off. */
export const ALERT_MAX_ROUNDS = 12;

export interface ScheduledRecheck {
  app: string;
  dueAtMs: number;
  /** The termination it follows. */
  eventId: string;
}

export function initialState(employeeId: string): EmployeeState {
  return {
    employeeId,
    seenEventIds: [],
    everProvisioned: false,
    accounts: {},
    inbox: [],
    pending: [],
    deletions: [],
    revocations: [],
    rechecks: [],
    retries: [],
    lastEventByApp: {},
    retryAttempts: {},
    recentEvents: [],
    attention: [],
    outbox: [],
    audit: { failedRounds: 0 },
    timeline: [],
    timelineSeq: 0,
    auditedSeq: 0,
  };
}

type LegacyState = Omit<
  EmployeeState,
  'inbox' | 'lastEventByApp' | 'retryAttempts' | 'recentEvents' | 'attention' | 'outbox' | 'audit' | 'rechecks'
> &
  Partial<
    Pick<
      EmployeeState,
      'lastEventByApp' | 'retryAttempts' | 'recentEvents' | 'attention' | 'outbox' | 'audit' | 'rechecks'
    >
  > & {
    inbox: (InboxItem | HrEvent)[];
  };

/**
 * State carried over continue-as-new by an older build lacks the decision fields: derive them
 * once from its timeline (the best record it has), after which only state is read.
 */
export function upgradeState(old: LegacyState, nowMs: number): EmployeeState {
  const lastEventByApp: Record<string, string> = { ...old.lastEventByApp };
  const retryAttempts: Record<string, number> = { ...old.retryAttempts };
  if (!old.lastEventByApp || !old.retryAttempts) {
    for (const t of old.timeline) {
      if (t.app && t.eventId && !old.lastEventByApp) lastEventByApp[t.app] = t.eventId;
      if (t.kind === 'retry-requested' && t.app && !old.retryAttempts)
        retryAttempts[t.app] = (retryAttempts[t.app] ?? 0) + 1;
    }
  }
  const receivedAt = (eventId: string) =>
    old.timeline.find((t) => t.kind === 'event-received' && t.eventId === eventId)?.atMs;
  return {
    ...old,
    inbox: old.inbox.map((i) =>
      'event' in i && 'receivedAtMs' in i ? i : { event: i as HrEvent, receivedAtMs: nowMs },
    ),
    pending: old.pending.map((p) =>
      p.receivedAtMs === undefined ? { ...p, receivedAtMs: receivedAt(p.event.eventId) ?? nowMs } : p,
    ),
    lastEventByApp,
    retryAttempts,
    recentEvents: old.recentEvents ?? [],
    attention: old.attention ?? [],
    outbox: old.outbox ?? [],
    audit: old.audit ?? { failedRounds: 0 },
    rechecks: old.rechecks ?? [],
  };
}

/** The next instant at which the workflow has timed work: a pending event, revocation or deletion. */
export function nextWakeUpMs(state: EmployeeState): number | undefined {
  const times = [
    ...state.pending.map((p) => p.dueAtMs),
    ...state.revocations.map((r) => r.revokeAtMs),
    ...state.rechecks.map((r) => r.dueAtMs),
    // Under legal hold deletions wait for the release signal, not for a timer.
    ...(state.legalHold ? [] : state.deletions.map((d) => d.deleteAtMs)),
  ];
  return times.length === 0 ? undefined : Math.min(...times);
}

// ---------------------------------------------------------------- timeline

/** Appends milestones, bounding what state keeps and counting every one for the audit keys. */
export function appendTimeline(state: EmployeeState, entries: TimelineEntry[]): EmployeeState {
  if (entries.length === 0) return state;
  const all = [...state.timeline, ...entries];
  const timeline = all.length > TIMELINE_LIMIT ? all.slice(all.length - TIMELINE_LIMIT) : all;
  return { ...state, timeline, timelineSeq: state.timelineSeq + entries.length };
}

/** Milestones not yet handed to the audit store, each with its sequence number. */
export function unauditedTimeline(state: EmployeeState): { seq: number; entry: TimelineEntry }[] {
  const count = Math.min(state.timelineSeq - state.auditedSeq, state.timeline.length);
  const first = state.timelineSeq - count;
  return state.timeline.slice(state.timeline.length - count).map((entry, i) => ({ seq: first + i, entry }));
}

// ---------------------------------------------------------------- signals

export function receiveEvent(state: EmployeeState, event: HrEvent, atMs: number): EmployeeState {
  return { ...state, inbox: [...state.inbox, { event, receivedAtMs: atMs }] };
}

/** Takes the oldest received event off the inbox. */
export function takeInbox(state: EmployeeState): { state: EmployeeState; item?: InboxItem } {
  const [item, ...rest] = state.inbox;
  return item ? { state: { ...state, inbox: rest }, item } : { state };
}

export function placeHold(state: EmployeeState, hold: Omit<LegalHoldState, 'placedAtMs'>, atMs: number): EmployeeState {
  const detail = `case ${hold.caseId}${hold.reason ? `: ${hold.reason}` : ''}`;
  const held = appendTimeline(state, [
    { atMs, kind: 'legal-hold-placed', detail },
    ...heldDeletions(state.deletions, hold.caseId, atMs),
  ]);
  return { ...held, legalHold: { ...hold, placedAtMs: atMs } };
}

export function releaseHold(state: EmployeeState, caseId: string, atMs: number): EmployeeState {
  if (state.legalHold?.caseId !== caseId) return state;
  return {
    ...appendTimeline(state, [{ atMs, kind: 'legal-hold-released', detail: `case ${caseId}` }]),
    legalHold: undefined,
  };
}

/** "Why no deletion": each waiting deletion is noted as held, on the termination it belongs to. */
function heldDeletions(deletions: ScheduledDeletion[], caseId: string, atMs: number): TimelineEntry[] {
  return deletions.map((d) => ({
    atMs,
    kind: 'deletion-held',
    eventId: d.eventId,
    app: d.app,
    detail: `held: case ${caseId}`,
  }));
}

export function requestRetry(state: EmployeeState, app: string, atMs: number, requestedBy?: string): EmployeeState {
  const next = appendTimeline(state, [
    { atMs, kind: 'retry-requested', app, detail: requestedBy ? `by ${requestedBy}` : undefined },
  ]);
  return {
    ...next,
    retries: [...state.retries, app],
    retryAttempts: { ...state.retryAttempts, [app]: (state.retryAttempts[app] ?? 0) + 1 },
  };
}

/** Takes the oldest requested retry off the queue. */
export function takeRetry(state: EmployeeState): { state: EmployeeState; app?: string } {
  const [app, ...rest] = state.retries;
  return app === undefined ? { state } : { state: { ...state, retries: rest }, app };
}

// ---------------------------------------------------------------- events

/** Records what became of an event (bounded, newest last). */
export function recordVerdict(state: EmployeeState, verdict: EventVerdict): EmployeeState {
  const recent = [...state.recentEvents, verdict];
  return { ...state, recentEvents: recent.slice(Math.max(0, recent.length - RECENT_EVENTS_LIMIT)) };
}

export function rememberAccepted(
  state: EmployeeState,
  seenEventIds: string[],
  lastVersion: EventVersion | undefined,
): EmployeeState {
  return { ...state, seenEventIds, lastVersion };
}

export function applySnapshot(state: EmployeeState, snapshot: EmployeeRecord): EmployeeState {
  return { ...state, snapshot };
}

export function setPending(state: EmployeeState, pending: PendingEvent[]): EmployeeState {
  return { ...state, pending };
}

/** Marks something for an operator (bounded, newest last). */
export function needOperator(state: EmployeeState, item: OperatorAttention): EmployeeState {
  const list = [...state.attention, item];
  return { ...state, attention: list.slice(Math.max(0, list.length - ATTENTION_LIMIT)) };
}

// ---------------------------------------------------------------- lifecycle results

const ACTIVE_ACTIONS = new Set(['created', 'adopted', 'reactivated', 'updated', 'unchanged']);

/**
 * Folds a lifecycle run's per-app outcomes into the account registry and schedules. A failed
 * step keeps the last known SCIM id and remembers which lifecycle to re-run on `retryApp`.
 */
export function applyResult(
  state: EmployeeState,
  result: LifecycleResult,
  options: { settleRevocations?: boolean } = {},
): EmployeeState {
  const accounts = { ...state.accounts };
  const lastEventByApp = { ...state.lastEventByApp };
  let everProvisioned = state.everProvisioned;
  for (const o of result.outcomes) {
    const prev = accounts[o.app];
    const base: AppAccount = prev ?? { app: o.app, state: 'active', groups: [], lastChangeAtMs: o.atMs };
    const next: AppAccount = {
      ...base,
      scimId: o.scimId ?? base.scimId,
      groups: o.groups ?? base.groups,
      lastChangeAtMs: o.atMs,
    };
    if (o.groupIds) next.groupIds = o.groupIds;
    if (o.action === 'failed') {
      Object.assign(next, { state: 'failed', lastError: o.error, failedLifecycle: result.kind });
    } else {
      delete next.lastError;
      delete next.failedLifecycle;
      if (ACTIVE_ACTIONS.has(o.action)) next.state = 'active';
      if (o.action === 'deactivated') Object.assign(next, { state: 'deactivated', deactivatedAtMs: o.atMs });
      if (o.action === 'delete-skipped') next.state = 'deactivated';
      if (o.action === 'deleted') Object.assign(next, { state: 'deleted', deletedAtMs: o.atMs });
      if (o.action === 'created' || o.action === 'adopted') everProvisioned = true;
    }
    accounts[o.app] = next;
    lastEventByApp[o.app] = result.eventId;
  }
  const deletedOrFailed = new Set(result.kind === 'deletion' ? result.outcomes.map((o) => o.app) : []);
  const scheduled = new Set((result.deletion ?? []).map((d) => d.app));
  const deletions = [
    ...state.deletions.filter((d) => !deletedOrFailed.has(d.app) && !scheduled.has(d.app)),
    ...(result.deletion ?? []),
  ];
  const revocations = options.settleRevocations
    ? settleRevocations(state.revocations, result)
    : [...state.revocations, ...(result.revokeLater ?? []).map((r) => ({ ...r, eventId: result.eventId }))];
  // What an operator was asked about is settled by a later success: per app, or the whole run.
  const succeeded = new Set(result.outcomes.filter((o) => o.action !== 'failed').map((o) => o.app));
  const runSettled = result.outcomes.every((o) => o.action !== 'failed');
  const attention = state.attention.filter((a) =>
    a.app ? !succeeded.has(a.app) : !(runSettled && a.eventId === result.eventId && a.lifecycle === result.kind),
  );
  const next = { ...state, accounts, lastEventByApp, everProvisioned, deletions, revocations, attention };
  // Deletions scheduled while a hold is on wait for its release: say so on their termination.
  return state.legalHold && result.deletion?.length
    ? appendTimeline(next, heldDeletions(result.deletion, state.legalHold.caseId, result.completedAtMs))
    : next;
}

/**
 * Deferred revocations after a run (patch `regrant-settles-revocations-v1`). An app the run
 * grants again (a mover back within the grace period) is no longer revoked; an app the run
 * deactivated or deleted (a termination, a revoke without grace) has nothing left to revoke; an
 * app already waiting keeps its first due time — a later move never extends a grace period.
 */
function settleRevocations(
  pending: EmployeeState['revocations'],
  result: LifecycleResult,
): EmployeeState['revocations'] {
  const granted = new Set(
    result.granted ??
      (result.kind === 'deletion' || result.kind === 'leaver' || result.kind === 'revocation'
        ? []
        : result.outcomes.filter((o) => ACTIVE_ACTIONS.has(o.action)).map((o) => o.app)),
  );
  const gone = new Set(
    result.outcomes.filter((o) => o.action === 'deactivated' || o.action === 'deleted').map((o) => o.app),
  );
  const kept = pending.filter((r) => !granted.has(r.app) && !gone.has(r.app));
  const waiting = new Set(kept.map((r) => r.app));
  const added = (result.revokeLater ?? [])
    .filter((r) => !waiting.has(r.app) && !granted.has(r.app))
    .map((r) => ({ ...r, eventId: result.eventId }));
  return [...kept, ...added];
}

/**
 * A lifecycle run that failed as a whole (its planning, or the child itself): mark its apps
 * for an operator's `retryApp`, and the run itself when it had no apps yet (a first joiner).
 */
export function markRunFailed(
  state: EmployeeState,
  run: { kind: LifecycleKind; eventId: string; apps: string[]; error: StepError; atMs: number },
): EmployeeState {
  const accounts = { ...state.accounts };
  const lastEventByApp = { ...state.lastEventByApp };
  for (const app of run.apps) {
    const account = accounts[app] ?? { app, state: 'failed', groups: [], lastChangeAtMs: run.atMs };
    accounts[app] = { ...account, state: 'failed', failedLifecycle: run.kind, lastError: run.error };
    lastEventByApp[app] = run.eventId;
  }
  const marked = { ...state, accounts, lastEventByApp };
  const reason = `${run.kind} run failed as a whole: ${run.error.message}`;
  return needOperator(marked, { atMs: run.atMs, reason, eventId: run.eventId, lifecycle: run.kind });
}

/**
 * A joiner, re-hire or mover cut short because a termination is waiting. What it did in each
 * app is unknown (its result is lost), so every app it may have touched and that is not known
 * active is marked failed — the leaver that follows targets active and failed accounts, and
 * looks each one up in the app. The groups the run was to add (`plannedGroups`) are added to
 * what the account is known to be in: the run may have added them before it stopped, and the
 * leaver removes only the groups it knows of.
 */
export function markPreempted(
  state: EmployeeState,
  run: {
    kind: LifecycleKind;
    eventId: string;
    apps: string[];
    byEventId: string;
    atMs: number;
    plannedGroups?: Record<string, string[]>;
  },
): EmployeeState {
  const accounts = { ...state.accounts };
  const lastEventByApp = { ...state.lastEventByApp };
  const message = `${run.kind} cut short by termination ${run.byEventId}; what it changed in the app is unknown`;
  for (const app of run.apps) {
    const account = accounts[app];
    const planned = run.plannedGroups?.[app] ?? [];
    const groups = [...new Set([...(account?.groups ?? []), ...planned])];
    if (account?.state === 'active') {
      if (groups.length > account.groups.length) accounts[app] = { ...account, groups };
      continue;
    }
    const base = { ...(account ?? { app, lastChangeAtMs: run.atMs }), groups };
    accounts[app] = {
      ...base,
      state: 'failed',
      failedLifecycle: run.kind,
      lastError: { type: 'Preempted', message, nonRetryable: true },
    };
    lastEventByApp[app] = run.eventId;
  }
  const entry: TimelineEntry = {
    atMs: run.atMs,
    kind: 'lifecycle-failed',
    eventId: run.eventId,
    lifecycle: run.kind,
    detail: `cut short by termination ${run.byEventId}`,
  };
  return appendTimeline({ ...state, accounts, lastEventByApp }, [entry]);
}

/** Takes the deferred revocations that are due. */
export function takeDueRevocations(
  state: EmployeeState,
  nowMs: number,
): { state: EmployeeState; due: EmployeeState['revocations'] } {
  const due = state.revocations.filter((r) => r.revokeAtMs <= nowMs);
  return { state: { ...state, revocations: state.revocations.filter((r) => r.revokeAtMs > nowMs) }, due };
}

/** Takes the deletions that are due — none while a legal hold is on. */
export function takeDueDeletions(
  state: EmployeeState,
  nowMs: number,
): { state: EmployeeState; due: ScheduledDeletion[] } {
  if (state.legalHold) return { state, due: [] };
  const due = state.deletions.filter((d) => d.deleteAtMs <= nowMs);
  return { state: { ...state, deletions: state.deletions.filter((d) => d.deleteAtMs > nowMs) }, due };
}

export function scheduleDeletion(state: EmployeeState, deletion: ScheduledDeletion): EmployeeState {
  return { ...state, deletions: [...state.deletions, deletion] };
}

/**
 * A re-hire (or re-grant) withdraws every scheduled deletion and revocation. Each cancelled
 * deletion is noted on the termination it belonged to, naming the re-hire that cancelled it.
 */
export function cancelScheduledRemovals(state: EmployeeState, atMs: number, rehireEventId: string): EmployeeState {
  const cancelled: TimelineEntry[] = state.deletions.map((d) => ({
    atMs,
    kind: 'deletion-cancelled',
    eventId: d.eventId,
    app: d.app,
    detail: `cancelled by re-hire ${rehireEventId} (deletion was due ${new Date(d.deleteAtMs).toISOString()})`,
  }));
  return { ...appendTimeline(state, cancelled), deletions: [], revocations: [], rechecks: [] };
}

/**
 * After a leaver: one recheck per app it left deactivated (or found without an account), due
 * `afterMs` from now. A later leaver for the same app replaces the earlier recheck.
 */
export function scheduleRechecks(state: EmployeeState, result: LifecycleResult, afterMs: number, nowMs: number) {
  const apps = result.outcomes.filter((o) => o.action === 'deactivated').map((o) => o.app);
  if (apps.length === 0) return state;
  const rechecks = [
    ...state.rechecks.filter((r) => !apps.includes(r.app)),
    ...apps.map((app) => ({ app, dueAtMs: nowMs + afterMs, eventId: result.eventId })),
  ];
  return { ...state, rechecks };
}

/**
 * A recheck's second try at the memberships a leaver could not remove: the account lists only
 * what is still not removed, and once nothing is left, what an operator was asked about those
 * memberships on this app is settled. The timeline gets one entry per removal tried.
 */
export function applyRecheckRemovals(state: EmployeeState, outcome: AppOutcome, eventId: string): EmployeeState {
  const removals = outcome.groupRemovals ?? [];
  const account = state.accounts[outcome.app];
  if (removals.length === 0 || !account) return state;
  const removed = new Set(removals.filter((r) => r.removed).map((r) => r.group));
  const groups = account.groups.filter((g) => !removed.has(g));
  const next: AppAccount = { ...account, groups };
  if (account.groupIds)
    next.groupIds = Object.fromEntries(Object.entries(account.groupIds).filter(([name]) => !removed.has(name)));
  const attention =
    groups.length > 0
      ? state.attention
      : state.attention.filter((a) => !(a.kind === 'groups-not-removed' && a.app === outcome.app));
  const withAccount = { ...state, accounts: { ...state.accounts, [outcome.app]: next }, attention };
  return appendTimeline(withAccount, groupTimeline(outcome, eventId, 'leaver'));
}

/** Takes the rechecks that are due. */
export function takeDueRechecks(
  state: EmployeeState,
  nowMs: number,
): { state: EmployeeState; due: ScheduledRecheck[] } {
  const due = state.rechecks.filter((r) => r.dueAtMs <= nowMs);
  return { state: { ...state, rechecks: state.rechecks.filter((r) => r.dueAtMs > nowMs) }, due };
}

// ---------------------------------------------------------------- alerts (best effort)

/** Back-off between delivery rounds: 1 min, 5 min, 15 min, then hourly. */
export function alertBackoffMs(attempts: number): number {
  return [60_000, 5 * 60_000, 15 * 60_000][attempts - 1] ?? 60 * 60_000;
}

export function enqueueAlert(state: EmployeeState, alert: AlertInput, nowMs: number): EmployeeState {
  const outbox = [...state.outbox, { alert, attempts: 0, nextAttemptAtMs: nowMs }];
  const dropped = outbox.length > OUTBOX_LIMIT ? outbox.slice(0, outbox.length - OUTBOX_LIMIT) : [];
  const kept = outbox.slice(dropped.length);
  const notes: TimelineEntry[] = dropped.map((d) => ({
    atMs: nowMs,
    kind: 'alert-failed',
    eventId: d.alert.eventId,
    app: d.alert.app,
    detail: `alert given up (too many undelivered): ${d.alert.message}`,
  }));
  return appendTimeline({ ...state, outbox: kept }, notes);
}

/** The alert due for delivery now, if any (oldest first). */
export function dueAlert(state: EmployeeState, nowMs: number): OutboxAlert | undefined {
  return state.outbox.find((a) => a.nextAttemptAtMs <= nowMs);
}

export function nextAlertAtMs(state: EmployeeState): number | undefined {
  return state.outbox.length === 0 ? undefined : Math.min(...state.outbox.map((a) => a.nextAttemptAtMs));
}

export function alertDelivered(state: EmployeeState, item: OutboxAlert): EmployeeState {
  return { ...state, outbox: state.outbox.filter((a) => a !== item && !sameAlert(a.alert, item.alert)) };
}

/** A failed delivery round: recorded on the timeline (and so in the audit), retried later or given up. */
export function alertFailed(state: EmployeeState, item: OutboxAlert, error: string, nowMs: number): EmployeeState {
  const attempts = item.attempts + 1;
  const giveUp = attempts >= ALERT_MAX_ROUNDS;
  const nextAttemptAtMs = nowMs + alertBackoffMs(attempts);
  const detail = giveUp
    ? `${item.alert.kind} alert given up after ${attempts} delivery rounds (${error}): ${item.alert.message}`
    : `${item.alert.kind} alert not delivered (${error}); retry at ${new Date(nextAttemptAtMs).toISOString()}: ${item.alert.message}`;
  const rest = state.outbox.filter((a) => !sameAlert(a.alert, item.alert));
  const outbox = giveUp ? rest : [...rest, { ...item, attempts, nextAttemptAtMs, lastError: error }];
  const noted = appendTimeline({ ...state, outbox }, [
    {
      atMs: nowMs,
      kind: 'alert-failed',
      eventId: item.alert.eventId,
      lifecycle: item.alert.lifecycle,
      app: item.alert.app,
      detail,
    },
  ]);
  return giveUp
    ? needOperator(noted, { atMs: nowMs, reason: detail, eventId: item.alert.eventId, app: item.alert.app })
    : noted;
}

function sameAlert(a: AlertInput, b: AlertInput): boolean {
  return (
    a.kind === b.kind && a.atMs === b.atMs && a.eventId === b.eventId && a.app === b.app && a.message === b.message
  );
}

// ---------------------------------------------------------------- audit hand-off (after the fact)

/** Back-off between audit rounds: doubling from 30 s, at most 15 min. */
export function auditBackoffMs(failedRounds: number): number {
  return Math.min(15 * 60_000, 30_000 * 2 ** Math.max(0, failedRounds - 1));
}

export function auditSucceeded(state: EmployeeState, upToSeq: number, nowMs: number): EmployeeState {
  const wasFailing = state.audit.failingSinceMs !== undefined;
  const next = { ...state, auditedSeq: Math.max(state.auditedSeq, upToSeq), audit: { failedRounds: 0 } };
  if (!wasFailing) return next;
  const since = new Date(state.audit.failingSinceMs!).toISOString();
  return appendTimeline(next, [
    { atMs: nowMs, kind: 'audit-recovered', detail: `audit store writes work again (failing since ${since})` },
  ]);
}

/**
 * A failed audit round. The first failure of a streak is noted (and should be alerted by the
 * caller: `startedFailing`); later ones only move the back-off, so a dead store does not fill
 * the timeline.
 */
export function auditFailed(
  state: EmployeeState,
  error: string,
  nowMs: number,
): { state: EmployeeState; startedFailing: boolean } {
  const failedRounds = state.audit.failedRounds + 1;
  const startedFailing = state.audit.failingSinceMs === undefined;
  const audit: AuditProgress = {
    failingSinceMs: state.audit.failingSinceMs ?? nowMs,
    lastError: error,
    failedRounds,
    nextAttemptAtMs: nowMs + auditBackoffMs(failedRounds),
  };
  const next = { ...state, audit };
  if (!startedFailing) return { state: next, startedFailing };
  const detail = `audit store write failed (${error}); milestones kept in workflow state and retried`;
  return { state: appendTimeline(next, [{ atMs: nowMs, kind: 'audit-failed', detail }]), startedFailing };
}

export function auditHealth(state: EmployeeState): AuditHealth {
  const unaudited = state.timelineSeq - state.auditedSeq;
  if (state.audit.failingSinceMs === undefined) return { state: 'ok', unaudited };
  return {
    state: 'failing',
    unaudited,
    failingSinceMs: state.audit.failingSinceMs,
    lastError: state.audit.lastError,
    nextAttemptAtMs: state.audit.nextAttemptAtMs,
  };
}

/** Lifecycle kind for a classified transition. */
export function lifecycleFor(transition: 'join' | 'move' | 'leave' | 'rehire'): LifecycleKind {
  return ({ join: 'joiner', move: 'mover', leave: 'leaver', rehire: 'rehire' } as const)[transition];
}

// ---------------------------------------------------------------- account requests (ensureAccount)

/** An account someone (reconciliation) asked this person's lifecycle to ensure in one app. */
export interface EnsureRequest {
  app: string;
  /** `ensure-<app>-<n>`: the event id the joiner step runs under (child `joiner-<id>-ensure-<app>-<n>`). */
  requestId: string;
  requestedAtMs: number;
  requestedBy?: string;
}

export function requestEnsure(
  state: EmployeeState,
  app: string,
  atMs: number,
  by: { requestedBy?: string; reason?: string } = {},
): { state: EmployeeState; request: EnsureRequest } {
  const seq = (state.ensureSeq ?? 0) + 1;
  const request: EnsureRequest = { app, requestId: `ensure-${app}-${seq}`, requestedAtMs: atMs };
  if (by.requestedBy) request.requestedBy = by.requestedBy;
  const detail = [by.reason, by.requestedBy && `by ${by.requestedBy}`].filter(Boolean).join('; ');
  const noted = appendTimeline(state, [
    { atMs, kind: 'account-requested', app, eventId: request.requestId, ...(detail ? { detail } : {}) },
  ]);
  return { state: { ...noted, ensures: [...(state.ensures ?? []), request], ensureSeq: seq }, request };
}

/** Takes the oldest account request off the queue. */
export function takeEnsure(state: EmployeeState): { state: EmployeeState; request?: EnsureRequest } {
  const [request, ...rest] = state.ensures ?? [];
  return request ? { state: { ...state, ensures: rest }, request } : { state };
}
