/**
 * The Temporal contract of the lifecycle workflows, in one place: workflow ids, the signals,
 * updates and queries (their names are the wire names that the API, the CLI and the Temporal
 * UI use), and the custom search attributes. The workflows, the intake API, the CLI and the dev stack all
 * import it; it has no I/O, so workflow code may import it too.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { EmployeeRecord } from '../hr/employee';
import type { HrEvent } from '../hr/event';
import type { AppAccount, LifecycleKind, TimelineEntry } from '../lifecycle/types';

/** The workflow type that owns one person's lifecycle (`employee-<id>`). */
export const EMPLOYEE_WORKFLOW_TYPE = 'employeeWorkflow';

export function employeeWorkflowId(employeeId: string): string {
  return `employee-${employeeId}`;
}

/** What a client starts the employee workflow with (continue-as-new adds the state). */
export interface EmployeeWorkflowStart {
  employeeId: string;
}

/**
 * An HR event as the employee workflow receives it. `inferredFrom` marks a termination this
 * product inferred (a person missing from a full roster), not one HR sent: its deactivations wait
 * for a permit from the mass-change guard. Only the roster path sets it; the public API's strict
 * event schema never accepts it. Its eventId is `roster-<rosterId>-<employeeId>`.
 */
export type HrEventDelivery = HrEvent & { inferredFrom?: { rosterId: string } };

/**
 * Task priority keys (Temporal's `priorityKey`: 1 is dispatched first, 5 last, unset is 3).
 * When workers are behind, a task queue's backlog is handed out by key, so:
 * - revocation: a termination's leaver or revocation run and everything it schedules, a
 *   leaver's recheck, and the mass-change guard that answers its permits. Never behind
 *   anything else (the leaver SLA is 15 minutes; a joiner's is an hour). The per-app health
 *   workflows too: every held step asks them for the app's state first (a 2-second read that,
 *   queued behind a bulk load, would time out and let steps past a paused app); their own
 *   work is a few small tasks.
 * - lifecycle: joiner, mover and deletion runs already under way, and their SCIM steps: work
 *   started finishes before new work is taken up (depth first), so accounts appear steadily
 *   during a bulk load instead of only after every hire was planned.
 * - intake: the employee workflows (HR events arriving, routing, planning) and roster batches.
 * - reconciliation: scans and repairs of whole apps, the bulkiest work there is (5, the last
 *   key; 4 is left free for work between intake and it).
 * Children and activities inherit their workflow's key unless they set their own.
 */
export const TASK_PRIORITY = {
  revocation: 1,
  lifecycle: 2,
  intake: 3,
  reconciliation: 5,
} as const;

/** An HR event for this person (sent with signalWithStart by the intake API). */
export const hrEventSignal = defineSignal<[HrEventDelivery]>('hrEvent');

export interface LegalHold {
  caseId: string;
  reason?: string;
  placedBy?: string;
}

export interface ReleaseLegalHold {
  caseId: string;
  releasedBy?: string;
}

export interface RetryApp {
  app: string;
  requestedBy?: string;
}

/*
 * Operator actions are Updates: the workflow validates each one first and either rejects it
 * with the reason (nothing changes, not even the history) or applies it and answers with what
 * it did. The caller waits for that answer, so "sent" never stands in for "done". New operator
 * controls (per-app pause, reconciliation) belong here the same way: a request type, a result
 * type, one `defineUpdate`.
 */

/** The `type` of the failure a rejected operator action carries (its message is the reason). */
export const OPERATOR_ACTION_REJECTED = 'OperatorActionRejected';

export interface PlaceLegalHoldResult {
  caseId: string;
  placedAtMs: number;
  /** The same case was already on hold: nothing changed. */
  alreadyPlaced: boolean;
  /** Scheduled deletions now paused. */
  pausedDeletions: number;
}
/** Pauses every pending deletion for this person until released. Rejected while another case holds. */
export const placeLegalHoldUpdate = defineUpdate<PlaceLegalHoldResult, [LegalHold]>('placeLegalHold');

export interface ReleaseLegalHoldResult {
  caseId: string;
  heldSinceMs: number;
  /** Scheduled deletions that run again (at once when already due). */
  resumedDeletions: number;
}
/** Rejected unless the person is on hold for exactly this case. */
export const releaseLegalHoldUpdate = defineUpdate<ReleaseLegalHoldResult, [ReleaseLegalHold]>('releaseLegalHold');

