/**
 * Conformance: task priority. A backlog is dispatched by priority key (1 first, 5 last) and
 * first in, first out within a key; a workflow or activity that sets no key runs at the default
 * (3); activities and children inherit their workflow's priority unless they set their own.
 * Workflow tasks are ordered by their run's priority on the normal queue and on a sticky queue.
 *
 * The order is checked by hand: the test plays the worker with raw WorkflowService polls on
 * queues no SDK worker polls, after the backlog has built up.
 *
 * Against a real server (TEMPORAL_ADDRESS): priority needs the new matcher
 * (`matching.useNewMatcher=true`, the default only in recent releases), and a strict order
 * across the whole queue needs one partition (`matching.numTaskqueueReadPartitions=1` and
 * `matching.numTaskqueueWritePartitions=1`); priority is kept within a partition. E.g.
 *   temporal server start-dev --dynamic-config-value matching.useNewMatcher=true \
 *     --dynamic-config-value matching.numTaskqueueReadPartitions=1 \
 *     --dynamic-config-value matching.numTaskqueueWritePartitions=1
 */
import type { WorkflowHandle } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { eventually, startHarness, uniqueId, type Harness } from './harness';

jest.setTimeout(30_000);

const { TaskQueueKind, EventType } = temporal.api.enums.v1;
type ActivityPollResponse = temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse;

