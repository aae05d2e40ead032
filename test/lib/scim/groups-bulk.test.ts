/**
 * Group membership edge cases and Bulk (RFC 7644 §3.7) against the reference server: retried
 * removes, apps rejecting value-filter paths, several groups in one Bulk request with
 * per-operation results, and Bulk refused where the connector does not declare it.
 */
import { buildScimUser } from '../../../lib/mapping';
import { ada } from '../mapping/fixtures';
import { startRig, type Rig } from './helpers';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

async function people(r: Rig, n: number): Promise<string[]> {
  const client = r.clients.get(r.connector);
  const ids: string[] = [];
  for (let i = 0; i < n; i++)
    ids.push(
      (
        await client.createUser(
          buildScimUser(r.connector, { ...ada, employeeId: `E${300 + i}`, workEmail: `p${i}@example.com` }, 'create'),
        )
      ).id,
    );
  return ids;
}

const members = (r: Rig, groupId: string) =>
  ((r.server.groups().find((g) => g.id === groupId) as { members?: { value: string }[] } | undefined)?.members ?? [])
    .map((m) => m.value)
    .sort();

test('removing a member twice (a retried attempt) succeeds', async () => {
  rig = await startRig('github', { profile: 'github-emu' }, (c) => {
    c.groups.create = true;
  });
  const client = rig.clients.get(rig.connector);
  const [a, b] = await people(rig, 2);
  const g = (await client.ensureGroup('eng'))!;
  await client.addMembers(g.id, [a!, b!]);
  await client.addMembers(g.id, [a!]);
  await client.removeMembers(g.id, [b!]);
  await client.removeMembers(g.id, [b!]);
  expect(members(rig, g.id)).toEqual([a]);
});

test('an app rejecting members[value eq …] paths gets the members list replaced instead', async () => {
  rig = await startRig('github', { profile: { base: 'github-emu', rejectValuePathPatch: true } }, (c) => {
    c.groups.create = true;
  });
  const client = rig.clients.get(rig.connector);
  const [a, b, c] = await people(rig, 3);
  const g = (await client.ensureGroup('eng'))!;
  await client.addMembers(g.id, [a!, b!, c!]);
  await client.removeMembers(g.id, [b!, c!]);
  expect(members(rig, g.id)).toEqual([a]);
  expect(rig.seen.filter((s) => s.operation === 'remove-members').map((s) => s.status)).toEqual([400, 200]);
});

test('several groups change in one Bulk request; per-operation results map back', async () => {
  rig = await startRig('github', { profile: 'rfc' }, (c) => {
    c.groups.create = true;
    c.capabilities.bulk = true;
  });
  const client = rig.clients.get(rig.connector);
  const [a, b] = await people(rig, 2);
  const g1 = (await client.ensureGroup('one'))!;
  const g2 = (await client.ensureGroup('two'))!;
  await client.addMembers(g2.id, [b!]);
  await client.applyMemberships([
    { groupId: g1.id, add: [a!, b!] },
    { groupId: g2.id, add: [a!], remove: [b!] },
    { groupId: 'unchanged' },
  ]);
  expect(members(rig, g1.id)).toEqual([a, b].sort());
  expect(members(rig, g2.id)).toEqual([a]);
  expect(rig.server.requests.filter((r) => r.path.endsWith('/Bulk'))).toHaveLength(1);

  const results = await client.bulk([
    {
      method: 'POST',
      path: '/Groups',
      data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'three' },
    },
    {
      method: 'PATCH',
      path: '/Groups/does-not-exist',
      data: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: 'members', value: [{ value: a }] }],
      },
    },
    { method: 'DELETE', path: `/Groups/${g1.id}` },
  ]);
  expect(results.map((r) => r.status)).toEqual([201, 404, 204]);
  expect(results[0]!.id).toBe(rig.server.groups().find((g) => g.displayName === 'three')!.id);
  expect(results[1]!.error).toMatchObject({ code: 'SCIM_NOT_FOUND', retryable: false });
  expect(results[2]!.error).toBeUndefined();
});

test('a failed Bulk operation is thrown with its own classification', async () => {
  rig = await startRig('github', { profile: 'rfc' }, (c) => {
    c.capabilities.bulk = true;
  });
  const client = rig.clients.get(rig.connector);
  await expect(
    client.applyMemberships([
      { groupId: 'nope-1', add: ['x'] },
      { groupId: 'nope-2', add: ['y'] },
    ]),
  ).rejects.toMatchObject({ code: 'SCIM_NOT_FOUND', info: { operation: 'bulk', status: 404 } });
});

test('Bulk is refused when the connector does not declare it; memberships fall back to PATCH per group', async () => {
  rig = await startRig('github', { profile: 'github-emu' }, (c) => {
    c.groups.create = true;
  });
  const client = rig.clients.get(rig.connector);
  await expect(client.bulk([{ method: 'DELETE', path: '/Users/x' }])).rejects.toMatchObject({
    code: 'SCIM_UNSUPPORTED',
    retryable: false,
  });
  const [a] = await people(rig, 1);
  const g1 = (await client.ensureGroup('one'))!;
  const g2 = (await client.ensureGroup('two'))!;
  await client.applyMemberships([
    { groupId: g1.id, add: [a!] },
    { groupId: g2.id, add: [a!] },
  ]);
  expect(members(rig, g1.id)).toEqual([a]);
  expect(members(rig, g2.id)).toEqual([a]);
  expect(rig.server.requests.filter((r) => r.path.endsWith('/Bulk'))).toHaveLength(0);
});

test('a group spelled in another case is found, not re-created (displayName is caseExact=false)', async () => {
  rig = await startRig('github', { profile: 'github-emu' }, (c) => {
    c.groups.create = true;
  });
  const existing = rig.server.seedGroup({ displayName: 'Eng-Platform' });
  const client = rig.clients.get(rig.connector);
  expect(await client.ensureGroup('eng-platform')).toEqual({ id: existing.id, created: false });
  expect(rig.server.groups()).toHaveLength(1);
});