export interface RetryAppResult {
  app: string;
  /** The lifecycle whose failed step runs again. */
  lifecycle: LifecycleKind;
  /** Why it had failed. */
  lastError?: { type: string; message: string };
  /** Retries queued for this person, this one included (they run one at a time). */
  queued: number;
}
/** An operator fixed the cause of a failed app step and asks to run it again. Rejected unless that step failed. */
export const retryAppUpdate = defineUpdate<RetryAppResult, [RetryApp]>('retryApp');

export interface EnsureAccount {
  app: string;
  requestedBy?: string;
  /** Why it is asked for (reconciliation found the account missing), for the timeline. */
  reason?: string;
}

export interface EnsureAccountResult {
  app: string;
  /** The child id suffix's request id (`ensure-<app>-<n>`): the joiner step runs under it as its event id. */
  requestId: string;
  requestedAtMs: number;
  /** Account requests queued for this person, this one included (they run one at a time). */
  queued: number;
}
/**
 * Ensures the person has an account in `app` through their own lifecycle: a joiner step for that
 * app alone (look up first, adopt an account that exists, create one that does not), so the
 * workflow's registry knows it and a later leaver revokes it. Reconciliation sends it for a
 * `missing` account. Rejected when HR does not say active, a termination is waiting, the policy
 * does not grant the app, or a request for it is already queued.
 */
export const ensureAccountUpdate = defineUpdate<EnsureAccountResult, [EnsureAccount]>('ensureAccount');

/*
 * The same actions as signals, the way they were sent before they became Updates. Histories of
 * running workflows contain them, so the workflow keeps handling them (a signal cannot be
 * refused: a release for the wrong case is ignored, a retry of a step that did not fail is
 * noted). Clients send the Updates.
 */
/** @deprecated send `placeLegalHoldUpdate` */
export const placeLegalHoldSignal = defineSignal<[LegalHold]>('placeLegalHold');
/** @deprecated send `releaseLegalHoldUpdate` */
export const releaseLegalHoldSignal = defineSignal<[ReleaseLegalHold]>('releaseLegalHold');
/** @deprecated send `retryAppUpdate` */
export const retryAppSignal = defineSignal<[RetryApp]>('retryApp');

/** Forwarded by the employee workflow to a running deletion child. */
export const deletionHoldSignal = defineSignal<[{ onHold: boolean }]>('deletionHold');

/** What the employee workflow decided about one HR event it received. */
export interface EventVerdict {
  eventId: string;
  type?: string;
  verdict: 'accepted' | 'duplicate' | 'stale' | 'invalid';
  /** Why it was not applied, or what was ignored (an implausible ordering value). */
  reason?: string;
  atMs: number;
}

/** Something only a person can resolve; kept until an operator's retry succeeds or it ages out. */
export interface OperatorAttention {
  atMs: number;
  reason: string;
  eventId?: string;
  lifecycle?: LifecycleKind;
  app?: string;
  /** Memberships the app still lists on a deactivated account: settled once none are left. */
  kind?: 'groups-not-removed';
}

/** Whether the workflow's milestones reach the audit store (written after the fact, retried). */
export interface AuditHealth {
  state: 'ok' | 'failing';
  /** Milestones not yet in the audit store. */
  unaudited: number;
  failingSinceMs?: number;
  lastError?: string;
  nextAttemptAtMs?: number;
}

/** A deactivation or deletion of this person's account waiting for the mass-change guard. */
export interface GuardHeldChange {
  app: string;
  eventId: string;
  action: GuardAction;
  /** Why it waits (the limit it would exceed), and how to let it proceed. */
  reason: string;
  sinceMs: number;
}

export interface EmployeeStatus {
  employeeId: string;
  stage: 'idle' | LifecycleKind;
  currentEventId?: string;
  employeeStatus?: string;
  /** The last applied HR snapshot (reconciliation compares the apps with it). */
  snapshot?: EmployeeRecord;
  accounts: AppAccount[];
  pendingEvents: { eventId: string; type?: string; dueAtMs: number }[];
  pendingDeletion: { app: string; deleteAtMs: number; mode: string }[];
  /** A mover's access kept for the policy's grace period, revoked when due. */
  pendingRevocations?: { app: string; revokeAtMs: number; eventId: string }[];
  /** After a leaver: when each app is searched again for an account active despite the deactivation. */
  pendingRechecks?: { app: string; dueAtMs: number; eventId: string }[];
  legalHold?: LegalHold & { placedAtMs: number };
  failedApps: string[];
  /** The newest HR events received and what became of each (bounded). */
  recentEvents?: EventVerdict[];
  audit?: AuditHealth;
  /** Alerts not delivered yet: the workflow retries them on its own. */
  undeliveredAlerts?: {
    kind: string;
    message: string;
    attempts: number;
    lastError?: string;
    nextAttemptAtMs: number;
  }[];
  /** What needs an operator (failed runs, rejected terminations, dropped alerts). */
  needsOperator?: OperatorAttention[];
  /** Deactivations and deletions held by the mass-change guard until `jml app approve <app>`. */
  heldByGuard?: GuardHeldChange[];
}

