/**
 * Workflow tasks: scheduling (at most one outstanding per run), handing them to pollers,
 * completion (commands, then buffered events, then another task if anything arrived meanwhile),
 * failure and timeout (retried, so a lost completion never hangs a run), and query-only tasks.
 * A run whose last task was completed with sticky attributes gets its next tasks on the worker's
 * sticky queue with only the new events (see sticky.ts); anything that breaks stickiness sends
 * the task to the normal queue with the full history.
 */
import type { temporal } from '@temporalio/proto';
import { applyCommands, bufferedAfter, type Command } from './commands';
import { invalidArgument, notFound } from './errors';
import type { WorkflowTask } from './matching';
import { priorityKeyOf } from './priority';
import { historyEvent, timestamp, type EncodedEvent, type Failure, type HistoryEvent, type Plain } from './proto';
import {
  appendEvent,
  flushBuffered,
  isOpen,
  persistSpeculativeTask,
  type EngineCore,
  type PendingQuery,
  type Run,
} from './state';
import { decodeToken, encodeToken } from './tokens';
import {
  decodeWorkerMessages,
  hasAdmittedUpdates,
  returnSentUpdates,
  settleUnreferencedMessages,
  updateMessagesForTask,
} from './updates';

/** Hands each dispatched task a distinct serial (speculative tasks can reuse event ids). */
let taskSerial = 0;

const TERMINAL_COMMANDS = new Set([
  'COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION',
]);

/**
 * Schedules the run's workflow task. A `speculative` one (only to carry Updates) is not written
 * to the history: its events are handed to the worker and written only if the task changes
 * something (anything but rejections), or when another event arrives first.
 */
