/**
 * `POST /v1/hr/roster` over real HTTP, with the real workflows on the embedded engine and the
 * reference SCIM servers: the signature is required, a roster reaches each person's workflow,
 * a re-delivery changes nothing, other content under the same rosterId is a conflict, an
 * invalid roster delivers nothing, and a full roster that misses people sends them
 * terminations carrying `inferredFrom` (asserted on the workflows and their history).
 */
import type { EmployeeRecord } from '../../../lib/hr/employee';
import {
  ROSTER_WORKFLOW_TYPE,
  rosterBatchSignal,
  type EmployeeStatus,
  type RosterStatus,
  type RosterWorkflowStart,
} from '../../../lib/temporal/contract';
import { submitRoster } from '../../../lib/temporal/roster-client';
import { startLifecycleStack, type LifecycleStack } from '../../helpers/lifecycle-stack';
import { postSigned, send, signalsOf, startApi, workflowAbsent, type RunningApi } from './helpers';

jest.setTimeout(240_000);

let stack: LifecycleStack;
let api: RunningApi;

beforeAll(async () => {
  stack = await startLifecycleStack();
  api = await startApi(stack.env.client, { temporal: { client: stack.env.client, taskQueue: stack.taskQueue } });
});
afterAll(async () => {
  await api?.app.close();
  await stack?.stop();
});

const person = (employeeId: string, extra: Partial<EmployeeRecord> = {}): EmployeeRecord => ({
  employeeId,
  givenName: 'Rosa',
  familyName: employeeId,
  workEmail: `${employeeId.toLowerCase()}@example.com`,
  department: 'Sales',
  employmentType: 'FULL_TIME',
  status: 'active',
  ...extra,
});
const roster = (rosterId: string, full: boolean, employees: EmployeeRecord[]) => ({
  rosterId,
  full,
  asOf: new Date().toISOString(),
  source: 'hr-test',
  employees,
});

async function rosterDone(rosterId: string): Promise<RosterStatus> {
  for (let i = 0; i < 120; i++) {
    const res = await send(`${api.url}/v1/hr/roster/${rosterId}`, { method: 'GET' });
    if (res.status === 200 && ['done', 'incomplete'].includes((res.body as RosterStatus).state))
      return res.body as RosterStatus;
    await stack.env.sleep(1_000);
  }
  throw new Error(`roster ${rosterId} not done`);
}

/** The hrEvent signal payloads in a workflow's history. */
async function hrEventsOf(workflowId: string): Promise<Record<string, unknown>[]> {
  const history = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const attrs = e.workflowExecutionSignaledEventAttributes;
    if (attrs?.signalName !== 'hrEvent') return [];
    return (attrs.input?.payloads ?? []).map((p) => JSON.parse(Buffer.from(p.data!).toString('utf8')));
  });
}

const K = ['RK1', 'RK2', 'RK3', 'RK4', 'RK5'];
const first = roster(
  'r-2026-11-30',
  true,
  K.map((id) => person(id)),
);

test('unsigned, wrongly signed and invalid rosters are refused and deliver nothing', async () => {
  const body = JSON.stringify(first);
  const unsigned = await send(`${api.url}/v1/hr/roster`, { headers: { 'content-type': 'application/json' }, body });
  expect(unsigned.status).toBe(401);
  expect((await postSigned(`${api.url}/v1/hr/roster`, first, { secret: 'not-the-secret-0000000000' })).status).toBe(
    401,
  );

  const bad = roster('r-bad', false, [person('RB1'), { ...person('RB2'), status: 'retired' as never }, person('RB1')]);
  const invalid = await postSigned(`${api.url}/v1/hr/roster`, bad);
  expect(invalid.status).toBe(400);
  const issues = (invalid.body as { issues: string[] }).issues;
  expect(issues).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^employees\[1\]\.status: /),
      'employees[2].employeeId: the same as employees[0]; list each person once',
    ]),
  );
  expect(await workflowAbsent(stack.env.client, 'roster-r-bad')).toBe(true);
  expect(await workflowAbsent(stack.env.client, 'employee-RB1')).toBe(true);
  const empty = await postSigned(`${api.url}/v1/hr/roster`, roster('r-empty', true, []));
  expect(empty.status).toBe(400);
  expect((empty.body as { issues: string[] }).issues[0]).toMatch(/an empty full roster would terminate everyone/);
});

test('a roster reaches every person; a re-delivery changes nothing; other content under its id is a conflict', async () => {
  const res = await postSigned(`${api.url}/v1/hr/roster`, first);
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({
    status: 'accepted',
    rosterId: first.rosterId,
    workflowId: `roster-${first.rosterId}`,
    full: true,
    employees: 5,
    repeated: false,
    statusUrl: `/v1/hr/roster/${first.rosterId}`,
  });
  expect(res.headers.get('location')).toBe(`/v1/hr/roster/${first.rosterId}`);
  const done = await rosterDone(first.rosterId);
  // Nobody was known before this first full roster: nobody is missing from it.
  expect(done).toMatchObject({ state: 'done', delivered: 5, failed: [], missing: [], terminationsSent: 0 });
  for (const id of K)
    await stack.waitFor(
      id,
      (s) => s.stage === 'idle' && s.accounts.some((a) => a.app === 'slack' && a.state === 'active'),
    );
  const k1 = await stack.status('RK1');
  expect(k1.recentEvents?.map((e) => [e.eventId, e.verdict])).toEqual([[`roster-${first.rosterId}-RK1`, 'accepted']]);

  const again = await postSigned(`${api.url}/v1/hr/roster`, first);
  expect(again.status).toBe(202);
  expect(again.body).toMatchObject({ repeated: true });
  expect(await signalsOf(stack.env.client, 'employee-RK1')).toEqual(['hrEvent']);

  const changed = await postSigned(`${api.url}/v1/hr/roster`, { ...first, employees: first.employees.slice(0, 4) });
  expect(changed.status).toBe(409);
  expect((changed.body as { code: string }).code).toBe('API_IDEMPOTENCY_CONFLICT');
});

