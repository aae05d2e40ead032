/**
 * Activities: scheduling with the server's defaults filled in (the SDK insists on every
 * timeout and a complete retry policy), dispatch to pollers, heartbeats, the four timeouts,
 * retries with exponential backoff (or the failure's `nextRetryDelay`), cancellation. Only the
 * final attempt's ActivityTaskStarted is written to history, as on the real server.
 */
import type { temporal } from '@temporalio/proto';
import { invalidArgument, notFound } from './errors';
import type { ActivityTask } from './matching';
import { checkPriority, mergePriority, priorityKeyOf } from './priority';
import { duration, durationMs, timestamp, type Failure, type HistoryEvent, type Payloads, type Plain } from './proto';
import {
  appendEvent,
  appendExternal,
  isOpen,
  type ActivityState,
  type CommandMeta,
  type EngineCore,
  type Run,
} from './state';
import { decodeToken, encodeToken } from './tokens';
import { scheduleWorkflowTask } from './workflow-tasks';

export function scheduleActivity(
  core: EngineCore,
  run: Run,
  a: Plain<temporal.api.command.v1.IScheduleActivityTaskCommandAttributes>,
  done: number,
  meta: CommandMeta,
): void {
  const s2c = durationMs(a.scheduleToCloseTimeout);
  const st2c = durationMs(a.startToCloseTimeout) || s2c;
  const s2s = durationMs(a.scheduleToStartTimeout) || s2c;
  const rp = a.retryPolicy ?? {};
  const initialMs = durationMs(rp.initialInterval) || 1000;
  const retryPolicy = {
    initialInterval: duration(initialMs),
    backoffCoefficient: Number(rp.backoffCoefficient) || 2,
    maximumInterval: duration(durationMs(rp.maximumInterval) || initialMs * 100),
    maximumAttempts: Number(rp.maximumAttempts ?? 0),
    nonRetryableErrorTypes: rp.nonRetryableErrorTypes ?? [],
  };
  const taskQueue = a.taskQueue?.name || run.taskQueue;
  const priority = checkPriority(a.priority, 'ScheduleActivityTask.priority');
  const scheduledEventId = appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
    ...meta,
    activityTaskScheduledEventAttributes: {
      activityId: a.activityId,
      activityType: a.activityType,
      taskQueue: { name: taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      header: a.header,
      input: a.input,
      scheduleToCloseTimeout: duration(s2c),
      scheduleToStartTimeout: duration(s2s),
      startToCloseTimeout: duration(st2c),
      heartbeatTimeout: duration(durationMs(a.heartbeatTimeout)),
      workflowTaskCompletedEventId: done,
      retryPolicy,
      // As the command set it; dispatch merges it with the run's (priority.ts).
      priority,
    },
  }));
  if (!st2c) throw invalidArgument('ScheduleActivityTask needs startToCloseTimeout or scheduleToCloseTimeout');
  const now = core.clock.now();
  const activity: ActivityState = {
    scheduledEventId,
    activityId: a.activityId ?? '',
    activityType: a.activityType?.name ?? '',
    taskQueue,
    input: a.input,
    header: a.header,
    priority,
    attempt: 1,
    retry: {
      initialMs,
      coefficient: retryPolicy.backoffCoefficient,
      maximumMs: durationMs(retryPolicy.maximumInterval),
      maximumAttempts: retryPolicy.maximumAttempts,
      nonRetryableErrorTypes: retryPolicy.nonRetryableErrorTypes,
    },
    scheduleToCloseMs: s2c,
    scheduleToStartMs: s2s,
    startToCloseMs: st2c,
    heartbeatMs: durationMs(a.heartbeatTimeout),
    firstScheduledMs: now,
    attemptScheduledMs: now,
    state: 'scheduled',
    cancelRequested: false,
    timers: {},
  };
  run.activities.set(scheduledEventId, activity);
  if (s2c)
    activity.timers.scheduleToClose = core.clock.schedule(now + s2c, () =>
      timeOut(core, run, activity, 'TIMEOUT_TYPE_SCHEDULE_TO_CLOSE'),
    );
  offerAttempt(core, run, activity);
}

function offerAttempt(core: EngineCore, run: Run, activity: ActivityState): void {
  const { attempt } = activity;
  if (activity.scheduleToStartMs && activity.scheduleToStartMs !== activity.scheduleToCloseMs) {
    activity.timers.scheduleToStart = core.clock.schedule(core.clock.now() + activity.scheduleToStartMs, () => {
      if (activity.state === 'scheduled' && activity.attempt === attempt)
        timeOut(core, run, activity, 'TIMEOUT_TYPE_SCHEDULE_TO_START');
    });
  }
  // Every attempt is ordered by the activity's priority, what it leaves unset inherited from its run.
  core.activityQueues.offer(
    activity.taskQueue,
    { dispatch: () => dispatch(core, run, activity, attempt) },
    priorityKeyOf(mergePriority(run.priority, activity.priority)),
  );
  core.updateInFlight();
}

