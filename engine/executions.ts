/**
 * Workflow executions: start (id reuse and conflict policies, request-id dedup), signals,
 * cancel requests, termination, close (parent notification, parent-close policy for
 * children, run and execution timeouts), child workflows and continue-as-new.
 */
import { alreadyExists, invalidArgument, notFound } from './errors';
import type { temporal } from '@temporalio/proto';
import {
  durationMs,
  timestamp,
  type Failure,
  type Header,
  type HistoryEvent,
  type Memo,
  type Payloads,
  type Plain,
  type SearchAttributes,
  type UserMetadata,
  type WorkflowExecution,
} from './proto';
import { checkPriority, mergePriority, type Priority } from './priority';
import { checkSearchAttributeNames } from './search-attributes';
import {
  appendEvent,
  appendExternal,
  findRun,
  isOpen,
  newRunId,
  type CommandMeta,
  type EngineCore,
  type EventBuilder,
  type Namespace,
  type Run,
  type RunStatus,
} from './state';
import { abortUpdates } from './updates';
import { scheduleWorkflowTask } from './workflow-tasks';

export interface StartInput {
  namespace: Namespace;
  workflowId: string;
  workflowType: string;
  taskQueue: string;
  input?: Payloads;
  header?: Header;
  memo?: Memo;
  searchAttributes?: SearchAttributes;
  executionTimeoutMs: number;
  runTimeoutMs: number;
  taskTimeoutMs: number;
  identity?: string;
  requestId?: string;
  parent?: Run['parent'];
  continuedFrom?: { run: Run; failure?: Failure; lastCompletionResult?: Payloads; initiator?: string };
  firstRunId?: string;
  /** Preset run id (continue-as-new announces it in the previous run's close event). */
  runId?: string;
  executionDeadlineMs?: number;
  userMetadata?: UserMetadata;
  /** The run's own priority (for a child: already merged with its parent's). */
  priority?: Priority;
  /** Appended right after WorkflowExecutionStarted (signalWithStart). */
  extraEvents?: EventBuilder[];
}

export function startRun(core: EngineCore, s: StartInput): Run {
  const ns = s.namespace;
  checkSearchAttributeNames(ns, s.searchAttributes);
  const runId = s.runId ?? newRunId();
  const now = core.clock.now();
  const run: Run = {
    namespace: ns.name,
    workflowId: s.workflowId,
    runId,
    firstRunId: s.firstRunId ?? runId,
    workflowType: s.workflowType,
    taskQueue: s.taskQueue,
    priority: s.priority,
    status: 'Running',
    startMs: now,
    executionMs: now,
    events: [],
    memo: s.memo ?? {},
    searchAttributes: { ...s.searchAttributes?.indexedFields },
    parent: s.parent,
    workflowTaskTimeoutMs: s.taskTimeoutMs || 10_000,
    wt: { state: 'none', scheduledEventId: 0, startedEventId: 0, attempt: 1, needsAnother: false },
    previousStartedEventId: 0,
    buffered: [],
    activities: new Map(),
    timers: new Map(),
    children: new Map(),
    queries: [],
    waiters: new Set(),
    cancelRequested: false,
    requestIds: new Set(s.requestId ? [s.requestId] : []),
    updates: new Map(),
  };
  const runs = ns.workflows.get(s.workflowId) ?? [];
  runs.push(run);
  ns.workflows.set(s.workflowId, runs);
  core.openRuns.add(run);
  const executionDeadlineMs = s.executionDeadlineMs ?? (s.executionTimeoutMs ? now + s.executionTimeoutMs : undefined);
  run.executionDeadlineMs = executionDeadlineMs;
  appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
    userMetadata: s.userMetadata,
    workflowExecutionStartedEventAttributes: {
      workflowType: { name: s.workflowType },
      taskQueue: { name: s.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      input: s.input,
      header: s.header,
      workflowExecutionTimeout: { seconds: Math.floor(s.executionTimeoutMs / 1000) },
      workflowRunTimeout: { seconds: Math.floor(s.runTimeoutMs / 1000) },
      workflowTaskTimeout: { seconds: Math.ceil(run.workflowTaskTimeoutMs / 1000) },
      originalExecutionRunId: runId,
      firstExecutionRunId: run.firstRunId,
      continuedExecutionRunId: s.continuedFrom?.run.runId,
      continuedFailure: s.continuedFrom?.failure,
      lastCompletionResult: s.continuedFrom?.lastCompletionResult,
      initiator: s.continuedFrom ? 'CONTINUE_AS_NEW_INITIATOR_WORKFLOW' : undefined,
      identity: s.identity,
      attempt: 1,
      memo: s.memo,
      searchAttributes: s.searchAttributes,
      workflowId: s.workflowId,
      workflowExecutionExpirationTime: executionDeadlineMs ? timestamp(executionDeadlineMs) : undefined,
      parentWorkflowNamespace: s.parent?.namespace,
      parentWorkflowExecution: s.parent ? { workflowId: s.parent.workflowId, runId: s.parent.runId } : undefined,
      parentInitiatedEventId: s.parent?.initiatedEventId,
      priority: s.priority,
    },
  }));
  for (const build of s.extraEvents ?? []) appendEvent(core, run, build);
  if (s.runTimeoutMs) run.runTimer = core.clock.schedule(now + s.runTimeoutMs, () => timeOutRun(core, run));
  if (executionDeadlineMs) run.executionTimer = core.clock.schedule(executionDeadlineMs, () => timeOutRun(core, run));
  scheduleWorkflowTask(core, run);
  return run;
}

