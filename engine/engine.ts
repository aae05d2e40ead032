/**
 * The engine: the WorkflowService, OperatorService and TestService methods over the in-memory
 * state. Each handler takes the decoded request and returns the response as a plain object;
 * server.ts does the gRPC plumbing.
 */
import { randomUUID } from 'node:crypto';
import type { temporal } from '@temporalio/proto';
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
import { updateExecutionOptions } from './execution-options';
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
import { TaskQueues, type ActivityTask, type WorkflowTask } from './matching';
import { describeTaskQueue, PollerRegistry } from './pollers';
import { durationMs, timestamp, type Payloads, type Plain, type WithHistory } from './proto';
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
  type CompletedResponse,
} from './workflow-tasks';

export type Cancelled = (onCancel: () => void) => void;

export interface EngineOptions {
  timeSkipping: boolean;
  namespaces?: string[];
  /** Sticky execution (partial histories to the worker that caches a run). @default true */
  sticky?: boolean;
  /** Task priority orders backlogs (false: FIFO, a benchmark baseline; priorities are still recorded). @default true */
  priority?: boolean;
}

export class Engine implements EngineCore {
  readonly clock: EngineClock;
  readonly workflowQueues: TaskQueues<WorkflowTask>;
  readonly activityQueues: TaskQueues<ActivityTask>;
  readonly sticky: StickyQueues;
  readonly namespaces = new Map<string, Namespace>();
  readonly openRuns = new Set<Run>();
  readonly pollers: PollerRegistry;
  readonly clusterId = randomUUID();

  constructor(readonly options: EngineOptions) {
    this.clock = new EngineClock(options.timeSkipping);
    this.workflowQueues = new TaskQueues({ priority: options.priority });
    this.activityQueues = new TaskQueues({ priority: options.priority });
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
    for (const run of this.openRuns) for (const wake of [...run.waiters]) wake(true);
  }

  ns(name: string | undefined): Namespace {
    const ns = this.namespaces.get(name || 'default');
    if (!ns) throw notFound(`namespace ${String(name)} not found`);
    return ns;
  }

  // --- WorkflowService: system -------------------------------------------------------------

