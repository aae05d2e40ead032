/**
 * Plain data exchanged between the lifecycle workflows and their activities. Everything here
 * crosses Temporal's payload converter (JSON), so: no classes, no Dates (epoch ms), no Maps.
 */
import type { EmployeeRecord } from '../hr/employee';

export type LifecycleKind = 'joiner' | 'mover' | 'leaver' | 'rehire' | 'revocation' | 'deletion';

/** Where one person's account in one app stands, as the orchestrator last left it. */
export type AccountState = 'active' | 'deactivated' | 'deleted' | 'failed';

export interface AppAccount {
  app: string;
  /** The app's SCIM `id`, stored so later operations need one request, not a lookup. */
  scimId?: string;
  state: AccountState;
  /** Group display names the orchestrator manages for this account. */
  groups: string[];
  /**
   * displayName → the group's SCIM `id`, once resolved: later changes address the group by
   * identity, since names need not be unique in the app. Absent in registries from before.
   */
  groupIds?: Record<string, string>;
  lastChangeAtMs: number;
  deactivatedAtMs?: number;
  deletedAtMs?: number;
  /** The last failure, when `state` is `failed` or an operation did not complete. */
  lastError?: StepError;
  /** The lifecycle whose step failed for this app: what an operator's `retryApp` re-runs. */
  failedLifecycle?: LifecycleKind;
}

/** What the policy grants a person in one app, and why (for audit and `jml plan`). */
export interface AppGrant {
  app: string;
  groups: string[];
  rules: string[];
}

/** What an app's DELETE means (from the connector), needed by the workflow to decide deletion. */
export interface AppDeletePolicy {
  mode: 'hard' | 'deactivate-only' | 'none';
  reversible: boolean;
  retentionMs: number;
}

/** Policy facts a lifecycle run needs, resolved by an activity so config never loads in workflows. */
export interface LifecyclePlan {
  grants: AppGrant[];
  slaMs: Record<'joiner' | 'mover' | 'leaver', number>;
  deletePolicy: Record<string, AppDeletePolicy>;
  joinerLeadTimeMs: number;
  moverRevokeGraceMs: number;
  /** After a leaver: when to look for the person's accounts again (0 = never). Absent in older plans. */
  leaverRecheckMs?: number;
  /** The policy's `guard.holdHrTerminations`: HR terminations also wait for a guard permit. */
  holdHrTerminations?: boolean;
}

export interface StepError {
  /** The error code (`SCIM_RATE_LIMITED`, …) from lib/errors.ts, or the failure type. */
  type: string;
  message: string;
  nonRetryable: boolean;
}

export type StepAction =
  | 'created'
  | 'adopted'
  | 'reactivated'
  | 'updated'
  | 'unchanged'
  | 'deactivated'
  | 'deleted'
  | 'delete-skipped'
  | 'failed';

/** One app's result in one lifecycle run. */
export interface AppOutcome {
  app: string;
  action: StepAction;
  scimId?: string;
  /** Managed group memberships after the step; absent when the step did not touch groups. */
  groups?: string[];
  /** displayName → SCIM id of the groups in `groups` (complete when present). */
  groupIds?: Record<string, string>;
  /** Memberships this step removed — each confirmed by the app — or failed to remove. */
  groupRemovals?: GroupRemoval[];
  atMs: number;
  error?: StepError;
  /** Free text for the timeline: "DELETE only deactivates in slack", "created (adopted 409)". */
  note?: string;
  /**
   * The app carried the step out, but its audit records could not be written (store down,
   * record refused): the action stands, the evidence gap is shown and alerted.
   */
  evidenceError?: string;
  /** A leaver's recheck: the accounts found active again, each deactivated. */
  recheck?: { foundActive: string[] };
}

/** One group membership removal and its proof (the app's answer or a read-back), or why it failed. */
export interface GroupRemoval {
  group: string;
  groupId?: string;
  removed: boolean;
  /** How the removal was confirmed: `response`, `read-back`, or `group-gone` (nothing left to be a member of). */
  proof?: 'response' | 'read-back' | 'group-gone' | 'no-such-group';
  error?: StepError;
}

