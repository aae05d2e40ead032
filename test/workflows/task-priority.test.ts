/**
 * Which work gets which task priority key (lib/temporal/contract.ts, TASK_PRIORITY), read from
 * the histories of a real hire and termination on the embedded engine: the employee workflow
 * runs at intake until a termination raises it to revocation (UpdateWorkflowExecutionOptions,
 * before the signal), the joiner child (and so its SCIM steps) at lifecycle, the leaver child (and
 * its deactivations) at revocation, and the leaver's recheck — scheduled by the employee
 * workflow — at revocation too. The dispatch order these keys buy is the engine's
 * (test/engine/conformance/priority.test.ts).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { TASK_PRIORITY } from '../../lib/temporal/contract';
import { deliverHrEvent } from '../../lib/temporal/employee-client';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(180_000);

const MINUTE = 60_000;

let stack: LifecycleStack;
beforeAll(async () => {
  stack = await startLifecycleStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function events(handle: WorkflowHandle) {
  return (await handle.fetchHistory()).events ?? [];
}

async function startedPriority(handle: WorkflowHandle): Promise<number | undefined> {
  const started = (await events(handle)).find((e) => e.workflowExecutionStartedEventAttributes);
  return started?.workflowExecutionStartedEventAttributes?.priority?.priorityKey ?? undefined;
}

async function childrenByType(employeeWorkflowId: string): Promise<Map<string, WorkflowHandle>> {
  const byType = new Map<string, WorkflowHandle>();
  for (const e of await events(stack.env.client.workflow.getHandle(employeeWorkflowId))) {
    const started = e.childWorkflowExecutionStartedEventAttributes;
    if (started)
      byType.set(
        started.workflowType!.name!,
        stack.env.client.workflow.getHandle(started.workflowExecution!.workflowId!),
      );
  }
  return byType;
}

/** Each scheduled activity's type and the key its command set (0: none, it inherits its workflow's). */
async function activityKeys(handle: WorkflowHandle): Promise<[string, number][]> {
  return (await events(handle))
    .map((e) => e.activityTaskScheduledEventAttributes)
    .filter((a) => a !== null && a !== undefined)
    .map((a) => [a.activityType?.name ?? '', Number(a.priority?.priorityKey ?? 0)]);
}