describe('conformance: task priority', () => {
  let h: Harness;
  const identity = 'conformance-priority-hand-worker';
  const svc = () => h.env.client.workflowService;
  const open: WorkflowHandle[] = [];

  beforeAll(async () => {
    h = await startHarness({ workflowsFile: 'priority.ts', timeSkipping: false });
  });

  afterAll(async () => {
    await Promise.all(open.map((handle) => handle.terminate('priority conformance done').catch(() => undefined)));
    await h?.teardown();
  });

  /** Starts a workflow on `queue` (no SDK worker there), with `priorityKey` or none. */
  async function startOn(queue: string, name: string, priorityKey?: number): Promise<WorkflowHandle> {
    const handle = await h.env.client.workflow.start('ownPriority', {
      taskQueue: queue,
      workflowId: uniqueId(name),
      ...(priorityKey ? { priority: { priorityKey } } : {}),
    });
    open.push(handle);
    return handle;
  }

  async function pollActivityTask(queue: string): Promise<ActivityPollResponse> {
    for (;;) {
      const task = await svc().pollActivityTaskQueue({
        namespace: h.env.namespace,
        taskQueue: { name: queue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        identity,
      });
      if (task.taskToken && task.taskToken.length > 0) return task;
    }
  }

  async function startedEvent(handle: WorkflowHandle) {
    const history = await handle.fetchHistory();
    return history.events?.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
      ?.workflowExecutionStartedEventAttributes;
  }

  it('dispatches a workflow task backlog by priority key, first in first out within a key, unset as 3', async () => {
    const queue = uniqueId('priority-wft');
    // Started in this order while nobody polls the queue: the backlog builds up.
    const starts: [string, number | undefined][] = [
      ['five', 5],
      ['unset', undefined],
      ['one-a', 1],
      ['three', 3],
      ['two', 2],
      ['one-b', 1],
      ['four', 4],
    ];
    const byId = new Map<string, string>();
    for (const [name, key] of starts) byId.set((await startOn(queue, name, key)).workflowId, name);
    // A real server writes the tasks to its backlog asynchronously; let them all land.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const order: string[] = [];
    for (let i = 0; i < starts.length; i++) {
      const task = await h.pollWorkflowTask(queue, identity);
      order.push(byId.get(task.workflowExecution?.workflowId ?? '') ?? '?');
    }
    expect(order).toEqual(['one-a', 'one-b', 'two', 'unset', 'three', 'four', 'five']);
  });

  it('records the priority a start request set, and none when it set none', async () => {
    const queue = uniqueId('priority-start');
    const set = await startOn(queue, 'set', 2);
    const unset = await startOn(queue, 'unset');
    expect((await startedEvent(set))?.priority?.priorityKey).toBe(2);
    expect((await startedEvent(unset))?.priority?.priorityKey ?? 0).toBe(0);
    const described = await svc().describeWorkflowExecution({
      namespace: h.env.namespace,
      execution: { workflowId: set.workflowId },
    });
    expect(described.workflowExecutionInfo?.priority?.priorityKey).toBe(2);
  });

  it('a child inherits its parent priority unless its command sets one; the child sees it in workflowInfo', async () => {
    const inheritedId = uniqueId('child-inherits');
    const ownId = uniqueId('child-own');
    const parentInherit = await h.start<number | undefined>('childPriority', {
      args: [inheritedId],
      priority: { priorityKey: 1 },
    });
    const parentOwn = await h.start<number | undefined>('childPriority', {
      args: [ownId, 4],
      priority: { priorityKey: 1 },
    });
    await expect(parentInherit.result()).resolves.toBe(1);
    await expect(parentOwn.result()).resolves.toBe(4);
    const inherited = h.env.client.workflow.getHandle(inheritedId);
    const own = h.env.client.workflow.getHandle(ownId);
    expect((await startedEvent(inherited))?.priority?.priorityKey).toBe(1);
    expect((await startedEvent(own))?.priority?.priorityKey).toBe(4);
    // The parent's history keeps what the command said: nothing for the inheriting child.
    const initiated = async (handle: WorkflowHandle) =>
      (await handle.fetchHistory()).events?.find(
        (e) => e.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
      )?.startChildWorkflowExecutionInitiatedEventAttributes;
    expect((await initiated(parentInherit))?.priority?.priorityKey ?? 0).toBe(0);
    expect((await initiated(parentOwn))?.priority?.priorityKey).toBe(4);
    expect(await h.replayTracked()).toEqual({});
  });

  it('dispatches activities by their own key, or the key inherited from their workflow', async () => {
    const activityQueue = uniqueId('priority-activities');
    // Two workflows (run by the SDK worker) schedule activities on a queue only the test polls.
    const low = await h.start<string[]>('scheduleActivities', {
      args: [activityQueue, [{ activityId: 'low-inherits-5' }, { activityId: 'low-sets-1', priorityKey: 1 }]],
      priority: { priorityKey: 5 },
    });
    const high = await h.start<string[]>('scheduleActivities', {
      args: [
        activityQueue,
        [
          { activityId: 'high-inherits-2-a' },
          { activityId: 'high-sets-4', priorityKey: 4 },
          { activityId: 'high-inherits-2-b' },
        ],
      ],
      priority: { priorityKey: 2 },
    });
    const unset = await h.start<string[]>('scheduleActivities', {
      args: [activityQueue, [{ activityId: 'unset-default-3' }]],
    });
    for (const handle of [low, high, unset]) {
      const want = handle === low ? 2 : handle === high ? 3 : 1;
      const described = await eventually(
        () =>
          svc().describeWorkflowExecution({ namespace: h.env.namespace, execution: { workflowId: handle.workflowId } }),
        (d) => (d.pendingActivities?.length ?? 0) === want,
      );
      expect(described.pendingActivities).toHaveLength(want);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const task = await pollActivityTask(activityQueue);
      order.push(task.activityId ?? '?');
      await svc().respondActivityTaskCompleted({
        namespace: h.env.namespace,
        taskToken: task.taskToken,
        identity,
        result: task.input,
      });
    }
    expect(order).toEqual([
      'low-sets-1',
      'high-inherits-2-a',
      'high-inherits-2-b',
      'unset-default-3',
      'high-sets-4',
      'low-inherits-5',
    ]);
    await Promise.all([low.result(), high.result(), unset.result()]);
    // ActivityTaskScheduled keeps what the command said (inheritance happens at dispatch).
    const scheduled = (await low.fetchHistory()).events
      ?.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
      .map((e) => [
        e.activityTaskScheduledEventAttributes?.activityId,
        e.activityTaskScheduledEventAttributes?.priority?.priorityKey ?? 0,
      ]);
    expect(scheduled).toEqual([
      ['low-inherits-5', 0],
      ['low-sets-1', 1],
    ]);
    expect(await h.replayTracked()).toEqual({});
  });

  it('orders workflow tasks on a sticky queue by their runs priority too', async () => {
    const queue = uniqueId('priority-sticky');
    const stickyQueue = uniqueId('priority-sticky-worker');
    const sticky = {
      workerTaskQueue: { name: stickyQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: queue },
      scheduleToStartTimeout: msToTs(10_000),
    };
    const low = await startOn(queue, 'sticky-low', 4);
    const high = await startOn(queue, 'sticky-high', 2);
    // The first task of each run, completed with sticky attributes: both runs are now sticky.
    for (let i = 0; i < 2; i++) {
      const task = await h.pollWorkflowTask(queue, identity);
      await svc().respondWorkflowTaskCompleted({
        namespace: h.env.namespace,
        taskToken: task.taskToken,
        identity,
        commands: [],
        stickyAttributes: sticky,
      });
    }
    // A sticky poll must have been seen for the server to treat the sticky worker as present.
    const warmUp = svc().pollWorkflowTaskQueue({
      namespace: h.env.namespace,
      taskQueue: { name: stickyQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: queue },
      identity,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Signal the low one first; the warm-up poll takes it. Then low again, then high: a backlog of two.
    await low.signal('nudge');
    const first = await warmUp;
    expect(first.workflowExecution?.workflowId).toBe(low.workflowId);
    await svc().respondWorkflowTaskCompleted({
      namespace: h.env.namespace,
      taskToken: first.taskToken,
      identity,
      commands: [],
      stickyAttributes: sticky,
    });
    await low.signal('nudge');
    await high.signal('nudge');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const next = await h.pollWorkflowTask(
      { name: stickyQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: queue },
      identity,
    );
    const after = await h.pollWorkflowTask(
      { name: stickyQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: queue },
      identity,
    );
    expect([next.workflowExecution?.workflowId, after.workflowExecution?.workflowId]).toEqual([
      high.workflowId,
      low.workflowId,
    ]);
    // Both were handed out from the sticky queue: only the events since the last task.
    expect(Number(next.history?.events?.[0]?.eventId)).toBeGreaterThan(1);
  });

  it('rejects a negative priority key, naming the field', async () => {
    await expect(
      h.env.client.workflow.start('ownPriority', {
        taskQueue: uniqueId('priority-bad'),
        workflowId: uniqueId('bad'),
        priority: { priorityKey: -1 },
      }),
    ).rejects.toThrow(/priority/i);
  });
});