test('a full roster missing people sends them terminations carrying inferredFrom; the others stay', async () => {
  const second = roster(
    'r-2026-12-01',
    true,
    ['RK1', 'RK2', 'RK3'].map((id) => person(id)),
  );
  expect((await postSigned(`${api.url}/v1/hr/roster`, second)).status).toBe(202);
  const done = await rosterDone(second.rosterId);
  expect(done).toMatchObject({ state: 'done', delivered: 3, missing: ['RK4', 'RK5'], terminationsSent: 2 });

  for (const id of ['RK4', 'RK5']) {
    const status: EmployeeStatus = await stack.waitFor(id, (s) =>
      (s.recentEvents ?? []).some((e) => e.eventId === `roster-${second.rosterId}-${id}`),
    );
    const event = status.recentEvents!.find((e) => e.eventId === `roster-${second.rosterId}-${id}`)!;
    expect([event.type, event.verdict]).toEqual(['terminate', 'accepted']);
    const sent = (await hrEventsOf(`employee-${id}`)).find((e) => e.eventId === `roster-${second.rosterId}-${id}`)!;
    expect(sent).toMatchObject({
      type: 'terminate',
      inferredFrom: { rosterId: second.rosterId },
      employee: { status: 'terminated' },
    });
  }
  // People in the roster got its snapshot (unchanged: nothing to do) and no termination.
  for (const id of ['RK1', 'RK2', 'RK3']) {
    const events = await hrEventsOf(`employee-${id}`);
    expect(events.map((e) => e.eventId)).toEqual([`roster-${first.rosterId}-${id}`, `roster-${second.rosterId}-${id}`]);
    expect(events.every((e) => e.inferredFrom === undefined && e.type === undefined)).toBe(true);
    expect((await stack.status(id)).snapshot?.status).toBe('active');
  }
  // Sent again: nothing new for anyone.
  expect((await postSigned(`${api.url}/v1/hr/roster`, second)).body).toMatchObject({ repeated: true });
  expect(await signalsOf(stack.env.client, 'employee-RK4')).toEqual(['hrEvent', 'hrEvent']);
});

test('a roster that is not full never terminates anyone', async () => {
  const partial = roster('r-partial', false, [person('RK1', { title: 'Lead' })]);
  expect((await postSigned(`${api.url}/v1/hr/roster`, partial)).status).toBe(202);
  const done = await rosterDone(partial.rosterId);
  expect(done).toMatchObject({ state: 'done', delivered: 1, failed: [] });
  expect(done.missing).toBeUndefined();
  expect(await signalsOf(stack.env.client, 'employee-RK2')).toEqual(['hrEvent', 'hrEvent']);
  const unknown = await send(`${api.url}/v1/hr/roster/nope`, { method: 'GET' });
  expect(unknown.status).toBe(404);
});

test('batches: a roster arrives in several; one whose batches never all arrive is given up, terminates no one, and runs when sent again', async () => {
  const client = stack.env.client;
  const people = ['RB10', 'RB11', 'RB12', 'RB13', 'RB14'].map((id) => person(id));
  const submission = {
    rosterId: 'r-batches',
    full: false,
    asOf: new Date().toISOString(),
    contentHash: 'h1',
    employees: people,
  };
  expect(await submitRoster(client, stack.taskQueue, submission, 2)).toMatchObject({ batches: 3, repeated: false });
  expect(await rosterDone('r-batches')).toMatchObject({ state: 'done', batches: 3, batchesReceived: 3, delivered: 5 });

  // A hand-over cut short: the workflow is started for two batches and only the first arrives.
  const start: RosterWorkflowStart = {
    rosterId: 'r-cut',
    full: true,
    asOf: submission.asOf,
    employees: 3,
    batches: 2,
    contentHash: 'h2',
  };
  await client.workflow.signalWithStart(ROSTER_WORKFLOW_TYPE, {
    workflowId: 'roster-r-cut',
    taskQueue: stack.taskQueue,
    args: [start],
    signal: rosterBatchSignal,
    signalArgs: [{ contentHash: 'h2', index: 0, employees: [person('RC1'), person('RC2')] }],
    memo: { contentHash: 'h2' },
  });
  await stack.env.sleep(2 * 60 * 60_000);
  const cut = await rosterDone('r-cut');
  expect(cut).toMatchObject({ state: 'incomplete', delivered: 0, batchesReceived: 1 });
  expect(cut.missing).toBeUndefined();
  expect(await workflowAbsent(client, 'employee-RC1')).toBe(true);
  expect((await stack.status('RK1')).snapshot?.status).toBe('active'); // a full roster cut short terminated no one

  // Sent again (same content): it runs now.
  const again = await submitRoster(
    client,
    stack.taskQueue,
    {
      rosterId: 'r-cut',
      full: false,
      asOf: submission.asOf,
      contentHash: 'h2',
      employees: [person('RC1'), person('RC2'), person('RC3')],
    },
    2,
  );
  expect(again).toMatchObject({ repeated: true, batches: 2 });
  expect(await rosterDone('r-cut')).toMatchObject({ state: 'done', delivered: 3 });
});
