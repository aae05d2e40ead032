import { startScimServer, type ScimServerHandle } from '../../scim-server';
import { GROUP, call, createUser, patchBody, userBody } from './http';

let server: ScimServerHandle;

beforeAll(async () => {
  server = await startScimServer({ auth: { bearerToken: 't' } });
});
afterAll(() => server.stop());
beforeEach(() => server.reset());

describe('Groups (RFC 7643 §4.2)', () => {
  it('creates a group with members, renders $ref/display/type, and reflects membership in User.groups', async () => {
    const { body: alice } = await createUser(server, 'alice', { displayName: 'Alice' });
    const created = await call(server, 'POST', '/Groups', {
      body: { schemas: [GROUP], displayName: 'eng', members: [{ value: alice.id, display: 'ignored' }] },
    });
    expect(created.status).toBe(201);
    expect(created.body.members).toEqual([
      { value: alice.id, $ref: `${server.url}/Users/${alice.id}`, type: 'User', display: 'Alice' },
    ]);
    const user = await call(server, 'GET', `/Users/${alice.id}`);
    expect(user.body.groups).toEqual([
      { value: created.body.id, $ref: `${server.url}/Groups/${created.body.id}`, display: 'eng', type: 'direct' },
    ]);
    const filtered = await call(
      server,
      'GET',
      `/Groups?filter=${encodeURIComponent(`members[value eq "${alice.id}"]`)}`,
    );
    expect(filtered.body.totalResults).toBe(1);
  });

  it('rejects members that do not exist', async () => {
    const answer = await call(server, 'POST', '/Groups', {
      body: { schemas: [GROUP], displayName: 'x', members: [{ value: 'ghost' }] },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.scimType).toBe('invalidValue');
  });

  it('adds and removes members with PATCH, including the Entra remove-by-value form', async () => {
    const users = await Promise.all(['a', 'b', 'c'].map(async (n) => (await createUser(server, n)).body.id as string));
    const group = server.seedGroup({ displayName: 'sales' });
    const path = `/Groups/${group.id}`;
    const added = await call(server, 'PATCH', path, {
      body: patchBody({ op: 'Add', path: 'members', value: users.map((value) => ({ value })) }),
    });
    expect(added.body.members.map((m: { value: string }) => m.value)).toEqual(users);
    await call(server, 'PATCH', path, {
      body: patchBody({ op: 'add', path: 'members', value: [{ value: users[0] }] }),
    });
    expect(server.groups()[0]!.members).toHaveLength(3);
    const removed = await call(server, 'PATCH', path, {
      body: patchBody({ op: 'remove', path: `members[value eq "${users[0]}"]` }),
    });
    expect(removed.body.members.map((m: { value: string }) => m.value)).toEqual(users.slice(1));
    await call(server, 'PATCH', path, {
      body: patchBody({ op: 'Remove', path: 'members', value: [{ value: users[1] }] }),
    });
    expect(server.groups()[0]!.members!.map((m) => m.value)).toEqual([users[2]]);
  });

  it('renames a group with an Okta-style path-less replace that repeats the id', async () => {
    const group = server.seedGroup({ displayName: 'old' });
    const renamed = await call(server, 'PATCH', `/Groups/${group.id}`, {
      body: patchBody({ op: 'replace', value: { id: group.id, displayName: 'new' } }),
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.displayName).toBe('new');
    const moved = await call(server, 'PATCH', `/Groups/${group.id}`, {
      body: patchBody({ op: 'replace', value: { id: 'other', displayName: 'x' } }),
    });
    expect(moved.status).toBe(400);
    expect(moved.body.scimType).toBe('mutability');
  });

  it('drops a hard-deleted user from every group', async () => {
    const { body: user } = await createUser(server, 'gone');
    server.seedGroup({ displayName: 'g', members: [{ value: user.id }] });
    await call(server, 'DELETE', `/Users/${user.id}`);
    expect(server.groups()[0]!.members).toBeUndefined();
  });
});

describe('Bulk (RFC 7644 §3.7)', () => {
  const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

  it('resolves bulkId references, even to an operation later in the request', async () => {
    const answer = await call(server, 'POST', '/Bulk', {
      body: {
        schemas: [BULK],
        Operations: [
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'grp',
            data: { schemas: [GROUP], displayName: 'team', members: [{ value: 'bulkId:usr' }] },
          },
          { method: 'POST', path: '/Users', bulkId: 'usr', data: userBody('bulk-user') },
          {
            method: 'PATCH',
            path: '/Users/bulkId:usr',
            data: patchBody({ op: 'replace', path: 'title', value: 'Lead' }),
          },
        ],
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:BulkResponse']);
    const [group, user, patched] = answer.body.Operations;
    expect(user).toMatchObject({ method: 'POST', bulkId: 'usr', status: '201', version: 'W/"1"' });
    expect(group).toMatchObject({ method: 'POST', bulkId: 'grp', status: '201' });
    expect(patched).toMatchObject({ method: 'PATCH', status: '200' });
    const userId = (user.location as string).split('/').pop();
    expect(server.groups()[0]!.members![0]!.value).toBe(userId);
    expect(server.users()[0]!.title).toBe('Lead');
  });

  it('reports per-operation errors and stops after failOnErrors', async () => {
    const answer = await call(server, 'POST', '/Bulk', {
      body: {
        schemas: [BULK],
        failOnErrors: 1,
        Operations: [
          { method: 'POST', path: '/Users', bulkId: 'a', data: userBody('dup') },
          { method: 'POST', path: '/Users', bulkId: 'b', data: userBody('DUP') },
          { method: 'POST', path: '/Users', bulkId: 'c', data: userBody('never') },
        ],
      },
    });
    expect(answer.body.Operations).toHaveLength(2);
    expect(answer.body.Operations[1]).toMatchObject({
      status: '409',
      response: { status: '409', scimType: 'uniqueness' },
    });
    expect(server.users().map((u) => u.userName)).toEqual(['dup']);
  });

  it('answers 409 for circular bulkId references', async () => {
    const answer = await call(server, 'POST', '/Bulk', {
      body: {
        schemas: [BULK],
        Operations: [
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'x',
            data: { schemas: [GROUP], displayName: 'x', members: [{ value: 'bulkId:y' }] },
          },
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'y',
            data: { schemas: [GROUP], displayName: 'y', members: [{ value: 'bulkId:x' }] },
          },
        ],
      },
    });
    expect(answer.body.Operations.map((o: { status: string }) => o.status)).toEqual(['409', '409']);
    expect(server.groups()).toHaveLength(0);
  });

  it('answers 413 above maxOperations and changes nothing', async () => {
    const Operations = Array.from({ length: 1001 }, (_, i) => ({
      method: 'POST',
      path: '/Users',
      bulkId: `u${i}`,
      data: userBody(`u${i}`),
    }));
    const answer = await call(server, 'POST', '/Bulk', { body: { schemas: [BULK], Operations } });
    expect(answer.status).toBe(413);
    expect(answer.body.detail).toMatch(/maxOperations/);
    expect(server.users()).toHaveLength(0);
  });

  it('rejects a malformed Bulk request', async () => {
    const answer = await call(server, 'POST', '/Bulk', {
      body: { schemas: [BULK], Operations: [{ method: 'GET', path: '/Users' }] },
    });
    expect(answer.status).toBe(400);
  });
});
