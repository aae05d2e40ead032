/**
 * Workflow commands → history events and their effects, in the order the worker sent them.
 * Returns whether the commands themselves call for another workflow task (an activity
 * cancelled before it started, a failed child start…).
 */
import { cancelActivityCommand, scheduleActivity } from './activity-tasks';
import { invalidArgument } from './errors';
import { closeRun, continueAsNew, deliverCancelRequest, deliverSignal, startChild } from './executions';
import type { temporal } from '@temporalio/proto';
import { durationMs, type Plain } from './proto';
import { mergeSearchAttributes } from './search-attributes';
import {
  appendEvent,
  appendExternal,
  bufferNeedsTask,
  type CommandMeta,
  type EngineCore,
  type EventBuilder,
  type Run,
} from './state';
import { applyProtocolMessageCommand, type decodeWorkerMessages } from './updates';
import { scheduleWorkflowTask } from './workflow-tasks';

/** A command of a workflow task completion. */
export type Command = Plain<temporal.api.command.v1.ICommand>;

/** Protocol messages of the completion (Update answers) and the ids that commands named. */
interface CompletionMessages {
  messages: ReturnType<typeof decodeWorkerMessages>;
  used: Set<string>;
}

export function applyCommands(
  core: EngineCore,
  run: Run,
  commands: Command[],
  completedEventId: number,
  messages: CompletionMessages['messages'] = new Map(),
  used = new Set<string>(),
): boolean {
  let needsAnother = false;
  for (const command of commands) {
    if (run.status !== 'Running') break;
    needsAnother = applyCommand(core, run, command, completedEventId, { messages, used }) || needsAnother;
  }
  return needsAnother;
}

function applyCommand(core: EngineCore, run: Run, c: Command, done: number, protocol: CompletionMessages): boolean {
  const type = c.commandType;
  const meta: CommandMeta = { userMetadata: c.userMetadata };
  switch (type) {
    case 'COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK':
      scheduleActivity(core, run, attributes(c.scheduleActivityTaskCommandAttributes, type), done, meta);
      return false;
    case 'COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK':
      return cancelActivityCommand(
        core,
        run,
        Number(c.requestCancelActivityTaskCommandAttributes?.scheduledEventId),
        done,
      );
    case 'COMMAND_TYPE_START_TIMER':
      startTimer(core, run, attributes(c.startTimerCommandAttributes, type), done, meta);
      return false;
    case 'COMMAND_TYPE_CANCEL_TIMER':
      cancelTimer(core, run, c.cancelTimerCommandAttributes?.timerId ?? '', done);
      return false;
    case 'COMMAND_TYPE_RECORD_MARKER':
      appendEvent(core, run, () => ({
        eventType: 'EVENT_TYPE_MARKER_RECORDED',
        markerRecordedEventAttributes: { ...c.recordMarkerCommandAttributes, workflowTaskCompletedEventId: done },
      }));
      return false;
    case 'COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES': {
      const sa = c.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes;
      mergeSearchAttributes(core, run, sa);
      appendEvent(core, run, () => ({
        eventType: 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
        upsertWorkflowSearchAttributesEventAttributes: { workflowTaskCompletedEventId: done, searchAttributes: sa },
      }));
      return false;
    }
    case 'COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES': {
      const memo = c.modifyWorkflowPropertiesCommandAttributes?.upsertedMemo;
      run.memo = { fields: { ...(run.memo.fields ?? {}), ...(memo?.fields ?? {}) } };
      appendEvent(core, run, () => ({
        eventType: 'EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED',
        workflowPropertiesModifiedEventAttributes: { workflowTaskCompletedEventId: done, upsertedMemo: memo },
      }));
      return false;
    }
    case 'COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION':
      startChild(core, run, attributes(c.startChildWorkflowExecutionCommandAttributes, type), done, meta);
      return false;
    case 'COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION':
      signalExternal(core, run, attributes(c.signalExternalWorkflowExecutionCommandAttributes, type), done);
      return false;
    case 'COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION':
      cancelExternal(core, run, attributes(c.requestCancelExternalWorkflowExecutionCommandAttributes, type), done);
      return false;
    case 'COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION':
      closeRun(core, run, 'Completed', () => ({
        eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
        workflowExecutionCompletedEventAttributes: {
          result: c.completeWorkflowExecutionCommandAttributes?.result,
          workflowTaskCompletedEventId: done,
        },
      }));
      return false;
    case 'COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION':
      closeRun(core, run, 'Failed', () => ({
        eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED',
        workflowExecutionFailedEventAttributes: {
          failure: c.failWorkflowExecutionCommandAttributes?.failure,
          retryState: 'RETRY_STATE_RETRY_POLICY_NOT_SET',
          workflowTaskCompletedEventId: done,
        },
      }));
      return false;
    case 'COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION':
      closeRun(core, run, 'Canceled', () => ({
        eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED',
        workflowExecutionCanceledEventAttributes: {
          details: c.cancelWorkflowExecutionCommandAttributes?.details,
          workflowTaskCompletedEventId: done,
        },
      }));
      return false;
    case 'COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION':
      continueAsNew(core, run, attributes(c.continueAsNewWorkflowExecutionCommandAttributes, type), done);
      return false;
    case 'COMMAND_TYPE_PROTOCOL_MESSAGE':
      applyProtocolMessageCommand(
        core,
        run,
        c.protocolMessageCommandAttributes?.messageId,
        protocol.messages,
        protocol.used,
      );
      return false;
    default:
      // Nexus is not implemented: fail loudly, never hang.
      throw Object.assign(new Error(`${type} is not implemented by the jml embedded engine (see docs/engine.md)`), {
        grpcUnimplemented: true,
      });
  }
}

