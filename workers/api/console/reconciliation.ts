/**
 * The console's reconciliation section: the last run of each app's `reconcile-<app>` workflow
 * — when, findings by kind, active leavers repaired, errors — and the next run. Last runs come
 * from the audit store, so the page works while Temporal is unreachable; when it answers, each
 * workflow's `reconciliationStatus` query adds the next run, a run in progress, and a newer last
 * run the store lacks (a run that failed as a whole is kept only by its workflow). The page says
 * which source it could read.
 */
import type { Client } from '@temporalio/client';
import { escapeHtml, type AuditStore } from '../../../lib/audit';
import {
  RECONCILIATION_WORKFLOW_TYPE,
  reconciliationStatusQuery,
  reconciliationWorkflowId,
  type ReconciliationRun,
  type ReconciliationStatus,
} from '../../../lib/temporal/contract';
import { withinDeadline } from '../../../lib/temporal/deadline';

export interface AppReconciliation {
  app: string;
  lastRun?: ReconciliationRun;
  /** Where `lastRun` came from. */
  source?: 'audit store' | 'workflow';
  /** The workflow's own answer, when Temporal was reachable and the schedule runs. */
  live?: Pick<ReconciliationStatus, 'running' | 'nextRunAtMs' | 'everyMs' | 'round'>;
}

export interface ReconciliationView {
  apps: AppReconciliation[];
  temporal: { reachable: true } | { reachable: false; reason: string };
}

const PREFIX = reconciliationWorkflowId('');

/** Temporal gets this long for the whole page (listing and queries): a hung server never hangs the console. */
export const TEMPORAL_READ_TIMEOUT_MS = 3_000;

export async function reconciliationView(
  store: AuditStore,
  temporal: (() => Client | undefined) | undefined,
  timeoutMs = TEMPORAL_READ_TIMEOUT_MS,
): Promise<ReconciliationView> {
  const byApp = new Map<string, AppReconciliation>();
  for (const r of await store.lastReconciliationRuns()) {
    const run = r.data as unknown as ReconciliationRun;
    const app = typeof run.app === 'string' ? run.app : r.employeeId.slice(PREFIX.length);
    byApp.set(app, { app, lastRun: run, source: 'audit store' });
  }
  const client = temporal?.();
  let state: ReconciliationView['temporal'];
  if (!client) state = { reachable: false, reason: 'the API is not connected to Temporal' };
  else {
    try {
      // A hung server (or a query no worker answers) never hangs the console.
      const live = await withinDeadline(client, timeoutMs, liveStatuses, 'reconciliation status');
      state = { reachable: true };
      for (const status of live) {
        const entry = byApp.get(status.app) ?? { app: status.app };
        const { running, nextRunAtMs, everyMs, round, lastRun } = status;
        entry.live = { running, nextRunAtMs, everyMs, round };
        if (lastRun && (!entry.lastRun || lastRun.finishedAtMs > entry.lastRun.finishedAtMs)) {
          entry.lastRun = lastRun;
          entry.source = 'workflow';
        }
        byApp.set(status.app, entry);
      }
    } catch (err) {
      state = { reachable: false, reason: firstLine(err) };
    }
  }
  return { apps: [...byApp.values()].sort((a, b) => a.app.localeCompare(b.app)), temporal: state };
}

/** Every running `reconcile-<app>` workflow's status. */
async function liveStatuses(client: Client): Promise<ReconciliationStatus[]> {
  const ids = new Set<string>();
  for await (const info of client.workflow.list({ query: `WorkflowType = "${RECONCILIATION_WORKFLOW_TYPE}"` })) {
    if (info.status.name === 'RUNNING' && info.workflowId.startsWith(PREFIX)) ids.add(info.workflowId);
  }
  return Promise.all([...ids].map((id) => client.workflow.getHandle(id).query(reconciliationStatusQuery)));
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.slice(0, 300);
}

const t = (ms?: number) => (ms === undefined ? '' : new Date(ms).toISOString().replace('.000Z', 'Z'));

function findingsText(findings: Record<string, number>): string {
  const kinds = Object.entries(findings)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b));
  return kinds.length === 0 ? 'none' : kinds.map(([kind, n]) => `${n} ${kind}`).join(', ');
}

function leaversText(run: ReconciliationRun): string {
  if (run.activeLeavers.length === 0) return 'none';
  const repaired = run.activeLeavers.filter((l) => l.repaired === 'yes').length;
  const each = run.activeLeavers
    .map(
      (l) =>
        `${l.employeeId ?? l.scimId ?? '?'} ${l.repaired === 'yes' ? 'deactivated' : l.repaired === 'failed' ? 'deactivation FAILED' : 'not repaired'}`,
    )
    .join('; ');
  return `${repaired} of ${run.activeLeavers.length} deactivated: ${each}`;
}

function nextRunText(entry: AppReconciliation, reachable: boolean): string {
  if (entry.live?.running) return 'running now';
  if (entry.live?.nextRunAtMs !== undefined) return t(entry.live.nextRunAtMs);
  return reachable ? 'no schedule running (the worker starts it)' : 'unknown: Temporal unreachable';
}

/** The section's HTML (a heading paragraph and the table); every value escaped. */
export function renderReconciliation(view: ReconciliationView): string {
  const e = escapeHtml;
  const reachable = view.temporal.reachable;
  const note = view.temporal.reachable
    ? `<p id="temporal-state" class="status ok">Last runs from the audit store and each app's <code>reconcile-&lt;app&gt;</code> workflow; next runs from the workflows.</p>`
    : `<p id="temporal-state" class="status warn">Temporal is unreachable (${e(view.temporal.reason)}): last runs are from the audit store only; next runs and runs in progress are unknown, and a run that failed as a whole (kept only by its workflow) is not shown.</p>`;
  const rows = view.apps
    .map((entry) => {
      const run = entry.lastRun;
      const bad = run && (run.error || run.activeLeavers.some((l) => l.repaired !== 'yes'));
      const found = run && Object.values(run.findings).some((n) => n > 0);
      const badge = !run ? '' : bad ? 'bad' : found ? 'warn' : 'ok';
      const cells = run
        ? [
            `<span class="status ${badge}">${e(t(run.finishedAtMs))}</span> round ${e(String(run.round))}, ${e(run.trigger)}${run.requestedBy ? ` by ${e(run.requestedBy)}` : ''} <small>(${e(entry.source ?? '')})</small>`,
            e(findingsText(run.findings)),
            e(leaversText(run)),
            e(run.error ?? ''),
          ]
        : ['no run yet', '', '', ''];
      return `<tr data-app="${e(entry.app)}" data-source="${e(entry.source ?? '')}"><td>${e(entry.app)}</td>${cells.map((c) => `<td>${c}</td>`).join('')}<td>${e(nextRunText(entry, reachable))}</td></tr>`;
    })
    .join('');
  const empty = `<tr><td colspan="6">No reconciliation recorded yet${reachable ? ' and no schedule running' : ''}.</td></tr>`;
  return `${note}<table id="reconciliation"><thead><tr><th>App</th><th>Last run</th><th>Findings</th><th>Active leavers</th><th>Error</th><th>Next run</th></tr></thead><tbody>${rows || empty}</tbody></table>
<p>Findings and repairs of each run: <code>jml reconcile --app APP --format json</code> reads the app now; <code>jml reconcile --schedule-now --app APP</code> runs the schedule now.</p>`;
}
