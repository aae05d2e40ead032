/** Turns per-app outcomes into timeline milestones (pure; shared by the lifecycle workflows). */
import type { AppOutcome, LifecycleKind, TimelineEntry } from '../lib/lifecycle/types';

export function appTimeline(outcomes: AppOutcome[], eventId: string, lifecycle: LifecycleKind): TimelineEntry[] {
  return outcomes.flatMap((o) => [appEntry(o, eventId, lifecycle), ...groupTimeline(o, eventId, lifecycle)]);
}

function appEntry(o: AppOutcome, eventId: string, lifecycle: LifecycleKind): TimelineEntry {
  return {
    atMs: o.atMs,
    kind: o.action === 'failed' ? ('app-failed' as const) : ('app-succeeded' as const),
    eventId,
    lifecycle,
    app: o.app,
    detail:
      o.action === 'failed' ? `${o.error?.type}: ${o.error?.message}` : [o.action, o.note].filter(Boolean).join(' — '),
    action: o.action,
    ...(o.scimId === undefined ? {} : { scimId: o.scimId }),
  };
}

/** One entry per group membership removal: confirmed by the app, or failed (never claimed). */
export function groupTimeline(o: AppOutcome, eventId: string, lifecycle: LifecycleKind): TimelineEntry[] {
  return (o.groupRemovals ?? []).map((r) => ({
    atMs: o.atMs,
    kind: r.removed ? ('group-removed' as const) : ('group-removal-failed' as const),
    eventId,
    lifecycle,
    app: o.app,
    group: r.group,
    ...(r.groupId === undefined ? {} : { groupId: r.groupId }),
    detail: r.removed
      ? `removed from ${r.group}: ${r.proof ?? 'confirmed'}`
      : `${r.group}: ${r.error?.type}: ${r.error?.message}`,
    ...(o.scimId === undefined ? {} : { scimId: o.scimId }),
  }));
}
