/**
 * A leaver step that does not know the account's SCIM id looks the person up the way the
 * connector matches them (externalId, then userName), so an account the app holds without our
 * externalId — adopted by userName, or created by a request answered after the client gave up —
 * is deactivated instead of being reported as "nothing to revoke" while it stays active.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { AppGate, APP_PAUSED, createActivities } from '../../activities';
import type { AppHealth } from '../../lib/temporal/contract';
import type { EmployeeRecord } from '../../lib/hr/employee';
import type { AppOutcome } from '../../lib/lifecycle/types';
import { createLogger } from '../../lib/logger';
import { buildScimUser } from '../../lib/mapping';
import { useReferenceApps } from '../helpers/reference-apps';

const reference = useReferenceApps();

const activities = () =>
  createActivities({
    config: () => reference.apps.config,
    scim: reference.scim,
    logger: createLogger({ level: 'silent' }),
  });

function employee(id: string): EmployeeRecord {
  return {
    employeeId: id,
    givenName: 'Lena',
    familyName: 'Lookup',
    workEmail: `${id.toLowerCase()}@example.com`,
    department: 'Engineering',
    employmentType: 'FULL_TIME',
    status: 'terminated',
  } as EmployeeRecord;
}

/** The account the app holds for this person, by userName only (no externalId), in a different case. */
function seedWithoutExternalId(app: string, person: EmployeeRecord): string {
  const userName = String(buildScimUser(reference.apps.config.connectors[app]!, person, 'create').userName);
  return reference.apps.apps[app]!.server.seedUser({
    userName: userName.toUpperCase(),
    active: true,
    name: { givenName: 'Lena', familyName: 'Lookup' },
  }).id;
}

test('deactivates an account found only by userName, and says so', async () => {
  const person = employee('LK1');
  const id = seedWithoutExternalId('slack', person);
  const outcome: AppOutcome = await new MockActivityEnvironment().run(activities().deactivateAccount, {
    app: 'slack',
    employeeId: person.employeeId,
    eventId: 'LK1-term',
    employee: person,
  });
  expect(outcome).toMatchObject({ action: 'deactivated', scimId: id });
  expect(reference.apps.apps.slack!.server.users().find((u) => u.id === id)?.active).toBe(false);
});

test('deletes an account found only by userName after retention', async () => {
  const person = employee('LK2');
  const id = seedWithoutExternalId('slack', person);
  const outcome: AppOutcome = await new MockActivityEnvironment().run(activities().deleteAccount, {
    app: 'slack',
    employeeId: person.employeeId,
    eventId: 'LK2-term',
    employee: person,
  });
  expect(outcome.scimId).toBe(id);
  expect(outcome.note ?? '').not.toMatch(/no account found/);
});

test('nothing under either attribute: the goal holds, and the outcome says no account was found', async () => {
  const person = employee('LK3');
  const outcome: AppOutcome = await new MockActivityEnvironment().run(activities().deactivateAccount, {
    app: 'slack',
    employeeId: person.employeeId,
    eventId: 'LK3-term',
    employee: person,
  });
  expect(outcome).toMatchObject({ action: 'deactivated', note: 'no account found in the app; nothing to revoke' });
  expect(outcome.scimId).toBeUndefined();
});

test("a paused app holds a create but never a leaver's recheck: what came back is deactivated", async () => {
  class PausedGate extends AppGate {
    override async state(app: string): Promise<AppHealth> {
      return { app, state: 'paused', transitions: [], undeliveredAlerts: 0 };
    }
  }
  const gate = new PausedGate({ config: () => reference.apps.config });
  const held = createActivities({
    config: () => reference.apps.config,
    scim: reference.scim,
    gate,
    logger: createLogger({ level: 'silent' }),
  });
  const person = employee('LK4');
  const id = seedWithoutExternalId('slack', person);
  const recheck: AppOutcome = await new MockActivityEnvironment().run(held.recheckDeactivated, {
    app: 'slack',
    employeeId: person.employeeId,
    eventId: 'LK4-term',
    employee: person,
  });
  expect(recheck.recheck).toEqual({ foundActive: [id] });
  expect(reference.apps.apps.slack!.server.users().find((u) => u.id === id)?.active).toBe(false);
  await expect(
    new MockActivityEnvironment().run(held.provisionAccount, {
      app: 'slack',
      employeeId: 'LK5',
      eventId: 'LK5-hire',
      employee: { ...employee('LK5'), status: 'active' as const },
      groups: [],
    }),
  ).rejects.toMatchObject({ type: APP_PAUSED });
});

test("an account found by userName that carries another person's externalId is never deactivated or deleted", async () => {
  const person = employee('LK6');
  const userName = String(buildScimUser(reference.apps.config.connectors.slack!, person, 'create').userName);
  const other = reference.apps.apps.slack!.server.seedUser({
    userName,
    externalId: 'SOMEONE-ELSE',
    active: true,
    name: { givenName: 'Other', familyName: 'Person' },
  });
  const ref = { app: 'slack', employeeId: person.employeeId, eventId: 'LK6-term', employee: person };
  const deactivated: AppOutcome = await new MockActivityEnvironment().run(activities().deactivateAccount, ref);
  expect(deactivated.note).toBe('no account found in the app; nothing to revoke');
  const recheck: AppOutcome = await new MockActivityEnvironment().run(activities().recheckDeactivated, ref);
  expect(recheck.recheck).toEqual({ foundActive: [] });
  const deleted: AppOutcome = await new MockActivityEnvironment().run(activities().deleteAccount, ref);
  expect(deleted.scimId).toBeUndefined();
  expect(reference.apps.apps.slack!.server.users().find((u) => u.id === other.id)?.active).toBe(true);
});
