/**
 * The leaver timeline security teams ask for, built from audit records alone (it must hold
 * long after Temporal's history retention): when HR terminated, when we received it, when
 * each app was deactivated and what it answered, the SLA deadline and verdict, the deletion
 * schedule and actual deletions, holds and re-hires.
 */
import type { TimelineEntry } from '../lifecycle/types';
import type { AuditRecord } from './store';

export interface AppRevocation {
  app: string;
  deactivatedAtMs?: number;
  /** HTTP status of the revoking request, when recorded. */
  status?: number;
  scimId?: string;
  failed?: string;
  deletionDueAtMs?: number;
  deletedAtMs?: number;
  /** Why no deletion: deactivate-only or none, `cancelled by re-hire <eventId>`, `held: case <id>`. */
  deletionNote?: string;
}

export interface Termination {
  eventId: string;
  hrEffectiveAtMs?: number;
  receivedAtMs: number;
  initiator?: string;
  slaDeadlineMs?: number;
  sla: 'met' | 'breached' | 'pending';
  completedAtMs?: number;
  apps: AppRevocation[];
  workflowId?: string;
  runId?: string;
  workflowUrl?: string;
}

export interface LeaverTimeline {
  employeeId: string;
  terminations: Termination[];
  holds: { caseId: string; placedAtMs: number; releasedAtMs?: number }[];
  rehires: { eventId: string; atMs: number }[];
  /** Terminations the workflow did not apply as sent (duplicate, stale, invalid) and why: never silent. */
  rejectedTerminations: {
    eventId: string;
    verdict: 'duplicate' | 'stale' | 'invalid';
    reason?: string;
    atMs: number;
  }[];
}

export interface TimelineOptions {
  /** e.g. http://localhost:8233 → links `…/namespaces/<ns>/workflows/<id>/<runId>/history`. */
  temporalUiUrl?: string;
  namespace?: string;
}

function entryOf(r: AuditRecord): TimelineEntry | undefined {
  return r.kind === 'milestone' ? (r.data as unknown as TimelineEntry) : undefined;
}

export function buildLeaverTimeline(
  employeeId: string,
  records: AuditRecord[],
  options: TimelineOptions = {},
): LeaverTimeline {
  const timeline: LeaverTimeline = { employeeId, terminations: [], holds: [], rehires: [], rejectedTerminations: [] };
  const byEvent = new Map<string, Termination>();
  const app = (t: Termination, name: string) => {
    let a = t.apps.find((x) => x.app === name);
    if (!a) t.apps.push((a = { app: name }));
    return a;
  };
  // Chain order is the workflow's own order of events; timestamps come from different clocks
  // (workflow time for decisions, worker wall clock for the requests themselves).
  const sorted = [...records].sort((a, b) => a.chainSeq - b.chainSeq || a.seq - b.seq);
  for (const r of sorted) {
    const e = entryOf(r);
    if (!e) continue;
    if (e.kind === 'event-received' && e.eventType === 'terminate' && e.eventId) {
      const t: Termination = {
        eventId: e.eventId,
        hrEffectiveAtMs: e.effectiveAtMs,
        receivedAtMs: e.atMs,
        initiator: e.initiator,
        sla: 'pending',
        apps: [],
        workflowId: r.workflowId,
        runId: r.runId,
      };
      byEvent.set(e.eventId, t);
      timeline.terminations.push(t);
      continue;
    }
    if (e.kind === 'event-received' && e.eventType === 'rehire' && e.eventId)
      timeline.rehires.push({ eventId: e.eventId, atMs: e.atMs });
    const verdict = REJECTED[e.kind];
    if (verdict && e.eventType === 'terminate' && e.eventId) {
      timeline.rejectedTerminations.push({ eventId: e.eventId, verdict, reason: e.detail, atMs: e.atMs });
    }
    if (e.kind === 'legal-hold-placed')
      timeline.holds.push({ caseId: /case ([^\s:]+)/.exec(e.detail ?? '')?.[1] ?? '?', placedAtMs: e.atMs });
    if (e.kind === 'legal-hold-released') {
      const caseId = /case ([^\s:]+)/.exec(e.detail ?? '')?.[1];
      const open = timeline.holds.find((h) => h.caseId === caseId && h.releasedAtMs === undefined);
      if (open) open.releasedAtMs = e.atMs;
    }
    const t = e.eventId ? byEvent.get(e.eventId) : undefined;
    if (!t) continue;
    applyToTermination(t, e, app);
  }
  // Requests are matched to terminations by event id, not by time (worker clocks may differ).
  for (const r of sorted.filter((x) => x.kind === 'scim-request')) {
    const d = r.data as { operation?: string; app?: string; status?: number; eventId?: string };
    const t = d.eventId ? byEvent.get(d.eventId) : undefined;
    if (t && d.app && d.operation === 'deactivate-user' && d.status) app(t, d.app).status = d.status;
  }
  for (const t of timeline.terminations) {
    if (options.temporalUiUrl && t.workflowId) {
      const base = options.temporalUiUrl.replace(/\/$/, '');
      t.workflowUrl = `${base}/namespaces/${encodeURIComponent(options.namespace ?? 'default')}/workflows/${encodeURIComponent(t.workflowId)}${t.runId ? `/${encodeURIComponent(t.runId)}` : ''}/history`;
    }
  }
  return timeline;
}

const REJECTED: Partial<Record<TimelineEntry['kind'], 'duplicate' | 'stale' | 'invalid'>> = {
  'event-duplicate': 'duplicate',
  'event-stale': 'stale',
  'event-invalid': 'invalid',
};

function applyToTermination(
  t: Termination,
  e: TimelineEntry,
  app: (t: Termination, name: string) => AppRevocation,
): void {
  if (e.kind === 'sla-breached' && (e.lifecycle === 'leaver' || !e.lifecycle)) {
    t.sla = 'breached';
    t.slaDeadlineMs ??= e.slaDeadlineMs;
  }
  if (e.kind === 'lifecycle-completed' && e.lifecycle === 'leaver') {
    t.completedAtMs = e.atMs;
    t.slaDeadlineMs = e.slaDeadlineMs ?? t.slaDeadlineMs;
    t.sla = e.slaBreached || t.sla === 'breached' ? 'breached' : 'met';
  }
  if (!e.app) return;
  const a = app(t, e.app);
  if (e.lifecycle === 'leaver' && e.kind === 'app-succeeded' && e.action === 'deactivated')
    Object.assign(a, { deactivatedAtMs: e.atMs, scimId: e.scimId ?? a.scimId });
  if (e.lifecycle === 'leaver' && e.kind === 'app-failed') a.failed = e.detail;
  if (e.kind === 'deletion-scheduled') {
    if (e.dueAtMs) a.deletionDueAtMs = e.dueAtMs;
    else a.deletionNote = e.detail;
  }
  if (e.kind === 'deletion-cancelled') a.deletionNote = e.detail ?? 'deletion cancelled';
  if (e.kind === 'deletion-held') a.deletionNote = e.detail ?? 'held';
  if (e.lifecycle === 'deletion' && e.kind === 'app-succeeded') {
    if (e.action === 'deleted') a.deletedAtMs = e.atMs;
    else a.deletionNote = e.detail;
  }
}
