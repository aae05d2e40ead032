/**
 * The employee workflow's state and the pure transitions on it. Kept out of the workflow file
 * so it is unit-tested directly and survives continue-as-new as plain JSON.
 */
import type { EmployeeRecord } from '../../lib/hr/employee';
import type { HrEvent } from '../../lib/hr/event';
import type { EventVersion } from './ordering';
import type { PendingEvent } from './pending';
import type { AppAccount, LifecycleKind, LifecycleResult, ScheduledDeletion, TimelineEntry } from '../../lib/lifecycle/types';

export interface LegalHoldState {
  caseId: string;
  reason?: string;
  placedBy?: string;
  placedAtMs: number;
}

export interface EmployeeState {
  employeeId: string;
  /** Last applied HR snapshot. */
  snapshot?: EmployeeRecord;
  /** Version of the last accepted event (staleness check). */
  lastVersion?: EventVersion;
  seenEventIds: string[];
  /** Some app account was ever created or adopted: distinguishes re-hire from first hire. */
  everProvisioned: boolean;
  accounts: Record<string, AppAccount>;
  /** Received signals not yet processed (carried across continue-as-new). */
  inbox: HrEvent[];
  pending: PendingEvent[];
  deletions: ScheduledDeletion[];
  revocations: { app: string; revokeAtMs: number; eventId: string }[];
  legalHold?: LegalHoldState;
  /** Apps an operator asked to retry. */
  retries: string[];
  /** Newest milestones (bounded); the audit store keeps them all. */
  timeline: TimelineEntry[];
  /** Milestones ever appended: the sequence number that keys each one in the audit trail. */
  timelineSeq: number;
  /** Milestones already handed to the audit store. */
  auditedSeq: number;
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
    retries: [],
    timeline: [],
    timelineSeq: 0,
    auditedSeq: 0,
  };
}

/** The next instant at which the workflow has timed work: a pending event, revocation or deletion. */
export function nextWakeUpMs(state: EmployeeState): number | undefined {
  const times = [
    ...state.pending.map((p) => p.dueAtMs),
    ...state.revocations.map((r) => r.revokeAtMs),
    // Under legal hold deletions wait for the release signal, not for a timer.
    ...(state.legalHold ? [] : state.deletions.map((d) => d.deleteAtMs)),
  ];
  return times.length === 0 ? undefined : Math.min(...times);
}

const ACTIVE_ACTIONS = new Set(['created', 'adopted', 'reactivated', 'updated', 'unchanged']);

/**
 * Folds a lifecycle run's per-app outcomes into the account registry and schedules. A failed
 * step keeps the last known SCIM id and remembers which lifecycle to re-run on `retryApp`.
 */
export function applyResult(state: EmployeeState, result: LifecycleResult): EmployeeState {
  const accounts = { ...state.accounts };
  let everProvisioned = state.everProvisioned;
  for (const o of result.outcomes) {
    const prev = accounts[o.app];
    const base: AppAccount = prev ?? { app: o.app, state: 'active', groups: [], lastChangeAtMs: o.atMs };
    const next: AppAccount = { ...base, scimId: o.scimId ?? base.scimId, groups: o.groups ?? base.groups, lastChangeAtMs: o.atMs };
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
  }
  const deletedOrFailed = new Set(result.kind === 'deletion' ? result.outcomes.map((o) => o.app) : []);
  const scheduled = new Set((result.deletion ?? []).map((d) => d.app));
  const deletions = [
    ...state.deletions.filter((d) => !deletedOrFailed.has(d.app) && !scheduled.has(d.app)),
    ...(result.deletion ?? []),
  ];
  const revocations = [
    ...state.revocations,
    ...(result.revokeLater ?? []).map((r) => ({ ...r, eventId: result.eventId })),
  ];
  return { ...state, accounts, everProvisioned, deletions, revocations };
}

/** A re-hire (or re-grant) withdraws every scheduled deletion and revocation. */
export function cancelScheduledRemovals(state: EmployeeState, atMs: number, eventId: string): EmployeeState {
  const cancelled: TimelineEntry[] = state.deletions.map((d) => ({
    atMs,
    kind: 'deletion-cancelled',
    eventId,
    app: d.app,
    detail: `re-hire cancelled deletion scheduled for ${new Date(d.deleteAtMs).toISOString()}`,
  }));
  return { ...appendTimeline(state, cancelled), deletions: [], revocations: [] };
}

/** Keeps the newest entries in workflow state; the audit store (not state) is the long-term record. */
export const TIMELINE_LIMIT = 1000;

/** Appends milestones, bounding what state keeps and counting every one for the audit keys. */
export function appendTimeline(state: EmployeeState, entries: TimelineEntry[]): EmployeeState {
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

/** Lifecycle kind for a classified transition. */
export function lifecycleFor(transition: 'join' | 'move' | 'leave' | 'rehire'): LifecycleKind {
  return ({ join: 'joiner', move: 'mover', leave: 'leaver', rehire: 'rehire' } as const)[transition];
}