export const statusQuery = defineQuery<EmployeeStatus>('status');
export const timelineQuery = defineQuery<TimelineEntry[]>('timeline');

/*
 * Custom search attributes the lifecycle workflows set, so ops can find runs in the Temporal
 * UI (`EmployeeId = "E123" AND LifecycleEvent = "leaver" AND SlaBreached = true`). They must be
 * registered on a real server first (README); the embedded engine pre-registers them, and a
 * test checks the engine's list and the compose setup job against this one.
 */
export const EMPLOYEE_ID = defineSearchAttributeKey('EmployeeId', SearchAttributeType.KEYWORD);
export const LIFECYCLE_EVENT = defineSearchAttributeKey('LifecycleEvent', SearchAttributeType.KEYWORD);
export const SLA_DEADLINE = defineSearchAttributeKey('SlaDeadline', SearchAttributeType.DATETIME);
export const SLA_BREACHED = defineSearchAttributeKey('SlaBreached', SearchAttributeType.BOOL);
export const APPS = defineSearchAttributeKey('Apps', SearchAttributeType.KEYWORD_LIST);

/** Every custom search attribute, for registering on a server and for the consistency test. */
export const SEARCH_ATTRIBUTES = [EMPLOYEE_ID, LIFECYCLE_EVENT, SLA_DEADLINE, SLA_BREACHED, APPS] as const;

/*
 * Scheduled reconciliation: one long-running workflow per app (`reconcile-<app>`) that compares
 * the app with what this product says should exist on the policy's interval, repairs active
 * leavers at once, and records each run in the audit store (docs/reconciliation.md).
 */
export const RECONCILIATION_WORKFLOW_TYPE = 'reconciliationWorkflow';

export function reconciliationWorkflowId(app: string): string {
  return `reconcile-${app}`;
}

/** One scheduled or triggered reconciliation of an app, as recorded and as the Update answers. */
export interface ReconciliationRun {
  app: string;
  round: number;
  trigger: 'schedule' | 'operator';
  requestedBy?: string;
  startedAtMs: number;
  finishedAtMs: number;
  /** Findings by kind (`active-leaver`, `orphan`, …); empty when nothing was found. */
  findings: Record<string, number>;
  /** Active leavers found: each is deactivated at once (`repaired` says whether the app confirmed it). */
  activeLeavers: { employeeId?: string; scimId?: string; repaired?: 'yes' | 'failed' }[];
  scanned?: { users: number; groups: number; pages: number; paging: string };
  /** The app could not be read, or the run itself failed (it is tried again next round). */
  error?: string;
}

export interface ReconciliationWorkflowStart {
  app: string;
  /** The policy's `reconciliation.every` when started; each run reports the current value. */
  everyMs: number;
  /** Rounds before continue-as-new. @default 50 */
  roundsPerRun?: number;
  /** Carried over continue-as-new. */
  state?: { round: number; lastRun?: ReconciliationRun };
}

export interface RunReconciliation {
  requestedBy?: string;
}
/** Runs a reconciliation now and answers with it. Rejected while one is running or already requested. */
export const runReconciliationUpdate = defineUpdate<ReconciliationRun, [RunReconciliation]>('runReconciliation');

export interface ReconciliationStatus {
  app: string;
  everyMs: number;
  round: number;
  running: boolean;
  nextRunAtMs?: number;
  lastRun?: ReconciliationRun;
}
export const reconciliationStatusQuery = defineQuery<ReconciliationStatus>('reconciliationStatus');

/*
 * Per-app health: one long-running workflow per app (`app-<name>`) that holds whether the
 * orchestrator may write to it. An operator pauses and resumes it (Updates, with who and why);
 * workers report an app that keeps failing (a signal) and it is quarantined until a periodic
 * probe succeeds. While an app is paused or quarantined, joiner/mover writes and deletions for
 * it wait; a leaver's deactivation never does (docs/reconciliation.md, "Safeguards").
 */
export const APP_HEALTH_WORKFLOW_TYPE = 'appHealthWorkflow';