test('intake for a hire, lifecycle for the joiner, revocation for the leaver, its recheck and the employee workflow from the termination on', async () => {
  const id = 'TP1';
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
  await stack.send(
    hrEvent('hire', { employeeId: id }, { eventId: `${id}-hire`, effectiveAt: await now(), sequence: 1 }),
  );
  await stack.waitFor(
    id,
    (s) => s.stage === 'idle' && s.accounts.length > 0 && s.accounts.every((a) => a.state === 'active'),
  );
  await stack.send(
    hrEvent(
      'terminate',
      { employeeId: id, status: 'terminated' },
      { eventId: `${id}-term`, effectiveAt: await now(), sequence: 2 },
    ),
  );
  await stack.waitFor(id, (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'));
  // The recheck after the policy's leaver.recheckAfter (10 minutes; time skips).
  await stack.waitFor(id, (s) => (s.pendingRechecks ?? []).length === 0, 15 * MINUTE);

  const employee = stack.env.client.workflow.getHandle(`employee-${id}`);
  expect(await startedPriority(employee)).toBe(TASK_PRIORITY.intake);
  const kids = await childrenByType(`employee-${id}`);
  expect(await startedPriority(kids.get('joinerWorkflow')!)).toBe(TASK_PRIORITY.lifecycle);
  expect(await startedPriority(kids.get('leaverWorkflow')!)).toBe(TASK_PRIORITY.revocation);

  // The children's steps set nothing: they run at their child's key.
  const joinerSteps = await activityKeys(kids.get('joinerWorkflow')!);
  expect(joinerSteps.map(([type]) => type)).toContain('provisionAccount');
  expect(joinerSteps.every(([, key]) => key === 0)).toBe(true);
  const leaverSteps = await activityKeys(kids.get('leaverWorkflow')!);
  expect(leaverSteps.map(([type]) => type)).toContain('deactivateAccount');
  expect(leaverSteps.every(([, key]) => key === 0)).toBe(true);

  // The termination raised the employee workflow to revocation before it was signalled, so the
  // task that took the termination in was already dispatched at key 1 (and so is all after it).
  const history = await events(employee);
  const raised = history.findIndex((e) => e.workflowExecutionOptionsUpdatedEventAttributes);
  const terminationSignal = history.findIndex(
    (e, i) =>
      i > 0 &&
      e.workflowExecutionSignaledEventAttributes &&
      history.slice(0, i).some((x) => x.workflowExecutionSignaledEventAttributes),
  );
  expect(raised).toBeGreaterThan(0);
  expect(history[raised]!.workflowExecutionOptionsUpdatedEventAttributes!.priority?.priorityKey).toBe(
    TASK_PRIORITY.revocation,
  );
  expect(raised).toBeLessThan(terminationSignal);
  const described = await stack.env.client.workflowService.describeWorkflowExecution({
    namespace: stack.env.namespace,
    execution: { workflowId: employee.workflowId },
  });
  expect(described.workflowExecutionInfo?.priority?.priorityKey).toBe(TASK_PRIORITY.revocation);

  // The employee workflow's own recheck is revocation work: it says so on the command.
  const employeeActivities = await activityKeys(employee);
  const rechecks = employeeActivities.filter(([type]) => type === 'recheckDeactivated');
  expect(rechecks.length).toBeGreaterThan(0);
  expect(rechecks.every(([, key]) => key === TASK_PRIORITY.revocation)).toBe(true);
});

test('a termination for a person without a workflow starts it at revocation', async () => {
  const id = 'TP2';
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
  await stack.send(
    hrEvent(
      'terminate',
      { employeeId: id, status: 'terminated' },
      { eventId: `${id}-term`, effectiveAt: await now(), sequence: 1 },
    ),
  );
  await stack.waitFor(id, (s) => s.stage === 'idle');
  const employee = stack.env.client.workflow.getHandle(`employee-${id}`);
  expect(await startedPriority(employee)).toBe(TASK_PRIORITY.revocation);
});

/**
 * The priority raise sits in front of the termination signal: a server that never answers it,
 * or refuses it, must not hold the termination up or drop it.
 */
test.each([
  ['never answers', () => new Promise<never>(() => undefined)],
  ['refuses', () => Promise.reject(Object.assign(new Error('unimplemented'), { code: 12 }))],
])('a termination still goes out when the server %s the priority raise', async (_name, raise) => {
  const id = `TP3-${_name.split(' ')[0]}`;
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
  await stack.send(
    hrEvent('hire', { employeeId: id }, { eventId: `${id}-hire`, effectiveAt: await now(), sequence: 1 }),
  );
  await stack.waitFor(id, (s) => s.stage === 'idle' && s.accounts.length > 0);
  const real = stack.env.client;
  const service = new Proxy(real.workflowService, {
    get: (target, prop, receiver) =>
      prop === 'updateWorkflowExecutionOptions' ? raise : Reflect.get(target, prop, receiver),
  });
  const misbehaving = new Proxy(real, {
    get: (target, prop) => (prop === 'workflowService' ? service : Reflect.get(target, prop, target)),
  });
  await deliverHrEvent(
    misbehaving,
    stack.taskQueue,
    hrEvent(
      'terminate',
      { employeeId: id, status: 'terminated' },
      { eventId: `${id}-term`, effectiveAt: await now(), sequence: 2 },
    ),
  );
  const status = await stack.waitFor(
    id,
    (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'),
  );
  expect(status.accounts.length).toBeGreaterThan(0);
});