export function scheduleWorkflowTask(
  core: EngineCore,
  run: Run,
  attempt = 1,
  options: { speculative?: boolean; handOut?: boolean } = {},
): void {
  if (!isOpen(run)) return;
  if (run.wt.state === 'started') {
    run.wt.needsAnother = true;
    return;
  }
  if (run.wt.state !== 'none') return;
  // A task handed to the worker that just completed one needs no check that the worker is there.
  const stickyQueue = options.handOut ? run.sticky?.queue : stickyTarget(core, run);
  const taskQueue = stickyQueue
    ? { name: stickyQueue, kind: 'TASK_QUEUE_KIND_STICKY', normalName: run.taskQueue }
    : { name: run.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' };
  const scheduled = (eventId: number): HistoryEvent => ({
    eventId,
    eventTime: timestamp(core.clock.now()),
    eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
    workflowTaskScheduledEventAttributes: {
      taskQueue,
      startToCloseTimeout: { seconds: Math.ceil(run.workflowTaskTimeoutMs / 1000) },
      attempt,
    },
  });
  if (options.speculative) {
    const scheduledEventId = run.events.length + 1;
    run.wt = { state: 'scheduled', scheduledEventId, startedEventId: 0, attempt, needsAnother: false };
    run.wt.speculative = [scheduled(scheduledEventId)];
  } else {
    const scheduledEventId = appendEvent(core, run, scheduled);
    run.wt = { state: 'scheduled', scheduledEventId, startedEventId: 0, attempt, needsAnother: false };
  }
  run.wt.stickyQueue = stickyQueue;
  // `handOut`: the caller starts the task itself (returned in a completion's answer), so it is never queued.
  if (!options.handOut) queueScheduledTask(core, run);
  core.updateInFlight();
}

function queueScheduledTask(core: EngineCore, run: Run): void {
  const { scheduledEventId, stickyQueue } = run.wt;
  if (stickyQueue) {
    // Worker liveness is wall-clock time, whatever virtual time does.
    const timer = setTimeout(() => stickyTaskNotPickedUp(core, run, scheduledEventId), run.sticky!.scheduleToStartMs);
    timer.unref?.();
    run.wt.scheduleToStartTimer = timer;
  }
  offerWorkflowTask(core, run);
}

/**
 * The server's answer to a completion that asks for it (`returnNewWorkflowTask`, which the SDK
 * sets whenever it keeps the run cached): the workflow task the completion made necessary
 * (events that arrived meanwhile, `forceCreateNewWorkflowTask`) goes back in the answer,
 * already started, with only the events since the worker's last task — no queue, no poll.
 * Only when the completion asked for stickiness (what the SDK does whenever it asks for the task);
 * otherwise the task is queued as usual.
 */
function scheduleAndHandOut(core: EngineCore, run: Run, req: CompletedRequest): WorkflowTask | undefined {
  const handOut = req.returnNewWorkflowTask === true && !!run.sticky && core.sticky.accepting(run.sticky.queue);
  scheduleWorkflowTask(core, run, 1, { handOut });
  if (!handOut || run.wt.state !== 'scheduled') return undefined;
  const { scheduledEventId, attempt, stickyQueue } = run.wt;
  const task = dispatchWorkflowTask(core, run, scheduledEventId, attempt, stickyQueue, req.identity);
  if (!task) queueScheduledTask(core, run);
  return task;
}

/** The sticky queue for the run's next task, if the worker behind it is still there; else stickiness is dropped. */
function stickyTarget(core: EngineCore, run: Run): string | undefined {
  if (!run.sticky) return undefined;
  if (core.sticky.available(run.sticky.queue)) return run.sticky.queue;
  run.sticky = undefined;
  return undefined;
}

function offerWorkflowTask(core: EngineCore, run: Run): void {
  const { scheduledEventId, attempt, stickyQueue } = run.wt;
  // A workflow task is ordered by its run's priority, on the sticky queue as on the normal one.
  core.workflowQueues.offer(
    stickyQueue ?? run.taskQueue,
    { dispatch: () => dispatchWorkflowTask(core, run, scheduledEventId, attempt, stickyQueue) },
    priorityKeyOf(run.priority),
  );
}

function dispatchWorkflowTask(
  core: EngineCore,
  run: Run,
  scheduledEventId: number,
  attempt: number,
  stickyQueue: string | undefined,
  identity?: string,
): WorkflowTask | undefined {
  const wt = run.wt;
  const stale = wt.state !== 'scheduled' || wt.scheduledEventId !== scheduledEventId || wt.stickyQueue !== stickyQueue;
  if (!isOpen(run) || stale) return undefined;
  clearTimeout(wt.scheduleToStartTimer);
  wt.scheduleToStartTimer = undefined;
  // As the server decides: a task taken from the queue the run is (still) sticky to carries only
  // what that worker has not seen; anything else carries the whole history.
  const partial = stickyQueue !== undefined && run.sticky?.queue === stickyQueue;
  const from = partial ? run.previousStartedEventId : 0;
  const started = (eventId: number): HistoryEvent => ({
    eventId,
    eventTime: timestamp(core.clock.now()),
    eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED',
    workflowTaskStartedEventAttributes: {
      scheduledEventId,
      identity: identity ?? 'worker',
      requestId: `${run.runId}-${scheduledEventId}`,
    },
  });
  let events: EncodedEvent[];
  let startedEventId: number;
  if (run.wt.speculative) {
    const event = started(scheduledEventId + 1);
    run.wt.speculative.push(event);
    startedEventId = scheduledEventId + 1;
    events = [...run.events.slice(from), ...run.wt.speculative.map(historyEvent)];
  } else {
    startedEventId = appendEvent(core, run, started);
    // Sliced after the append: the history handed out must end with this task's WorkflowTaskStarted.
    events = from > 0 ? run.events.slice(from) : run.events;
  }
  const serial = ++taskSerial;
  run.wt.state = 'started';
  run.wt.startedEventId = startedEventId;
  run.wt.serial = serial;
  const timeoutAt = core.clock.now() + run.workflowTaskTimeoutMs;
  run.wt.timer = core.clock.schedule(timeoutAt, () => timeOutWorkflowTask(core, run, serial));
  const messages = updateMessagesForTask(run, startedEventId);
  return {
    taskToken: encodeToken({
      k: 'w',
      ns: run.namespace,
      w: run.workflowId,
      r: run.runId,
      s: scheduledEventId,
      a: attempt,
      n: serial,
    }),
    workflowExecution: { workflowId: run.workflowId, runId: run.runId },
    workflowType: { name: run.workflowType },
    previousStartedEventId: run.previousStartedEventId,
    startedEventId,
    attempt,
    history: { events },
    messages: messages.length > 0 ? messages : undefined,
    workflowExecutionTaskQueue: { name: run.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    scheduledTime: timestamp(core.clock.now()),
    startedTime: timestamp(core.clock.now()),
  };
}

/**
 * The sticky worker did not take the task within its schedule-to-start timeout (or said it is
 * gone): the task times out (`SCHEDULE_TO_START`, not counted as a failed attempt) and goes to
 * the normal queue with the full history.
 */
export function stickyTaskNotPickedUp(core: EngineCore, run: Run, scheduledEventId: number): void {
  const wt = run.wt;
  if (!isOpen(run) || wt.state !== 'scheduled' || wt.scheduledEventId !== scheduledEventId || !wt.stickyQueue) return;
  clearTimeout(wt.scheduleToStartTimer);
  // A speculative task (an Update) times out visibly: its Scheduled event is written first.
  persistSpeculativeTask(core, run);
  appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT',
    workflowTaskTimedOutEventAttributes: {
      scheduledEventId,
      startedEventId: 0,
      timeoutType: 'TIMEOUT_TYPE_SCHEDULE_TO_START',
    },
  }));
  run.sticky = undefined;
  const attempt = wt.attempt;
  run.wt = { state: 'none', scheduledEventId: 0, startedEventId: 0, attempt, needsAnother: false };
  scheduleWorkflowTask(core, run, attempt);
  afterTask(core, run);
}

