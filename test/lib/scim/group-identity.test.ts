/**
 * Groups by identity against the reference server's quirk profiles: one creator per name in a
 * process, a concurrent duplicate from another process settled on the oldest group, duplicate
 * names already in the app refused (never guessed), removals confirmed by the app's answer or
 * a read-back (a 204 that changed nothing is no removal), and adds that do not duplicate.
 */
import { buildScimUser } from '../../../lib/mapping';
import { ScimClients } from '../../../lib/scim';
import { createLogger } from '../../../lib/logger';
import { ada } from '../mapping/fixtures';
import { startRig, type Rig } from './helpers';
import type { ScimServerOptions } from '../../../scim-server';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

async function lax(server: ScimServerOptions = { profile: 'lax-groups' }): Promise<Rig> {
  rig = await startRig('github', server, (c) => {
    c.groups.create = true;
    c.capabilities.bulk = false;
  });
  return rig;
}

async function person(r: Rig, n: number): Promise<string> {
  const client = r.clients.get(r.connector);
  return (
    await client.createUser(
      buildScimUser(r.connector, { ...ada, employeeId: `E${500 + n}`, workEmail: `g${n}@example.com` }, 'create'),
    )
  ).id;
}

const named = (r: Rig, name: string) => r.server.groups().filter((g) => g.displayName === name);
const membersOf = (r: Rig, id: string) =>
  (r.server.groups().find((g) => g.id === id)?.members ?? []).map((m) => m.value);

test('concurrent resolves of one name in one process create the group once', async () => {
  const r = await lax();
  const client = r.clients.get(r.connector);
  const resolved = await Promise.all(Array.from({ length: 6 }, () => client.resolveGroup('dept-Sales')));
  expect(named(r, 'dept-Sales')).toHaveLength(1);
  expect(new Set(resolved.map((g) => g!.id))).toEqual(new Set([named(r, 'dept-Sales')[0]!.id]));
  expect(resolved.filter((g) => g!.created)).toHaveLength(1);
  expect(r.server.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/Groups'))).toHaveLength(1);
});

test('two processes creating one name at once settle on the oldest group; the younger is deleted', async () => {
  const r = await lax();
  const other = new ScimClients({ logger: createLogger({ level: 'silent' }), resolveSecret: async () => 'test-token' });
  try {
    const [a, b] = await Promise.all([
      r.clients.get(r.connector).resolveGroup('dept-Ops'),
      other.get(r.connector).resolveGroup('dept-Ops'),
    ]);
    expect(named(r, 'dept-Ops')).toHaveLength(1);
    expect(a!.id).toBe(named(r, 'dept-Ops')[0]!.id);
    expect(b!.id).toBe(a!.id);
    const count = (method: string) =>
      r.server.requests.filter((q) => q.method === method && q.path.includes('/Groups')).length;
    // Both looked up, found nothing and created; the younger group was deleted (by either, or both: a 404 is fine).
    expect(count('POST')).toBe(2);
    expect(count('DELETE')).toBeGreaterThanOrEqual(1);
  } finally {
    await other.close();
  }
});

test('several groups with one name already in the app: SCIM_GROUP_AMBIGUOUS naming app, name and ids — nothing created', async () => {
  const r = await lax();
  const g1 = r.server.seedGroup({ displayName: 'dept-Sales' });
  const g2 = r.server.seedGroup({ displayName: 'dept-Sales' });
  const client = r.clients.get(r.connector);
  const err = await client.resolveGroup('dept-Sales').catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'SCIM_GROUP_AMBIGUOUS', retryable: false });
  expect((err as Error).message).toContain('github-test');
  expect((err as Error).message).toContain('"dept-Sales"');
  expect((err as Error).message).toContain(g1.id);
  expect((err as Error).message).toContain(g2.id);
  await expect(client.findGroup('dept-Sales')).rejects.toMatchObject({ code: 'SCIM_GROUP_AMBIGUOUS' });
  expect(named(r, 'dept-Sales')).toHaveLength(2);
  // A group known by id is addressed by id, whatever else shares its name.
  expect(await client.resolveGroup('dept-Sales', g2.id)).toEqual({
    id: g2.id,
    displayName: 'dept-Sales',
    created: false,
  });
});

