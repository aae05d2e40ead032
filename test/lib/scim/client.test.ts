/**
 * The client's operations against the reference SCIM server (real HTTP on 127.0.0.1) in its
 * RFC mode and app profiles: round trip, idempotent create and ownership, PUT fallback,
 * delete semantics, 204 answers, groups.
 */
import { buildScimUser } from '../../../lib/mapping';
import type { ScimRequestInfo } from '../../../lib/scim';
import { ada } from '../mapping/fixtures';
import { startRig, type Rig } from './helpers';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

test('rfc: create, find by externalId and userName, update, deactivate, reactivate, delete, delete again', async () => {
  rig = await startRig('github', { profile: 'rfc' });
  const client = rig.clients.get(rig.connector);
  const desired = buildScimUser(rig.connector, ada, 'create');
  const created = await client.createUser(desired);
  expect(created).toMatchObject({ adopted: false, created: true });
  expect(created.resource.userName).toBe('ada.lovelace@example.com');

  expect((await client.findUser({ externalId: 'E100' }))?.id).toBe(created.id);
  expect((await client.findUser({ userName: 'ADA.Lovelace@example.com' }))?.id).toBe(created.id);
  expect(await client.findUser({ externalId: 'E999', userName: 'nobody@example.com' })).toBeNull();

  const moved = buildScimUser(
    rig.connector,
    { ...ada, familyName: 'King', workEmail: 'ada.king@example.com' },
    'update',
  );
  const update = await client.updateUser(created.id, moved);
  expect(update.changed).toEqual(expect.arrayContaining(['userName', 'name.familyName']));
  expect(update.requests).toBe(2);
  expect(await client.updateUser(created.id, moved)).toEqual({ changed: [], requests: 1 });
  expect(rig.server.users()[0]).toMatchObject({ userName: 'ada.king@example.com', name: { familyName: 'King' } });

  await client.deactivateUser(created.id);
  expect((await client.getUser(created.id))?.active).toBe(false);
  await client.reactivateUser(created.id);
  expect((await client.getUser(created.id))?.active).toBe(true);

  expect(await client.deleteUser(created.id)).toEqual({ outcome: 'deleted' });
  expect(await client.getUser(created.id)).toBeNull();
  expect(await client.deleteUser(created.id)).toEqual({ outcome: 'already-gone' });
});

test('a create that finds the account already there adopts it instead of posting', async () => {
  rig = await startRig('github', { profile: 'rfc' });
  const existing = rig.server.seedUser({ userName: 'ada.lovelace@example.com', externalId: 'E100', active: true });
  const client = rig.clients.get(rig.connector);
  const result = await client.createUser(buildScimUser(rig.connector, ada, 'create'));
  expect(result).toMatchObject({ id: existing.id, adopted: true, created: false });
  expect(rig.server.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
});

test("an account with this userName but another person's externalId is never adopted", async () => {
  rig = await startRig('github', { profile: 'rfc' });
  rig.server.seedUser({ userName: 'ada.lovelace@example.com', externalId: 'E555', active: true });
  const client = rig.clients.get(rig.connector);
  const failure = client.createUser(buildScimUser(rig.connector, ada, 'create'));
  await expect(failure).rejects.toMatchObject({ code: 'SCIM_ACCOUNT_OWNED_BY_OTHER', retryable: false });
  // The message (it reaches logs, alerts and status) names ids, never the other person's userName.
  const message = ((await failure.catch((e: unknown) => e)) as Error).message;
  expect(message).toContain('with the same userName belongs to externalId E555');
  expect(message).not.toContain('ada.lovelace@example.com');
  expect(rig.server.users()).toHaveLength(1);
});

test('409 from an app that dedupes on email: the conflicting account belongs to someone else', async () => {
  rig = await startRig('github', { profile: { base: 'rfc', dedupeOnEmail: true } });
  rig.server.seedUser({
    userName: 'someone.else@example.com',
    externalId: 'E777',
    emails: [{ value: 'ada.lovelace@example.com', type: 'work' }],
  });
  const client = rig.clients.get(rig.connector);
  const err = await client.createUser(buildScimUser(rig.connector, ada, 'create')).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'SCIM_CONFLICT', retryable: false, info: { status: 409 } });
});

test('an app that ignores externalId: adopt by exact userName when the account has no externalId', async () => {
  rig = await startRig('github', { profile: { base: 'rfc', ignoresExternalId: true } });
  const client = rig.clients.get(rig.connector);
  const first = await client.createUser(buildScimUser(rig.connector, ada, 'create'));
  expect(first.created).toBe(true);
  const again = await client.createUser(buildScimUser(rig.connector, ada, 'create'));
  expect(again).toMatchObject({ id: first.id, adopted: true, created: false });
  expect(rig.server.users()).toHaveLength(1);
});

