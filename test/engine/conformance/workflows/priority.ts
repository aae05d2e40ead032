/** Workflows for the task-priority conformance tests. */
import { condition, defineSignal, executeChild, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';

export interface ActivitySpec {
  activityId: string;
  /** Omitted: the activity sets no priority and inherits its workflow's. */
  priorityKey?: number;
}

/** Schedules every activity at once on `taskQueue` (where the test polls by hand) and waits for them all. */
export async function scheduleActivities(taskQueue: string, specs: ActivitySpec[]): Promise<string[]> {
  return Promise.all(
    specs.map(({ activityId, priorityKey }) => {
      const { echo } = proxyActivities<{ echo(value: string): Promise<string> }>({
        taskQueue,
        activityId,
        startToCloseTimeout: '1 minute',
        ...(priorityKey ? { priority: { priorityKey } } : {}),
      });
      return echo(activityId);
    }),
  );
}

/** The priority this run sees (from its WorkflowExecutionStarted event). */
export async function ownPriority(): Promise<number | undefined> {
  return workflowInfo().priority?.priorityKey;
}

/** Runs `ownPriority` as a child, with `priorityKey` set on the child or (undefined) inherited. */
export async function childPriority(childId: string, priorityKey?: number): Promise<number | undefined> {
  return executeChild(ownPriority, {
    workflowId: childId,
    ...(priorityKey ? { priority: { priorityKey } } : {}),
  });
}

export const releaseSignal = defineSignal('release');

/** Waits for `release`, then returns: a run an options update can land on while it waits. */
export async function waitForRelease(): Promise<string> {
  let released = false;
  setHandler(releaseSignal, () => void (released = true));
  await condition(() => released);
  return 'released';
}