/** Start-time policy checks; returns the existing run when the request is a repeat or USE_EXISTING applies. */
/** The start of a workflow: a StartWorkflowExecution or SignalWithStartWorkflowExecution request. */
type StartRequest =
  | Plain<temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest>
  | Plain<temporal.api.workflowservice.v1.ISignalWithStartWorkflowExecutionRequest>;

export function admitStart(core: EngineCore, ns: Namespace, req: StartRequest): Run | undefined {
  const existing = findRun(ns, req.workflowId);
  if (existing && req.requestId && existing.requestIds.has(req.requestId)) return existing;
  if (existing && isOpen(existing)) {
    const conflict = req.workflowIdConflictPolicy ?? 'WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED';
    const reuse = req.workflowIdReusePolicy;
    if (conflict === 'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING') return existing;
    if (
      conflict === 'WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING' ||
      reuse === 'WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING'
    ) {
      terminateRun(core, existing, 'terminated by a new start (id conflict policy)', undefined);
      return undefined;
    }
    throw alreadyExists(`workflow ${String(req.workflowId)} is already running (run ${existing.runId})`);
  }
  if (existing) {
    const reuse = req.workflowIdReusePolicy ?? 'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE';
    if (reuse === 'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE')
      throw alreadyExists(`workflow ${String(req.workflowId)} already ran and the id reuse policy rejects duplicates`);
    if (reuse === 'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY' && existing.status === 'Completed') {
      throw alreadyExists(
        `workflow ${String(req.workflowId)} completed and the id reuse policy allows only failed runs to be repeated`,
      );
    }
  }
  return undefined;
}

export function startInputFromRequest(ns: Namespace, req: StartRequest, extraEvents?: EventBuilder[]): StartInput {
  if (!req.workflowId) throw invalidArgument('workflowId is required');
  if (!req.workflowType?.name) throw invalidArgument('workflowType is required');
  if (!req.taskQueue?.name) throw invalidArgument('taskQueue is required');
  const executionTimeoutMs = durationMs(req.workflowExecutionTimeout);
  return {
    namespace: ns,
    workflowId: req.workflowId,
    workflowType: req.workflowType.name,
    taskQueue: req.taskQueue.name,
    input: req.input,
    header: req.header,
    memo: req.memo,
    searchAttributes: req.searchAttributes,
    executionTimeoutMs,
    runTimeoutMs: durationMs(req.workflowRunTimeout) || executionTimeoutMs,
    taskTimeoutMs: durationMs(req.workflowTaskTimeout),
    identity: req.identity,
    requestId: req.requestId,
    userMetadata: req.userMetadata,
    priority: checkPriority(req.priority, 'priority'),
    extraEvents,
  };
}

