/**
 * Conformance: sticky execution. A worker that completes a workflow task with sticky attributes
 * gets that run's next tasks on its own queue with only the events it has not seen; the server
 * falls back to the normal queue and the full history whenever the worker cannot be relied on
 * (schedule-to-start timeout, ResetStickyTaskQueue, a failed task, ShutdownWorker, no poller).
 *
 * Two kinds of test. With the real SDK worker: what a user sees (tasks scheduled on the sticky
 * queue, queries answered, runs completing under cache evictions and worker restarts). By hand
 * through raw WorkflowService calls, the test playing the worker: exactly which history each
 * poll delivers. Both kinds only use the public API, so they run against a real server too.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { eventually, startHarness, uniqueId, type Harness } from './harness';

jest.setTimeout(20_000);

const { TaskQueueKind, EventType, TimeoutType, WorkflowTaskFailedCause } = temporal.api.enums.v1;
type PollResponse = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const activities = {
  async echo(value: string): Promise<string> {
    return value;
  },
};

describe('conformance: sticky execution', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ workflowsFile: 'sticky.ts', activities, timeSkipping: false });
  });

  afterAll(async () => {
    await h?.teardown();
  });

  const scheduledQueues = async (handle: WorkflowHandle) =>
    ((await handle.fetchHistory()).events ?? [])
      .filter((e) => e.workflowTaskScheduledEventAttributes)
      .map((e) => e.workflowTaskScheduledEventAttributes!.taskQueue!);

  const timedOutScheduleToStart = async (handle: WorkflowHandle) =>
    ((await handle.fetchHistory()).events ?? []).filter(
      (e) => e.workflowTaskTimedOutEventAttributes?.timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START,
    ).length;

  describe('with the SDK worker', () => {
    it('schedules every task after the first on the worker sticky queue', async () => {
      const handle = await h.start<string[]>('steps', { args: [4] });
      await expect(handle.result()).resolves.toEqual(['step 0', 'step 1', 'step 2', 'step 3']);
      const queues = await scheduledQueues(handle);
      expect(queues.length).toBeGreaterThanOrEqual(5);
      expect(queues[0]).toMatchObject({ name: h.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL });
      for (const q of queues.slice(1)) {
        expect(q.kind).toBe(TaskQueueKind.TASK_QUEUE_KIND_STICKY);
        expect(q.normalName).toBe(h.taskQueue);
        expect(q.name).not.toBe(h.taskQueue);
      }
    });

    it('answers queries on a sticky run and keeps it sticky', async () => {
      const handle = await h.start<string[]>('collect');
      await handle.signal('add', 'a');
      const items = (n: number) =>
        eventually(
          () => handle.query<string[]>('items'),
          (v) => v.length === n,
        );
      await expect(items(1)).resolves.toEqual(['a']);
      await handle.signal('add', 'b');
      await expect(items(2)).resolves.toEqual(['a', 'b']);
      await handle.signal('done');
      await expect(handle.result()).resolves.toEqual(['a', 'b']);
      const queues = await scheduledQueues(handle);
      expect(queues[queues.length - 1]!.kind).toBe(TaskQueueKind.TASK_QUEUE_KIND_STICKY);
      expect(await timedOutScheduleToStart(handle)).toBe(0);
    });

    it('completes every run correctly when the worker caches one run (evictions, refetched histories)', async () => {
      const taskQueue = uniqueId('sticky-small-cache');
      const w = await h.runWorker({ taskQueue, maxCachedWorkflows: 1 });
      try {
        const start = () =>
          h.env.client.workflow.start('steps', { taskQueue, workflowId: uniqueId('evicted'), args: [5] });
        const handles = await Promise.all(Array.from({ length: 6 }, start));
        handles.forEach((handle) => h.track(handle));
        const results = await Promise.all(handles.map((handle) => handle.result()));
        for (const r of results) expect(r).toEqual(['step 0', 'step 1', 'step 2', 'step 3', 'step 4']);
      } finally {
        await w.stop();
      }
    });

    it('hands a run back to the normal queue at once when its worker shuts down', async () => {
      const taskQueue = uniqueId('sticky-restart');
      // A long sticky timeout: waiting it out instead of honouring ShutdownWorker would show as a timeout event.
      const first = await h.runWorker({ taskQueue, stickyQueueScheduleToStartTimeout: '30s' });
      const handle = await h.env.client.workflow.start('collect', { taskQueue, workflowId: uniqueId('restart') });
      h.track(handle);
      await handle.signal('add', 'x');
      await eventually(
        () => handle.query<string[]>('items'),
        (v) => v.length === 1,
      );
      await first.stop();
      const second = await h.runWorker({ taskQueue });
      try {
        await handle.signal('add', 'y');
        await handle.signal('done');
        await expect(handle.result()).resolves.toEqual(['x', 'y']);
        expect(await timedOutScheduleToStart(handle)).toBe(0);
      } finally {
        await second.stop();
      }
    });
  });

  describe('by hand (the test plays the worker)', () => {
    const identity = 'conformance-hand-worker';
    const svc = () => h.env.client.workflowService;

    interface Run {
      handle: WorkflowHandle;
      queue: string;
      stickyQueue: string;
    }

    const open: WorkflowHandle[] = [];
    afterAll(async () => {
      await Promise.all(open.map((handle) => handle.terminate('sticky conformance done').catch(() => undefined)));
    });

    /** Polls until a task arrives (an empty answer is a poll timeout). */
    async function pollTask(run: Run, sticky: boolean, signal?: AbortSignal): Promise<PollResponse> {
      const taskQueue = sticky
        ? { name: run.stickyQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: run.queue }
        : { name: run.queue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL };
      const request = { namespace: h.env.namespace, taskQueue, identity };
      for (;;) {
        const task = signal
          ? await h.env.client.connection.withAbortSignal(signal, () => svc().pollWorkflowTaskQueue(request))
          : await svc().pollWorkflowTaskQueue(request);
        if (task.taskToken && task.taskToken.length > 0) return task;
      }
    }

    /** A sticky poll in flight before the next event, so the server knows the sticky worker is there. */
    async function stickyPoll(run: Run): Promise<{ task: Promise<PollResponse> }> {
      const task = pollTask(run, true);
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { task };
    }

    function complete(run: Run, task: PollResponse, scheduleToStartSeconds = 10) {
      return svc().respondWorkflowTaskCompleted({
        namespace: h.env.namespace,
        taskToken: task.taskToken,
        identity,
        commands: [],
        stickyAttributes: {
          workerTaskQueue: { name: run.stickyQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: run.queue },
          scheduleToStartTimeout: msToTs(scheduleToStartSeconds * 1000),
        },
      });
    }

    const ids = (task: PollResponse) => (task.history?.events ?? []).map((e) => Number(e.eventId));
    const types = (task: PollResponse) => (task.history?.events ?? []).map((e: HistoryEvent) => e.eventType);

    function expectFullHistory(task: PollResponse): void {
      const got = ids(task);
      expect(got[0]).toBe(1);
      expect(got).toEqual(got.map((_, i) => i + 1));
      expect(got[got.length - 1]).toBe(Number(task.startedEventId));
    }

    /** A run with no SDK worker on its queue whose first task the test completed with sticky attributes. */
    async function stickyRun(scheduleToStartSeconds = 10): Promise<Run> {
      const queue = uniqueId('hand');
      const handle = await h.env.client.workflow.start('collect', { taskQueue: queue, workflowId: uniqueId('hand') });
      const run: Run = { queue, stickyQueue: `${queue}-sticky-${randomUUID()}`, handle };
      open.push(run.handle);
      const first = await pollTask(run, false);
      expectFullHistory(first);
      expect(Number(first.previousStartedEventId)).toBe(0);
      await complete(run, first, scheduleToStartSeconds);
      return run;
    }

    /** A run that has also completed one task taken from its sticky queue. */
    async function runWithStickyTask(scheduleToStartSeconds = 10): Promise<Run> {
      const run = await stickyRun();
      const next = await stickyPoll(run);
      await run.handle.signal('add', 'one');
      await complete(run, await next.task, scheduleToStartSeconds);
      return run;
    }

    it('delivers only the new events on the sticky queue, starting after the last started task', async () => {
      const run = await stickyRun();
      const next = await stickyPoll(run);
      await run.handle.signal('add', 'one');
      const task = await next.task;
      const previous = Number(task.previousStartedEventId);
      expect(previous).toBeGreaterThan(0);
      expect(ids(task)[0]).toBe(previous + 1);
      expect(ids(task)).toEqual(ids(task).map((_, i) => previous + 1 + i));
      expect(ids(task)[ids(task).length - 1]).toBe(Number(task.startedEventId));
      expect(types(task)).toEqual([
        EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
      ]);
      expect(task.workflowExecutionTaskQueue).toMatchObject({ name: run.queue });
      // The next one again, after a sticky completion.
      await complete(run, task);
      const again = await stickyPoll(run);
      await run.handle.signal('add', 'two');
      const third = await again.task;
      expect(Number(third.previousStartedEventId)).toBe(Number(task.startedEventId));
      expect(ids(third)[0]).toBe(Number(task.startedEventId) + 1);
    });

    it('falls back to the normal queue and full history when the sticky schedule-to-start timeout passes', async () => {
      const run = await runWithStickyTask(1);
      // Nobody polls the sticky queue now; the worker was there a moment ago, so the task goes there first.
      await run.handle.signal('add', 'two');
      const task = await pollTask(run, false);
      expectFullHistory(task);
      expect(task.attempt).toBe(1);
      const timedOut = (task.history?.events ?? []).filter((e) => e.workflowTaskTimedOutEventAttributes);
      expect(timedOut.map((e) => e.workflowTaskTimedOutEventAttributes!.timeoutType)).toEqual([
        TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START,
      ]);
    });

    it("times out an Update's task on a silent sticky queue visibly, then delivers it on the normal queue", async () => {
      const run = await runWithStickyTask(1);
      // Nobody polls the sticky queue; an Update arrives while the run is idle (a speculative task on the server).
      const update = run.handle.executeUpdate('add', { args: ['via update'], updateId: 'sticky-update' });
      const task = await pollTask(run, false);
      expectFullHistory(task);
      const events = task.history?.events ?? [];
      const timedOut = events.filter((e) => e.workflowTaskTimedOutEventAttributes);
      expect(timedOut.map((e) => e.workflowTaskTimedOutEventAttributes!.timeoutType)).toEqual([
        TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START,
      ]);
      // The task that timed out is in the history: its Scheduled event precedes the time-out.
      const scheduledId = Number(timedOut[0]!.workflowTaskTimedOutEventAttributes!.scheduledEventId);
      const scheduled = events.find((e) => Number(e.eventId) === scheduledId);
      expect(scheduled?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
      expect(task.messages?.map((m) => m.protocolInstanceId)).toEqual(['sticky-update']);
      const rejection = temporal.api.update.v1.Rejection.encode({
        rejectedRequestMessageId: task.messages![0]!.id,
        failure: { message: 'not by hand', applicationFailureInfo: { type: 'ByHand', nonRetryable: true } },
      }).finish();
      await svc().respondWorkflowTaskCompleted({
        namespace: h.env.namespace,
        taskToken: task.taskToken,
        identity,
        commands: [],
        messages: [
          {
            id: 'sticky-update/reject',
            protocolInstanceId: 'sticky-update',
            body: { type_url: 'type.googleapis.com/temporal.api.update.v1.Rejection', value: rejection },
          },
        ],
      });
      await expect(update).rejects.toThrow('Workflow Update failed');
    });

    it('sends the full history on the normal queue after ResetStickyTaskQueue', async () => {
      const run = await runWithStickyTask();
      const execution = { workflowId: run.handle.workflowId };
      await svc().resetStickyTaskQueue({ namespace: h.env.namespace, execution });
      await run.handle.signal('add', 'two');
      const task = await pollTask(run, false);
      expectFullHistory(task);
      expect(Number(task.previousStartedEventId)).toBeGreaterThan(0);
    });

    it('sends the full history after the worker evicts the run (task failed: RESET_STICKY_TASK_QUEUE)', async () => {
      const run = await stickyRun();
      const next = await stickyPoll(run);
      await run.handle.signal('add', 'one');
      const task = await next.task;
      await svc().respondWorkflowTaskFailed({
        namespace: h.env.namespace,
        taskToken: task.taskToken,
        identity,
        cause: WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE,
      });
      const retry = await pollTask(run, false);
      expectFullHistory(retry);
      // Dropping a sticky cache is not a failed attempt.
      expect(retry.attempt).toBe(1);
      const failed = (retry.history?.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
      expect(failed.map((e) => e.workflowTaskFailedEventAttributes!.cause)).toEqual([
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE,
      ]);
    });

    it('sends the full history on the normal queue after ShutdownWorker names the sticky queue', async () => {
      const run = await runWithStickyTask();
      const controller = new AbortController();
      const parked = pollTask(run, true, controller.signal).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stickyTaskQueue = run.stickyQueue;
      await svc().shutdownWorker({ namespace: h.env.namespace, stickyTaskQueue, identity, reason: 'test' });
      await run.handle.signal('add', 'two');
      const task = await pollTask(run, false);
      expectFullHistory(task);
      // Not by waiting out the schedule-to-start timeout.
      expect((task.history?.events ?? []).filter((e) => e.workflowTaskTimedOutEventAttributes)).toEqual([]);
      controller.abort();
      await parked;
    });

    it('sends the full history on the normal queue once the sticky queue has had no poller for a while', async () => {
      const run = await runWithStickyTask();
      // The server's window is 10 s without a poll on the sticky queue.
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      await run.handle.signal('add', 'two');
      const task = await pollTask(run, false);
      expectFullHistory(task);
      expect((task.history?.events ?? []).filter((e) => e.workflowTaskTimedOutEventAttributes)).toEqual([]);
    });

    it('sends a query on a sticky run to the sticky queue, without history, and relays the answer', async () => {
      const run = await runWithStickyTask();
      const next = await stickyPoll(run);
      const answer = h.env.client.workflow.getHandle(run.handle.workflowId).query<string>('items');
      const task = await next.task;
      expect(task.query?.queryType).toBe('items');
      expect(task.history?.events ?? []).toEqual([]);
      await svc().respondQueryTaskCompleted({
        namespace: h.env.namespace,
        taskToken: task.taskToken,
        completedType: temporal.api.enums.v1.QueryResultType.QUERY_RESULT_TYPE_ANSWERED,
        queryResult: {
          payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"from the cache"') }],
        },
      });
      await expect(answer).resolves.toBe('from the cache');
    });
  });

  it('replays every history the SDK worker produced', async () => {
    expect(await h.replayTracked()).toEqual({});
  });
});
