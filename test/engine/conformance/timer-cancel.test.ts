/**
 * Conformance: a timer that fires while the worker holds a workflow task, and that task cancels
 * it. The worker did not see the timer fire, so its workflow code cancelled a running timer; the
 * server takes the buffered TimerFired back and writes TimerCanceled, so that the history is what
 * the workflow code does when it is replayed. A history with TimerFired and no TimerCanceled
 * fails replay with a nondeterminism error ("Timer machine does not handle this event"), which
 * is what the embedded engine used to write, and what the onboarding benchmark hit under load.
 *
 * The test plays the worker with raw WorkflowService calls on a queue no SDK worker polls, sending
 * exactly the commands `cancelTimerOnWake` (workflows/timers.ts) sends, then replays the history
 * with that workflow's code. It runs unchanged against a real server.
 */
import { randomUUID } from 'node:crypto';
import { msToTs } from '@temporalio/common/lib/time';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { startHarness, type Harness } from './harness';

jest.setTimeout(30_000);

const { EventType, CommandType } = temporal.api.enums.v1;
type PollResponse = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse;

describe('conformance: cancelling a timer that fired during the workflow task', () => {
  let h: Harness;
  const identity = 'conformance-timer-cancel';
  const svc = () => h.env.client.workflowService;
  const terminate: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    h = await startHarness({ workflowsFile: 'timers.ts', timeSkipping: false });
  });

  afterAll(async () => {
    await Promise.all(terminate.map((t) => t().catch(() => undefined)));
    await h?.teardown();
  });

  const complete = (task: PollResponse, commands: temporal.api.command.v1.ICommand[]) =>
    svc().respondWorkflowTaskCompleted({ namespace: h.env.namespace, taskToken: task.taskToken, identity, commands });

  /** Runs `cancelTimerOnWake` by hand: the second task is held until its timer has fired. */
  async function timerFiresWhileTaskIsHeld(cancelInThatTask: boolean, closeInThatTask = true) {
    const queue = `timer-cancel-${randomUUID()}`;
    const handle = await h.env.client.workflow.start('cancelTimerOnWake', {
      taskQueue: queue,
      workflowId: `timer-cancel-${randomUUID()}`,
    });
    terminate.push(() => handle.terminate('conformance done'));
    await complete(await h.pollWorkflowTask(queue, identity), [
      {
        commandType: CommandType.COMMAND_TYPE_START_TIMER,
        startTimerCommandAttributes: { timerId: '1', startToFireTimeout: msToTs(1000) },
      },
    ]);
    await handle.signal('wake');
    const held = await h.pollWorkflowTask(queue, identity);
    // The timer fires while this task is held: the server buffers TimerFired behind it.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const result = defaultPayloadConverter.toPayload(cancelInThatTask ? 'cancelled' : 'fired');
    await complete(held, [
      ...(cancelInThatTask
        ? [{ commandType: CommandType.COMMAND_TYPE_CANCEL_TIMER, cancelTimerCommandAttributes: { timerId: '1' } }]
        : []),
      ...(closeInThatTask
        ? [
            {
              commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
              completeWorkflowExecutionCommandAttributes: { result: { payloads: [result] } },
            },
          ]
        : []),
    ]);
    return { handle, history: await handle.fetchHistory() };
  }

  it('writes TimerCanceled in place of the buffered TimerFired, and the history replays', async () => {
    const { handle, history } = await timerFiresWhileTaskIsHeld(true);
    const types = (history.events ?? []).map((e) => e.eventType);
    expect(types).not.toContain(EventType.EVENT_TYPE_TIMER_FIRED);
    const started = history.events!.find((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED)!;
    const canceled = history.events!.find((e) => e.eventType === EventType.EVENT_TYPE_TIMER_CANCELED);
    expect(canceled?.timerCanceledEventAttributes).toMatchObject({ timerId: '1' });
    expect(Number(canceled!.timerCanceledEventAttributes!.startedEventId)).toBe(Number(started.eventId));
    expect(await handle.result()).toBe('cancelled');
    // The workflow's own code replays it: it cancelled a timer it had not seen fire.
    await Worker.runReplayHistory({ workflowBundle: h.workflowBundle }, history, handle.workflowId);
  });

  it('schedules no further workflow task when the cancel took back the only event that arrived meanwhile', async () => {
    // The task cancels the timer and leaves the workflow open: nothing it has not seen is left,
    // so nothing is scheduled (the server re-reads its buffer after a cancel). Raw commands only.
    const { handle } = await timerFiresWhileTaskIsHeld(true, false);
    // Anything the completion scheduled is written at once; a moment covers a slow server.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const events = (await handle.fetchHistory()).events ?? [];
    const types = events.map((e) => e.eventType);
    expect(types).not.toContain(EventType.EVENT_TYPE_TIMER_FIRED);
    expect(types.slice(-2)).toEqual([
      EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
      EventType.EVENT_TYPE_TIMER_CANCELED,
    ]);
    const desc = await handle.describe();
    expect(desc.status.name).toBe('RUNNING');
  });

  it('a task that closes the workflow without cancelling it is refused: the timer fired meanwhile', async () => {
    // Raw commands only (the workflow's code would cancel), so no replay here.
    const { history } = await timerFiresWhileTaskIsHeld(false);
    const events = history.events ?? [];
    const failed = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    expect(events[failed]?.workflowTaskFailedEventAttributes?.cause).toBe(
      temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
    );
    const fired = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED);
    expect(fired).toBeGreaterThan(failed);
    expect(events.map((e) => e.eventType)).not.toContain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  });
});