/** The SDK always sends a command's attributes; without them the command cannot be applied. */
function attributes<T>(value: T | undefined, type: string | undefined): T {
  if (!value) throw invalidArgument(`${String(type)} without its attributes`);
  return value;
}

function startTimer(
  core: EngineCore,
  run: Run,
  a: Plain<temporal.api.command.v1.IStartTimerCommandAttributes>,
  done: number,
  meta: CommandMeta,
): void {
  const timerId = a.timerId ?? '';
  const fireMs = durationMs(a.startToFireTimeout);
  const startedEventId = appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_TIMER_STARTED',
    ...meta,
    timerStartedEventAttributes: {
      timerId,
      startToFireTimeout: a.startToFireTimeout,
      workflowTaskCompletedEventId: done,
    },
  }));
  // Registered before arming, so the callback always finds its timer.
  const timer = { startedEventId, clockId: 0 };
  run.timers.set(timerId, timer);
  timer.clockId = core.clock.schedule(core.clock.now() + fireMs, () => {
    if (run.timers.get(timerId) !== timer || run.status !== 'Running') return;
    run.timers.delete(timerId);
    const fired: EventBuilder = () => ({
      eventType: 'EVENT_TYPE_TIMER_FIRED',
      timerFiredEventAttributes: { timerId, startedEventId },
    });
    timerFirings.set(fired, { timerId, startedEventId });
    appendExternal(core, run, fired);
    scheduleWorkflowTask(core, run);
  });
}

/** The TimerFired events waiting in a run's buffer, by builder: a cancel may still take them back. */
const timerFirings = new WeakMap<EventBuilder, { timerId: string; startedEventId: number }>();

/** Where the run's buffer holds the TimerFired of `timerId` (-1: it holds none). */
function bufferedFiring(run: Run, timerId: string): number {
  return run.buffered.findIndex((build) => timerFirings.get(build)?.timerId === timerId);
}

/**
 * The run's buffered events that `commands` leave in place: all but the TimerFired of a timer
 * they cancel. A task that closes the workflow while any remain is refused (UnhandledCommand);
 * one that cancels the only timer that fired meanwhile closes it, as on the server.
 */
export function bufferedAfter(run: Run, commands: Command[]): number {
  const takenBack = new Set(
    commands
      .filter((c) => c.commandType === 'COMMAND_TYPE_CANCEL_TIMER')
      .map((c) => bufferedFiring(run, c.cancelTimerCommandAttributes?.timerId ?? ''))
      .filter((at) => at >= 0),
  );
  return run.buffered.length - takenBack.size;
}