  GetSystemInfo(): Plain<temporal.api.workflowservice.v1.IGetSystemInfoResponse> {
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

  DescribeNamespace(
    req: Plain<temporal.api.workflowservice.v1.IDescribeNamespaceRequest>,
  ): Plain<temporal.api.workflowservice.v1.IDescribeNamespaceResponse> {
    const ns = req.id
      ? [...this.namespaces.values()].find((n) => n.id === req.id)
      : this.namespaces.get(req.namespace ?? '');
    if (!ns) throw notFound(`namespace ${String(req.namespace ?? req.id)} not found`);
    return describeNs(ns);
  }

  ListNamespaces(): Plain<temporal.api.workflowservice.v1.IListNamespacesResponse> {
    return { namespaces: [...this.namespaces.values()].map(describeNs) };
  }

  RegisterNamespace(
    req: Plain<temporal.api.workflowservice.v1.IRegisterNamespaceRequest>,
  ): Plain<temporal.api.workflowservice.v1.IRegisterNamespaceResponse> {
    if (!req.namespace) throw invalidArgument('namespace is required');
    this.registerNamespace(req.namespace);
    return {};
  }

  GetSearchAttributes(): Plain<temporal.api.workflowservice.v1.IGetSearchAttributesResponse> {
    const keys: Record<string, string> = { ...SYSTEM_SEARCH_ATTRIBUTES };
    for (const ns of this.namespaces.values()) for (const [k, v] of ns.searchAttributes) keys[k] = v;
    return { keys };
  }

  GetClusterInfo(): Plain<temporal.api.workflowservice.v1.IGetClusterInfoResponse> {
    return clusterInfo(this.clusterId);
  }

  DescribeTaskQueue(
    req: Plain<temporal.api.workflowservice.v1.IDescribeTaskQueueRequest>,
  ): Plain<temporal.api.workflowservice.v1.IDescribeTaskQueueResponse> {
    this.ns(req.namespace);
    return describeTaskQueue(this.pollers, req, timestamp);
  }

  ShutdownWorker(
    req: Plain<temporal.api.workflowservice.v1.IShutdownWorkerRequest>,
  ): Plain<temporal.api.workflowservice.v1.IShutdownWorkerResponse> {
    this.ns(req.namespace);
    if (req.stickyTaskQueue) stickyWorkerGone(this, req.stickyTaskQueue);
    return {};
  }

  // --- WorkflowService: executions ---------------------------------------------------------

  StartWorkflowExecution(
    req: Plain<temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest>,
  ): Plain<temporal.api.workflowservice.v1.IStartWorkflowExecutionResponse> {
    const ns = this.ns(req.namespace);
    const existing = admitStart(this, ns, req);
    if (existing) return { runId: existing.runId, started: false };
    const run = startRun(this, startInputFromRequest(ns, req));
    return { runId: run.runId, started: true };
  }

  SignalWithStartWorkflowExecution(
    req: Plain<temporal.api.workflowservice.v1.ISignalWithStartWorkflowExecutionRequest>,
  ): Plain<temporal.api.workflowservice.v1.ISignalWithStartWorkflowExecutionResponse> {
    const ns = this.ns(req.namespace);
    const run = findRun(ns, req.workflowId);
    if (run && isOpen(run)) {
      this.SignalWorkflowExecution({
        ...req,
        input: req.signalInput,
        workflowExecution: { workflowId: run.workflowId },
      });
      return { runId: run.runId, started: false };
    }
    const signal = signalEvent(req.signalName, req.signalInput, req.header, req.identity);
    admitStart(this, ns, { ...req, requestId: undefined });
    const started = startRun(this, startInputFromRequest(ns, req, [signal]));
    return { runId: started.runId, started: true };
  }

  SignalWorkflowExecution(
    req: Plain<temporal.api.workflowservice.v1.ISignalWorkflowExecutionRequest>,
  ): Plain<temporal.api.workflowservice.v1.ISignalWorkflowExecutionResponse> {
    const run = requireRun(this, req.namespace, req.workflowExecution);
    if (!isOpen(run)) throw notFound('workflow execution already completed');
    if (req.requestId && run.requestIds.has(`signal:${String(req.requestId)}`)) return {};
    if (req.requestId) run.requestIds.add(`signal:${String(req.requestId)}`);
    const ok = deliverSignal(
      this,
      run.namespace,
      run.workflowId,
      run.runId,
      req.signalName,
      req.input,
      req.header,
      req.identity,
    );
    if (!ok) throw notFound('workflow execution already completed');
    return {};
  }

  RequestCancelWorkflowExecution(
    req: Plain<temporal.api.workflowservice.v1.IRequestCancelWorkflowExecutionRequest>,
  ): Plain<temporal.api.workflowservice.v1.IRequestCancelWorkflowExecutionResponse> {
    const run = requireRun(this, req.namespace, req.workflowExecution);
    if (!isOpen(run)) throw notFound('workflow execution already completed');
    deliverCancelRequest(this, run.namespace, run.workflowId, run.runId, req.reason);
    return {};
  }

  TerminateWorkflowExecution(
    req: Plain<temporal.api.workflowservice.v1.ITerminateWorkflowExecutionRequest>,
  ): Plain<temporal.api.workflowservice.v1.ITerminateWorkflowExecutionResponse> {
    const run = requireRun(this, req.namespace, req.workflowExecution);
    if (!isOpen(run)) throw notFound('workflow execution already completed');
    terminateRun(this, run, req.reason || 'terminated', req.details, req.identity);
    return {};
  }

  async QueryWorkflow(
    req: Plain<temporal.api.workflowservice.v1.IQueryWorkflowRequest>,
    cancelled: Cancelled,
  ): Promise<Plain<temporal.api.workflowservice.v1.IQueryWorkflowResponse>> {
    const run = requireRun(this, req.namespace, req.execution);
    const q = req.query;
    if (!q) throw invalidArgument('query is required');
    const id = randomUUID();
    const result = await new Promise<{ answer?: Payloads; error?: string }>((resolve) => {
      enqueueQuery(this, run, {
        id,
        queryType: q.queryType ?? '',
        args: q.queryArgs,
        header: q.header,
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
  async UpdateWorkflowExecution(
    req: Plain<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionRequest>,
    cancelled: Cancelled,
  ): Promise<Plain<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionResponse>> {
    const wanted = Math.max(stageNumber(req.waitPolicy?.lifecycleStage), STAGE.ACCEPTED);
    for (;;) {
      const run = requireRun(this, req.namespace, req.workflowExecution);
      if (req.firstExecutionRunId && run.firstRunId !== req.firstExecutionRunId) {
        const first = String(req.firstExecutionRunId);
        throw notFound(`workflow execution not found: ${run.workflowId} (first run ${first})`);
      }
      const update = admitUpdate(this, run, req.request);
      await waitForStage(update, wanted, cancelled);
      // Admitted on a run that continued as new before a worker saw it: it goes to the next run.
      if (update.abort?.retry) continue;
      if (update.abort) throw notFound(update.abort.message);
      return updateResponse(run, update);
    }
  }

  async PollWorkflowExecutionUpdate(
    req: Plain<temporal.api.workflowservice.v1.IPollWorkflowExecutionUpdateRequest>,
    cancelled: Cancelled,
  ): Promise<Plain<temporal.api.workflowservice.v1.IPollWorkflowExecutionUpdateResponse>> {
    const ref = req.updateRef ?? {};
    const run = requireRun(this, req.namespace, ref.workflowExecution);
    const update = run.updates.get(ref.updateId ?? '');
    // Rejected Updates leave nothing behind, so they are not found either (as on the server).
    if (!update) throw notFound(`update ${String(ref.updateId)} not found`);
    await waitForStage(update, stageNumber(req.waitPolicy?.lifecycleStage), cancelled);
    if (update.abort) throw notFound(update.abort.message);
    return updateResponse(run, update);
  }

  DescribeWorkflowExecution(
    req: Plain<temporal.api.workflowservice.v1.IDescribeWorkflowExecutionRequest>,
  ): Plain<temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse> {
    const run = requireRun(this, req.namespace, req.execution);
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

  GetWorkflowExecutionHistory(
    req: Plain<temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryRequest>,
    cancelled: Cancelled,
  ): Promise<WithHistory<Plain<temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse>>> {
    const run = requireRun(this, req.namespace, req.execution);
    return readHistory(run, req, cancelled);
  }

  GetWorkflowExecutionHistoryReverse(
    req: Plain<temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryReverseRequest>,
  ): WithHistory<Plain<temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryReverseResponse>> {
    return readHistoryReverse(requireRun(this, req.namespace, req.execution), req);
  }

  ListWorkflowExecutions(
    req: Plain<temporal.api.workflowservice.v1.IListWorkflowExecutionsRequest>,
  ): Plain<temporal.api.workflowservice.v1.IListWorkflowExecutionsResponse> {
    return listExecutions(this.ns(req.namespace), req);
  }

  ScanWorkflowExecutions(
    req: Plain<temporal.api.workflowservice.v1.IScanWorkflowExecutionsRequest>,
  ): Plain<temporal.api.workflowservice.v1.IScanWorkflowExecutionsResponse> {
    return listExecutions(this.ns(req.namespace), req);
  }

  CountWorkflowExecutions(
    req: Plain<temporal.api.workflowservice.v1.ICountWorkflowExecutionsRequest>,
  ): Plain<temporal.api.workflowservice.v1.ICountWorkflowExecutionsResponse> {
    return countExecutions(this.ns(req.namespace), req);
  }

  // --- WorkflowService: workers ------------------------------------------------------------

  async PollWorkflowTaskQueue(
    req: Plain<temporal.api.workflowservice.v1.IPollWorkflowTaskQueueRequest>,
    cancelled: Cancelled,
  ): Promise<WorkflowTask> {
    this.ns(req.namespace);
    const queue = req.taskQueue?.name ?? '';
    if (req.taskQueue?.kind !== 'TASK_QUEUE_KIND_STICKY') {
      this.pollers.seen('workflow', queue, req.identity);
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

  UpdateWorkflowExecutionOptions(
    req: Plain<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionOptionsRequest>,
  ): Plain<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionOptionsResponse> {
    return updateExecutionOptions(this, requireRun(this, req.namespace, req.workflowExecution), req);
  }

  ResetStickyTaskQueue(
    req: Plain<temporal.api.workflowservice.v1.IResetStickyTaskQueueRequest>,
  ): Plain<temporal.api.workflowservice.v1.IResetStickyTaskQueueResponse> {
    const run = requireRun(this, req.namespace, req.execution);
    run.sticky = undefined;
    return {};
  }

  RespondWorkflowTaskCompleted(
    req: Plain<temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest>,
  ): CompletedResponse {
    return completeWorkflowTask(this, req);
  }

  RespondWorkflowTaskFailed(
    req: Plain<temporal.api.workflowservice.v1.IRespondWorkflowTaskFailedRequest>,
  ): Plain<temporal.api.workflowservice.v1.IRespondWorkflowTaskFailedResponse> {
    failWorkflowTask(this, req);
    return {};
  }

  RespondQueryTaskCompleted(
    req: Plain<temporal.api.workflowservice.v1.IRespondQueryTaskCompletedRequest>,
  ): Plain<temporal.api.workflowservice.v1.IRespondQueryTaskCompletedResponse> {
    completeQueryTask(this, req);
    return {};
  }

  async PollActivityTaskQueue(
    req: Plain<temporal.api.workflowservice.v1.IPollActivityTaskQueueRequest>,
    cancelled: Cancelled,
  ): Promise<Plain<temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse>> {
    this.ns(req.namespace);
    const rate = Number(req.taskQueueMetadata?.maxTasksPerSecond?.value) || undefined;
    const queue = req.taskQueue?.name ?? '';
    this.pollers.seen('activity', queue, req.identity, rate);
    return (await this.activityQueues.poll(queue, cancelled)) ?? {};
  }

  RespondActivityTaskCompleted(
    req: Plain<temporal.api.workflowservice.v1.IRespondActivityTaskCompletedRequest>,
  ): Plain<temporal.api.workflowservice.v1.IRespondActivityTaskCompletedResponse> {
    const { run, activity } = activityForToken(this, req.taskToken);
    activityCompleted(this, run, activity, req);
    return {};
  }

  RespondActivityTaskCompletedById(
    req: Plain<temporal.api.workflowservice.v1.IRespondActivityTaskCompletedByIdRequest>,
  ): Plain<temporal.api.workflowservice.v1.IRespondActivityTaskCompletedByIdResponse> {
    const { run, activity } = activityByIdForRequest(this, req);
    activityCompleted(this, run, activity, req);
    return {};
  }

  RespondActivityTaskFailed(
    req: Plain<temporal.api.workflowservice.v1.IRespondActivityTaskFailedRequest>,
  ): Plain<temporal.api.workflowservice.v1.IRespondActivityTaskFailedResponse> {
    const { run, activity } = activityForToken(this, req.taskToken);
    activityFailed(this, run, activity, req);
    return {};
  }

  RespondActivityTaskFailedById(
    req: Plain<temporal.api.workflowservice.v1.IRespondActivityTaskFailedByIdRequest>,
  ): Plain<temporal.api.workflowservice.v1.IRespondActivityTaskFailedByIdResponse> {
    const { run, activity } = activityByIdForRequest(this, req);
    activityFailed(this, run, activity, req);
    return {};
  }

  RespondActivityTaskCanceled(
    req: Plain<temporal.api.workflowservice.v1.IRespondActivityTaskCanceledRequest>,
  ): Plain<temporal.api.workflowservice.v1.IRespondActivityTaskCanceledResponse> {
    const { run, activity } = activityForToken(this, req.taskToken);
    activityCanceled(this, run, activity, req);
    return {};
  }

  RespondActivityTaskCanceledById(
    req: Plain<temporal.api.workflowservice.v1.IRespondActivityTaskCanceledByIdRequest>,
  ): Plain<temporal.api.workflowservice.v1.IRespondActivityTaskCanceledByIdResponse> {
    const { run, activity } = activityByIdForRequest(this, req);
    activityCanceled(this, run, activity, req);
    return {};
  }

  RecordActivityTaskHeartbeat(
    req: Plain<temporal.api.workflowservice.v1.IRecordActivityTaskHeartbeatRequest>,
  ): Plain<temporal.api.workflowservice.v1.IRecordActivityTaskHeartbeatResponse> {
    const { run, activity } = activityForToken(this, req.taskToken);
    return { cancelRequested: heartbeat(this, run, activity, req.details) };
  }

  RecordActivityTaskHeartbeatById(
    req: Plain<temporal.api.workflowservice.v1.IRecordActivityTaskHeartbeatByIdRequest>,
  ): Plain<temporal.api.workflowservice.v1.IRecordActivityTaskHeartbeatByIdResponse> {
    const { run, activity } = activityByIdForRequest(this, req);
    return { cancelRequested: heartbeat(this, run, activity, req.details) };
  }

  // --- OperatorService ---------------------------------------------------------------------

  AddSearchAttributes(
    req: Plain<temporal.api.operatorservice.v1.IAddSearchAttributesRequest>,
  ): Plain<temporal.api.operatorservice.v1.IAddSearchAttributesResponse> {
    const ns = this.ns(req.namespace);
    for (const [name, type] of Object.entries(req.searchAttributes ?? {})) {
      if (SYSTEM_SEARCH_ATTRIBUTES[name]) throw invalidArgument(`${name} is a system search attribute`);
      ns.searchAttributes.set(name, type);
    }
    return {};
  }

  RemoveSearchAttributes(
    req: Plain<temporal.api.operatorservice.v1.IRemoveSearchAttributesRequest>,
  ): Plain<temporal.api.operatorservice.v1.IRemoveSearchAttributesResponse> {
    const ns = this.ns(req.namespace);
    for (const name of req.searchAttributes ?? []) ns.searchAttributes.delete(name);
    return {};
  }

  ListSearchAttributes(
    req: Plain<temporal.api.operatorservice.v1.IListSearchAttributesRequest>,
  ): Plain<temporal.api.operatorservice.v1.IListSearchAttributesResponse> {
    const ns = this.ns(req.namespace);
    return {
      customAttributes: Object.fromEntries(ns.searchAttributes),
      systemAttributes: SYSTEM_SEARCH_ATTRIBUTES,
      storageSchema: {},
    };
  }

  // --- TestService (time skipping) ----------------------------------------------------------

  LockTimeSkipping(): Plain<temporal.api.testservice.v1.ILockTimeSkippingResponse> {
    this.requireTimeSkipping('LockTimeSkipping');
    this.clock.lock();
    return {};
  }

  UnlockTimeSkipping(): Plain<temporal.api.testservice.v1.IUnlockTimeSkippingResponse> {
    this.requireTimeSkipping('UnlockTimeSkipping');
    if (!this.clock.unlock()) throw failedPrecondition('time skipping is not locked');
    return {};
  }

  async Sleep(
    req: Plain<temporal.api.testservice.v1.ISleepRequest>,
  ): Promise<Plain<temporal.api.testservice.v1.ISleepResponse>> {
    await this.sleepUntil(this.clock.now() + durationMs(req.duration));
    return {};
  }

  async SleepUntil(
    req: Plain<temporal.api.testservice.v1.ISleepUntilRequest>,
  ): Promise<Plain<temporal.api.testservice.v1.ISleepResponse>> {
    const ts = req.timestamp;
    await this.sleepUntil(Number(ts?.seconds ?? 0) * 1000 + Math.floor(Number(ts?.nanos ?? 0) / 1e6));
    return {};
  }

  async UnlockTimeSkippingWithSleep(
    req: Plain<temporal.api.testservice.v1.ISleepRequest>,
  ): Promise<Plain<temporal.api.testservice.v1.ISleepResponse>> {
    this.requireTimeSkipping('UnlockTimeSkippingWithSleep');
    if (!this.clock.unlock()) throw failedPrecondition('time skipping is not locked');
    try {
      await this.sleepUntil(this.clock.now() + durationMs(req.duration));
    } finally {
      this.clock.lock();
    }
    return {};
  }

  GetCurrentTime(): Plain<temporal.api.testservice.v1.IGetCurrentTimeResponse> {
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

function describeNs(ns: Namespace): Plain<temporal.api.workflowservice.v1.IDescribeNamespaceResponse> {
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

export function executionInfo(run: Run): Plain<temporal.api.workflow.v1.IWorkflowExecutionInfo> {
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
    priority: run.priority,
  };
}

/** A poll on a sticky queue the engine will not feed waits and returns nothing. */
function parkedPoll(cancelled: Cancelled): Promise<undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 20_000);
    timer.unref?.();
    cancelled(() => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}
