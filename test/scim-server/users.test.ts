import { startScimServer, type ScimServerHandle } from '../../scim-server';
import { ENTERPRISE, ERROR, USER, call, createUser, userBody } from './http';

let server: ScimServerHandle;

beforeAll(async () => {
  server = await startScimServer({ auth: { bearerToken: 't' } });
});
afterAll(() => server.stop());
beforeEach(() => server.reset());

describe('POST /Users (RFC 7644 §3.3)', () => {
  it('creates a user with the enterprise extension and answers 201 with Location, ETag and meta', async () => {
    const answer = await call(server, 'POST', '/Users', {
      body: userBody('alice@example.com', {
        externalId: 'E1',
        name: { givenName: 'Alice', familyName: 'Liddell' },
        emails: [{ value: 'alice@example.com', type: 'work', primary: true }],
        active: true,
        [ENTERPRISE]: { department: 'Engineering', manager: { value: 'm-1' } },
      }),
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    const user = answer.body;
    expect(user.schemas).toEqual([USER, ENTERPRISE]);
    expect(user.id).toEqual(expect.any(String));
    expect(answer.headers.get('location')).toBe(`${server.url}/Users/${user.id}`);
    expect(answer.headers.get('etag')).toBe('W/"1"');
    expect(user.meta).toEqual({
      resourceType: 'User',
      created: expect.any(String),
      lastModified: user.meta.created,
      location: `${server.url}/Users/${user.id}`,
      version: 'W/"1"',
    });
    expect(user[ENTERPRISE]).toEqual({ department: 'Engineering', manager: { value: 'm-1' } });
    expect(server.users()).toHaveLength(1);
  });

  it('answers 409 uniqueness for a userName that differs only in case', async () => {
    await createUser(server, 'bob@example.com');
    const answer = await call(server, 'POST', '/Users', { body: userBody('BOB@example.com') });
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual({
      schemas: [ERROR],
      status: '409',
      scimType: 'uniqueness',
      detail: expect.stringContaining('BOB@example.com'),
    });
  });

  it.each([
    ['missing userName', { schemas: [USER] }, 'invalidValue'],
    ['missing schemas', { userName: 'x' }, 'invalidSyntax'],
    ['unknown attribute', userBody('x', { emials: [] }), 'invalidSyntax'],
    ['wrong type', userBody('x', { active: 'yes' }), 'invalidValue'],
    [
      'two primary emails',
      userBody('x', {
        emails: [
          { value: 'a', primary: true },
          { value: 'b', primary: true },
        ],
      }),
      'invalidValue',
    ],
  ])('rejects %s with 400 %s', async (_name, body, scimType) => {
    const answer = await call(server, 'POST', '/Users', { body });
    expect(answer.status).toBe(400);
    expect(answer.body.scimType).toBe(scimType);
    expect(server.users()).toHaveLength(0);
  });

  it('rejects malformed JSON with 400 invalidSyntax and a non-JSON media type with 415', async () => {
    expect((await call(server, 'POST', '/Users', { body: '{"userName":' })).body.scimType).toBe('invalidSyntax');
    expect(
      (await call(server, 'POST', '/Users', { body: 'userName=x', headers: { 'content-type': 'text/plain' } })).status,
    ).toBe(415);
  });

  it('ignores readOnly attributes, accepts "True" strings for booleans and never returns the password', async () => {
    const answer = await call(server, 'POST', '/Users', {
      body: userBody('carol', {
        id: 'mine',
        meta: { version: 'W/"99"' },
        groups: [{ value: 'g' }],
        active: 'True',
        password: 's3cret',
      }),
    });
    expect(answer.status).toBe(201);
    expect(answer.body.id).not.toBe('mine');
    expect(answer.body.meta.version).toBe('W/"1"');
    expect(answer.body.groups).toBeUndefined();
    expect(answer.body.active).toBe(true);
    expect(answer.body.password).toBeUndefined();
  });

  it('accepts application/json and answers in it when the client accepts only that', async () => {
    const answer = await call(server, 'POST', '/Users', {
      body: userBody('dave'),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('GET, PUT, DELETE /Users/{id}', () => {
  it('reads a user, 404 for an unknown id with an error body', async () => {
    const { body: created } = await createUser(server, 'erin');
    const read = await call(server, 'GET', `/Users/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created);
    const missing = await call(server, 'GET', '/Users/nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ schemas: [ERROR], status: '404' });
  });

  it('PUT replaces every readWrite attribute, keeps id/created, bumps the version (§3.5.1)', async () => {
    const { body: created } = await createUser(server, 'frank', {
      displayName: 'Frank',
      title: 'Engineer',
      password: 'p',
    });
    const put = await call(server, 'PUT', `/Users/${created.id}`, {
      body: { ...created, title: undefined, displayName: 'Franklin', userName: 'frank2' },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: created.id, userName: 'frank2', displayName: 'Franklin' });
    expect(put.body.title).toBeUndefined();
    expect(put.body.meta.created).toBe(created.meta.created);
    expect(put.body.meta.version).toBe('W/"2"');
    expect(put.headers.get('etag')).toBe('W/"2"');
  });

  it('PUT to a userName taken by someone else is a 409', async () => {
    await createUser(server, 'gina');
    const { body: hank } = await createUser(server, 'hank');
    const put = await call(server, 'PUT', `/Users/${hank.id}`, { body: userBody('GINA') });
    expect(put.status).toBe(409);
    expect(put.body.scimType).toBe('uniqueness');
  });

  it('frees a userName when the user is renamed or deleted', async () => {
    const { body: first } = await createUser(server, 'Mia');
    expect((await call(server, 'PUT', `/Users/${first.id}`, { body: userBody('mia.renamed') })).status).toBe(200);
    const { body: second } = await createUser(server, 'MIA');
    expect((await call(server, 'POST', '/Users', { body: userBody('Mia.Renamed') })).status).toBe(409);
    await call(server, 'DELETE', `/Users/${second.id}`);
    await createUser(server, 'mia');
  });

  it('DELETE answers 204, then the user is gone (404) (§3.6)', async () => {
    const { body: created } = await createUser(server, 'ivan');
    expect((await call(server, 'DELETE', `/Users/${created.id}`)).status).toBe(204);
    expect((await call(server, 'GET', `/Users/${created.id}`)).status).toBe(404);
    expect((await call(server, 'DELETE', `/Users/${created.id}`)).status).toBe(404);
  });

  it('answers 405 with Allow for an unsupported method', async () => {
    const answer = await call(server, 'POST', `/Users/some-id`, { body: userBody('x') });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET, PUT, PATCH, DELETE');
    const collection = await call(server, 'DELETE', '/Users');
    expect(collection.status).toBe(405);
    expect(collection.headers.get('allow')).toBe('GET, POST');
  });
});

describe('ETags (RFC 7644 §3.14)', () => {
  it('If-Match with a stale version is a 412 and changes nothing; the current version succeeds', async () => {
    const { body: created } = await createUser(server, 'judy');
    const stale = await call(server, 'PUT', `/Users/${created.id}`, {
      body: userBody('judy', { title: 'x' }),
      headers: { 'if-match': 'W/"7"' },
    });
    expect(stale.status).toBe(412);
    expect(server.users()[0]!.title).toBeUndefined();
    const fresh = await call(server, 'PUT', `/Users/${created.id}`, {
      body: userBody('judy', { title: 'x' }),
      headers: { 'if-match': 'W/"1"' },
    });
    expect(fresh.status).toBe(200);
    const del = await call(server, 'DELETE', `/Users/${created.id}`, { headers: { 'if-match': 'W/"1"' } });
    expect(del.status).toBe(412);
  });

  it('If-None-Match with the current version answers 304 without a body', async () => {
    const { body: created } = await createUser(server, 'kim');
    const notModified = await call(server, 'GET', `/Users/${created.id}`, { headers: { 'if-none-match': 'W/"1"' } });
    expect(notModified.status).toBe(304);
    expect(notModified.body).toBeUndefined();
    expect((await call(server, 'GET', `/Users/${created.id}`, { headers: { 'if-none-match': 'W/"0"' } })).status).toBe(
      200,
    );
  });
});

describe('request records', () => {
  it('keeps only the most recent maxRecordedRequests records but counts every request', async () => {
    const capped = await startScimServer({ maxRecordedRequests: 2 });
    try {
      for (const n of [1, 2, 3]) await call(capped, 'GET', `/Users?n=${n}`);
      expect(capped.requests.map((r) => r.query.n)).toEqual(['2', '3']);
      expect(capped.stats().requests).toBe(3);
    } finally {
      await capped.stop();
    }
  });
});

describe('authentication', () => {
  it('answers 401 with a SCIM error and WWW-Authenticate without or with wrong credentials', async () => {
    for (const token of [null, 'wrong']) {
      const answer = await call(server, 'GET', '/Users', { token });
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ schemas: [ERROR], status: '401' });
      expect(answer.headers.get('www-authenticate')).toContain('Bearer');
    }
  });

  it('accepts HTTP Basic when configured, alone or next to a bearer token', async () => {
    const both = await startScimServer({ auth: { bearerToken: 'tok', basic: { username: 'u', password: 'p:w' } } });
    try {
      const basic = `Basic ${Buffer.from('u:p:w').toString('base64')}`;
      expect((await call(both, 'GET', '/Users', { token: null, headers: { authorization: basic } })).status).toBe(200);
      expect((await call(both, 'GET', '/Users', { token: 'tok' })).status).toBe(200);
      const wrong = `Basic ${Buffer.from('u:nope').toString('base64')}`;
      expect((await call(both, 'GET', '/Users', { token: null, headers: { authorization: wrong } })).status).toBe(401);
    } finally {
      await both.stop();
    }
  });

  it('serves discovery without credentials only when publicDiscovery is set', async () => {
    expect((await call(server, 'GET', '/ServiceProviderConfig', { token: null })).status).toBe(401);
    const open = await startScimServer({ auth: { bearerToken: 'tok', publicDiscovery: true } });
    try {
      expect((await call(open, 'GET', '/ServiceProviderConfig', { token: null })).status).toBe(200);
      expect((await call(open, 'GET', '/Schemas', { token: null })).status).toBe(200);
      expect((await call(open, 'GET', '/Users', { token: null })).status).toBe(401);
    } finally {
      await open.stop();
    }
  });

  it('records requests in order with credentials redacted', async () => {
    await createUser(server, 'leo');
    await call(server, 'GET', '/Users?count=1');
    expect(server.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/scim/v2/Users', 201],
      ['GET', '/scim/v2/Users', 200],
    ]);
    const [post, get] = server.requests;
    expect(post!.headers.authorization).toBe('Bearer [REDACTED]');
    expect(post!.body).toEqual(userBody('leo'));
    expect(get!.query).toEqual({ count: '1' });
    expect(post!.durationMs).toEqual(expect.any(Number));
    server.clearRequests();
    expect(server.requests).toHaveLength(0);
    expect(server.stats().requests).toBe(2);
  });
});
