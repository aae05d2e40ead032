/**
 * Each HR event is planned once: the employee workflow plans only an activation (it needs the
 * joiner lead time before applying it) and hands that plan to the child; a termination or an
 * update is planned by its child alone. Planning is a local activity (a marker in the history,
 * no activity task): a leaver schedules its deactivations in its first workflow task. Counted
 * from the histories the engine recorded.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(120_000);

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** The activity type a local-activity marker records (its `data` detail is the SDK's JSON marker data). */
function localActivityType(e: HistoryEvent): string | undefined {
  const marker = e.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_local_activity') return undefined;
  const data = marker.details?.data?.payloads?.[0]?.data;
  if (!data) return undefined;
  return (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type;
}

async function planReads(handle: WorkflowHandle): Promise<{ local: number; remote: number }> {
  const events = (await handle.fetchHistory()).events ?? [];
  return {
    local: events.filter((e) => localActivityType(e) === 'planLifecycle').length,
    remote: events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'planLifecycle').length,
  };
}

/** Event ids of the completed workflow tasks and of each scheduled activity, in history order. */
async function firstTaskSchedules(handle: WorkflowHandle): Promise<string[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const firstCompleted = events.findIndex((e) => e.workflowTaskCompletedEventAttributes);
  const secondStarted = events.findIndex((e, i) => i > firstCompleted && e.workflowTaskStartedEventAttributes);
  return events.slice(firstCompleted, secondStarted < 0 ? undefined : secondStarted).flatMap((e) => {
    const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
    return type ? [type] : [];
  });
}

async function children(stack: LifecycleStack, employeeWorkflowId: string): Promise<Map<string, WorkflowHandle>> {
  const events = (await stack.env.client.workflow.getHandle(employeeWorkflowId).fetchHistory()).events ?? [];
  const byType = new Map<string, WorkflowHandle>();
  for (const e of events) {
    const started = e.childWorkflowExecutionStartedEventAttributes;
    if (started)
      byType.set(
        started.workflowType!.name!,
        stack.env.client.workflow.getHandle(started.workflowExecution!.workflowId!),
      );
  }
  return byType;
}

describe('planning once per event', () => {
  let stack: LifecycleStack;
  beforeAll(async () => {
    stack = await startLifecycleStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('plans a hire in the employee workflow only and a termination in the leaver only', async () => {
    const id = 'P1';
    const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
    await stack.send(
      hrEvent('hire', { employeeId: id }, { eventId: `${id}-hire`, effectiveAt: await now(), sequence: 1 }),
    );
    await stack.waitFor(
      id,
      (s) => s.stage === 'idle' && s.accounts.length > 0 && s.accounts.every((a) => a.state === 'active'),
    );
    await stack.send(
      hrEvent('terminate', { employeeId: id }, { eventId: `${id}-term`, effectiveAt: await now(), sequence: 2 }),
    );
    await stack.waitFor(id, (s) => s.stage === 'idle' && s.accounts.every((a) => a.state !== 'active'));

    const employee = stack.env.client.workflow.getHandle(`employee-${id}`);
    expect(await planReads(employee)).toEqual({ local: 1, remote: 0 });
    const kids = await children(stack, `employee-${id}`);
    expect([...kids.keys()].sort()).toEqual(['joinerWorkflow', 'leaverWorkflow']);
    expect(await planReads(kids.get('joinerWorkflow')!)).toEqual({ local: 0, remote: 0 });
    const leaver = kids.get('leaverWorkflow')!;
    expect(await planReads(leaver)).toEqual({ local: 1, remote: 0 });
    // Nothing between a termination and its requests: the first workflow task schedules them all.
    const apps = (await stack.waitFor(id, () => true)).accounts.length;
    expect(await firstTaskSchedules(leaver)).toEqual(Array.from({ length: apps }, () => 'deactivateAccount'));
  });
});
