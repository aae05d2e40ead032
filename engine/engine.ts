/**
 * The engine: the WorkflowService, OperatorService and TestService methods over the in-memory
 * state. Each handler takes the decoded request and returns the response as a plain object;
 * server.ts does the gRPC plumbing.
 */
import { randomUUID } from 'node:crypto';
import {
  activityByIdForRequest,
  activityCanceled,
  activityCompleted,
  activityFailed,
  activityForToken,
  describePendingActivities,
  heartbeat,
} from './activity-tasks';
import { EngineClock } from './clock';
import { failedPrecondition, invalidArgument, notFound } from './errors';
import {
  admitStart,
  deliverCancelRequest,
  deliverSignal,
  requireRun,
  signalEvent,
  startInputFromRequest,
  startRun,
  terminateRun,
} from './executions';
import { clusterInfo } from './cluster-info';
import { describeExtras } from './describe-extras';
import { readHistory } from './history-reads';
import { readHistoryReverse } from './history-reverse';
import { TaskQueues } from './matching';
import { describeTaskQueue, PollerRegistry } from './pollers';
import { durationMs, timestamp, type Msg } from './proto';
import { DEFAULT_CUSTOM_SEARCH_ATTRIBUTES, SYSTEM_SEARCH_ATTRIBUTES } from './search-attributes';
import { findRun, isOpen, type EngineCore, type Namespace, type Run } from './state';
import { admitUpdate, STAGE, stageNumber, updateResponse, waitForStage } from './updates';
import { StickyQueues } from './sticky';
import { listExecutions, countExecutions } from './visibility-service';
import {
  abandonQuery,
  completeQueryTask,
  completeWorkflowTask,
  enqueueQuery,
  failWorkflowTask,
  stickyWorkerGone,
} from './workflow-tasks';

export type Cancelled = (onCancel: () => void) => void;

export interface EngineOptions {
  timeSkipping: boolean;
  namespaces?: string[];
  /** Sticky execution (partial histories to the worker that caches a run). @default true */
  sticky?: boolean;
}

export class Engine implements EngineCore {
  readonly clock: EngineClock;
  readonly workflowQueues = new TaskQueues();
  readonly activityQueues = new TaskQueues();
  readonly sticky: StickyQueues;
  readonly namespaces = new Map<string, Namespace>();
  readonly openRuns = new Set<Run>();
  readonly pollers: PollerRegistry;
  readonly clusterId = randomUUID();

  constructor(readonly options: EngineOptions) {
    this.clock = new EngineClock(options.timeSkipping);
    this.pollers = new PollerRegistry(() => this.clock.now());
    this.sticky = new StickyQueues(options.sticky ?? true);
    for (const name of options.namespaces ?? ['default']) this.registerNamespace(name);
  }

  registerNamespace(name: string): Namespace {
    const existing = this.namespaces.get(name);
    if (existing) return existing;
    const ns: Namespace = {
      name,
      id: randomUUID(),
      searchAttributes: new Map(Object.entries(DEFAULT_CUSTOM_SEARCH_ATTRIBUTES)),
      workflows: new Map(),
    };
    this.namespaces.set(name, ns);
    return ns;
  }

  updateInFlight(): void {
    // Only time skipping needs the count, and it walks every open run: in real time it would cost
    // O(open runs) on every task (quadratic under load).
    if (!this.options.timeSkipping) return;
    let count = 0;
    for (const run of this.openRuns) {
      if (run.wt.state === 'scheduled' || run.wt.state === 'started') count++;
      for (const a of run.activities.values()) if (a.state !== 'backoff') count++;
    }
    this.clock.setInFlight(count);
  }

  stop(): void {
    this.clock.stop();
    this.workflowQueues.releaseAll();
    this.activityQueues.releaseAll();
    for (const run of this.openRuns) for (const wake of [...run.waiters]) wake();
  }

  ns(name: string | undefined): Namespace {
    const ns = this.namespaces.get(name || 'default');
    if (!ns) throw notFound(`namespace ${String(name)} not found`);
    return ns;
  }

  // --- WorkflowService: system -------------------------------------------------------------