export function signalEvent(
  signalName: string | undefined,
  input: Payloads | undefined,
  header: Header | undefined,
  identity: string | undefined,
): EventBuilder {
  return () => ({
    eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
    workflowExecutionSignaledEventAttributes: { signalName, input, header, identity },
  });
}

/** @returns false when there is no open run to signal. */
export function deliverSignal(
  core: EngineCore,
  namespace: string,
  workflowId: string | undefined,
  runId: string | undefined,
  signalName: string | undefined,
  input: Payloads | undefined,
  header: Header | undefined,
  identity: string | undefined,
): boolean {
  const ns = core.namespaces.get(namespace);
  const run = ns && findRun(ns, workflowId, runId || undefined);
  if (!run || !isOpen(run)) return false;
  appendExternal(core, run, signalEvent(signalName, input, header, identity));
  scheduleWorkflowTask(core, run);
  return true;
}

export function deliverCancelRequest(
  core: EngineCore,
  namespace: string,
  workflowId: string | undefined,
  runId: string | undefined,
  reason?: string,
): boolean {
  const ns = core.namespaces.get(namespace);
  const run = ns && findRun(ns, workflowId, runId || undefined);
  if (!run || !isOpen(run)) return false;
  if (run.cancelRequested) return true;
  run.cancelRequested = true;
  appendExternal(core, run, () => ({
    eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED',
    workflowExecutionCancelRequestedEventAttributes: { cause: reason },
  }));
  scheduleWorkflowTask(core, run);
  return true;
}

export function terminateRun(
  core: EngineCore,
  run: Run,
  reason: string,
  details: Payloads | undefined,
  identity?: string,
): void {
  // Buffered events of a terminated run are dropped: nothing will process them.
  run.buffered = [];
  closeRun(core, run, 'Terminated', () => ({
    eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED',
    workflowExecutionTerminatedEventAttributes: { reason, details, identity },
  }));
}

function timeOutRun(core: EngineCore, run: Run): void {
  if (!isOpen(run)) return;
  run.buffered = [];
  closeRun(core, run, 'TimedOut', () => ({
    eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT',
    workflowExecutionTimedOutEventAttributes: { retryState: 'RETRY_STATE_TIMEOUT' },
  }));
}

/** Writes the close event and settles everything attached to the run. */
export function closeRun(core: EngineCore, run: Run, status: RunStatus, build: EventBuilder): void {
  if (!isOpen(run)) return;
  appendEvent(core, run, build);
  run.status = status;
  run.closeMs = core.clock.now();
  core.openRuns.delete(run);
  core.clock.cancel(run.runTimer);
  core.clock.cancel(run.executionTimer);
  core.clock.cancel(run.wt.timer);
  run.wt.speculative = undefined;
  abortUpdates(run, status);
  clearTimeout(run.wt.scheduleToStartTimer);
  // A closed run is no longer cached by any worker: queries on it carry the full history.
  run.sticky = undefined;
  for (const t of run.timers.values()) core.clock.cancel(t.clockId);
  for (const a of run.activities.values()) for (const id of Object.values(a.timers)) core.clock.cancel(id);
  run.activities.clear();
  run.wt.state = 'none';
  applyParentClosePolicy(core, run);
  if (status !== 'ContinuedAsNew') notifyParent(core, run, status);
  for (const wake of [...run.waiters]) wake();
  core.updateInFlight();
}

function applyParentClosePolicy(core: EngineCore, run: Run): void {
  for (const child of run.children.values()) {
    const ns = core.namespaces.get(child.namespace);
    const childRun = ns && child.runId ? findRun(ns, child.workflowId, child.runId) : undefined;
    if (!childRun || !isOpen(childRun)) continue;
    if (child.parentClosePolicy === 'PARENT_CLOSE_POLICY_ABANDON') continue;
    if (child.parentClosePolicy === 'PARENT_CLOSE_POLICY_REQUEST_CANCEL')
      deliverCancelRequest(core, child.namespace, child.workflowId, child.runId, 'parent closed');
    else terminateRun(core, childRun, 'by parent close policy', undefined);
  }
}