test('no-patch: updates and deactivation go through GET + PUT, never PATCH', async () => {
  rig = await startRig('canva', { profile: 'canva' });
  const client = rig.clients.get(rig.connector);
  const { id } = await client.createUser(buildScimUser(rig.connector, ada, 'create'));
  const changed = await client.updateUser(id, buildScimUser(rig.connector, { ...ada, familyName: 'King' }, 'update'));
  expect(changed.changed.length).toBeGreaterThan(0);
  await client.patchUser(id, [{ op: 'replace', path: 'title', value: 'Countess' }]);
  await client.deactivateUser(id);
  const user = await client.getUser(id);
  expect(user).toMatchObject({ active: false, title: 'Countess', name: { familyName: 'King' } });
  expect(rig.server.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  expect(await client.deleteUser(id)).toEqual({ outcome: 'deactivated' });
  expect(rig.server.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
});

test('slack (deactivate-only, PATCH answered 204): delete is reported as a deactivation', async () => {
  rig = await startRig('slack', {
    profile: { base: 'slack', patchReturns204: true, omitLocation: true },
    rateLimit: null,
  });
  const client = rig.clients.get(rig.connector);
  const { id } = await client.createUser(buildScimUser(rig.connector, ada, 'create'));
  await client.patchUser(id, [{ op: 'replace', path: 'title', value: 'Countess' }]);
  expect(await client.deleteUser(id)).toEqual({ outcome: 'deactivated' });
  expect((await client.getUser(id))?.active).toBe(false);
  expect(rig.server.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
});

test('connector delete mode "none" deactivates; a missing account counts as already gone', async () => {
  rig = await startRig('github', { profile: 'rfc' }, (c) => {
    c.delete.mode = 'none';
  });
  const client = rig.clients.get(rig.connector);
  const { id } = await client.createUser(buildScimUser(rig.connector, ada, 'create'));
  expect(await client.deleteUser(id)).toEqual({ outcome: 'deactivated' });
  expect((await client.getUser(id))?.active).toBe(false);
  expect(rig.server.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
  expect(await client.deleteUser('no-such-id')).toEqual({ outcome: 'already-gone' });
});

test('groups: ensure (create only when allowed), add and remove members', async () => {
  rig = await startRig('github', { profile: 'github-emu' }, (c) => {
    c.groups.create = true;
  });
  const client = rig.clients.get(rig.connector);
  const a = await client.createUser(buildScimUser(rig.connector, ada, 'create'));
  const b = await client.createUser(
    buildScimUser(rig.connector, { ...ada, employeeId: 'E101', workEmail: 'b"\\@example.com' }, 'create'),
  );
  const group = await client.ensureGroup('eng "core"');
  expect(group).toMatchObject({ created: true });
  expect(await client.ensureGroup('eng "core"')).toEqual({ id: group!.id, created: false });
  await client.addMembers(group!.id, [a.id, b.id]);
  await client.removeMembers(group!.id, [b.id]);
  const stored = rig.server.groups()[0] as { members?: { value: string }[] };
  expect(stored.members?.map((m) => m.value)).toEqual([a.id]);
  expect(await client.findGroup('missing')).toBeNull();
});

test('ensureGroup returns null for a missing group when the connector may not create groups', async () => {
  rig = await startRig('github', { profile: 'github-emu' }, (c) => {
    c.groups.create = false;
  });
  expect(await rig.clients.get(rig.connector).ensureGroup('nope')).toBeNull();
  expect(rig.server.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
});

test('onRequest and the call recorder report each exchange with attribute paths, never values', async () => {
  rig = await startRig('github', { profile: 'rfc' });
  const client = rig.clients.get(rig.connector);
  const recorded: ScimRequestInfo[] = [];
  const { id } = await client.createUser(buildScimUser(rig.connector, ada, 'create'), {
    recorder: (info) => recorded.push(info),
  });
  await client.patchUser(id, [{ op: 'replace', path: 'title', value: 'Secret Title' }]);
  const patch = rig.seen.find((s) => s.operation === 'patch-user');
  expect(patch).toMatchObject({ method: 'PATCH', status: 200, targetId: id, attributes: ['title'] });
  expect(JSON.stringify(rig.seen)).not.toContain('Secret Title');
  expect(rig.seen.find((s) => s.operation === 'create-user')).toMatchObject({ status: 201 });
  // The recorder belongs to the one call it was passed to: the create, not the later patch.
  const operations = recorded.map((s) => s.operation);
  expect(operations).toContain('create-user');
  expect(operations).not.toContain('patch-user');
  expect(recorded.find((s) => s.operation === 'create-user')).toMatchObject({ method: 'POST', status: 201 });
});