/** The started task of `token`, or NOT_FOUND as the real server answers a stale token. */
export function runForWorkflowTask(core: EngineCore, tokenBytes: Uint8Array | undefined): Run {
  const token = decodeToken(tokenBytes);
  if (!token || token.k !== 'w') throw invalidArgument('malformed workflow task token');
  const run = core.namespaces
    .get(token.ns)
    ?.workflows.get(token.w)
    ?.find((r) => r.runId === token.r);
  const stale = token.n !== undefined && token.n !== run?.wt.serial;
  if (!run || !isOpen(run) || run.wt.state !== 'started' || run.wt.scheduledEventId !== token.s || stale) {
    throw notFound('workflow task not found (it timed out, or the workflow closed)');
  }
  return run;
}

/** @returns the RespondWorkflowTaskCompleted answer (`resetHistoryEventId` when a speculative task is discarded). */
type CompletedRequest = Plain<temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest>;

/** The completion's answer; a workflow task handed out in it carries its history as stored events. */
export type CompletedResponse = Omit<
  Plain<temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedResponse>,
  'workflowTask'
> & { workflowTask?: WorkflowTask };

export function completeWorkflowTask(core: EngineCore, req: CompletedRequest): CompletedResponse {
  const run = runForWorkflowTask(core, req.taskToken);
  const commands = req.commands ?? [];
  const messages = decodeWorkerMessages(req.messages);
  core.clock.cancel(run.wt.timer);
  const { scheduledEventId, startedEventId } = run.wt;
  // Every completion restates stickiness: with attributes the worker keeps the run cached, without it does not.
  run.sticky = core.sticky.fromCompletion(req.stickyAttributes);
  if (run.wt.speculative && isDiscardable(run, commands, messages, req)) {
    // Only rejections: the task leaves no trace; the worker rolls back to the last real task.
    run.wt = { state: 'none', scheduledEventId: 0, startedEventId: 0, attempt: 1, needsAnother: false };
    settleUnreferencedMessages(run, messages, new Set());
    if (hasAdmittedUpdates(run)) scheduleWorkflowTask(core, run, 1, { speculative: true });
    afterTask(core, run);
    return { resetHistoryEventId: run.previousStartedEventId };
  }
  // A workflow may not close while events it has not seen are waiting (UnhandledCommand).
  if (bufferedAfter(run, commands) > 0 && commands.some((c) => TERMINAL_COMMANDS.has(c.commandType ?? ''))) {
    failTask(core, run, 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND', undefined, req.identity, 1);
    return {};
  }
  persistSpeculativeTask(core, run);
  const completedEventId = appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
    workflowTaskCompletedEventAttributes: {
      scheduledEventId,
      startedEventId,
      identity: req.identity,
      sdkMetadata: req.sdkMetadata,
      meteringMetadata: req.meteringMetadata,
    },
  }));
  run.wt = { state: 'none', scheduledEventId: 0, startedEventId: 0, attempt: 1, needsAnother: run.wt.needsAnother };
  run.previousStartedEventId = startedEventId;
  const used = new Set<string>();
  const needsAnother = applyCommands(core, run, commands, completedEventId, messages, used);
  settleUnreferencedMessages(run, messages, used);
  if (!isOpen(run)) {
    afterTask(core, run);
    return {};
  }
  const hadBuffered = flushBuffered(core, run);
  let workflowTask: WorkflowTask | undefined;
  if (needsAnother || hadBuffered || run.wt.needsAnother || req.forceCreateNewWorkflowTask)
    workflowTask = scheduleAndHandOut(core, run, req);
  else if (hasAdmittedUpdates(run)) scheduleWorkflowTask(core, run, 1, { speculative: true });
  afterTask(core, run);
  return workflowTask ? { workflowTask } : {};
}