/** One milestone in a person's lifecycle, shown by the `timeline` query and kept in the audit. */
export interface TimelineEntry {
  atMs: number;
  kind:
    | 'event-received'
    | 'event-duplicate'
    | 'event-stale'
    | 'event-invalid'
    | 'event-scheduled'
    | 'event-cancelled'
    | 'lifecycle-started'
    | 'lifecycle-completed'
    | 'lifecycle-failed'
    | 'app-succeeded'
    | 'app-failed'
    | 'sla-breached'
    | 'deletion-scheduled'
    | 'deletion-cancelled'
    | 'deletion-held'
    | 'legal-hold-placed'
    | 'legal-hold-released'
    | 'retry-requested'
    | 'account-requested'
    | 'alert-failed'
    | 'audit-failed'
    | 'audit-recovered'
    | 'operator-attention'
    | 'group-removed'
    | 'group-removal-failed'
    | 'leaver-rechecked';
  eventId?: string;
  lifecycle?: LifecycleKind;
  app?: string;
  detail?: string;
  /** `event-received`: the HR event's type, effective time and who triggered it in HR. */
  eventType?: string;
  effectiveAtMs?: number;
  initiator?: string;
  /** `lifecycle-started`/`-completed`, `sla-breached`: the SLA deadline that applied. */
  slaDeadlineMs?: number;
  slaBreached?: boolean;
  /** `deletion-scheduled`: when the DELETE is due. */
  dueAtMs?: number;
  /** The lifecycle run that produced the entry (`leaver-E1-evt-9`), when not the employee workflow. */
  workflowId?: string;
  /** `group-*`: the group's displayName and SCIM id (`groupId`). */
  group?: string;
  groupId?: string;
  /** `app-*`: the step's action (`deactivated`, `deleted`…) and the account's SCIM id. */
  action?: string;
  scimId?: string;
}

export interface LifecycleInput {
  employee: EmployeeRecord;
  /** Snapshot before this change (mover: old attributes; rehire: the leaver's record). */
  previous?: EmployeeRecord;
  eventId: string;
  /** The change's effective time; SLA deadlines count from here. */
  effectiveAtMs: number;
  accounts: Record<string, AppAccount>;
  /** Restrict to these apps (an operator's `retryApp`). */
  onlyApps?: string[];
  /** The plan the parent already made for this event (planned once); absent: the child plans. */
  plan?: LifecyclePlan;
  /** Leaver: the termination was inferred from a roster, so each deactivation waits for a guard permit. */
  inferredFrom?: { rosterId: string };
}

export interface LifecycleResult {
  kind: LifecycleKind;
  eventId: string;
  outcomes: AppOutcome[];
  slaDeadlineMs: number;
  slaBreached: boolean;
  completedAtMs: number;
  timeline: TimelineEntry[];
  /** Leaver only: per-app deletion schedule computed from the retention policy. */
  deletion?: ScheduledDeletion[];
  /** Mover only: the apps the new record grants (a deferred revocation of one of them is withdrawn). */
  granted?: string[];
  /** Mover only: access kept for the policy's grace period, revoked later by the employee workflow. */
  revokeLater?: { app: string; revokeAtMs: number }[];
  /** Alerts the run could not deliver: the employee workflow keeps retrying them on its own. */
  undeliveredAlerts?: AlertInput[];
  /** Leaver only: when the employee workflow looks for the accounts again (the policy's leaver.recheckAfter). */
  recheckAfterMs?: number;
}

/**
 * An alert for the webhook in `policy.yaml` (or the log). Delivery is best effort: a failed
 * delivery is recorded and retried by the employee workflow, never a reason to stop a run.
 */
export interface AlertInput {
  kind:
    | 'sla-breached'
    | 'app-failed'
    | 'lifecycle-failed'
    | 'event-rejected'
    | 'audit-failed'
    | 'active-leaver'
    | 'groups-not-removed'
    | 'reconciliation'
    | 'roster-failed'
    | 'app-quarantined'
    | 'app-resumed'
    | 'mass-change-held'
    | 'mass-change-threshold';
  employeeId: string;
  lifecycle?: LifecycleKind;
  eventId?: string;
  workflowId: string;
  app?: string;
  /** `sla-breached`: the deadline that passed. */
  slaDeadlineMs?: number;
  /**
   * `sla-breached` of a roster-inferred termination whose remaining apps are all held by the
   * mass-change guard: recorded and logged, not posted (the app's `mass-change-held` alert covers it).
   */
  heldByGuard?: string[];
  message: string;
  atMs: number;
}

/** A deactivated account waiting out its retention period before DELETE. */
export interface ScheduledDeletion {
  app: string;
  deleteAtMs: number;
  reversible: boolean;
  /** The event that caused the deactivation (names the deletion run). */
  eventId: string;
}
