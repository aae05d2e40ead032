/**
 * One lookup before a create: by `externalId` (ours), with `userName` asked only after a 409 or
 * where the app cannot filter on `externalId` — 2 requests per person and app, not 3 — while
 * adoption of our own account and refusal of another person's stay as they were.
 */
import { buildScimUser } from '../../../lib/mapping';
import { ada } from '../mapping/fixtures';
import { startRig, type Rig } from './helpers';
import type { ScimServerOptions } from '../../../scim-server';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const sent = (r: Rig) => r.server.requests.map((q) => `${q.method} ${q.query.filter ?? ''}`.trim());

async function start(server: ScimServerOptions, match?: ('externalId' | 'userName')[]): Promise<Rig> {
  rig = await startRig('github', server, (c) => {
    if (match) c.match = match;
  });
  return rig;
}

test('a new person: one lookup by externalId, then the POST', async () => {
  const r = await start({ profile: 'rfc' });
  const created = await r.clients.get(r.connector).createUser(buildScimUser(r.connector, ada, 'create'));
  expect(created.created).toBe(true);
  expect(sent(r)).toEqual(['GET externalId eq "E100"', 'POST']);
});

test('our account from a lost answer: found by the one lookup, nothing posted', async () => {
  const r = await start({ profile: 'rfc' });
  const existing = r.server.seedUser({ userName: 'ada.lovelace@example.com', externalId: 'E100', active: true });
  expect(await r.clients.get(r.connector).createUser(buildScimUser(r.connector, ada, 'create'))).toMatchObject({
    id: existing.id,
    adopted: true,
  });
  expect(sent(r)).toEqual(['GET externalId eq "E100"']);
});

test('an account made by hand (no externalId): 409, then both lookups adopt it', async () => {
  const r = await start({ profile: 'rfc' });
  const manual = r.server.seedUser({ userName: 'Ada.Lovelace@example.com', active: true });
  expect(await r.clients.get(r.connector).createUser(buildScimUser(r.connector, ada, 'create'))).toMatchObject({
    id: manual.id,
    adopted: true,
  });
  expect(sent(r)).toEqual([
    'GET externalId eq "E100"',
    'POST',
    'GET externalId eq "E100"',
    'GET userName eq "ada.lovelace@example.com"',
  ]);
});

test("another person's account with our userName: 409, found by userName, refused", async () => {
  const r = await start({ profile: 'rfc' });
  r.server.seedUser({ userName: 'ada.lovelace@example.com', externalId: 'E555', active: true });
  await expect(r.clients.get(r.connector).createUser(buildScimUser(r.connector, ada, 'create'))).rejects.toMatchObject({
    code: 'SCIM_ACCOUNT_OWNED_BY_OTHER',
  });
  expect(r.server.users()).toHaveLength(1);
});

test('an app that cannot filter on externalId (400 invalidFilter): create, and a retry adopts by userName', async () => {
  const r = await start({ profile: { base: 'minimal', unfilterableAttributes: ['externalId'] } });
  const client = r.clients.get(r.connector);
  const first = await client.createUser(buildScimUser(r.connector, ada, 'create'));
  expect(first.created).toBe(true);
  const again = await client.createUser(buildScimUser(r.connector, ada, 'create'));
  expect(again).toMatchObject({ id: first.id, adopted: true });
  expect(r.server.users()).toHaveLength(1);
});

test('a connector matching on userName first looks up by userName only', async () => {
  const r = await start({ profile: { base: 'minimal', unfilterableAttributes: ['externalId'] } }, ['userName']);
  const created = await r.clients.get(r.connector).createUser(buildScimUser(r.connector, ada, 'create'));
  expect(created.created).toBe(true);
  expect(sent(r)).toEqual(['GET userName eq "ada.lovelace@example.com"', 'POST']);
});