  GetSystemInfo(): Msg {
    return {
      serverVersion: '1.24.0-jml-embedded',
      capabilities: {
        signalAndQueryHeader: true,
        internalErrorDifferentiation: true,
        activityFailureIncludeHeartbeat: true,
        encodedFailureAttributes: true,
        upsertMemo: true,
        sdkMetadata: true,
        countGroupByExecutionStatus: true,
      },
    };
  }

  DescribeNamespace(req: Msg): Msg {
    const ns = req.id
      ? [...this.namespaces.values()].find((n) => n.id === req.id)
      : this.namespaces.get(req.namespace as string);
    if (!ns) throw notFound(`namespace ${String(req.namespace ?? req.id)} not found`);
    return describeNs(ns);
  }

  ListNamespaces(): Msg {
    return { namespaces: [...this.namespaces.values()].map(describeNs) };
  }

  RegisterNamespace(req: Msg): Msg {
    this.registerNamespace(req.namespace as string);
    return {};
  }

  GetSearchAttributes(): Msg {
    const keys: Record<string, string> = { ...SYSTEM_SEARCH_ATTRIBUTES };
    for (const ns of this.namespaces.values()) for (const [k, v] of ns.searchAttributes) keys[k] = v;
    return { keys };
  }

  GetClusterInfo(): Msg {
    return clusterInfo(this.clusterId);
  }

  DescribeTaskQueue(req: Msg): Msg {
    this.ns(req.namespace as string);
    return describeTaskQueue(this.pollers, req, timestamp);
  }

  ShutdownWorker(req: Msg): Msg {
    this.ns(req.namespace as string);
    if (req.stickyTaskQueue) stickyWorkerGone(this, req.stickyTaskQueue as string);
    return {};
  }

  // --- WorkflowService: executions ---------------------------------------------------------

  StartWorkflowExecution(req: Msg): Msg {
    const ns = this.ns(req.namespace as string);
    const existing = admitStart(this, ns, req);
    if (existing) return { runId: existing.runId, started: false };
    const run = startRun(this, startInputFromRequest(ns, req));
    return { runId: run.runId, started: true };
  }

  SignalWithStartWorkflowExecution(req: Msg): Msg {
    const ns = this.ns(req.namespace as string);
    const run = findRun(ns, req.workflowId as string);
    if (run && isOpen(run)) {
      this.SignalWorkflowExecution({
        ...req,
        input: req.signalInput,
        workflowExecution: { workflowId: run.workflowId },
      });
      return { runId: run.runId, started: false };
    }
    const signal = signalEvent(
      req.signalName as string,
      req.signalInput as Msg,
      req.header as Msg,
      req.identity as string,
    );
    admitStart(this, ns, { ...req, requestId: undefined });
    const started = startRun(this, startInputFromRequest(ns, req, [signal]));
    return { runId: started.runId, started: true };
  }

  SignalWorkflowExecution(req: Msg): Msg {
    const run = requireRun(this, req.namespace as string, req.workflowExecution as Msg);
    if (!isOpen(run)) throw notFound('workflow execution already completed');
    if (req.requestId && run.requestIds.has(`signal:${String(req.requestId)}`)) return {};
    if (req.requestId) run.requestIds.add(`signal:${String(req.requestId)}`);
    const execution = req.workflowExecution as Msg;
    const ok = deliverSignal(
      this,
      run.namespace,
      execution.workflowId as string,
      run.runId,
      req.signalName as string,
      req.input as Msg,
      req.header as Msg,
      req.identity as string,
    );
    if (!ok) throw notFound('workflow execution already completed');
    return {};
  }

  RequestCancelWorkflowExecution(req: Msg): Msg {
    const run = requireRun(this, req.namespace as string, req.workflowExecution as Msg);
    if (!isOpen(run)) throw notFound('workflow execution already completed');
    deliverCancelRequest(this, run.namespace, run.workflowId, run.runId, req.reason as string);
    return {};
  }

  TerminateWorkflowExecution(req: Msg): Msg {
    const run = requireRun(this, req.namespace as string, req.workflowExecution as Msg);
    if (!isOpen(run)) throw notFound('workflow execution already completed');
    terminateRun(this, run, (req.reason as string) || 'terminated', req.details as Msg, req.identity as string);
    return {};
  }

