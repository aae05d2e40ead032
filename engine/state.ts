/**
 * The engine's in-memory state: namespaces, workflow executions (runs) with their event
 * histories, and the bookkeeping a Temporal server keeps per run (the workflow task, pending
 * activities, timers, children). Everything mutates through the modules next to this file.
 */
import { randomUUID } from 'node:crypto';
import type { EngineClock } from './clock';
import type { ActivityTask, TaskQueues, WorkflowTask } from './matching';
import type { temporal } from '@temporalio/proto';
import {
  historyEvent,
  timestamp,
  type EncodedEvent,
  type Failure,
  type Header,
  type HistoryEvent,
  type Memo,
  type Payload,
  type Payloads,
  type Plain,
  type UserMetadata,
} from './proto';
import type { Priority } from './priority';
import type { Stickiness, StickyQueues } from './sticky';

export type RunStatus = 'Running' | 'Completed' | 'Failed' | 'Canceled' | 'Terminated' | 'ContinuedAsNew' | 'TimedOut';

/** Builds an event's attributes once its id is known (buffered events get ids late). */
export type EventBuilder = (eventId: number) => HistoryEvent;

/** What an event inherits from the command that caused it. */
export interface CommandMeta {
  userMetadata?: UserMetadata;
}

export interface ActivityState {
  scheduledEventId: number;
  activityId: string;
  activityType: string;
  taskQueue: string;
  input?: Payloads;
  header?: Header;
  /** As the ScheduleActivityTask command set it (unset fields inherit the run's; priority.ts). */
  priority?: Priority;
  attempt: number;
  retry: {
    initialMs: number;
    coefficient: number;
    maximumMs: number;
    maximumAttempts: number;
    nonRetryableErrorTypes: string[];
  };
  scheduleToCloseMs: number;
  scheduleToStartMs: number;
  startToCloseMs: number;
  heartbeatMs: number;
  firstScheduledMs: number;
  attemptScheduledMs: number;
  state: 'scheduled' | 'started' | 'backoff';
  startedMs?: number;
  identity?: string;
  heartbeatDetails?: Payloads;
  lastHeartbeatMs?: number;
  cancelRequested: boolean;
  lastFailure?: Failure;
  timers: Partial<Record<'scheduleToClose' | 'scheduleToStart' | 'startToClose' | 'heartbeat' | 'backoff', number>>;
}

export interface ChildState {
  initiatedEventId: number;
  namespace: string;
  workflowId: string;
  workflowType: string;
  runId?: string;
  startedEventId?: number;
  parentClosePolicy: string;
}

export interface WorkflowTaskState {
  state: 'none' | 'scheduled' | 'started' | 'backoff';
  scheduledEventId: number;
  startedEventId: number;
  attempt: number;
  timer?: number;
  /** The sticky queue the task was put on (undefined: the run's normal queue). */
  stickyQueue?: string;
  /** Falls back to the normal queue when the sticky worker does not pick the task up in time. */
  scheduleToStartTimer?: ReturnType<typeof setTimeout>;
  /** Events arrived while the task was started: another task must follow. */
  needsAnother: boolean;
  /**
   * A speculative task (it only carries Updates): its Scheduled/Started events are kept here,
   * not in the history, until something makes them permanent; a task whose only outcome is
   * rejections is discarded as if it never ran (docs/engine.md, "Updates").
   */
  speculative?: HistoryEvent[];
  /** Tells a stale completion from the current one (speculative tasks can reuse event ids). */
  serial?: number;
}

/** admitted → sent (in a workflow task) → accepted → completed, or rejected/aborted. */
export type UpdateStage = 'admitted' | 'sent' | 'accepted' | 'completed' | 'rejected' | 'aborted';

export interface UpdateState {
  updateId: string;
  /** temporal.api.update.v1.Request as the caller sent it. */
  request: Plain<temporal.api.update.v1.IRequest>;
  stage: UpdateStage;
  acceptedEventId?: number;
  /** temporal.api.update.v1.Outcome once completed or rejected. */
  outcome?: Plain<temporal.api.update.v1.IOutcome>;
  /** Why an aborted update never reached the workflow; `retry`: it may go to the next run. */
  abort?: { retry: boolean; message: string };
  /** Callers waiting for the next stage. */
  waiters: Set<() => void>;
}

export interface PendingQuery {
  id: string;
  queryType: string;
  args?: Payloads;
  header?: Header;
  resolve(result: { answer?: Payloads; error?: string }): void;
}

