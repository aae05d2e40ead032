/**
 * Workflow tasks: scheduling (at most one outstanding per run), handing them to pollers with
 * the full history, completion (commands, then buffered events, then another task if anything
 * arrived meanwhile), failure and timeout (retried, so a lost completion never hangs a run),
 * and query-only tasks.
 */
import { applyCommands } from './commands';
import { invalidArgument, notFound } from './errors';
import { timestamp, type Msg } from './proto';
import { appendEvent, flushBuffered, isOpen, type EngineCore, type PendingQuery, type Run } from './state';
import { decodeToken, encodeToken } from './tokens';

const TERMINAL_COMMANDS = new Set([
  'COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION',
]);

export function scheduleWorkflowTask(core: EngineCore, run: Run, attempt = 1): void {
  if (!isOpen(run)) return;
  if (run.wt.state === 'started') {
    run.wt.needsAnother = true;
    return;
  }
  if (run.wt.state !== 'none') return;
  const scheduledEventId = appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
    workflowTaskScheduledEventAttributes: {
      taskQueue: { name: run.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      startToCloseTimeout: { seconds: Math.ceil(run.workflowTaskTimeoutMs / 1000) },
      attempt,
    },
  }));
  run.wt = { state: 'scheduled', scheduledEventId, startedEventId: 0, attempt, needsAnother: false };
  offerWorkflowTask(core, run);
  core.updateInFlight();
}

function offerWorkflowTask(core: EngineCore, run: Run): void {
  const { scheduledEventId, attempt } = run.wt;
  core.workflowQueues.offer(run.taskQueue, { dispatch: () => dispatchWorkflowTask(core, run, scheduledEventId, attempt) });
}

function dispatchWorkflowTask(core: EngineCore, run: Run, scheduledEventId: number, attempt: number, identity?: string): Msg | undefined {
  if (!isOpen(run) || run.wt.state !== 'scheduled' || run.wt.scheduledEventId !== scheduledEventId) return undefined;
  const startedEventId = appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED',
    workflowTaskStartedEventAttributes: { scheduledEventId, identity: identity ?? 'worker', requestId: `${run.runId}-${scheduledEventId}` },
  }));
  run.wt.state = 'started';
  run.wt.startedEventId = startedEventId;
  run.wt.timer = core.clock.schedule(core.clock.now() + run.workflowTaskTimeoutMs, () => timeOutWorkflowTask(core, run, startedEventId));
  return {
    taskToken: encodeToken({ k: 'w', ns: run.namespace, w: run.workflowId, r: run.runId, s: scheduledEventId, a: attempt }),
    workflowExecution: { workflowId: run.workflowId, runId: run.runId },
    workflowType: { name: run.workflowType },
    previousStartedEventId: run.previousStartedEventId,
    startedEventId,
    attempt,
    history: { events: run.events },
    workflowExecutionTaskQueue: { name: run.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    scheduledTime: timestamp(core.clock.now()),
    startedTime: timestamp(core.clock.now()),
  };
}

/** The started task of `token`, or NOT_FOUND as the real server answers a stale token. */
export function runForWorkflowTask(core: EngineCore, tokenBytes: Uint8Array | undefined): Run {
  const token = decodeToken(tokenBytes);
  if (!token || token.k !== 'w') throw invalidArgument('malformed workflow task token');
  const run = core.namespaces.get(token.ns)?.workflows.get(token.w)?.find((r) => r.runId === token.r);
  if (!run || !isOpen(run) || run.wt.state !== 'started' || run.wt.scheduledEventId !== token.s) {
    throw notFound('workflow task not found (it timed out, or the workflow closed)');
  }
  return run;
}

export function completeWorkflowTask(core: EngineCore, req: Msg): void {
  const run = runForWorkflowTask(core, req.taskToken as Uint8Array);
  const commands = (req.commands ?? []) as Msg[];
  core.clock.cancel(run.wt.timer);
  const { scheduledEventId, startedEventId } = run.wt;
  // A workflow may not close while events it has not seen are waiting (UnhandledCommand).
  if (run.buffered.length > 0 && commands.some((c) => TERMINAL_COMMANDS.has(c.commandType as string))) {
    return failTask(core, run, 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND', undefined, req.identity as string, 1);
  }
  const completedEventId = appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
    workflowTaskCompletedEventAttributes: { scheduledEventId, startedEventId, identity: req.identity, sdkMetadata: req.sdkMetadata, meteringMetadata: req.meteringMetadata },
  }));
  run.wt = { state: 'none', scheduledEventId: 0, startedEventId: 0, attempt: 1, needsAnother: run.wt.needsAnother };
  run.previousStartedEventId = startedEventId;
  const needsAnother = applyCommands(core, run, commands, completedEventId);
  if (!isOpen(run)) return afterTask(core, run);
  const hadBuffered = flushBuffered(core, run);
  if (needsAnother || hadBuffered || run.wt.needsAnother || req.forceCreateNewWorkflowTask) scheduleWorkflowTask(core, run);
  afterTask(core, run);
}

