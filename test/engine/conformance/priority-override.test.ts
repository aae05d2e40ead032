/**
 * Conformance: UpdateWorkflowExecutionOptions with a priority. The new priority replaces the
 * run's whole; it is recorded as WorkflowExecutionOptionsUpdated (an event the worker may
 * ignore, which asks for no workflow task), shows in describe, orders the run's tasks queued
 * after it, and a worker replays a history that holds it. What the engine does not have
 * (the versioning override) and malformed requests are refused.
 *
 * Against a real server (TEMPORAL_ADDRESS): the ordering case needs priority enabled, as in
 * priority.test.ts (the new matcher, one task queue partition).
 */
import { status } from '@grpc/grpc-js';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startHarness, uniqueId, type Harness } from './harness';

jest.setTimeout(30_000);

const { EventType } = temporal.api.enums.v1;

describe('conformance: workflow execution options (priority)', () => {
  let h: Harness;
  const identity = 'conformance-options-hand-worker';
  const svc = () => h.env.client.workflowService;
  const open: WorkflowHandle[] = [];

  beforeAll(async () => {
    h = await startHarness({ workflowsFile: 'priority.ts', timeSkipping: false });
  });

  afterAll(async () => {
    await Promise.all(open.map((handle) => handle.terminate('options conformance done').catch(() => undefined)));
    await h?.teardown();
  });

  const setPriority = (workflowId: string, priorityKey: number, paths = ['priority']) =>
    svc().updateWorkflowExecutionOptions({
      namespace: h.env.namespace,
      workflowExecution: { workflowId },
      workflowExecutionOptions: { priority: { priorityKey } },
      updateMask: { paths },
      identity,
    });

  /** Starts a run on a queue only the test polls and completes its first task with no commands: it stays open, idle. */
  async function idleRun(queue: string, name: string, priorityKey: number): Promise<WorkflowHandle> {
    const handle = await h.env.client.workflow.start('waitForRelease', {
      taskQueue: queue,
      workflowId: uniqueId(name),
      priority: { priorityKey },
    });
    open.push(handle);
    const task = await h.pollWorkflowTask(queue, identity);
    expect(task.workflowExecution?.workflowId).toBe(handle.workflowId);
    await svc().respondWorkflowTaskCompleted({ namespace: h.env.namespace, taskToken: task.taskToken, identity });
    return handle;
  }

  it('records the new priority without a workflow task, shows it, and dispatches the tasks queued after it by it', async () => {
    const queue = uniqueId('options-priority');
    const raised = await idleRun(queue, 'raised', 5);
    const other = await idleRun(queue, 'other', 3);
    const answer = await setPriority(raised.workflowId, 1);
    expect(answer.workflowExecutionOptions?.priority?.priorityKey).toBe(1);

    const events = (await raised.fetchHistory()).events ?? [];
    const updated = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED);
    expect(updated).toHaveLength(1);
    expect(updated[0]!.workerMayIgnore).toBe(true);
    expect(updated[0]!.workflowExecutionOptionsUpdatedEventAttributes?.priority?.priorityKey).toBe(1);
    // Nothing after it: the update alone schedules no workflow task.
    expect(events[events.length - 1]!.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED);
    const described = await svc().describeWorkflowExecution({
      namespace: h.env.namespace,
      execution: { workflowId: raised.workflowId },
    });
    expect(described.workflowExecutionInfo?.priority?.priorityKey).toBe(1);
    expect(described.pendingWorkflowTask ?? null).toBeNull();

    // Signalled in this order, the raised run's task (key 1) is handed out before the other's (key 3).
    await other.signal('release');
    await raised.signal('release');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const first = await h.pollWorkflowTask(queue, identity);
    const second = await h.pollWorkflowTask(queue, identity);
    expect([first.workflowExecution?.workflowId, second.workflowExecution?.workflowId]).toEqual([
      raised.workflowId,
      other.workflowId,
    ]);
  });

  it('lets a worker run on and replay a run whose history holds an options update', async () => {
    const handle = await h.start<string>('waitForRelease', { priority: { priorityKey: 3 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await setPriority(handle.workflowId, 1);
    await handle.signal('release');
    await expect(handle.result()).resolves.toBe('released');
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED)).toBe(true);
    expect(await h.replayTracked()).toEqual({});
  });

  it('refuses an update without a mask, an unknown path, and a closed run', async () => {
    const queue = uniqueId('options-refused');
    const run = await idleRun(queue, 'refused', 3);
    await expect(setPriority(run.workflowId, 1, [])).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(setPriority(run.workflowId, 1, ['no_such_option'])).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
    await run.terminate('closed for the test');
    await expect(setPriority(run.workflowId, 1)).rejects.toMatchObject({ code: status.NOT_FOUND });
  });
});