export interface Run {
  namespace: string;
  workflowId: string;
  runId: string;
  firstRunId: string;
  workflowType: string;
  taskQueue: string;
  /** As started (a child's is merged with its parent's); orders this run's tasks and, by inheritance, its activities'. */
  priority?: Priority;
  status: RunStatus;
  startMs: number;
  executionMs: number;
  closeMs?: number;
  events: EncodedEvent[];
  /** Plain copy of the last event (the close event once closed). */
  lastEvent?: HistoryEvent;
  memo: Memo;
  /** `indexedFields` payloads as sent. */
  searchAttributes: Record<string, Payload>;
  parent?: { namespace: string; workflowId: string; runId: string; initiatedEventId: number };
  workflowTaskTimeoutMs: number;
  runTimer?: number;
  executionTimer?: number;
  executionDeadlineMs?: number;
  wt: WorkflowTaskState;
  previousStartedEventId: number;
  buffered: EventBuilder[];
  activities: Map<number, ActivityState>;
  timers: Map<string, { startedEventId: number; clockId: number }>;
  children: Map<number, ChildState>;
  queries: PendingQuery[];
  queryInFlight?: PendingQuery;
  /** Where the query in flight was offered: a sticky queue (with its fallback timer) or the normal one. */
  queryOffer?: { seq: number; stickyQueue?: string; timer?: ReturnType<typeof setTimeout> };
  /** The worker queue this run's tasks go to while its state is cached there (sticky execution). */
  sticky?: Stickiness;
  /** Long polls of GetWorkflowExecutionHistory, woken on every new event (and with `stopping` when the engine stops). */
  waiters: Set<(stopping?: boolean) => void>;
  cancelRequested: boolean;
  requestIds: Set<string>;
  /** Where the next run went (continue-as-new). */
  newRunId?: string;
  /** Updates by id, in admission order: in flight, and completed ones (their outcome is in history). */
  updates: Map<string, UpdateState>;
}

export interface Namespace {
  name: string;
  id: string;
  /** Custom search attributes: name → IndexedValueType name (`INDEXED_VALUE_TYPE_KEYWORD`). */
  searchAttributes: Map<string, string>;
  /** workflowId → runs, newest last. */
  workflows: Map<string, Run[]>;
}

export interface EngineCore {
  clock: EngineClock;
  workflowQueues: TaskQueues<WorkflowTask>;
  activityQueues: TaskQueues<ActivityTask>;
  sticky: StickyQueues;
  namespaces: Map<string, Namespace>;
  openRuns: Set<Run>;
  /** Recomputes what holds virtual time still. */
  updateInFlight(): void;
}

export function newRunId(): string {
  return randomUUID();
}

export function findRun(ns: Namespace, workflowId: string | undefined, runId?: string): Run | undefined {
  const runs = workflowId === undefined ? undefined : ns.workflows.get(workflowId);
  if (!runs) return undefined;
  return runId ? runs.find((r) => r.runId === runId) : runs[runs.length - 1];
}

export function isOpen(run: Run): boolean {
  return run.status === 'Running';
}

/** Appends one event now (not buffered). Returns its id. */
export function appendEvent(core: EngineCore, run: Run, build: EventBuilder): number {
  const eventId = run.events.length + 1;
  const obj = { eventId, eventTime: timestamp(core.clock.now()), ...build(eventId) };
  run.events.push(historyEvent(obj));
  run.lastEvent = obj;
  for (const wake of [...run.waiters]) wake();
  return eventId;
}

/**
 * An event from outside the workflow task (signal, activity result, timer, child): buffered
 * while a workflow task is started — the SDK must see the history it was given end with
 * WorkflowTaskStarted — and appended right after that task completes.
 */
export function appendExternal(core: EngineCore, run: Run, build: EventBuilder): void {
  if (run.wt.state === 'started') {
    run.buffered.push(build);
    run.wt.needsAnother = true;
  } else {
    // A speculative task not yet handed out becomes a normal one: its events are written first.
    persistSpeculativeTask(core, run);
    appendEvent(core, run, build);
  }
}

/**
 * Writes a speculative task's Scheduled (and Started, once handed out) events to the history,
 * with the ids and times the worker was given, and makes it a normal task.
 */
export function persistSpeculativeTask(core: EngineCore, run: Run): void {
  const events = run.wt.speculative;
  if (!events) return;
  run.wt.speculative = undefined;
  for (const event of events) {
    const id = appendEvent(core, run, () => event);
    if (id !== event.eventId) {
      throw new Error(`speculative workflow task event ${String(event.eventId)} would be written as ${id}`);
    }
  }
}

/** Buffered events that need no workflow task of their own (an options update). */
const quietEvents = new WeakSet<EventBuilder>();

/** Buffers an event to append after the task in flight, without asking for another task. */
export function bufferQuiet(run: Run, build: EventBuilder): void {
  quietEvents.add(build);
  run.buffered.push(build);
}

/** Whether the run's buffer holds an event that needs a workflow task (an options update alone does not). */
export function bufferNeedsTask(run: Run): boolean {
  return run.buffered.some((build) => !quietEvents.has(build));
}

/** @returns whether any flushed event needs a workflow task (an options update alone does not). */
export function flushBuffered(core: EngineCore, run: Run): boolean {
  let needed = false;
  for (const build of run.buffered.splice(0)) {
    needed ||= !quietEvents.has(build);
    appendEvent(core, run, build);
  }
  return needed;
}
