/**
 * A leaver's recheck tries again the memberships the leaver could not remove, on the account it
 * deactivated, and only when nothing came back active: an account found active is reported at
 * once (its `active-leaver` alert must not wait on, or be lost to a timeout during, a membership
 * retry). Run in the SDK's MockActivityEnvironment against a reference Slack.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { AppOutcome } from '../../lib/lifecycle/types';
import { createLogger } from '../../lib/logger';
import { useReferenceApps } from '../helpers/reference-apps';

const reference = useReferenceApps();

const slack = () => reference.apps.apps.slack!.server;
const activities = () =>
  createActivities({
    config: () => reference.apps.config,
    scim: reference.scim,
    logger: createLogger({ level: 'silent' }),
  });

/** A leaver's account as the recheck finds it: in two groups the leaver could not leave. */
function leftInGroups(employeeId: string, active: boolean) {
  const user = slack().seedUser({
    userName: `${employeeId.toLowerCase()}@example.com`,
    externalId: employeeId,
    active,
    name: { givenName: 'R', familyName: 'Echeck' },
  });
  const groups = ['all-staff', 'dept-Recheck'].map((displayName) =>
    slack().seedGroup({ displayName: `${displayName}-${employeeId}`, members: [{ value: user.id! }] }),
  );
  return { id: user.id!, groups };
}

async function recheck(employeeId: string, scimId: string, groups: { id?: string; displayName?: string }[]) {
  const env = new MockActivityEnvironment({ workflowExecution: { workflowId: `employee-${employeeId}`, runId: 'r1' } });
  const outcome: AppOutcome = await env.run(activities().recheckDeactivated, {
    app: 'slack',
    employeeId,
    scimId,
    eventId: `${employeeId}-term`,
    groups: groups.map((g) => g.displayName!),
    groupIds: Object.fromEntries(groups.map((g) => [g.displayName!, g.id!])),
  });
  return outcome;
}

const memberOf = (userId: string) =>
  slack()
    .groups()
    .filter((g) => (g.members ?? []).some((m) => m.value === userId))
    .map((g) => g.displayName);

test('the account is still inactive: the memberships are removed, each confirmed', async () => {
  const { id, groups } = leftInGroups('RG1', false);
  const outcome = await recheck('RG1', id, groups);
  expect(outcome.recheck).toEqual({ foundActive: [] });
  expect(outcome.groupRemovals?.map((r) => [r.group, r.removed])).toEqual(groups.map((g) => [g.displayName, true]));
  expect(outcome.groups).toEqual([]);
  expect(outcome.note).toMatch(/^still inactive; -all-staff-RG1 \(confirmed/);
  expect(memberOf(id)).toEqual([]);
});

test('the account came back active: deactivated and reported at once, the memberships left for the operator', async () => {
  const { id, groups } = leftInGroups('RG2', true);
  const outcome = await recheck('RG2', id, groups);
  expect(outcome.recheck).toEqual({ foundActive: [id] });
  expect(
    slack()
      .users()
      .find((u) => u.id === id)?.active,
  ).toBe(false);
  expect(outcome.groupRemovals).toBeUndefined();
  expect(memberOf(id).sort()).toEqual(groups.map((g) => g.displayName).sort());
});