/** The server's rule: a speculative task that only rejected Updates changed nothing and is dropped. */
type WorkerMessages = ReturnType<typeof decodeWorkerMessages>;

function isDiscardable(run: Run, commands: Command[], messages: WorkerMessages, req: CompletedRequest): boolean {
  if (commands.length > 0 || run.buffered.length > 0) return false;
  if (run.wt.needsAnother || req.forceCreateNewWorkflowTask) return false;
  for (const m of messages.values()) if (m.kind !== 'Rejection') return false;
  return true;
}

export function failWorkflowTask(
  core: EngineCore,
  req: Plain<temporal.api.workflowservice.v1.IRespondWorkflowTaskFailedRequest>,
): void {
  const run = runForWorkflowTask(core, req.taskToken);
  core.clock.cancel(run.wt.timer);
  failTask(
    core,
    run,
    req.cause ?? 'WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED',
    req.failure,
    req.identity,
    run.wt.attempt + 1,
  );
}

function failTask(
  core: EngineCore,
  run: Run,
  cause: string,
  failure: Failure | undefined,
  identity: string | undefined,
  nextAttempt: number,
): void {
  // A failure must be visible: a speculative task's events are written before it.
  persistSpeculativeTask(core, run);
  const { scheduledEventId, startedEventId } = run.wt;
  appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_WORKFLOW_TASK_FAILED',
    workflowTaskFailedEventAttributes: { scheduledEventId, startedEventId, cause, failure, identity },
  }));
  retryAfterFailure(core, run, attemptAfterFailure(run, nextAttempt));
}

/**
 * A task that failed or timed out on a sticky queue drops stickiness (the worker's cached state
 * is suspect: it evicted the run, crashed or hung) and is retried from the full history without
 * counting as a further attempt, as the server does; only failures off sticky queues count.
 */
function attemptAfterFailure(run: Run, nextAttempt: number): number {
  if (!run.sticky) return nextAttempt;
  run.sticky = undefined;
  return Math.min(nextAttempt, run.wt.attempt);
}

function timeOutWorkflowTask(core: EngineCore, run: Run, serial: number): void {
  if (!isOpen(run) || run.wt.state !== 'started' || run.wt.serial !== serial) return;
  persistSpeculativeTask(core, run);
  const { scheduledEventId, startedEventId } = run.wt;
  appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT',
    workflowTaskTimedOutEventAttributes: {
      scheduledEventId,
      startedEventId,
      timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE',
    },
  }));
  retryAfterFailure(core, run, attemptAfterFailure(run, run.wt.attempt + 1));
}

/**
 * A failed or timed-out task is retried: at once the first time (a worker restart, a lost
 * sticky cache), then with backoff so a workflow that fails deterministically does not spin.
 */
function retryAfterFailure(core: EngineCore, run: Run, attempt: number): void {
  returnSentUpdates(run);
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
  offerQuery(core, run, query);
}

let querySeq = 0;

