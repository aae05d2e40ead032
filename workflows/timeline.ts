/** Turns per-app outcomes into timeline milestones (pure; shared by the lifecycle workflows). */
import type { AppOutcome, LifecycleKind, TimelineEntry } from '../lib/lifecycle/types';

export function appTimeline(outcomes: AppOutcome[], eventId: string, lifecycle: LifecycleKind): TimelineEntry[] {
  return outcomes.map((o) => ({
    atMs: o.atMs,
    kind: o.action === 'failed' ? ('app-failed' as const) : ('app-succeeded' as const),
    eventId,
    lifecycle,
    app: o.app,
    detail: o.action === 'failed' ? `${o.error?.type}: ${o.error?.message}` : [o.action, o.note].filter(Boolean).join(' — '),
    action: o.action,
    ...(o.scimId === undefined ? {} : { scimId: o.scimId }),
  }));
}
