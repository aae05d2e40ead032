/**
 * `jml_pending_deletions{app}`, read from the audit store when Prometheus scrapes: a count kept
 * in one process's memory would be wrong after a restart and with several workers, while the
 * store holds every run's milestones. An account is pending when its latest deletion milestone
 * is a `deletion-scheduled` with a due time (not cancelled by a re-hire, not yet deleted).
 */
import { Gauge } from 'prom-client';
import type { AuditStore } from '../audit';
import { registry } from './registry';

/** Answers from the store are reused this long, so frequent scrapes do not each scan the milestones. */
const CACHE_MS = 15_000;

type Counts = Record<string, number>;

interface Source {
  apps: readonly string[];
  count: () => Promise<Counts>;
  cached?: { atMs: number; counts: Counts };
}

let source: Source | undefined;

export const pendingDeletions = new Gauge({
  name: 'jml_pending_deletions',
  help: 'Deactivated accounts waiting out their retention period before DELETE, by app (from the audit store)',
  labelNames: ['app'] as const,
  registers: [registry],
  async collect() {
    if (!source) return;
    const now = Date.now();
    if (!source.cached || now - source.cached.atMs > CACHE_MS) {
      // A store that does not answer leaves the series out rather than failing the whole scrape.
      const counts = await source.count().catch(() => undefined);
      if (!counts) return this.reset();
      source.cached = { atMs: now, counts };
    }
    this.reset();
    const { counts } = source.cached;
    for (const app of new Set([...source.apps, ...Object.keys(counts)])) this.set({ app }, counts[app] ?? 0);
  },
});

/** Latest deletion-relevant milestone per person and app; pending when it schedules a DELETE. */
const PENDING_SQL = `
SELECT app, count(*)::int AS n FROM (
  SELECT DISTINCT ON (employee_id, data->>'app') data->>'app' AS app, data->>'kind' AS kind, data->>'dueAtMs' AS due
  FROM audit_records
  WHERE kind = 'milestone' AND data->>'app' IS NOT NULL
    AND (data->>'kind' IN ('deletion-scheduled', 'deletion-cancelled')
         OR (data->>'kind' IN ('app-succeeded', 'app-failed') AND data->>'lifecycle' IN ('deletion', 'joiner', 'rehire')))
  ORDER BY employee_id, data->>'app', occurred_at DESC, seq DESC
) latest
WHERE kind = 'deletion-scheduled' AND due IS NOT NULL
GROUP BY app`;

export async function countPendingDeletions(store: AuditStore): Promise<Counts> {
  const { rows } = await store.db.query<{ app: string; n: number }>(PENDING_SQL);
  return Object.fromEntries(rows.map((r) => [r.app, Number(r.n)]));
}

/** Serves `jml_pending_deletions` from this store; `apps` get a 0 series when none is pending. */
export function trackPendingDeletions(store: AuditStore, apps: readonly string[]): void {
  source = { apps, count: () => countPendingDeletions(store) };
}

/** Stops reading the store (it is closing). */
export function untrackPendingDeletions(): void {
  source = undefined;
}