/**
 * A timer that fired while the worker held the workflow task is still cancellable by that task,
 * as on the server: the worker did not see it fire, so its workflow code cancelled a running
 * timer, and replaying the history must find TimerCanceled there. The buffered TimerFired is
 * taken back and TimerCanceled written in its place. (Dropping the cancel and keeping the
 * TimerFired wrote a history the workflow's own code could not replay: a nondeterminism
 * failure the next time the run was rebuilt from it.)
 */
function cancelTimer(core: EngineCore, run: Run, timerId: string, done: number): void {
  const timer = run.timers.get(timerId);
  let startedEventId: number;
  if (timer) {
    core.clock.cancel(timer.clockId);
    run.timers.delete(timerId);
    startedEventId = timer.startedEventId;
  } else {
    const at = bufferedFiring(run, timerId);
    if (at < 0) return;
    startedEventId = timerFirings.get(run.buffered[at]!)!.startedEventId;
    run.buffered.splice(at, 1);
    // The firing was the task's only reason for another one unless something else is buffered:
    // the server re-reads its buffer here too, so a cancel that takes the only event back
    // schedules no empty task. (While a task is started, every request for another comes with a
    // buffered event, so the buffer is the whole reason.)
    run.wt.needsAnother = bufferNeedsTask(run);
  }
  appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_TIMER_CANCELED',
    timerCanceledEventAttributes: { timerId, startedEventId, workflowTaskCompletedEventId: done },
  }));
}

function signalExternal(
  core: EngineCore,
  run: Run,
  a: Plain<temporal.api.command.v1.ISignalExternalWorkflowExecutionCommandAttributes>,
  done: number,
): void {
  const namespace = a.namespace || run.namespace;
  const initiatedEventId = appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
    signalExternalWorkflowExecutionInitiatedEventAttributes: { ...a, namespace, workflowTaskCompletedEventId: done },
  }));
  const execution = a.execution;
  // Delivered after this task's events, as a separate step, as the real server does.
  setImmediate(() => {
    const ok = deliverSignal(
      core,
      namespace,
      execution?.workflowId,
      execution?.runId,
      a.signalName,
      a.input,
      a.header,
      'workflow',
    );
    if (run.status !== 'Running') return;
    appendExternal(core, run, () =>
      ok
        ? {
            eventType: 'EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED',
            externalWorkflowExecutionSignaledEventAttributes: {
              initiatedEventId,
              namespace,
              workflowExecution: execution,
              control: a.control,
            },
          }
        : {
            eventType: 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED',
            signalExternalWorkflowExecutionFailedEventAttributes: {
              initiatedEventId,
              namespace,
              workflowExecution: execution,
              cause: 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND',
              workflowTaskCompletedEventId: done,
            },
          },
    );
    scheduleWorkflowTask(core, run);
  });
}

function cancelExternal(
  core: EngineCore,
  run: Run,
  a: Plain<temporal.api.command.v1.IRequestCancelExternalWorkflowExecutionCommandAttributes>,
  done: number,
): void {
  const namespace = a.namespace || run.namespace;
  const execution = { workflowId: a.workflowId, runId: a.runId || undefined };
  const initiatedEventId = appendEvent(core, run, () => ({
    eventType: 'EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
    requestCancelExternalWorkflowExecutionInitiatedEventAttributes: {
      namespace,
      workflowExecution: execution,
      childWorkflowOnly: a.childWorkflowOnly,
      reason: a.reason,
      workflowTaskCompletedEventId: done,
    },
  }));
  setImmediate(() => {
    const ok = deliverCancelRequest(core, namespace, execution.workflowId, execution.runId, a.reason);
    if (run.status !== 'Running') return;
    appendExternal(core, run, () =>
      ok
        ? {
            eventType: 'EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED',
            externalWorkflowExecutionCancelRequestedEventAttributes: {
              initiatedEventId,
              namespace,
              workflowExecution: execution,
            },
          }
        : {
            eventType: 'EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED',
            requestCancelExternalWorkflowExecutionFailedEventAttributes: {
              initiatedEventId,
              namespace,
              workflowExecution: execution,
              cause: 'CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND',
              workflowTaskCompletedEventId: done,
            },
          },
    );
    scheduleWorkflowTask(core, run);
  });
}