export function appHealthWorkflowId(app: string): string {
  return `app-${app}`;
}

/** Why a worker quarantined the app: auth refused, or most requests failing over the window. */
export type QuarantineCause = 'auth' | 'failure-ratio';

export interface AppPause {
  by: string;
  reason: string;
  sinceMs: number;
}

export interface AppQuarantine {
  cause: QuarantineCause;
  /** What the worker saw (`5 of 6 requests failed in 5 min; last: HTTP 503 …`). */
  reason: string;
  sinceMs: number;
  nextProbeAtMs?: number;
  probes: number;
  lastProbe?: { atMs: number; ok: boolean; error?: string };
}

/** One change of state, kept (bounded) for `jml app status` and the console. */
export interface AppTransition {
  atMs: number;
  from: AppHealthState;
  to: AppHealthState;
  /** `operator` (pause/resume), `worker` (a trip or a success while quarantined) or `probe`. */
  by: string;
  reason: string;
}

export type AppHealthState = 'active' | 'paused' | 'quarantined';

export interface AppHealth {
  app: string;
  state: AppHealthState;
  paused?: AppPause;
  quarantine?: AppQuarantine;
  /** Newest last, bounded. */
  transitions: AppTransition[];
  /** Alerts about this app that could not be delivered (best effort; the state change stands). */
  undeliveredAlerts: number;
}

export interface AppHealthWorkflowStart {
  app: string;
  /** The policy's `quarantine.probeEvery` when started; each probe answers with the current value. */
  probeEveryMs: number;
  /** Transitions and probes before continue-as-new. @default 200 */
  eventsPerRun?: number;
  /** Carried over continue-as-new. */
  state?: Omit<AppHealth, 'app'>;
}

export interface PauseApp {
  by: string;
  reason: string;
}
export interface ResumeApp {
  by: string;
  reason?: string;
}
export interface AppHealthChange {
  app: string;
  from: AppHealthState;
  to: AppHealthState;
  atMs: number;
}
/** Pauses writes to the app. Rejected without a reason or while already paused. */
export const pauseAppUpdate = defineUpdate<AppHealthChange, [PauseApp]>('pauseApp');
/** Resumes a paused (or quarantined) app. Rejected when the app is active. */
export const resumeAppUpdate = defineUpdate<AppHealthChange, [ResumeApp]>('resumeApp');

/**
 * What a worker's app gate saw: `trip` (quarantine the app), or `recovered` (a request to a
 * quarantined app succeeded — a leaver's deactivation doubles as a probe). A signal: the gate
 * must never wait for the workflow.
 */
export type AppHealthReport =
  | { kind: 'trip'; cause: QuarantineCause; reason: string; atMs: number; worker?: string }
  | { kind: 'recovered'; reason: string; atMs: number; worker?: string };
export const appHealthReportSignal = defineSignal<[AppHealthReport]>('appHealthReport');

export const appHealthQuery = defineQuery<AppHealth>('appHealth');

/*
 * Rosters (`POST /v1/hr/roster`): one workflow per roster, `roster-<rosterId>`, receives the
 * employees in batches (signals, so no single payload grows with the company), then delivers
 * each as an HR event to the person's workflow and, for a full roster, sends terminations for
 * the people this product knows as active who are missing from it (docs/api.md).
 */
export const ROSTER_WORKFLOW_TYPE = 'rosterWorkflow';

export function rosterWorkflowId(rosterId: string): string {
  return `roster-${rosterId}`;
}

/** The eventId of a person's event from a roster, and of a termination inferred from one. */
export function rosterEventId(rosterId: string, employeeId: string): string {
  return `roster-${rosterId}-${employeeId}`;
}

export interface RosterWorkflowStart {
  rosterId: string;
  full: boolean;
  /** When HR produced the snapshot (ISO 8601 with offset): each event's effectiveAt and occurredAt. */
  asOf: string;
  source?: string;
  /** The roster's people, and in how many batches they arrive. */
  employees: number;
  batches: number;
  /** SHA-256 of the roster as sent: a batch of another roster under the same id is ignored. */
  contentHash: string;
}

export interface RosterBatch {
  contentHash: string;
  index: number;
  employees: EmployeeRecord[];
}
export const rosterBatchSignal = defineSignal<[RosterBatch]>('rosterBatch');

