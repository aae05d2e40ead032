/**
 * After a leaver, the employee workflow searches every app it deactivated again (the policy's
 * leaver.recheckAfter, 10 minutes by default) and deactivates what is active: an account an
 * admin re-enabled, or one the app created from a request answered after the client gave up.
 * End to end on the embedded engine with time skipping, against the reference apps.
 */
import { createLogger } from '../../lib/logger';
import { ScimClients } from '../../lib/scim';
import { startAlertReceiver, type AlertReceiver } from '../helpers/alert-receiver';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(180_000);

const MINUTE = 60_000;

let stack: LifecycleStack;
let hook: AlertReceiver;
let scim: ScimClients;
let seq = 0;

beforeAll(async () => {
  hook = await startAlertReceiver();
  stack = await startLifecycleStack({ policy: (p) => ({ ...p, notifications: { webhookUrl: hook.url } }) });
  scim = new ScimClients({ logger: createLogger({ level: 'silent' }) });
});
afterAll(async () => {
  await scim?.close();
  await stack?.stop();
  await hook?.close();
});

const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
const server = (app: string) => stack.apps.apps[app]!.server;
const accountsOf = (app: string, employeeId: string) =>
  server(app)
    .users()
    .filter((u) => u.externalId === employeeId);

async function hireAndTerminate(employeeId: string): Promise<void> {
  await stack.send(
    hrEvent('hire', { employeeId }, { eventId: `${employeeId}-hire`, effectiveAt: await now(), sequence: ++seq }),
  );
  await stack.waitFor(
    employeeId,
    (s) => s.stage === 'idle' && s.accounts.length > 0 && s.accounts.every((a) => a.state === 'active'),
  );
  await stack.send(
    hrEvent(
      'terminate',
      { employeeId, status: 'terminated' },
      { eventId: `${employeeId}-term`, effectiveAt: await now(), sequence: ++seq },
    ),
  );
  await stack.waitFor(employeeId, (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'));
}

const rechecked = async (employeeId: string) =>
  ((await stack.timeline(employeeId)) ?? []).filter((t) => t.kind === 'leaver-rechecked');

test('an account re-enabled by hand and one created late are both deactivated at the recheck, and alerted', async () => {
  await hireAndTerminate('RC1');
  const status = await stack.status('RC1');
  expect(status.pendingRechecks?.map((r) => r.app).sort()).toEqual(status.accounts.map((a) => a.app).sort());
  const slackAccount = accountsOf('slack', 'RC1')[0]!;
  await scim.get(stack.config.connectors.slack!).reactivateUser(slackAccount.id!); // an admin re-enables it
  const late = server('github').seedUser({
    userName: 'rc1-late@example.com',
    externalId: 'RC1',
    active: true,
    name: { givenName: 'Ada', familyName: 'Lovelace' },
  }); // a create the app applied after the client had given up on it

  const after = await stack.waitFor('RC1', (s) => (s.pendingRechecks ?? []).length === 0, 15 * MINUTE);
  expect(accountsOf('slack', 'RC1').map((u) => u.active)).toEqual([false]);
  expect(accountsOf('github', 'RC1').every((u) => u.active === false)).toBe(true);
  const entries = await rechecked('RC1');
  expect(entries.find((t) => t.app === 'slack')?.detail).toBe(`found active again and deactivated: ${slackAccount.id}`);
  expect(entries.find((t) => t.app === 'github')?.detail).toBe(`found active again and deactivated: ${late.id}`);
  expect(
    (after.needsOperator ?? [])
      .filter((n) => /was active again/.test(n.reason))
      .map((n) => n.app)
      .sort(),
  ).toEqual(['github', 'slack']);
  const deadline = Date.now() + 30_000;
  const alerted = () => hook.alerts.filter((a) => a.kind === 'active-leaver' && a.employeeId === 'RC1');
  while (alerted().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(
    alerted()
      .map((a) => a.app)
      .sort(),
  ).toEqual(['github', 'slack']);
});

test('nothing came back: the recheck says so, alerts nothing and sends no write', async () => {
  await hireAndTerminate('RC2');
  server('slack').clearRequests();
  await stack.waitFor('RC2', (s) => (s.pendingRechecks ?? []).length === 0, 15 * MINUTE);
  expect((await rechecked('RC2')).map((t) => t.detail)).toEqual(expect.arrayContaining(['still inactive']));
  expect(server('slack').requests.filter((r) => r.method !== 'GET')).toEqual([]);
  expect(hook.alerts.some((a) => a.employeeId === 'RC2' && a.kind === 'active-leaver')).toBe(false);
});

test('a re-hire before the recheck cancels it: the re-hired account stays active', async () => {
  await hireAndTerminate('RC3');
  await stack.send(
    hrEvent('rehire', { employeeId: 'RC3' }, { eventId: 'RC3-rehire', effectiveAt: await now(), sequence: ++seq }),
  );
  const rehired = await stack.waitFor(
    'RC3',
    (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'active'),
  );
  expect(rehired.pendingRechecks).toEqual([]);
  await stack.env.sleep(15 * MINUTE);
  expect(accountsOf('slack', 'RC3').map((u) => u.active)).toEqual([true]);
  expect(await rechecked('RC3')).toEqual([]);
});
