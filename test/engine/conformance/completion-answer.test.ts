/**
 * Conformance: the workflow task returned in a completion's answer. When completing a workflow
 * task makes another one necessary (events arrived while the worker held the task) and the
 * worker asked for it (`returnNewWorkflowTask`, which the SDK sets whenever it keeps the run
 * cached), the server hands the new task back in the RespondWorkflowTaskCompleted answer,
 * already started and carrying only the events the worker has not seen — it is never queued.
 *
 * The test plays the worker with raw WorkflowService calls on a queue no SDK worker polls, so
 * it runs unchanged against a real server.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { startHarness, uniqueId, type Harness } from './harness';

jest.setTimeout(20_000);

const { TaskQueueKind, EventType } = temporal.api.enums.v1;
type PollResponse = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse;

describe('conformance: the workflow task in a completion answer', () => {
  let h: Harness;
  const identity = 'conformance-completion-answer';
  const svc = () => h.env.client.workflowService;
  const open: WorkflowHandle[] = [];

  beforeAll(async () => {
    h = await startHarness({ workflowsFile: 'sticky.ts', timeSkipping: false });
  });

  afterAll(async () => {
    await Promise.all(open.map((handle) => handle.terminate('conformance done').catch(() => undefined)));
    await h?.teardown();
  });

  interface HandRun {
    handle: WorkflowHandle;
    queue: string;
    stickyQueue: string;
  }

  async function startHandRun(): Promise<HandRun> {
    const queue = uniqueId('answer');
    const handle = await h.env.client.workflow.start('collect', { taskQueue: queue, workflowId: uniqueId('answer') });
    open.push(handle);
    return { handle, queue, stickyQueue: `${queue}-sticky-${randomUUID()}` };
  }

  const poll = (run: HandRun, sticky: boolean): Promise<PollResponse> =>
    h.pollWorkflowTask(
      sticky ? { name: run.stickyQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: run.queue } : run.queue,
      identity,
    );

  function complete(run: HandRun, task: PollResponse, returnNewWorkflowTask: boolean, commands = []) {
    return svc().respondWorkflowTaskCompleted({
      namespace: h.env.namespace,
      taskToken: task.taskToken,
      identity,
      commands,
      returnNewWorkflowTask,
      stickyAttributes: {
        workerTaskQueue: { name: run.stickyQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: run.queue },
        scheduleToStartTimeout: msToTs(10_000),
      },
    });
  }

  const types = (task: PollResponse) => (task.history?.events ?? []).map((e) => e.eventType);
  const ids = (task: PollResponse) => (task.history?.events ?? []).map((e) => Number(e.eventId));

  it('hands back the task that events arriving meanwhile made necessary: started, with only the new events', async () => {
    const run = await startHandRun();
    const first = await poll(run, false);
    // A signal while the worker holds the task: it waits, and completing the task needs another one.
    await run.handle.signal('add', 'meanwhile');
    const answer = await complete(run, first, true);
    const task = answer.workflowTask;
    expect(task?.taskToken?.length).toBeGreaterThan(0);
    expect(Number(task!.previousStartedEventId)).toBe(Number(first.startedEventId));
    expect(types(task!)).toEqual([
      EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
      EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    ]);
    expect(ids(task!)[0]).toBe(Number(first.startedEventId) + 1);
    expect(ids(task!)[3]).toBe(Number(task!.startedEventId));
    expect(task!.workflowExecution?.workflowId).toBe(run.handle.workflowId);
    // It is started already: its token completes it, and no other task is pending.
    await complete(run, task!, true);
    const described = await svc().describeWorkflowExecution({
      namespace: h.env.namespace,
      execution: { workflowId: run.handle.workflowId },
    });
    expect(described.pendingWorkflowTask ?? undefined).toBeUndefined();
  });

  it('queues the task as usual when the worker did not ask for it', async () => {
    const run = await startHandRun();
    const first = await poll(run, false);
    // A poll on the worker's sticky queue, in before the completion: the server knows the worker is there.
    const next = poll(run, true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await run.handle.signal('add', 'meanwhile');
    const answer = await complete(run, first, false);
    expect(answer.workflowTask ?? undefined).toBeUndefined();
    const task = await next;
    expect(types(task)).toContain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
    expect(Number(task.previousStartedEventId)).toBe(Number(first.startedEventId));
  });

  it('returns no task when the completion needs none', async () => {
    const run = await startHandRun();
    const first = await poll(run, false);
    const answer = await complete(run, first, true);
    expect(answer.workflowTask ?? undefined).toBeUndefined();
  });
});