function dispatch(core: EngineCore, run: Run, activity: ActivityState, attempt: number): ActivityTask | undefined {
  if (
    !isOpen(run) ||
    run.activities.get(activity.scheduledEventId) !== activity ||
    activity.state !== 'scheduled' ||
    activity.attempt !== attempt
  )
    return undefined;
  const now = core.clock.now();
  activity.state = 'started';
  activity.startedMs = now;
  core.clock.cancel(activity.timers.scheduleToStart);
  activity.timers.startToClose = core.clock.schedule(now + activity.startToCloseMs, () => {
    if (activity.state === 'started' && activity.attempt === attempt)
      attemptFailed(core, run, activity, timeoutFailure('TIMEOUT_TYPE_START_TO_CLOSE'), 'TIMEOUT_TYPE_START_TO_CLOSE');
  });
  armHeartbeat(core, run, activity);
  core.updateInFlight();
  return {
    taskToken: encodeToken({
      k: 'a',
      ns: run.namespace,
      w: run.workflowId,
      r: run.runId,
      s: activity.scheduledEventId,
      a: attempt,
    }),
    workflowNamespace: run.namespace,
    workflowType: { name: run.workflowType },
    workflowExecution: { workflowId: run.workflowId, runId: run.runId },
    activityType: { name: activity.activityType },
    activityId: activity.activityId,
    header: activity.header,
    input: activity.input,
    heartbeatDetails: activity.heartbeatDetails,
    scheduledTime: timestamp(activity.firstScheduledMs),
    currentAttemptScheduledTime: timestamp(activity.attemptScheduledMs),
    startedTime: timestamp(now),
    attempt,
    scheduleToCloseTimeout: duration(activity.scheduleToCloseMs),
    startToCloseTimeout: duration(activity.startToCloseMs),
    heartbeatTimeout: duration(activity.heartbeatMs),
    retryPolicy: {
      initialInterval: duration(activity.retry.initialMs),
      backoffCoefficient: activity.retry.coefficient,
      maximumInterval: duration(activity.retry.maximumMs),
      maximumAttempts: activity.retry.maximumAttempts,
      nonRetryableErrorTypes: activity.retry.nonRetryableErrorTypes,
    },
    priority: mergePriority(run.priority, activity.priority),
  };
}

function armHeartbeat(core: EngineCore, run: Run, activity: ActivityState): void {
  core.clock.cancel(activity.timers.heartbeat);
  if (!activity.heartbeatMs) return;
  const { attempt } = activity;
  activity.timers.heartbeat = core.clock.schedule(core.clock.now() + activity.heartbeatMs, () => {
    if (activity.state === 'started' && activity.attempt === attempt)
      attemptFailed(
        core,
        run,
        activity,
        timeoutFailure('TIMEOUT_TYPE_HEARTBEAT', activity.heartbeatDetails),
        'TIMEOUT_TYPE_HEARTBEAT',
      );
  });
}

function timeoutFailure(timeoutType: string, details?: Payloads): Failure {
  return {
    message: `activity ${timeoutType.replace('TIMEOUT_TYPE_', '')} timeout`,
    source: 'Server',
    timeoutFailureInfo: { timeoutType, lastHeartbeatDetails: details },
  };
}

/** The activity of a task token, if the token is still current. */
export function activityForToken(
  core: EngineCore,
  tokenBytes: Uint8Array | undefined,
): { run: Run; activity: ActivityState } {
  const token = decodeToken(tokenBytes);
  if (!token || token.k !== 'a') throw invalidArgument('malformed activity task token');
  const run = core.namespaces
    .get(token.ns)
    ?.workflows.get(token.w)
    ?.find((r) => r.runId === token.r);
  const activity = run?.activities.get(token.s);
  if (!run || !isOpen(run) || !activity || activity.attempt !== token.a || activity.state !== 'started') {
    throw notFound('activity task not found (it timed out, was cancelled, or the workflow closed)');
  }
  return { run, activity };
}

/** The requests that name an activity by workflow and activity id instead of a task token. */
type ByIdRequest =
  | Plain<temporal.api.workflowservice.v1.IRespondActivityTaskCompletedByIdRequest>
  | Plain<temporal.api.workflowservice.v1.IRespondActivityTaskFailedByIdRequest>
  | Plain<temporal.api.workflowservice.v1.IRespondActivityTaskCanceledByIdRequest>
  | Plain<temporal.api.workflowservice.v1.IRecordActivityTaskHeartbeatByIdRequest>;

