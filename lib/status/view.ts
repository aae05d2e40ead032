/**
 * One person's status as operators read it (the API's JSON, `jml employee status --json`, and
 * the table): per app everything known in one place — state, SCIM id, last error, the running
 * step's attempt and next retry, a deferred revocation, a pending deletion — plus the legal
 * hold, recent HR events with their verdicts and what needs an operator. Times are ISO 8601.
 */
import type { AppAccount, StepError } from '../lifecycle/types';
import type { AppHealth, EmployeeStatus } from '../temporal/contract';
import type { AppStepProgress, RunningSteps } from './activity-progress';

export interface AppStatusView {
  app: string;
  state: string;
  scimId?: string;
  groups: string[];
  lastChangeAt: string;
  deactivatedAt?: string;
  deletedAt?: string;
  lastError?: { type: string; message: string; retryable: boolean };
  /** The lifecycle whose step failed here: what `jml employee retry` re-runs. */
  failedLifecycle?: string;
  /** A step running or waiting to retry now. */
  step?: {
    workflowId: string;
    activity: string;
    state: AppStepProgress['state'];
    attempt: number;
    maximumAttempts?: number;
    nextAttemptAt?: string;
    lastFailure?: { type: string; message: string };
  };
  /** A mover's grace period: access revoked when due. */
  pendingRevocation?: { dueAt: string; eventId: string };
  pendingDeletion?: { dueAt: string; mode: string; onHold: boolean };
  /** A leaver's recheck: the app is searched for the person again when due (an account that came back is deactivated). */
  pendingRecheck?: { dueAt: string; eventId: string };
  /**
   * The app is paused or quarantined (`app-<name>`): shown where this person's step there is
   * failed or waiting, so the cause is in the person's status, not only in `jml app status`.
   */
  appHealth?: AppHealthView;
}

export interface AppHealthView {
  state: 'paused' | 'quarantined';
  since: string;
  reason: string;
  /** Who paused it. */
  by?: string;
  nextProbeAt?: string;
}

/** An app's health as a person's status shows it; undefined while the app is active. */
export function appHealthView(h: AppHealth | undefined): AppHealthView | undefined {
  if (h?.state === 'paused' && h.paused)
    return { state: 'paused', since: iso(h.paused.sinceMs), reason: h.paused.reason, by: h.paused.by };
  if (h?.state === 'quarantined' && h.quarantine)
    return defined({
      state: 'quarantined' as const,
      since: iso(h.quarantine.sinceMs),
      reason: h.quarantine.reason,
      nextProbeAt: isoOpt(h.quarantine.nextProbeAtMs),
    });
  return undefined;
}