/** Tells the parent how its child ended (ChildWorkflowExecution* events). */
function notifyParent(core: EngineCore, run: Run, status: RunStatus): void {
  const p = run.parent;
  if (!p) return;
  const ns = core.namespaces.get(p.namespace);
  const parent = ns && findRun(ns, p.workflowId, p.runId);
  if (!parent || !isOpen(parent)) return;
  const child = parent.children.get(p.initiatedEventId);
  parent.children.delete(p.initiatedEventId);
  const close = run.lastEvent ?? {};
  const common = {
    namespace: run.namespace,
    workflowExecution: { workflowId: run.workflowId, runId: run.runId },
    workflowType: { name: run.workflowType },
    initiatedEventId: p.initiatedEventId,
    startedEventId: child?.startedEventId ?? 0,
  };
  const events: Partial<Record<RunStatus, () => HistoryEvent>> = {
    Completed: () => ({
      eventType: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED',
      childWorkflowExecutionCompletedEventAttributes: {
        ...common,
        result: close.workflowExecutionCompletedEventAttributes?.result,
      },
    }),
    Failed: () => ({
      eventType: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED',
      childWorkflowExecutionFailedEventAttributes: {
        ...common,
        failure: close.workflowExecutionFailedEventAttributes?.failure,
        retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE',
      },
    }),
    Canceled: () => ({
      eventType: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED',
      childWorkflowExecutionCanceledEventAttributes: {
        ...common,
        details: close.workflowExecutionCanceledEventAttributes?.details,
      },
    }),
    Terminated: () => ({
      eventType: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED',
      childWorkflowExecutionTerminatedEventAttributes: common,
    }),
    TimedOut: () => ({
      eventType: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT',
      childWorkflowExecutionTimedOutEventAttributes: { ...common, retryState: 'RETRY_STATE_TIMEOUT' },
    }),
  };
  const build = events[status];
  if (!build) return;
  appendExternal(core, parent, build);
  scheduleWorkflowTask(core, parent);
}

export function startChild(
  core: EngineCore,
  parent: Run,
  a: Plain<temporal.api.command.v1.IStartChildWorkflowExecutionCommandAttributes>,
  done: number,
  meta: CommandMeta,
): void {
  // The SDK always sets both; the real server rejects the command without them too.
  if (!a.workflowId) throw invalidArgument('StartChildWorkflowExecution needs workflowId');
  if (!a.workflowType?.name) throw invalidArgument('StartChildWorkflowExecution needs workflowType.name');
  const { workflowId } = a;
  const namespace = a.namespace || parent.namespace;
  const workflowType = a.workflowType.name;
  const parentClosePolicy = a.parentClosePolicy || 'PARENT_CLOSE_POLICY_TERMINATE';
  checkPriority(a.priority, 'StartChildWorkflowExecution.priority');
  const initiatedEventId = appendEvent(core, parent, () => ({
    eventType: 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
    ...meta,
    startChildWorkflowExecutionInitiatedEventAttributes: {
      ...a,
      namespace,
      parentClosePolicy,
      workflowTaskCompletedEventId: done,
    },
  }));
  parent.children.set(initiatedEventId, {
    initiatedEventId,
    namespace,
    workflowId,
    workflowType,
    parentClosePolicy,
  });
  // Started after this task's events (a separate transaction on the real server).
  setImmediate(() => {
    if (!isOpen(parent)) return;
    const ns = core.namespaces.get(namespace);
    const existing = ns && findRun(ns, workflowId);
    if (!ns || (existing && isOpen(existing))) {
      parent.children.delete(initiatedEventId);
      appendExternal(core, parent, () => ({
        eventType: 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED',
        startChildWorkflowExecutionFailedEventAttributes: {
          namespace,
          workflowId,
          workflowType: a.workflowType,
          cause: ns
            ? 'START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS'
            : 'START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_NAMESPACE_NOT_FOUND',
          initiatedEventId,
          workflowTaskCompletedEventId: done,
        },
      }));
      scheduleWorkflowTask(core, parent);
      return;
    }
    const executionTimeoutMs = durationMs(a.workflowExecutionTimeout);
    const child = startRun(core, {
      namespace: ns,
      workflowId,
      workflowType,
      taskQueue: a.taskQueue?.name || parent.taskQueue,
      input: a.input,
      header: a.header,
      memo: a.memo,
      searchAttributes: a.searchAttributes,
      executionTimeoutMs,
      runTimeoutMs: durationMs(a.workflowRunTimeout) || executionTimeoutMs,
      taskTimeoutMs: durationMs(a.workflowTaskTimeout),
      parent: { namespace: parent.namespace, workflowId: parent.workflowId, runId: parent.runId, initiatedEventId },
      userMetadata: meta.userMetadata,
      // The child runs at what its command set, the rest inherited from the parent (as the server merges it).
      priority: mergePriority(parent.priority, a.priority ?? undefined),
    });
    const state = parent.children.get(initiatedEventId);
    if (state) state.runId = child.runId;
    appendExternal(core, parent, (id) => {
      if (state) state.startedEventId = id;
      return {
        eventType: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED',
        childWorkflowExecutionStartedEventAttributes: {
          namespace,
          initiatedEventId,
          workflowExecution: { workflowId: child.workflowId, runId: child.runId },
          workflowType: a.workflowType,
          header: a.header,
        },
      };
    });
    scheduleWorkflowTask(core, parent);
  });
}