export function activityByIdForRequest(core: EngineCore, req: ByIdRequest): { run: Run; activity: ActivityState } {
  const run = core.namespaces
    .get(req.namespace ?? '')
    ?.workflows.get(req.workflowId ?? '')
    ?.find((r) => !req.runId || r.runId === req.runId);
  const activity =
    run && [...run.activities.values()].find((a) => a.activityId === req.activityId && a.state === 'started');
  if (!run || !isOpen(run) || !activity) throw notFound(`activity ${String(req.activityId)} not found`);
  return { run, activity };
}

/** Closes the activity: removes its state and timers, writes Started + the final event. */
function finish(
  core: EngineCore,
  run: Run,
  activity: ActivityState,
  final: (startedEventId: number) => HistoryEvent,
  wasStarted = true,
): void {
  for (const id of Object.values(activity.timers)) core.clock.cancel(id);
  run.activities.delete(activity.scheduledEventId);
  const { scheduledEventId, attempt, lastFailure, identity } = activity;
  if (wasStarted) {
    appendExternal(core, run, () => ({
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_STARTED',
      activityTaskStartedEventAttributes: {
        scheduledEventId,
        identity,
        requestId: `${scheduledEventId}-${attempt}`,
        attempt,
        lastFailure,
      },
    }));
    appendExternal(core, run, (id) => final(id - 1));
  } else {
    appendExternal(core, run, () => final(0));
  }
  scheduleWorkflowTask(core, run);
  core.updateInFlight();
}

export function activityCompleted(
  core: EngineCore,
  run: Run,
  activity: ActivityState,
  req:
    | Plain<temporal.api.workflowservice.v1.IRespondActivityTaskCompletedRequest>
    | Plain<temporal.api.workflowservice.v1.IRespondActivityTaskCompletedByIdRequest>,
): void {
  activity.identity = req.identity;
  finish(core, run, activity, (startedEventId) => ({
    eventType: 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED',
    activityTaskCompletedEventAttributes: {
      result: req.result,
      scheduledEventId: activity.scheduledEventId,
      startedEventId,
      identity: req.identity,
    },
  }));
}

export function activityCanceled(
  core: EngineCore,
  run: Run,
  activity: ActivityState,
  req:
    | Plain<temporal.api.workflowservice.v1.IRespondActivityTaskCanceledRequest>
    | Plain<temporal.api.workflowservice.v1.IRespondActivityTaskCanceledByIdRequest>,
): void {
  finish(core, run, activity, (startedEventId) => ({
    eventType: 'EVENT_TYPE_ACTIVITY_TASK_CANCELED',
    activityTaskCanceledEventAttributes: {
      details: req.details,
      scheduledEventId: activity.scheduledEventId,
      startedEventId,
      identity: req.identity,
      latestCancelRequestedEventId: 0,
    },
  }));
}

export function activityFailed(
  core: EngineCore,
  run: Run,
  activity: ActivityState,
  req:
    | Plain<temporal.api.workflowservice.v1.IRespondActivityTaskFailedRequest>
    | Plain<temporal.api.workflowservice.v1.IRespondActivityTaskFailedByIdRequest>,
): void {
  activity.identity = req.identity;
  if (req.lastHeartbeatDetails) activity.heartbeatDetails = req.lastHeartbeatDetails;
  attemptFailed(core, run, activity, req.failure, undefined);
}

export function heartbeat(core: EngineCore, run: Run, activity: ActivityState, details: Payloads | undefined): boolean {
  if (details) activity.heartbeatDetails = details;
  activity.lastHeartbeatMs = core.clock.now();
  armHeartbeat(core, run, activity);
  return activity.cancelRequested;
}

