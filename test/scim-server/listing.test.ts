import { startScimServer, type ScimServerHandle } from '../../scim-server';
import { ENTERPRISE, call } from './http';

let server: ScimServerHandle;

beforeAll(async () => {
  server = await startScimServer({ auth: { bearerToken: 't' }, maxPageSize: 4 });
  for (const n of ['d', 'b', 'e', 'a', 'c', 'f']) {
    server.seedUser({
      userName: `user-${n}`,
      displayName: n.toUpperCase(),
      name: { givenName: n },
      [ENTERPRISE]: { department: `dep-${n}` },
    });
  }
});
afterAll(() => server.stop());

describe('paging (RFC 7644 §3.4.2.4)', () => {
  it('pages with 1-based startIndex and count, reporting totalResults and itemsPerPage', async () => {
    const page = await call(server, 'GET', '/Users?startIndex=3&count=2&sortBy=userName');
    expect(page.body).toMatchObject({ totalResults: 6, startIndex: 3, itemsPerPage: 2 });
    expect(page.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(['user-c', 'user-d']);
  });

  it('caps count at maxPageSize, treats startIndex < 1 as 1 and count < 0 as 0', async () => {
    expect((await call(server, 'GET', '/Users?count=50')).body.itemsPerPage).toBe(4);
    expect((await call(server, 'GET', '/Users?startIndex=0&count=1')).body.startIndex).toBe(1);
    const none = await call(server, 'GET', '/Users?count=-3');
    expect(none.body).toMatchObject({ totalResults: 6, itemsPerPage: 0, Resources: [] });
  });

  it('answers an empty page past the end and 400 for a non-integer count', async () => {
    expect((await call(server, 'GET', '/Users?startIndex=7')).body).toMatchObject({ totalResults: 6, itemsPerPage: 0 });
    expect((await call(server, 'GET', '/Users?count=ten')).status).toBe(400);
  });
});

describe('sorting (RFC 7644 §3.4.2.3)', () => {
  it('sorts ascending and descending, by sub-attributes too', async () => {
    const desc = await call(server, 'GET', '/Users?sortBy=name.givenName&sortOrder=descending&count=3');
    expect(desc.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(['user-f', 'user-e', 'user-d']);
    const asc = await call(server, 'GET', `/Users?sortBy=${ENTERPRISE}:department&count=2`);
    expect(asc.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(['user-a', 'user-b']);
  });
});

describe('attributes and excludedAttributes (RFC 7644 §3.4.2.5)', () => {
  it('returns only the requested attributes plus id and schemas', async () => {
    const answer = await call(server, 'GET', '/Users?attributes=userName,name.givenName&count=1&sortBy=userName');
    expect(answer.body.Resources[0]).toEqual({
      schemas: expect.any(Array),
      id: expect.any(String),
      userName: 'user-a',
      name: { givenName: 'a' },
    });
  });

  it('removes excluded attributes, including extension ones, but never id', async () => {
    const answer = await call(
      server,
      'GET',
      `/Users?excludedAttributes=displayName,meta,id,${ENTERPRISE}:department&count=1`,
    );
    const user = answer.body.Resources[0];
    expect(user.id).toEqual(expect.any(String));
    expect(user.displayName).toBeUndefined();
    expect(user.meta).toBeUndefined();
    expect(user[ENTERPRISE]).toBeUndefined();
    expect(user.userName).toEqual(expect.any(String));
  });

  it('applies to write responses (RFC 7644 §3.9)', async () => {
    const created = await call(server, 'POST', '/Users?attributes=userName', {
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'projected', title: 'T' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      id: expect.any(String),
      userName: 'projected',
    });
    await call(server, 'DELETE', `/Users/${created.body.id}`);
  });

  it('applies to single-resource reads too', async () => {
    const id = server.users()[0]!.id;
    const answer = await call(server, 'GET', `/Users/${id}?attributes=${ENTERPRISE}`);
    expect(Object.keys(answer.body).sort()).toEqual(['id', 'schemas', ENTERPRISE].sort());
  });
});

describe('discovery (RFC 7644 §4)', () => {
  it('describes the service provider, resource types and schemas', async () => {
    const config = await call(server, 'GET', '/ServiceProviderConfig');
    expect(config.body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: true },
      filter: { supported: true, maxResults: 4 },
      etag: { supported: true },
      sort: { supported: true },
    });
    const types = await call(server, 'GET', '/ResourceTypes');
    expect(types.body.Resources.map((t: { name: string }) => t.name)).toEqual(['User', 'Group']);
    expect(types.body.Resources[0].schemaExtensions).toEqual([{ schema: ENTERPRISE, required: false }]);
    const schemas = await call(server, 'GET', '/Schemas');
    expect(schemas.body.totalResults).toBe(3);
    const user = await call(server, 'GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User');
    const userName = user.body.attributes.find((a: { name: string }) => a.name === 'userName');
    expect(userName).toMatchObject({ type: 'string', caseExact: false, uniqueness: 'server', required: true });
    expect((await call(server, 'GET', '/ResourceTypes/Nope')).status).toBe(404);
  });

  it('answers 404 outside the base path and for unknown endpoints', async () => {
    expect((await call(server, 'GET', '/Widgets')).status).toBe(404);
    expect((await call(server, 'GET', '/Users/%E0%A4%A')).status).toBe(404);
    const outside = await fetch(server.url.replace('/scim/v2', '/other'), { headers: { authorization: 'Bearer t' } });
    expect(outside.status).toBe(404);
    await outside.text();
  });
});