test('our own duplicate (a create whose lost answer took effect later) is settled on the oldest; the younger, empty, is deleted', async () => {
  const r = await lax();
  const first = await r.clients.get(r.connector).resolveGroup('dept-Late');
  expect(named(r, 'dept-Late')[0]!.externalId).toBe('jml-group:dept-Late');
  const late = r.server.seedGroup({ displayName: 'dept-Late', externalId: 'jml-group:dept-Late' });
  const other = new ScimClients({ logger: createLogger({ level: 'silent' }), resolveSecret: async () => 'test-token' });
  try {
    expect((await other.get(r.connector).resolveGroup('dept-Late'))!.id).toBe(first!.id);
    expect(named(r, 'dept-Late').map((g) => g.id)).toEqual([first!.id]);
    expect(late.id).not.toBe(first!.id);
    // A younger duplicate of ours that someone already uses is for an operator, like one we did not make.
    const a = await person(r, 9);
    r.server.seedGroup({ displayName: 'dept-Late', externalId: 'jml-group:dept-Late', members: [{ value: a }] });
    other.get(r.connector).forgetGroup('dept-Late');
    await expect(other.get(r.connector).resolveGroup('dept-Late')).rejects.toMatchObject({
      code: 'SCIM_GROUP_AMBIGUOUS',
    });
    expect(named(r, 'dept-Late')).toHaveLength(2);
  } finally {
    await other.close();
  }
});

test('removal from the right group is confirmed; a removal the app acknowledges but ignores is never claimed', async () => {
  const r = await lax();
  const client = r.clients.get(r.connector);
  const [a, b] = [await person(r, 1), await person(r, 2)];
  const group = r.server.seedGroup({ displayName: 'eng', members: [{ value: a }, { value: b }] });
  expect(await client.removeMemberConfirmed(group.id, a)).toBe('response');
  // The person is no longer a member: the app answers 204 and changes nothing; the read-back proves absence.
  expect(await client.removeMemberConfirmed(group.id, a)).toBe('read-back');
  expect(membersOf(r, group.id)).toEqual([b]);

  r.server.setProfile({ base: 'lax-groups', memberRemoval: 'ignores-value-path' });
  expect(await client.removeMemberConfirmed(group.id, b)).toBe('read-back');
  expect(membersOf(r, group.id)).toEqual([]);

  r.server.seedGroup({ id: 'synced', displayName: 'synced', members: [{ value: a }] });
  r.server.setProfile({ base: 'lax-groups', memberRemoval: 'ignored' });
  await expect(client.removeMemberConfirmed('synced', a)).rejects.toMatchObject({
    code: 'SCIM_UNCONFIRMED',
    retryable: true,
  });
  expect(membersOf(r, 'synced')).toEqual([a]);
});

test('removal from a deleted group is reported as such; a member listed twice is removed entirely', async () => {
  const r = await lax();
  const client = r.clients.get(r.connector);
  const a = await person(r, 3);
  expect(await client.removeMemberConfirmed('no-such-id', a)).toBe('group-gone');
  const twice = r.server.seedGroup({ displayName: 'twice', members: [{ value: a }, { value: a }] });
  expect(membersOf(r, twice.id)).toEqual([a, a]);
  expect(await client.removeMemberConfirmed(twice.id, a)).toBe('read-back');
  expect(membersOf(r, twice.id)).toEqual([]);
});

test('patchReturns204: every removal is confirmed by read-back', async () => {
  const r = await lax({ profile: { base: 'lax-groups', patchReturns204: true } });
  const client = r.clients.get(r.connector);
  const [a, b] = [await person(r, 4), await person(r, 5)];
  const group = r.server.seedGroup({ displayName: 'eng', members: [{ value: a }, { value: b }] });
  expect(await client.removeMemberConfirmed(group.id, a)).toBe('read-back');
  expect(membersOf(r, group.id)).toEqual([b]);
});

test('ensureMember with checkFirst adds nothing already there (an app listing duplicates would list it twice)', async () => {
  const r = await lax();
  const client = r.clients.get(r.connector);
  const a = await person(r, 6);
  const group = r.server.seedGroup({ displayName: 'eng' });
  expect(await client.ensureMember(group.id, a, true)).toBe('added');
  expect(await client.ensureMember(group.id, a, true)).toBe('already-member');
  expect(membersOf(r, group.id)).toEqual([a]);
  // Without the check this app keeps a second copy: why existing accounts are checked first.
  await client.ensureMember(group.id, a, false);
  expect(membersOf(r, group.id)).toEqual([a, a]);
  await expect(client.ensureMember('gone', a, true)).rejects.toMatchObject({ code: 'SCIM_NOT_FOUND' });
});

test('a group resolved once is not looked up again in the process; forgetGroup drops it', async () => {
  const r = await lax();
  const client = r.clients.get(r.connector);
  const first = await client.resolveGroup('cached');
  const lookups = () => r.server.requests.filter((q) => q.method === 'GET' && q.path.endsWith('/Groups')).length;
  const before = lookups();
  expect((await client.resolveGroup('cached'))!.id).toBe(first!.id);
  expect(lookups()).toBe(before);
  client.forgetGroup('cached', first!.id);
  expect((await client.resolveGroup('cached'))!.id).toBe(first!.id);
  expect(lookups()).toBe(before + 1);
});
