/**
 * `employee-<employeeId>`: one long-lived workflow per person that serializes their HR events.
 * Runbook: admit the event (drop duplicates and stale versions), hold future-dated ones until
 * due, classify the change, run exactly one lifecycle child at a time, keep the account
 * registry, run deferred revocations and retention deletions (never under legal hold), and
 * continue-as-new before the history grows large.
 */
import { condition, continueAsNew, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { HrEvent } from '../../lib/hr/event';
import { classifyTransition, snapshotOf } from '../../lib/lifecycle/classify';
import { admitEvent, eventVersion, rememberEventId } from './ordering';
import { addPending, cancelPending, dueTime, takeDue } from './pending';
import {
  appendTimeline,
  applyResult,
  cancelScheduledRemovals,
  initialState,
  lifecycleFor,
  nextWakeUpMs,
  unauditedTimeline,
  type EmployeeState,
} from './state';
import { milestoneKey } from '../../lib/lifecycle/audit-keys';
import type { LifecycleKind, LifecycleResult, ScheduledDeletion, TimelineEntry } from '../../lib/lifecycle/types';
import { forwardHold, runDeletionChild, runLifecycleChild, type DeletionChildSlot } from '../children';
import { describeStatus } from './status';
import { alerts, auditing, planning } from '../lifecycle-activities';
import * as msg from '../../lib/temporal/contract';
import { EMPLOYEE_ID, type EmployeeWorkflowStart } from '../../lib/temporal/contract';

export interface EmployeeWorkflowInput extends EmployeeWorkflowStart {
  /** Carried across continue-as-new. */
  state?: EmployeeState;
}

/** Continue-as-new well before Temporal's history limits (50k events / 50 MB). */
const HISTORY_EVENTS_BEFORE_CONTINUE = 5_000;

export async function employeeWorkflow(input: EmployeeWorkflowInput): Promise<void> {
  let s: EmployeeState = input.state ?? initialState(input.employeeId);
  let stage: msg.EmployeeStatus['stage'] = 'idle';
  let currentEventId: string | undefined;
  const deletionSlot: DeletionChildSlot = {};
  const note = (entry: Omit<TimelineEntry, 'atMs'>) => {
    s = appendTimeline(s, [{ atMs: Date.now(), ...entry }]);
  };

  /** Hands new milestones to the audit store; keys (workflow id + sequence) make it idempotent. */
  async function flushAudit(): Promise<void> {
    const batch = unauditedTimeline(s);
    if (batch.length === 0) return;
    const { workflowId, runId } = workflowInfo();
    const upTo = s.timelineSeq;
    await auditing.recordMilestones({
      employeeId: s.employeeId,
      workflowId,
      runId,
      entries: batch.map(({ seq, entry }) => ({ key: milestoneKey(workflowId, seq, entry), entry })),
    });
    s.auditedSeq = Math.max(s.auditedSeq, upTo);
  }

  setHandler(msg.hrEventSignal, (event) => void s.inbox.push(event));
  setHandler(msg.placeLegalHoldSignal, (hold) => {
    s.legalHold = { ...hold, placedAtMs: Date.now() };
    note({ kind: 'legal-hold-placed', detail: `case ${hold.caseId}${hold.reason ? `: ${hold.reason}` : ''}` });
    forwardHold(deletionSlot, true);
  });
  setHandler(msg.releaseLegalHoldSignal, ({ caseId }) => {
    if (s.legalHold?.caseId !== caseId) return;
    s.legalHold = undefined;
    note({ kind: 'legal-hold-released', detail: `case ${caseId}` });
    forwardHold(deletionSlot, false);
  });
  setHandler(msg.retryAppSignal, ({ app, requestedBy }) => {
    s.retries.push(app);
    note({ kind: 'retry-requested', app, detail: requestedBy ? `by ${requestedBy}` : undefined });
  });
  setHandler(msg.statusQuery, () => describeStatus(s, stage, currentEventId));
  setHandler(msg.timelineQuery, () => s.timeline);
  upsertSearchAttributes([{ key: EMPLOYEE_ID, value: s.employeeId }]);

  /** Runs one child to completion, folds its result in, and alerts on failed apps. */
  async function runLifecycle(kind: LifecycleKind, eventId: string, apps: string[], start: () => Promise<LifecycleResult>) {
    stage = kind;
    currentEventId = eventId;
    note({ kind: 'lifecycle-started', eventId, lifecycle: kind });
    await flushAudit();
    try {
      const result = await start();
      s = appendTimeline(applyResult(s, result), result.timeline);
      const failed = result.outcomes.filter((o) => o.action === 'failed');
      const sla = result.slaDeadlineMs > 0 ? { slaDeadlineMs: result.slaDeadlineMs, slaBreached: result.slaBreached } : {};
      note({ kind: 'lifecycle-completed', eventId, lifecycle: kind, detail: `${result.outcomes.length - failed.length} ok, ${failed.length} failed`, ...sla });
      for (const f of failed) await alert(kind, eventId, `${kind} step failed in ${f.app}: ${f.error?.type} ${f.error?.message}`, f.app);
    } catch (err) {
      // The child failed as a whole (e.g. planning): mark its apps for an operator's retryApp.
      for (const app of apps) {
        const account = s.accounts[app] ?? { app, state: 'failed', groups: [], lastChangeAtMs: Date.now() };
        s.accounts[app] = { ...account, state: 'failed', failedLifecycle: kind, lastError: { type: 'LifecycleFailed', message: String(err), nonRetryable: true } };
      }
      note({ kind: 'lifecycle-failed', eventId, lifecycle: kind, detail: String(err) });
      await alert(kind, eventId, `${kind} run failed as a whole: ${String(err)}`);
    } finally {
      stage = 'idle';
      currentEventId = undefined;
    }
  }

  async function alert(lifecycle: LifecycleKind, eventId: string, message: string, app?: string) {
    const { workflowId } = workflowInfo();
    await alerts.sendAlert({ kind: 'app-failed', employeeId: s.employeeId, lifecycle, eventId, workflowId, app, message, atMs: Date.now() });
  }

  async function applyEvent(event: HrEvent): Promise<void> {
    const snapshot = snapshotOf(event);
    const previous = s.snapshot;
    const transition = classifyTransition(previous, snapshot, s.everProvisioned);
    s.snapshot = snapshot;
    if (transition === 'none') return note({ kind: 'lifecycle-completed', eventId: event.eventId, detail: 'no access change' });
    if (transition === 'rehire') s = cancelScheduledRemovals(s, Date.now(), event.eventId);
    const kind = lifecycleFor(transition) as Exclude<LifecycleKind, 'deletion'>;
    // SLAs count from the effective time, but never from before HR told us (back-dated events).
    const effectiveAtMs = Math.max(Date.parse(event.effectiveAt), s.timeline.find((t) => t.eventId === event.eventId)?.atMs ?? 0);
    const lifecycleInput = { employee: snapshot, previous, eventId: event.eventId, effectiveAtMs, accounts: s.accounts };
    await runLifecycle(kind, event.eventId, Object.keys(s.accounts), () => runLifecycleChild(kind, lifecycleInput));
  }

  async function admitInbox(): Promise<void> {
    while (s.inbox.length > 0) {
      const event = s.inbox.shift()!;
      const verdict = admitEvent(event, new Set(s.seenEventIds), s.lastVersion);
      if (verdict.verdict !== 'accept') {
        note({ kind: verdict.verdict === 'duplicate' ? 'event-duplicate' : 'event-stale', eventId: event.eventId, detail: verdict.reason });
        continue;
      }
      s.seenEventIds = rememberEventId(s.seenEventIds, event.eventId);
      s.lastVersion = eventVersion(event);
      note({
        kind: 'event-received',
        eventId: event.eventId,
        detail: `${event.type ?? 'snapshot'} effective ${event.effectiveAt}`,
        eventType: event.type ?? 'snapshot',
        effectiveAtMs: Date.parse(event.effectiveAt),
        ...(event.initiator === undefined ? {} : { initiator: event.initiator }),
      });
      if (event.type === 'cancel') {
        const { pending, cancelled } = cancelPending(s.pending, event.cancelsEventId!);
        s.pending = pending;
        note({ kind: 'event-cancelled', eventId: event.cancelsEventId, detail: cancelled ? `withdrawn by ${event.eventId}` : 'nothing pending with that id' });
        continue;
      }
      const plan = await planning.planLifecycle({ employee: snapshotOf(event) });
      const dueAtMs = dueTime(event, plan.joinerLeadTimeMs);
      if (dueAtMs <= Date.now()) {
        await applyEvent(event);
        continue;
      }
      const { pending, replaced } = addPending(s.pending, { event, dueAtMs });
      s.pending = pending;
      for (const r of replaced) note({ kind: 'event-cancelled', eventId: r.event.eventId, detail: `superseded by ${event.eventId}` });
      note({ kind: 'event-scheduled', eventId: event.eventId, detail: `due ${new Date(dueAtMs).toISOString()}` });
    }
  }

  async function runRevocations(): Promise<void> {
    const now = Date.now();
    const due = s.revocations.filter((r) => r.revokeAtMs <= now);
    if (due.length === 0 || !s.snapshot) return;
    s.revocations = s.revocations.filter((r) => r.revokeAtMs > now);
    for (const [eventId, apps] of groupBy(due, (r) => r.eventId)) {
      const onlyApps = apps.map((r) => r.app);
      const lifecycleInput = { employee: s.snapshot, eventId, effectiveAtMs: now, accounts: s.accounts, onlyApps };
      await runLifecycle('revocation', eventId, onlyApps, () => runLifecycleChild('revocation', lifecycleInput));
    }
  }

  async function runDeletions(): Promise<void> {
    const now = Date.now();
    const due = s.deletions.filter((d) => d.deleteAtMs <= now);
    if (s.legalHold || due.length === 0 || !s.snapshot) return;
    s.deletions = s.deletions.filter((d) => d.deleteAtMs > now);
    const employee = s.snapshot;
    for (const [eventId, batch] of groupBy(due, (d) => d.eventId)) {
      const apps = batch.map((d) => d.app);
      await runLifecycle('deletion', eventId, apps, () => runDeletionChild(employee, eventId, batch, s.accounts, deletionSlot));
    }
  }

  async function runRetries(): Promise<void> {
    while (s.retries.length > 0 && s.snapshot) {
      const app = s.retries.shift()!;
      const account = s.accounts[app];
      const kind = account?.failedLifecycle;
      if (account?.state !== 'failed' || !kind) {
        note({ kind: 'retry-requested', app, detail: 'nothing to retry: the app has no failed step' });
        continue;
      }
      const eventId = lastEventIdFor(s.timeline, app) ?? 'retry';
      if (kind === 'deletion') {
        s.deletions.push({ app, deleteAtMs: Date.now(), reversible: false, eventId } satisfies ScheduledDeletion);
        continue;
      }
      const attempt = s.timeline.filter((t) => t.kind === 'retry-requested' && t.app === app).length;
      const lifecycleInput = { employee: s.snapshot, previous: s.snapshot, eventId, effectiveAtMs: Date.now(), accounts: s.accounts, onlyApps: [app] };
      await runLifecycle(kind, eventId, [app], () => runLifecycleChild(kind, lifecycleInput, `-retry${attempt}`));
    }
  }

  for (;;) {
    const wakeAt = nextWakeUpMs(s);
    const hasWork = () =>
      s.inbox.length > 0 ||
      s.retries.length > 0 ||
      s.timelineSeq > s.auditedSeq ||
      (!s.legalHold && s.deletions.some((d) => d.deleteAtMs <= Date.now()));
    if (wakeAt === undefined) await condition(hasWork);
    else await condition(hasWork, Math.max(1, wakeAt - Date.now()));

    await admitInbox();
    const { due, rest } = takeDue(s.pending, Date.now());
    s.pending = rest;
    for (const p of due) await applyEvent(p.event);
    await runRevocations();
    await runDeletions();
    await runRetries();
    await flushAudit();

    const info = workflowInfo();
    if (s.inbox.length === 0 && (info.continueAsNewSuggested || info.historyLength > HISTORY_EVENTS_BEFORE_CONTINUE)) {
      await continueAsNew<typeof employeeWorkflow>({ employeeId: s.employeeId, state: s });
    }
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** The event behind an app's last lifecycle step (names the retry run after it). */
function lastEventIdFor(timeline: TimelineEntry[], app: string): string | undefined {
  return [...timeline].reverse().find((t) => t.app === app && t.eventId !== undefined)?.eventId;
}
