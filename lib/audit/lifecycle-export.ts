/**
 * Evidence for every lifecycle, not only leavers: one CSV row per run and app — joiners and
 * re-hires (accounts created, adopted, reactivated), movers and their deferred revocations,
 * leavers and deletions — built from the audit store's milestones and SCIM request records.
 * `jml audit export --lifecycle joiner|mover|all` prints it; `leaver` keeps the leaver format.
 */
import { csvCell } from './render';
import type { AuditRecord } from './store';

export type ExportLifecycle = 'joiner' | 'mover' | 'leaver' | 'all';

/** Which recorded lifecycle kinds each `--lifecycle` choice covers. */
export const EXPORT_KINDS: Record<ExportLifecycle, readonly string[]> = {
  joiner: ['joiner', 'rehire'],
  mover: ['mover', 'revocation'],
  leaver: ['leaver', 'deletion'],
  all: ['joiner', 'rehire', 'mover', 'revocation', 'leaver', 'deletion'],
};

export const LIFECYCLE_CSV_HEADER = [
  'employee_id',
  'lifecycle',
  'event_id',
  'event_type',
  'hr_effective_at',
  'received_at',
  'initiator',
  'started_at',
  'completed_at',
  'app',
  'action',
  'app_done_at',
  'scim_id',
  'response_status',
  'sla_deadline',
  'sla',
  'failure',
  'workflow_id',
];

interface Entry {
  atMs: number;
  kind: string;
  eventId?: string;
  lifecycle?: string;
  app?: string;
  action?: string;
  scimId?: string;
  detail?: string;
  eventType?: string;
  effectiveAtMs?: number;
  initiator?: string;
  slaDeadlineMs?: number;
  slaBreached?: boolean;
  workflowId?: string;
}

interface Run {
  lifecycle: string;
  eventId: string;
  startedAtMs?: number;
  completedAtMs?: number;
  slaDeadlineMs?: number;
  breached: boolean;
  failed: boolean;
  workflowId?: string;
  apps: Map<string, { action: string; atMs: number; scimId?: string; failure?: string }>;
}

const t = (ms?: number) => (ms === undefined ? '' : new Date(ms).toISOString());

/** Rows for one person, runs whose start (or completion) falls in [sinceMs, untilMs). */
export function lifecycleCsvRows(
  employeeId: string,
  records: AuditRecord[],
  kinds: readonly string[],
  sinceMs: number,
  untilMs?: number,
): string[][] {
  const received = new Map<string, Entry>();
  const runs = new Map<string, Run>();
  const statuses = new Map<string, number>();
  for (const r of [...records].sort((a, b) => a.seq - b.seq)) {
    const d = r.data as Record<string, unknown>;
    if (r.kind === 'scim-request') {
      // The last answer an app gave for this event: the status the evidence shows.
      if (typeof d.eventId === 'string' && typeof d.app === 'string' && typeof d.status === 'number')
        statuses.set(`${d.eventId}|${d.app}`, d.status);
      continue;
    }
    if (r.kind !== 'milestone') continue;
    const e = d as unknown as Entry;
    if (!e.eventId) continue;
    if (e.kind === 'event-received') received.set(e.eventId, e);
    if (!e.lifecycle || !kinds.includes(e.lifecycle)) continue;
    const key = `${e.lifecycle}|${e.eventId}`;
    const run: Run = runs.get(key) ?? {
      lifecycle: e.lifecycle,
      eventId: e.eventId,
      breached: false,
      failed: false,
      apps: new Map(),
    };
    runs.set(key, run);
    if (e.workflowId) run.workflowId ??= e.workflowId;
    if (e.kind === 'lifecycle-started') run.startedAtMs ??= e.atMs;
    if (e.kind === 'sla-breached') run.breached = true;
    if (e.kind === 'lifecycle-failed') Object.assign(run, { completedAtMs: e.atMs, failed: true });
    if (e.kind === 'lifecycle-completed') {
      run.completedAtMs = e.atMs;
      run.slaDeadlineMs = e.slaDeadlineMs ?? run.slaDeadlineMs;
      if (e.slaBreached) run.breached = true;
    }
    if ((e.kind === 'app-succeeded' || e.kind === 'app-failed') && e.app) {
      run.apps.set(e.app, {
        action: e.action ?? (e.kind === 'app-failed' ? 'failed' : ''),
        atMs: e.atMs,
        scimId: e.scimId,
        failure: e.kind === 'app-failed' ? e.detail : undefined,
      });
    }
  }
  const rows: string[][] = [];
  for (const run of runs.values()) {
    const at = run.startedAtMs ?? run.completedAtMs ?? 0;
    if (at < sinceMs || (untilMs !== undefined && at >= untilMs)) continue;
    const ev = received.get(run.eventId);
    const anyFailed = run.failed || [...run.apps.values()].some((a) => a.action === 'failed');
    const sla =
      run.completedAtMs === undefined
        ? 'running'
        : run.breached
          ? 'breached'
          : anyFailed
            ? 'failed'
            : run.slaDeadlineMs === undefined
              ? 'n/a'
              : 'met';
    const apps = run.apps.size
      ? [...run.apps.entries()].sort(([a], [b]) => a.localeCompare(b))
      : [['', undefined] as const];
    for (const [app, a] of apps) {
      const status = app ? statuses.get(`${run.eventId}|${app}`) : undefined;
      rows.push([
        employeeId,
        run.lifecycle,
        run.eventId,
        ev?.eventType ?? '',
        t(ev?.effectiveAtMs),
        t(ev?.atMs),
        ev?.initiator ?? '',
        t(run.startedAtMs),
        t(run.completedAtMs),
        app,
        a?.action ?? '',
        t(a?.atMs),
        a?.scimId ?? '',
        status === undefined ? '' : String(status),
        t(run.slaDeadlineMs),
        sla,
        a?.failure ?? '',
        run.workflowId ?? '',
      ]);
    }
  }
  return rows;
}

export function renderLifecycleCsv(rows: string[][], trailer?: string[]): string {
  const lines = [LIFECYCLE_CSV_HEADER.join(','), ...rows.map((r) => r.map(csvCell).join(','))];
  if (trailer) lines.push(...trailer.map((l) => `# ${l}`));
  return `${lines.join('\n')}\n`;
}