/** Retry (with backoff) or close with the final failure / timeout. */
function attemptFailed(
  core: EngineCore,
  run: Run,
  activity: ActivityState,
  failure: Failure | undefined,
  timeoutType: string | undefined,
): void {
  core.clock.cancel(activity.timers.startToClose);
  core.clock.cancel(activity.timers.heartbeat);
  const info = failure?.applicationFailureInfo;
  const nonRetryable = info?.nonRetryable === true || activity.retry.nonRetryableErrorTypes.includes(info?.type ?? '');
  const exhausted = activity.retry.maximumAttempts > 0 && activity.attempt >= activity.retry.maximumAttempts;
  const delayMs =
    durationMs(info?.nextRetryDelay) ||
    Math.min(activity.retry.initialMs * activity.retry.coefficient ** (activity.attempt - 1), activity.retry.maximumMs);
  const pastDeadline =
    activity.scheduleToCloseMs > 0 &&
    core.clock.now() + delayMs >= activity.firstScheduledMs + activity.scheduleToCloseMs;
  const retryState = activity.cancelRequested
    ? 'RETRY_STATE_CANCEL_REQUESTED'
    : nonRetryable
      ? 'RETRY_STATE_NON_RETRYABLE_FAILURE'
      : exhausted
        ? 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED'
        : pastDeadline
          ? 'RETRY_STATE_TIMEOUT'
          : undefined;
  if (retryState) {
    const { scheduledEventId, identity } = activity;
    if (timeoutType) {
      finish(core, run, activity, (startedEventId) => ({
        eventType: 'EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT',
        activityTaskTimedOutEventAttributes: { failure, scheduledEventId, startedEventId, retryState },
      }));
    } else {
      finish(core, run, activity, (startedEventId) => ({
        eventType: 'EVENT_TYPE_ACTIVITY_TASK_FAILED',
        activityTaskFailedEventAttributes: { failure, scheduledEventId, startedEventId, identity, retryState },
      }));
    }
    return;
  }
  activity.lastFailure = failure;
  activity.state = 'backoff';
  activity.timers.backoff = core.clock.schedule(core.clock.now() + delayMs, () => {
    if (run.activities.get(activity.scheduledEventId) !== activity || activity.state !== 'backoff') return;
    activity.attempt += 1;
    activity.state = 'scheduled';
    activity.attemptScheduledMs = core.clock.now();
    offerAttempt(core, run, activity);
  });
  core.updateInFlight();
}

function timeOut(core: EngineCore, run: Run, activity: ActivityState, timeoutType: string): void {
  if (run.activities.get(activity.scheduledEventId) !== activity || !isOpen(run)) return;
  const failure = { ...timeoutFailure(timeoutType, activity.heartbeatDetails), cause: activity.lastFailure };
  const wasStarted = activity.state === 'started';
  const { scheduledEventId } = activity;
  finish(
    core,
    run,
    activity,
    (startedEventId) => ({
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT',
      activityTaskTimedOutEventAttributes: {
        failure,
        scheduledEventId,
        startedEventId,
        retryState: 'RETRY_STATE_TIMEOUT',
      },
    }),
    wasStarted,
  );
}

/** RequestCancelActivityTask: an activity not running is cancelled at once; a running one is told on its next heartbeat. */
export function cancelActivityCommand(core: EngineCore, run: Run, scheduledEventId: number, done: number): boolean {
  const activity = run.activities.get(scheduledEventId);
  const requestedId = appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED',
    activityTaskCancelRequestedEventAttributes: { scheduledEventId, workflowTaskCompletedEventId: done },
  }));
  if (!activity) return false;
  activity.cancelRequested = true;
  if (activity.state === 'started') return false;
  for (const id of Object.values(activity.timers)) core.clock.cancel(id);
  run.activities.delete(scheduledEventId);
  appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_ACTIVITY_TASK_CANCELED',
    activityTaskCanceledEventAttributes: {
      scheduledEventId,
      startedEventId: 0,
      latestCancelRequestedEventId: requestedId,
    },
  }));
  core.updateInFlight();
  return true;
}

/** Pending activities for DescribeWorkflowExecution. */
export function describePendingActivities(run: Run): Plain<temporal.api.workflow.v1.IPendingActivityInfo>[] {
  return [...run.activities.values()].map((a) => ({
    activityId: a.activityId,
    activityType: { name: a.activityType },
    state: a.cancelRequested
      ? 'PENDING_ACTIVITY_STATE_CANCEL_REQUESTED'
      : a.state === 'started'
        ? 'PENDING_ACTIVITY_STATE_STARTED'
        : 'PENDING_ACTIVITY_STATE_SCHEDULED',
    heartbeatDetails: a.heartbeatDetails,
    lastHeartbeatTime: a.lastHeartbeatMs ? timestamp(a.lastHeartbeatMs) : undefined,
    lastStartedTime: a.startedMs ? timestamp(a.startedMs) : undefined,
    attempt: a.attempt,
    maximumAttempts: a.retry.maximumAttempts,
    scheduledTime: timestamp(a.attemptScheduledMs),
    expirationTime: a.scheduleToCloseMs ? timestamp(a.firstScheduledMs + a.scheduleToCloseMs) : undefined,
    lastFailure: a.lastFailure,
    lastWorkerIdentity: a.identity,
    priority: mergePriority(run.priority, a.priority),
  }));
}
