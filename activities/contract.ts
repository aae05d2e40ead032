/**
 * The activity surface the lifecycle workflows call. `createActivities` (activities/index.ts)
 * implements it; workflows import it only as a type. Every activity is idempotent: Temporal
 * may run it more than once (retries, a worker dying after the request but before completion).
 */
import type { EmployeeRecord } from '../lib/hr/employee';
import type { AlertInput, AppOutcome, LifecyclePlan, TimelineEntry } from '../lib/lifecycle/types';
import type { GuardPolicy } from '../lib/config/types';
import type { ReconcileAppInput, ReconcileAppResult } from './reconcile';
import type { RosterActivities } from './roster';

/** What the mass-change guard reads from outside its workflow (refreshed periodically). */
export interface GuardSettings {
  policy: GuardPolicy;
  /** Connector ids. */
  apps: string[];
  /** Accounts per app from its last reconciliation scan; an app left out is unknown. */
  accounts: Record<string, number>;
  /** Apps whose count was not read this time: why, and what applies instead (shown in the guard's status). */
  accountNotes?: Record<string, string>;
}

export interface GuardSettingsInput {
  /** The counts the guard knows: one that cannot be read now (no answer in time) keeps this value. */
  known?: Record<string, number>;
}

/** Milestones for the audit trail, each keyed so a retried or replayed write is a no-op. */
export interface MilestoneInput {
  employeeId: string;
  workflowId: string;
  runId: string;
  entries: { key: string; entry: TimelineEntry }[];
  /**
   * The person's display fields as of this hand-off, for the store's people directory (the
   * console's people list). Personal data: stored, never logged.
   */
  person?: { displayName: string; department?: string; status?: string; asOfMs: number };
}

export interface AccountRef {
  app: string;
  employeeId: string;
  /**
   * Known SCIM `id`: one request instead of lookup + request. Without it a step looks the person
   * up in the connector's `match` order, by `userName` too when it is given the employee record.
   */
  scimId?: string;
  /** Known group ids (displayName → SCIM id) from the account registry: groups by identity, not name. */
  groupIds?: Record<string, string>;
  /** For audit correlation. */
  eventId: string;
}

export type { AlertInput } from '../lib/lifecycle/types';

export interface LifecycleActivities {
  /** Evaluates access rules and policy for a snapshot (config is read here, never in workflows). */
  planLifecycle(input: { employee: EmployeeRecord }): Promise<LifecyclePlan>;
  /** Create-or-adopt (or reactivate a known account), apply mapped attributes, add groups. */
  provisionAccount(input: AccountRef & { employee: EmployeeRecord; groups: string[] }): Promise<AppOutcome>;
  /** PATCH the mapped attributes that changed between two snapshots. */
  updateAccount(input: AccountRef & { employee: EmployeeRecord; previous: EmployeeRecord }): Promise<AppOutcome>;
  /** Add and remove group memberships. */
  setGroups(input: AccountRef & { add: string[]; remove: string[]; current: string[] }): Promise<AppOutcome>;
  /**
   * `active=false` — the leaver's revocation; then, when the policy says so, removal of the
   * managed `groups` (each confirmed, never delaying or failing the deactivation).
   */
  deactivateAccount(input: AccountRef & { groups?: string[]; employee?: EmployeeRecord }): Promise<AppOutcome>;
  /**
   * After a leaver: look the person up again (the known id, `externalId` and `userName`) and
   * deactivate every account found active — one the app created after the client gave up on the
   * request, or an admin re-enabled. `recheck.foundActive` lists what had to be deactivated.
   */
  recheckDeactivated(
    input: AccountRef & {
      employee?: EmployeeRecord;
      /**
       * Memberships the leaver could not remove: tried again on the deactivated account (unless
       * the policy keeps memberships), reported as `groupRemovals`. Never in front of the search.
       */
      groups?: string[];
      groupIds?: Record<string, string>;
    },
  ): Promise<AppOutcome>;
  /** `active=true` on the same account — re-hire. */
  reactivateAccount(input: AccountRef & { employee: EmployeeRecord; groups: string[] }): Promise<AppOutcome>;
  /** DELETE per the connector's delete semantics (after retention). */
  deleteAccount(input: AccountRef & { employee?: EmployeeRecord }): Promise<AppOutcome>;
  /** SLA breaches and failed apps: the configured webhook, or a log line when none. */
  sendAlert(input: AlertInput): Promise<void>;
  /** Appends lifecycle milestones to the audit trail; a repeated key is a no-op. */
  recordMilestones(input: MilestoneInput): Promise<void>;
  /**
   * A cheap authenticated read (`GET /Users?count=1`) of a quarantined app. Never throws for
   * the app's answer: `ok: false` with the error. Also answers with the policy's current probe
   * interval (the workflow cannot read config).
   */
  probeApp(input: { app: string }): Promise<ProbeAppResult>;
  /** One reconciliation of one app: repairs active leavers, records the run in the audit store. */
  reconcileApp(input: ReconcileAppInput): Promise<ReconcileAppResult>;
  /** A roster's batch of people, each delivered to their employee workflow as an HR event. */
  deliverRosterBatch: RosterActivities['deliverRosterBatch'];
  /** A full roster: terminations (inferredFrom the roster) for known active people missing from it. */
  terminateMissingFromRoster: RosterActivities['terminateMissingFromRoster'];
  /** The mass-change guard's limits and the apps' account counts. */
  guardSettings(input?: GuardSettingsInput): Promise<GuardSettings>;
}

export type { ReconcileAppInput, ReconcileAppResult } from './reconcile';

export interface ProbeAppResult {
  ok: boolean;
  /** Why the probe failed (`HTTP 401 …`). */
  error?: string;
  probeEveryMs: number;
}

export type { RosterActivities, DeliverRosterInput, InferLeaversInput, InferLeaversResult } from './roster';