  async QueryWorkflow(req: Msg, cancelled: Cancelled): Promise<Msg> {
    const run = requireRun(this, req.namespace as string, req.execution as Msg);
    const q = req.query as Msg;
    const id = randomUUID();
    const result = await new Promise<{ answer?: Msg; error?: string }>((resolve) => {
      enqueueQuery(this, run, {
        id,
        queryType: q.queryType as string,
        args: q.queryArgs as Msg,
        header: q.header as Msg,
        resolve,
      });
      cancelled(() => {
        abandonQuery(this, run, id);
        resolve({ error: 'query cancelled by the caller' });
      });
    });
    if (result.error !== undefined) throw invalidArgument(result.error);
    return { queryResult: result.answer };
  }

  /**
   * Admits an Update (or joins the one with the same id) and waits for the requested stage, at
   * most a long poll; the SDK calls again while the answer is still ADMITTED.
   */
  async UpdateWorkflowExecution(req: Msg, cancelled: Cancelled): Promise<Msg> {
    const wanted = Math.max(stageNumber((req.waitPolicy as Msg)?.lifecycleStage), STAGE.ACCEPTED);
    for (;;) {
      const run = requireRun(this, req.namespace as string, req.workflowExecution as Msg);
      if (req.firstExecutionRunId && run.firstRunId !== req.firstExecutionRunId) {
        const first = String(req.firstExecutionRunId);
        throw notFound(`workflow execution not found: ${run.workflowId} (first run ${first})`);
      }
      const update = admitUpdate(this, run, req.request as Msg);
      await waitForStage(update, wanted, cancelled);
      // Admitted on a run that continued as new before a worker saw it: it goes to the next run.
      if (update.abort?.retry) continue;
      if (update.abort) throw notFound(update.abort.message);
      return updateResponse(run, update);
    }
  }

  async PollWorkflowExecutionUpdate(req: Msg, cancelled: Cancelled): Promise<Msg> {
    const ref = (req.updateRef ?? {}) as Msg;
    const run = requireRun(this, req.namespace as string, ref.workflowExecution as Msg);
    const update = run.updates.get(ref.updateId as string);
    // Rejected Updates leave nothing behind, so they are not found either (as on the server).
    if (!update) throw notFound(`update ${String(ref.updateId)} not found`);
    await waitForStage(update, stageNumber((req.waitPolicy as Msg)?.lifecycleStage), cancelled);
    if (update.abort) throw notFound(update.abort.message);
    return updateResponse(run, update);
  }