/**
 * A query on a sticky run goes to the worker that holds it, with no history at all (the worker
 * answers from its cached state, as the server arranges it); if that worker does not answer
 * within the sticky schedule-to-start timeout, stickiness is dropped and the query goes to the
 * normal queue with the full history.
 */
function offerQuery(core: EngineCore, run: Run, query: PendingQuery): void {
  const stickyQueue = isOpen(run) ? stickyTarget(core, run) : undefined;
  const offer: NonNullable<Run['queryOffer']> = { seq: ++querySeq, stickyQueue };
  run.queryOffer = offer;
  if (stickyQueue) {
    offer.timer = setTimeout(() => {
      if (run.queryInFlight !== query || run.queryOffer !== offer) return;
      run.sticky = undefined;
      offerQuery(core, run, query);
    }, run.sticky!.scheduleToStartMs);
    offer.timer.unref?.();
  }
  core.workflowQueues.offer(
    stickyQueue ?? run.taskQueue,
    {
      dispatch: () => {
        if (run.queryInFlight !== query || run.queryOffer !== offer) return undefined;
        const partial = stickyQueue !== undefined && run.sticky?.queue === stickyQueue;
        return {
          taskToken: encodeToken({ k: 'q', ns: run.namespace, w: run.workflowId, r: run.runId, q: query.id }),
          workflowExecution: { workflowId: run.workflowId, runId: run.runId },
          workflowType: { name: run.workflowType },
          previousStartedEventId: run.previousStartedEventId,
          startedEventId: run.previousStartedEventId,
          attempt: 1,
          history: { events: partial ? [] : run.events },
          query: { queryType: query.queryType, queryArgs: query.args, header: query.header },
          workflowExecutionTaskQueue: { name: run.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
          scheduledTime: timestamp(core.clock.now()),
          startedTime: timestamp(core.clock.now()),
        };
      },
    },
    priorityKeyOf(run.priority),
  );
}

/** The query in flight is settled (answered or abandoned): stop its sticky fallback. */
function settleQueryOffer(run: Run): void {
  clearTimeout(run.queryOffer?.timer);
  run.queryOffer = undefined;
  run.queryInFlight = undefined;
}

export function completeQueryTask(
  core: EngineCore,
  req: Plain<temporal.api.workflowservice.v1.IRespondQueryTaskCompletedRequest>,
): void {
  const token = decodeToken(req.taskToken);
  if (!token || token.k !== 'q') throw invalidArgument('malformed query task token');
  const run = core.namespaces
    .get(token.ns)
    ?.workflows.get(token.w)
    ?.find((r) => r.runId === token.r);
  const query = run?.queryInFlight;
  if (!run || !query || query.id !== token.q) throw notFound('query not found (it timed out)');
  settleQueryOffer(run);
  if (req.completedType === 'QUERY_RESULT_TYPE_ANSWERED') query.resolve({ answer: req.queryResult });
  else query.resolve({ error: req.errorMessage || req.failure?.message || 'query failed' });
  dispatchQueries(core, run);
}

/** A query whose caller gave up frees the slot (the worker's late answer is then NOT_FOUND). */
export function abandonQuery(core: EngineCore, run: Run, id: string): void {
  run.queries = run.queries.filter((q) => q.id !== id);
  if (run.queryInFlight?.id === id) {
    settleQueryOffer(run);
    dispatchQueries(core, run);
  }
}

/**
 * ShutdownWorker naming a sticky queue: its worker is going away, so nothing waits for it — the
 * runs sticky to it lose stickiness and a task or query offered there moves to the normal queue.
 */
export function stickyWorkerGone(core: EngineCore, queue: string): void {
  core.sticky.markGone(queue);
  core.workflowQueues.release(queue);
  for (const run of core.openRuns) {
    if (run.wt.state === 'scheduled' && run.wt.stickyQueue === queue) {
      stickyTaskNotPickedUp(core, run, run.wt.scheduledEventId);
    }
    if (run.sticky?.queue === queue) run.sticky = undefined;
    const query = run.queryInFlight;
    if (query && run.queryOffer?.stickyQueue === queue) offerQuery(core, run, query);
  }
}
