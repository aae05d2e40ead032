/**
 * A roster carries terminations (people whose status is terminated, and for a full roster the
 * people missing from it): when its hand-over fails, that is alerted, not only kept in the
 * roster's status. On the embedded engine, with the roster activities failing on purpose.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { EmployeeRecord } from '../../lib/hr/employee';
import { rosterWorkflowId, type RosterStatus } from '../../lib/temporal/contract';
import { submitRoster } from '../../lib/temporal/roster-client';
import { startAlertReceiver, type AlertReceiver } from '../helpers/alert-receiver';
import { startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(120_000);

let stack: LifecycleStack;
let hook: AlertReceiver;

beforeAll(async () => {
  hook = await startAlertReceiver();
  const outage = (what: string) => async (): Promise<never> => {
    throw ApplicationFailure.create({
      type: 'TEST_OUTAGE',
      message: `${what}: frontend unavailable`,
      nonRetryable: true,
    });
  };
  stack = await startLifecycleStack({
    policy: (p) => ({ ...p, notifications: { webhookUrl: hook.url } }),
    wrapActivities: (real) => ({
      ...real,
      deliverRosterBatch: outage('delivery'),
      terminateMissingFromRoster: outage('inference'),
    }),
  });
});
afterAll(async () => {
  await stack?.stop();
  await hook?.close();
});

const person = (employeeId: string, status: EmployeeRecord['status']): EmployeeRecord => ({
  employeeId,
  givenName: 'Rosa',
  familyName: employeeId,
  workEmail: `${employeeId.toLowerCase()}@example.com`,
  department: 'Sales',
  employmentType: 'FULL_TIME',
  status,
});

test('a batch that cannot be delivered and terminations that cannot be sent are both alerted', async () => {
  await submitRoster(stack.env.client, stack.taskQueue, {
    rosterId: 'rf-1',
    full: true,
    asOf: new Date(await stack.env.currentTimeMs()).toISOString(),
    source: 'hr-test',
    contentHash: 'f'.repeat(64),
    employees: [person('RF1', 'active'), person('RF2', 'terminated')],
  });
  const result = stack.env.client.workflow.getHandle<() => Promise<RosterStatus>>(rosterWorkflowId('rf-1')).result();
  await expect(result).rejects.toThrow();
  const alerts = await hook.waitFor((a) => a.kind === 'roster-failed', 2);
  const messages = alerts.map((a) => String(a.message));
  expect(messages[0]).toMatch(/roster rf-1: 2 people were not delivered .*among them terminations of RF2/);
  expect(messages[1]).toMatch(/roster rf-1: terminations of people missing from the roster were not sent/);
  expect(alerts.every((a) => a.workflowId === rosterWorkflowId('rf-1'))).toBe(true);
});
