/** Lifecycle runs for the console, folded from the newest milestones (pure). */
import type { AuditRecord } from '../../../lib/audit';
import type { TimelineEntry } from '../../../lib/lifecycle/types';

export interface RunRow {
  employeeId: string;
  eventId: string;
  lifecycle: string;
  startedAtMs?: number;
  completedAtMs?: number;
  slaDeadlineMs?: number;
  /** `failed`: the run ended with an app (or itself) failed — never shown as met, whatever the clock said. */
  sla: 'met' | 'breached' | 'running' | 'failed' | 'n/a';
  detail?: string;
  /** Apps whose step failed in this run. */
  failedApps: string[];
}

const RUN_KINDS = new Set(['lifecycle-started', 'lifecycle-completed', 'lifecycle-failed', 'sla-breached']);

const FAILED_COUNT = /\b[1-9]\d* failed\b/;

export function lifecycleRuns(milestones: AuditRecord[]): RunRow[] {
  const runs = new Map<string, RunRow>();
  // Oldest first, so completion overrides start.
  for (const r of [...milestones].sort((a, b) => a.seq - b.seq)) {
    const e = r.data as unknown as TimelineEntry;
    if (!e.eventId) continue;
    // Entries without a lifecycle (an event received, a no-change completion) are not runs; old
    // run milestones written before they carried one were leavers.
    const lifecycle = e.lifecycle ?? (RUN_KINDS.has(e.kind) && e.detail !== 'no access change' ? 'leaver' : undefined);
    if (!lifecycle) continue;
    const key = `${r.employeeId}|${e.eventId}|${lifecycle}`;
    const run: RunRow = runs.get(key) ?? {
      employeeId: r.employeeId,
      eventId: e.eventId,
      lifecycle,
      sla: 'running',
      failedApps: [],
    };
    if (e.kind === 'app-failed' && e.app && !run.failedApps.includes(e.app)) run.failedApps.push(e.app);
    // A later success of the same app in the same run (an operator's retry) settles it.
    if (e.kind === 'app-succeeded' && e.app) run.failedApps = run.failedApps.filter((a) => a !== e.app);
    if (e.kind === 'lifecycle-started') run.startedAtMs = e.atMs;
    if (e.kind === 'sla-breached') {
      run.sla = 'breached';
      run.slaDeadlineMs ??= e.slaDeadlineMs;
    }
    if (e.kind === 'lifecycle-failed') Object.assign(run, { sla: 'failed', completedAtMs: e.atMs, detail: e.detail });
    if (e.kind === 'lifecycle-completed') {
      run.completedAtMs = e.atMs;
      run.detail = e.detail;
      run.slaDeadlineMs = e.slaDeadlineMs ?? run.slaDeadlineMs;
      const failed = run.failedApps.length > 0 || FAILED_COUNT.test(e.detail ?? '');
      run.sla =
        e.slaBreached || run.sla === 'breached'
          ? 'breached'
          : failed
            ? 'failed'
            : e.slaDeadlineMs === undefined
              ? 'n/a'
              : 'met';
    }
    runs.set(key, run);
  }
  return [...runs.values()].sort(
    (a, b) => (b.startedAtMs ?? b.completedAtMs ?? 0) - (a.startedAtMs ?? a.completedAtMs ?? 0),
  );
}