export interface RosterStatus {
  rosterId: string;
  full: boolean;
  state: 'receiving' | 'delivering' | 'inferring-leavers' | 'done' | 'incomplete';
  employees: number;
  batchesReceived: number;
  batches: number;
  /** People whose event reached their workflow. */
  delivered: number;
  /** People whose event could not be delivered (retried first), and why. */
  failed: { employeeId: string; error: string }[];
  /** Full roster: active people this product knows who are missing from it (terminations sent). */
  missing?: string[];
  terminationsSent?: number;
  /** Why the roster was not processed (`incomplete`). */
  reason?: string;
}
export const rosterStatusQuery = defineQuery<RosterStatus>('rosterStatus');

/*
 * The mass-change guard: one global workflow (`mass-change-guard`) that counts deactivations and
 * deletions per app and in total over a sliding window (the policy's `guard:`), grants permits
 * for irreversible changes while under the limits, holds them over a limit (one alert per hold)
 * until an operator approves the app. Lifecycle children talk to it with workflow-to-workflow
 * signals, so waiting for a permit is durable (docs/reconciliation.md, "Safeguards").
 */
export const MASS_CHANGE_GUARD_WORKFLOW_TYPE = 'massChangeGuardWorkflow';
export const MASS_CHANGE_GUARD_WORKFLOW_ID = 'mass-change-guard';

export type GuardAction = 'deactivate' | 'delete';
/** Why a permit is asked: deletions always; terminations inferred from a roster; HR's only when the policy says so. */
export type GuardCause = 'deletion' | 'inferred-termination' | 'hr-termination';

export interface GuardChange {
  app: string;
  action: GuardAction;
  employeeId: string;
  eventId: string;
}

/** After the fact: changes that did not wait (HR terminations). They count in the window. */
export interface GuardReport {
  changes: GuardChange[];
}
export const guardReportSignal = defineSignal<[GuardReport]>('guardReport');

export interface PermitRequest extends GuardChange {
  /** Unique per requesting workflow and app; a request sent again is answered again, never counted twice. */
  requestId: string;
  /** Where the answer goes (`permitAnswerSignal`). */
  requesterWorkflowId: string;
  cause: GuardCause;
  rosterId?: string;
}
export const permitRequestSignal = defineSignal<[PermitRequest]>('guardPermitRequest');
/** The requester no longer needs the permit (its run was cut short). */
export const permitWithdrawSignal = defineSignal<[{ requestId: string }]>('guardPermitWithdraw');

export interface PermitAnswer {
  requestId: string;
  app: string;
  decision: 'granted' | 'held';
  /** Held: the limit and how to release; granted after a hold: who approved. */
  reason?: string;
  approvedBy?: string;
  atMs: number;
}
/** Sent by the guard to the requesting workflow. */
export const permitAnswerSignal = defineSignal<[PermitAnswer]>('guardPermitAnswer');
/** Sent by a lifecycle child to its employee workflow while a change waits (status shows it). */
export const guardHeldSignal = defineSignal<[GuardHeldChange & { state: 'held' | 'released' }]>('guardHeld');

export interface ApproveApp {
  app: string;
  approvedBy?: string;
}
export interface ApproveAppResult {
  app: string;
  /** Requests released (they proceed now). */
  released: number;
  heldSinceMs: number;
  approvedAtMs: number;
  approvedBy?: string;
}
/** Releases what is held for an app and starts its window afresh. Rejected when nothing is held for it. */
export const approveAppUpdate = defineUpdate<ApproveAppResult, [ApproveApp]>('approveApp');

export interface GuardHeldRequest {
  requestId: string;
  employeeId: string;
  eventId: string;
  action: GuardAction;
  cause: GuardCause;
  sinceMs: number;
}

export interface GuardAppStatus {
  app: string;
  windowMs: number;
  /** Deactivations and deletions counted in the window now. */
  count: number;
  /** The lower of maxCount and maxPercent of `accounts`; absent: no limit applies. */
  limit?: number;
  /** The app's accounts, from its last reconciliation scan; absent when unknown (no percent limit then). */
  accounts?: number;
  /** The count was not read at the guard's last refresh: why, and whether the last known count or only maxCount applies. */
  accountsNote?: string;
  held: GuardHeldRequest[];
  heldSinceMs?: number;
  heldReason?: string;
  lastApproval?: { atMs: number; by?: string; released: number };
}

export interface GuardStatus {
  windowMs: number;
  allApps: { count: number; limit?: number };
  holdHrTerminations: boolean;
  apps: GuardAppStatus[];
  /** The policy could not be read: the last known limits (or the defaults) apply. */
  settingsError?: string;
}
export const guardStatusQuery = defineQuery<GuardStatus>('guardStatus');
