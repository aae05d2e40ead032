/**
 * Each HR event is planned once: the employee workflow plans only an activation (it needs the
 * joiner lead time before applying it) and hands that plan to the child; a termination or an
 * update is planned by its child alone. Counted from the histories the engine recorded.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(120_000);

async function planActivities(handle: WorkflowHandle): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'planLifecycle').length;
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
    expect(await planActivities(employee)).toBe(1);
    const kids = await children(stack, `employee-${id}`);
    expect([...kids.keys()].sort()).toEqual(['joinerWorkflow', 'leaverWorkflow']);
    expect(await planActivities(kids.get('joinerWorkflow')!)).toBe(0);
    expect(await planActivities(kids.get('leaverWorkflow')!)).toBe(1);
  });
});