  DescribeWorkflowExecution(req: Msg): Msg {
    const run = requireRun(this, req.namespace as string, req.execution as Msg);
    return {
      executionConfig: {
        taskQueue: { name: run.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
        defaultWorkflowTaskTimeout: { seconds: Math.ceil(run.workflowTaskTimeoutMs / 1000) },
      },
      workflowExecutionInfo: { ...executionInfo(run), ...describeExtras(this.ns(run.namespace), run) },
      pendingActivities: describePendingActivities(run),
      pendingChildren: [...run.children.values()].map((c) => ({
        workflowId: c.workflowId,
        runId: c.runId,
        workflowTypeName: c.workflowType,
        initiatedId: c.initiatedEventId,
        parentClosePolicy: c.parentClosePolicy,
      })),
      pendingWorkflowTask:
        run.wt.state === 'scheduled' || run.wt.state === 'started'
          ? {
              state:
                run.wt.state === 'started'
                  ? 'PENDING_WORKFLOW_TASK_STATE_STARTED'
                  : 'PENDING_WORKFLOW_TASK_STATE_SCHEDULED',
              attempt: run.wt.attempt,
            }
          : undefined,
    };
  }

  GetWorkflowExecutionHistory(req: Msg, cancelled: Cancelled): Promise<Msg> {
    const run = requireRun(this, req.namespace as string, req.execution as Msg);
    return readHistory(run, req, cancelled);
  }

  GetWorkflowExecutionHistoryReverse(req: Msg): Msg {
    return readHistoryReverse(requireRun(this, req.namespace as string, req.execution as Msg), req);
  }

  ListWorkflowExecutions(req: Msg): Msg {
    return listExecutions(this.ns(req.namespace as string), req);
  }

  ScanWorkflowExecutions(req: Msg): Msg {
    return listExecutions(this.ns(req.namespace as string), req);
  }

  CountWorkflowExecutions(req: Msg): Msg {
    return countExecutions(this.ns(req.namespace as string), req);
  }

  // --- WorkflowService: workers ------------------------------------------------------------

  async PollWorkflowTaskQueue(req: Msg, cancelled: Cancelled): Promise<Msg> {
    this.ns(req.namespace as string);
    const queue = (req.taskQueue as Msg)?.name as string;
    if ((req.taskQueue as Msg)?.kind !== 'TASK_QUEUE_KIND_STICKY') {
      this.pollers.seen('workflow', queue, req.identity as string);
      return (await this.workflowQueues.poll(queue, cancelled)) ?? {};
    }
    // With stickiness off, or once the worker said it is leaving, nothing is ever offered there.
    if (!this.sticky.enabled || !this.sticky.accepting(queue)) return (await parkedPoll(cancelled)) ?? {};
    this.sticky.pollStarted(queue);
    try {
      return (await this.workflowQueues.poll(queue, cancelled)) ?? {};
    } finally {
      this.sticky.pollEnded(queue);
    }
  }

  ResetStickyTaskQueue(req: Msg): Msg {
    const run = requireRun(this, req.namespace as string, req.execution as Msg);
    run.sticky = undefined;
    return {};
  }

  RespondWorkflowTaskCompleted(req: Msg): Msg {
    return completeWorkflowTask(this, req);
  }

  RespondWorkflowTaskFailed(req: Msg): Msg {
    failWorkflowTask(this, req);
    return {};
  }

  RespondQueryTaskCompleted(req: Msg): Msg {
    completeQueryTask(this, req);
    return {};
  }

  async PollActivityTaskQueue(req: Msg, cancelled: Cancelled): Promise<Msg> {
    this.ns(req.namespace as string);
    const rate = Number((req.taskQueueMetadata as Msg | undefined)?.maxTasksPerSecond?.value) || undefined;
    this.pollers.seen('activity', (req.taskQueue as Msg)?.name as string, req.identity as string, rate);
    return (await this.activityQueues.poll((req.taskQueue as Msg)?.name as string, cancelled)) ?? {};
  }

  RespondActivityTaskCompleted(req: Msg): Msg {
    const { run, activity } = activityForToken(this, req.taskToken as Uint8Array);
    activityCompleted(this, run, activity, req);
    return {};
  }

  RespondActivityTaskCompletedById(req: Msg): Msg {
    const { run, activity } = activityByIdForRequest(this, req);
    activityCompleted(this, run, activity, req);
    return {};
  }

  RespondActivityTaskFailed(req: Msg): Msg {
    const { run, activity } = activityForToken(this, req.taskToken as Uint8Array);
    activityFailed(this, run, activity, req);
    return {};
  }

  RespondActivityTaskFailedById(req: Msg): Msg {
    const { run, activity } = activityByIdForRequest(this, req);
    activityFailed(this, run, activity, req);
    return {};
  }

  RespondActivityTaskCanceled(req: Msg): Msg {
    const { run, activity } = activityForToken(this, req.taskToken as Uint8Array);
    activityCanceled(this, run, activity, req);
    return {};
  }

  RespondActivityTaskCanceledById(req: Msg): Msg {
    const { run, activity } = activityByIdForRequest(this, req);
    activityCanceled(this, run, activity, req);
    return {};
  }

  RecordActivityTaskHeartbeat(req: Msg): Msg {
    const { run, activity } = activityForToken(this, req.taskToken as Uint8Array);
    return { cancelRequested: heartbeat(this, run, activity, req.details as Msg) };
  }

  RecordActivityTaskHeartbeatById(req: Msg): Msg {
    const { run, activity } = activityByIdForRequest(this, req);
    return { cancelRequested: heartbeat(this, run, activity, req.details as Msg) };
  }

  // --- OperatorService ---------------------------------------------------------------------

  AddSearchAttributes(req: Msg): Msg {
    const ns = this.ns(req.namespace as string);
    for (const [name, type] of Object.entries((req.searchAttributes ?? {}) as Record<string, string>)) {
      if (SYSTEM_SEARCH_ATTRIBUTES[name]) throw invalidArgument(`${name} is a system search attribute`);
      ns.searchAttributes.set(name, type);
    }
    return {};
  }

  RemoveSearchAttributes(req: Msg): Msg {
    const ns = this.ns(req.namespace as string);
    for (const name of (req.searchAttributes ?? []) as string[]) ns.searchAttributes.delete(name);
    return {};
  }

  ListSearchAttributes(req: Msg): Msg {
    const ns = this.ns(req.namespace as string);
    return {
      customAttributes: Object.fromEntries(ns.searchAttributes),
      systemAttributes: SYSTEM_SEARCH_ATTRIBUTES,
      storageSchema: {},
    };
  }

  // --- TestService (time skipping) ----------------------------------------------------------

  LockTimeSkipping(): Msg {
    this.requireTimeSkipping('LockTimeSkipping');
    this.clock.lock();
    return {};
  }

  UnlockTimeSkipping(): Msg {
    this.requireTimeSkipping('UnlockTimeSkipping');
    if (!this.clock.unlock()) throw failedPrecondition('time skipping is not locked');
    return {};
  }

  async Sleep(req: Msg): Promise<Msg> {
    await this.sleepUntil(this.clock.now() + durationMs(req.duration as Msg));
    return {};
  }

  async SleepUntil(req: Msg): Promise<Msg> {
    const ts = req.timestamp as Msg;
    await this.sleepUntil(Number(ts?.seconds ?? 0) * 1000 + Math.floor(Number(ts?.nanos ?? 0) / 1e6));
    return {};
  }

  async UnlockTimeSkippingWithSleep(req: Msg): Promise<Msg> {
    this.requireTimeSkipping('UnlockTimeSkippingWithSleep');
    if (!this.clock.unlock()) throw failedPrecondition('time skipping is not locked');
    try {
      await this.sleepUntil(this.clock.now() + durationMs(req.duration as Msg));
    } finally {
      this.clock.lock();
    }
    return {};
  }

  GetCurrentTime(): Msg {
    return { time: timestamp(this.clock.now()) };
  }

  private sleepUntil(atMs: number): Promise<void> {
    return new Promise((resolve) => this.clock.schedule(atMs, resolve));
  }

  private requireTimeSkipping(method: string): void {
    if (!this.options.timeSkipping)
      throw failedPrecondition(`${method}: this engine runs in real time (start it with --time-skipping)`);
  }
}

function describeNs(ns: Namespace): Msg {
  return {
    namespaceInfo: {
      name: ns.name,
      state: 'NAMESPACE_STATE_REGISTERED',
      id: ns.id,
      description: 'jml embedded engine',
      supportsSchedules: false,
    },
    config: { workflowExecutionRetentionTtl: { seconds: 3 * 24 * 3600 } },
    isGlobalNamespace: false,
  };
}

const STATUS: Record<Run['status'], string> = {
  Running: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
  Completed: 'WORKFLOW_EXECUTION_STATUS_COMPLETED',
  Failed: 'WORKFLOW_EXECUTION_STATUS_FAILED',
  Canceled: 'WORKFLOW_EXECUTION_STATUS_CANCELED',
  Terminated: 'WORKFLOW_EXECUTION_STATUS_TERMINATED',
  ContinuedAsNew: 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW',
  TimedOut: 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT',
};

export function executionInfo(run: Run): Msg {
  return {
    execution: { workflowId: run.workflowId, runId: run.runId },
    type: { name: run.workflowType },
    startTime: timestamp(run.startMs),
    closeTime: run.closeMs ? timestamp(run.closeMs) : undefined,
    executionTime: timestamp(run.executionMs),
    status: STATUS[run.status],
    historyLength: run.events.length,
    parentNamespaceId: run.parent?.namespace,
    parentExecution: run.parent ? { workflowId: run.parent.workflowId, runId: run.parent.runId } : undefined,
    memo: run.memo,
    searchAttributes: { indexedFields: run.searchAttributes },
    taskQueue: run.taskQueue,
    firstRunId: run.firstRunId,
  };
}

/** A poll on a sticky queue the engine will not feed waits and returns nothing. */
function parkedPoll(cancelled: Cancelled): Promise<Msg | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 20_000);
    timer.unref?.();
    cancelled(() => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}