export interface EmployeeStatusView {
  employeeId: string;
  stage: EmployeeStatus['stage'];
  currentEventId?: string;
  employeeStatus?: string;
  accounts: AppStatusView[];
  failedApps: string[];
  pendingEvents: { eventId: string; type?: string; dueAt: string }[];
  pendingRevocations: { app: string; dueAt: string; eventId: string }[];
  pendingDeletion: { app: string; dueAt: string; mode: string; onHold: boolean }[];
  pendingRechecks: { app: string; dueAt: string; eventId: string }[];
  legalHold?: { caseId: string; reason?: string; placedBy?: string; placedAt: string };
  recentEvents: { eventId: string; type?: string; verdict: string; reason?: string; at: string }[];
  needsOperator: { at: string; reason: string; eventId?: string; lifecycle?: string; app?: string; kind?: string }[];
  undeliveredAlerts: { kind: string; message: string; attempts: number; lastError?: string; nextAttemptAt: string }[];
  audit?: { state: string; unaudited: number; failingSince?: string; lastError?: string; nextAttemptAt?: string };
  /** Deactivations and deletions the mass-change guard holds until `jml app approve <app>`. */
  heldByGuard: { app: string; eventId: string; action: string; reason: string; since: string }[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoOpt = (ms: number | undefined) => (ms === undefined ? undefined : iso(ms));

/** Drops undefined fields so the JSON has no `"x": undefined` noise after a round trip. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function errorView(e: StepError): AppStatusView['lastError'] {
  return { type: e.type, message: e.message, retryable: !e.nonRetryable };
}

/** The account state an app step leaves behind (activities/accounts.ts records the same in the registry). */
const STATE_AFTER: Record<string, string> = {
  created: 'active',
  adopted: 'active',
  reactivated: 'active',
  updated: 'active',
  unchanged: 'active',
  deactivated: 'deactivated',
  'delete-skipped': 'deactivated',
  deleted: 'deleted',
};

export function buildStatusView(
  s: EmployeeStatus,
  running: RunningSteps = { pending: [], done: [] },
): EmployeeStatusView {
  const steps = running.pending;
  const onHold = s.legalHold !== undefined;
  const revocations = (s.pendingRevocations ?? []).map((r) => ({
    app: r.app,
    dueAt: iso(r.revokeAtMs),
    eventId: r.eventId,
  }));
  const deletions = s.pendingDeletion.map((d) => ({ app: d.app, dueAt: iso(d.deleteAtMs), mode: d.mode, onHold }));
  const rechecks = (s.pendingRechecks ?? []).map((r) => ({ app: r.app, dueAt: iso(r.dueAtMs), eventId: r.eventId }));
  const apps = new Set([
    ...s.accounts.map((a) => a.app),
    ...steps.map((p) => p.app),
    ...running.done.map((d) => d.app),
  ]);
  const accounts = [...apps].sort().map((app): AppStatusView => {
    const known = s.accounts.find((x) => x.app === app);
    // A step the running child finished is newer than the workflow's account registry.
    const finished = running.done
      .filter((d) => d.app === app && STATE_AFTER[d.action])
      .sort((x, y) => x.atMs - y.atMs)
      .pop();
    const a =
      finished && (!known || finished.atMs >= known.lastChangeAtMs)
        ? {
            ...(known ?? { app, groups: [] }),
            state: STATE_AFTER[finished.action] as AppAccount['state'],
            scimId: finished.scimId ?? known?.scimId,
            lastChangeAtMs: finished.atMs,
            ...(finished.action === 'deactivated' ? { deactivatedAtMs: finished.atMs } : {}),
            ...(finished.action === 'deleted' ? { deletedAtMs: finished.atMs } : {}),
            lastError: undefined,
          }
        : known;
    const step = steps.find((p) => p.app === app);
    const revocation = revocations.find((r) => r.app === app);
    const deletion = deletions.find((d) => d.app === app);
    const recheck = rechecks.find((r) => r.app === app);
    return defined({
      app,
      state: a?.state ?? 'provisioning',
      scimId: a?.scimId,
      groups: a?.groups ?? [],
      lastChangeAt: iso(a?.lastChangeAtMs ?? 0),
      deactivatedAt: isoOpt(a?.deactivatedAtMs),
      deletedAt: isoOpt(a?.deletedAtMs),
      lastError: a?.lastError ? errorView(a.lastError) : undefined,
      failedLifecycle: a?.failedLifecycle,
      step: step
        ? defined({
            workflowId: step.workflowId,
            activity: step.activity,
            state: step.state,
            attempt: step.attempt,
            maximumAttempts: step.maximumAttempts,
            nextAttemptAt: isoOpt(step.nextAttemptAtMs),
            lastFailure: step.lastFailure,
          })
        : undefined,
      pendingRevocation: revocation ? { dueAt: revocation.dueAt, eventId: revocation.eventId } : undefined,
      pendingDeletion: deletion ? { dueAt: deletion.dueAt, mode: deletion.mode, onHold: deletion.onHold } : undefined,
      pendingRecheck: recheck ? { dueAt: recheck.dueAt, eventId: recheck.eventId } : undefined,
    });
  });
  return defined({
    employeeId: s.employeeId,
    stage: s.stage,
    currentEventId: s.currentEventId,
    employeeStatus: s.employeeStatus,
    accounts,
    failedApps: s.failedApps,
    pendingEvents: s.pendingEvents.map((e) => defined({ eventId: e.eventId, type: e.type, dueAt: iso(e.dueAtMs) })),
    pendingRevocations: revocations,
    pendingDeletion: deletions,
    pendingRechecks: rechecks,
    legalHold: s.legalHold
      ? defined({
          caseId: s.legalHold.caseId,
          reason: s.legalHold.reason,
          placedBy: s.legalHold.placedBy,
          placedAt: iso(s.legalHold.placedAtMs),
        })
      : undefined,
    recentEvents: (s.recentEvents ?? []).map((e) =>
      defined({ eventId: e.eventId, type: e.type, verdict: e.verdict, reason: e.reason, at: iso(e.atMs) }),
    ),
    needsOperator: (s.needsOperator ?? []).map((n) =>
      defined({
        at: iso(n.atMs),
        reason: n.reason,
        eventId: n.eventId,
        lifecycle: n.lifecycle,
        app: n.app,
        kind: n.kind,
      }),
    ),
    undeliveredAlerts: (s.undeliveredAlerts ?? []).map((u) =>
      defined({
        kind: u.kind,
        message: u.message,
        attempts: u.attempts,
        lastError: u.lastError,
        nextAttemptAt: iso(u.nextAttemptAtMs),
      }),
    ),
    heldByGuard: (s.heldByGuard ?? []).map((h) => ({
      app: h.app,
      eventId: h.eventId,
      action: h.action,
      reason: h.reason,
      since: iso(h.sinceMs),
    })),
    audit: s.audit
      ? defined({
          state: s.audit.state,
          unaudited: s.audit.unaudited,
          failingSince: isoOpt(s.audit.failingSinceMs),
          lastError: s.audit.lastError,
          nextAttemptAt: isoOpt(s.audit.nextAttemptAtMs),
        })
      : undefined,
  });
}