export function continueAsNew(
  core: EngineCore,
  run: Run,
  a: Plain<temporal.api.command.v1.IContinueAsNewWorkflowExecutionCommandAttributes>,
  done: number,
): void {
  const ns = core.namespaces.get(run.namespace)!;
  const newRunIdValue = newRunId();
  // The new run is created first so the close event can name it; the SDK's result() follows it.
  closeRun(core, run, 'ContinuedAsNew', () => ({
    eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    workflowExecutionContinuedAsNewEventAttributes: {
      newExecutionRunId: newRunIdValue,
      workflowType: a.workflowType ?? { name: run.workflowType },
      taskQueue: a.taskQueue?.name ? a.taskQueue : { name: run.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      input: a.input,
      workflowRunTimeout: a.workflowRunTimeout,
      workflowTaskTimeout: a.workflowTaskTimeout,
      workflowTaskCompletedEventId: done,
      header: a.header,
      initiator: 'CONTINUE_AS_NEW_INITIATOR_WORKFLOW',
    },
  }));
  run.newRunId = newRunIdValue;
  const next = startRun(core, {
    namespace: ns,
    workflowId: run.workflowId,
    workflowType: a.workflowType?.name || run.workflowType,
    taskQueue: a.taskQueue?.name || run.taskQueue,
    input: a.input,
    header: a.header,
    memo: a.memo ?? run.memo,
    searchAttributes: a.searchAttributes ?? { indexedFields: run.searchAttributes },
    executionTimeoutMs: 0,
    runTimeoutMs: durationMs(a.workflowRunTimeout),
    taskTimeoutMs: durationMs(a.workflowTaskTimeout) || run.workflowTaskTimeoutMs,
    parent: run.parent,
    firstRunId: run.firstRunId,
    executionDeadlineMs: run.executionDeadlineMs,
    continuedFrom: { run },
    runId: newRunIdValue,
    // ContinueAsNew has no priority of its own: the chain keeps the run's.
    priority: run.priority,
  });
  void next;
  if (run.parent) {
    const parentNs = core.namespaces.get(run.parent.namespace);
    const parent = parentNs && findRun(parentNs, run.parent.workflowId, run.parent.runId);
    const child = parent?.children.get(run.parent.initiatedEventId);
    if (child) child.runId = newRunIdValue;
  }
}

export function requireRun(
  core: EngineCore,
  namespace: string | undefined,
  execution: WorkflowExecution | undefined,
): Run {
  const ns = core.namespaces.get(namespace ?? '');
  if (!ns) throw notFound(`namespace ${String(namespace)} not found`);
  const run = findRun(ns, execution?.workflowId, execution?.runId || undefined);
  if (!run)
    throw notFound(
      `workflow execution not found: ${String(execution?.workflowId)}${execution?.runId ? ` (run ${String(execution.runId)})` : ''}`,
    );
  return run;
}
