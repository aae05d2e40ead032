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
  sla: 'met' | 'breached' | 'running' | 'failed' | 'n/a';
  detail?: string;
}

export function lifecycleRuns(milestones: AuditRecord[]): RunRow[] {
  const runs = new Map<string, RunRow>();
  // Oldest first, so completion overrides start.
  for (const r of [...milestones].sort((a, b) => a.seq - b.seq)) {
    const e = r.data as unknown as TimelineEntry;
    if (!e.eventId) continue;
    const lifecycle = e.lifecycle ?? 'leaver';
    const key = `${r.employeeId}|${e.eventId}|${lifecycle}`;
    const run = runs.get(key) ?? { employeeId: r.employeeId, eventId: e.eventId, lifecycle, sla: 'running' as const };
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
      run.sla = e.slaDeadlineMs === undefined ? 'n/a' : e.slaBreached || run.sla === 'breached' ? 'breached' : 'met';
    }
    runs.set(key, run);
  }
  return [...runs.values()].sort((a, b) => (b.startedAtMs ?? b.completedAtMs ?? 0) - (a.startedAtMs ?? a.completedAtMs ?? 0));
}