export function failWorkflowTask(core: EngineCore, req: Msg): void {
  const run = runForWorkflowTask(core, req.taskToken as Uint8Array);
  core.clock.cancel(run.wt.timer);
  failTask(core, run, (req.cause as string) ?? 'WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED', req.failure as Msg, req.identity as string, run.wt.attempt + 1);
}

function failTask(core: EngineCore, run: Run, cause: string, failure: Msg | undefined, identity: string | undefined, nextAttempt: number): void {
  const { scheduledEventId, startedEventId } = run.wt;
  appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_WORKFLOW_TASK_FAILED',
    workflowTaskFailedEventAttributes: { scheduledEventId, startedEventId, cause, failure, identity },
  }));
  retryAfterFailure(core, run, nextAttempt);
}

function timeOutWorkflowTask(core: EngineCore, run: Run, startedEventId: number): void {
  if (!isOpen(run) || run.wt.state !== 'started' || run.wt.startedEventId !== startedEventId) return;
  const { scheduledEventId } = run.wt;
  appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT',
    workflowTaskTimedOutEventAttributes: { scheduledEventId, startedEventId, timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' },
  }));
  retryAfterFailure(core, run, run.wt.attempt + 1);
}

/**
 * A failed or timed-out task is retried: at once the first time (a worker restart, a lost
 * sticky cache), then with backoff so a workflow that fails deterministically does not spin.
 */
function retryAfterFailure(core: EngineCore, run: Run, attempt: number): void {
  run.wt = { state: 'none', scheduledEventId: 0, startedEventId: 0, attempt, needsAnother: false };
  flushBuffered(core, run);
  const delayMs = attempt <= 2 ? 0 : Math.min(1000 * 2 ** (attempt - 3), 60_000);
  if (delayMs === 0) {
    scheduleWorkflowTask(core, run, attempt);
  } else {
    run.wt.state = 'backoff';
    run.wt.timer = core.clock.schedule(core.clock.now() + delayMs, () => {
      if (run.wt.state !== 'backoff') return;
      run.wt.state = 'none';
      scheduleWorkflowTask(core, run, attempt);
    });
  }
  afterTask(core, run);
}

/** After a task settles: dispatch a waiting query, update what holds time. */
function afterTask(core: EngineCore, run: Run): void {
  dispatchQueries(core, run);
  core.updateInFlight();
}

export function enqueueQuery(core: EngineCore, run: Run, query: PendingQuery): void {
  run.queries.push(query);
  dispatchQueries(core, run);
}

/** One query at a time, and never beside an outstanding workflow task (the SDK's view must be settled). */
export function dispatchQueries(core: EngineCore, run: Run): void {
  if (run.queryInFlight || run.queries.length === 0) return;
  if (run.wt.state === 'scheduled' || run.wt.state === 'started') return;
  const query = run.queries.shift()!;
  run.queryInFlight = query;
  core.workflowQueues.offer(run.taskQueue, {
    dispatch: () => ({
      taskToken: encodeToken({ k: 'q', ns: run.namespace, w: run.workflowId, r: run.runId, q: query.id }),
      workflowExecution: { workflowId: run.workflowId, runId: run.runId },
      workflowType: { name: run.workflowType },
      previousStartedEventId: run.previousStartedEventId,
      startedEventId: run.previousStartedEventId,
      attempt: 1,
      history: { events: run.events },
      query: { queryType: query.queryType, queryArgs: query.args, header: query.header },
      workflowExecutionTaskQueue: { name: run.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      scheduledTime: timestamp(core.clock.now()),
      startedTime: timestamp(core.clock.now()),
    }),
  });
}

export function completeQueryTask(core: EngineCore, req: Msg): void {
  const token = decodeToken(req.taskToken as Uint8Array);
  if (!token || token.k !== 'q') throw invalidArgument('malformed query task token');
  const run = core.namespaces.get(token.ns)?.workflows.get(token.w)?.find((r) => r.runId === token.r);
  const query = run?.queryInFlight;
  if (!run || !query || query.id !== token.q) throw notFound('query not found (it timed out)');
  run.queryInFlight = undefined;
  if (req.completedType === 'QUERY_RESULT_TYPE_ANSWERED') query.resolve({ answer: req.queryResult as Msg });
  else query.resolve({ error: (req.errorMessage as string) || (req.failure?.message as string) || 'query failed' });
  dispatchQueries(core, run);
}

/** A query whose caller gave up frees the slot (the worker's late answer is then NOT_FOUND). */
export function abandonQuery(core: EngineCore, run: Run, id: string): void {
  run.queries = run.queries.filter((q) => q.id !== id);
  if (run.queryInFlight?.id === id) {
    run.queryInFlight = undefined;
    dispatchQueries(core, run);
  }
}
