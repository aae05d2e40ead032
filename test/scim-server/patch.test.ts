import { startScimServer, type ScimServerHandle } from '../../scim-server';
import { ENTERPRISE, call, patchBody } from './http';

let server: ScimServerHandle;
let id: string;

beforeAll(async () => {
  server = await startScimServer({ auth: { bearerToken: 't' } });
});
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
  id = server.seedUser({
    userName: 'alice',
    name: { givenName: 'Alice', familyName: 'Liddell' },
    active: true,
    emails: [
      { value: 'alice@work.com', type: 'work', primary: true },
      { value: 'alice@home.org', type: 'home' },
    ],
    [ENTERPRISE]: { department: 'Engineering' },
  }).id;
});

async function patch(...operations: Record<string, unknown>[]) {
  return call(server, 'PATCH', `/Users/${id}`, { body: patchBody(...operations) });
}

describe('PATCH /Users/{id} (RFC 7644 §3.5.2)', () => {
  it('replaces simple, sub- and extension attributes and answers 200 with the resource', async () => {
    const answer = await patch(
      { op: 'replace', path: 'active', value: false },
      { op: 'replace', path: 'name.givenName', value: 'Alicia' },
      { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Research' },
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      active: false,
      name: { givenName: 'Alicia', familyName: 'Liddell' },
      [ENTERPRISE]: { department: 'Research' },
    });
    expect(answer.body.meta.version).toBe('W/"2"');
  });

  it('accepts Entra-style capitalized ops, string booleans and path-like keys in a path-less value', async () => {
    const answer = await patch(
      {
        op: 'Replace',
        value: { active: 'False', 'name.familyName': 'Pleasance', [`${ENTERPRISE}:employeeNumber`]: '42' },
      },
      { op: 'Add', path: 'title', value: 'Engineer' },
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      active: false,
      title: 'Engineer',
      name: { familyName: 'Pleasance', givenName: 'Alice' },
    });
    expect(answer.body[ENTERPRISE]).toEqual({ department: 'Engineering', employeeNumber: '42' });
  });

  it('accepts the enterprise manager as a bare id string (Entra)', async () => {
    const answer = await patch({ op: 'Add', path: `${ENTERPRISE}:manager`, value: 'boss-id' });
    expect(answer.body[ENTERPRISE]).toEqual({ department: 'Engineering', manager: { value: 'boss-id' } });
  });

  it('reads value-filter paths used as keys of a path-less value (Entra)', async () => {
    const answer = await patch({
      op: 'Add',
      value: { 'emails[type eq "work"].value': 'alice@new.com', 'addresses[type eq "work"].locality': 'Oxford' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.emails[0]).toEqual({ value: 'alice@new.com', type: 'work', primary: true });
    expect(answer.body.addresses).toEqual([{ type: 'work', locality: 'Oxford' }]);
  });

  it('replaces the value selected by a value-filter path, and creates it when an eq filter matches nothing', async () => {
    const replaced = await patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 'alice@new.com' });
    expect(replaced.body.emails).toEqual([
      { value: 'alice@new.com', type: 'work', primary: true },
      { value: 'alice@home.org', type: 'home' },
    ]);
    const created = await patch({ op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555' });
    expect(created.body.phoneNumbers).toEqual([{ type: 'mobile', value: '+1 555' }]);
    const noTarget = await patch({ op: 'replace', path: 'emails[value co "nowhere"].type', value: 'other' });
    expect(noTarget.status).toBe(400);
    expect(noTarget.body.scimType).toBe('noTarget');
  });

  it('adds to multi-valued attributes without duplicating, and moves primary (§3.5.2: one primary)', async () => {
    const answer = await patch({
      op: 'add',
      path: 'emails',
      value: [
        { value: 'alice@home.org', type: 'home', primary: true },
        { value: 'a@other.net', type: 'other' },
      ],
    });
    expect(answer.body.emails).toEqual([
      { value: 'alice@work.com', type: 'work', primary: false },
      { value: 'alice@home.org', type: 'home', primary: true },
      { value: 'a@other.net', type: 'other' },
    ]);
  });

  it('replace without a filter replaces the whole multi-valued attribute', async () => {
    const answer = await patch({ op: 'replace', path: 'emails', value: [{ value: 'only@x.com', type: 'work' }] });
    expect(answer.body.emails).toEqual([{ value: 'only@x.com', type: 'work' }]);
  });

  it('removes attributes, sub-attributes and filtered values; removing what is absent succeeds', async () => {
    const answer = await patch(
      { op: 'remove', path: 'emails[type eq "home"]' },
      { op: 'remove', path: 'name.givenName' },
      { op: 'remove', path: `${ENTERPRISE}:department` },
      { op: 'remove', path: 'title' },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.emails).toEqual([{ value: 'alice@work.com', type: 'work', primary: true }]);
    expect(answer.body.name).toEqual({ familyName: 'Liddell' });
    expect(answer.body[ENTERPRISE]).toBeUndefined();
    expect(answer.body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User']);
  });

  it('is atomic: a failing operation leaves the resource untouched', async () => {
    const answer = await patch(
      { op: 'replace', path: 'title', value: 'Boss' },
      { op: 'replace', path: 'nosuch', value: 1 },
    );
    expect(answer.status).toBe(400);
    expect(answer.body.scimType).toBe('invalidPath');
    expect(answer.body.detail).toMatch(/^Operations\[1\]/);
    expect(server.users()[0]!.title).toBeUndefined();
    expect(server.users()[0]!.meta.version).toBe('W/"1"');
  });

  it.each([
    ['a remove without path', { op: 'remove' }, 'noTarget'],
    ['an unknown op', { op: 'move', path: 'title', value: 'x' }, 'invalidSyntax'],
    ['a readOnly attribute', { op: 'replace', path: 'id', value: 'x' }, 'mutability'],
    ['the readOnly groups attribute', { op: 'add', path: 'groups', value: [{ value: 'g' }] }, 'mutability'],
    ['a malformed value filter', { op: 'replace', path: 'emails[type eq].value', value: 'x' }, 'invalidFilter'],
    ['a wrong value type', { op: 'replace', path: 'active', value: 'maybe' }, 'invalidValue'],
    [
      'a sub-attribute of a multi-valued attribute without a filter',
      { op: 'replace', path: 'emails.value', value: 'x' },
      'invalidPath',
    ],
  ])('rejects %s', async (_name, operation, scimType) => {
    const answer = await patch(operation);
    expect(answer.status).toBe(400);
    expect(answer.body.scimType).toBe(scimType);
  });

  it('rejects a body without the PatchOp schema', async () => {
    const answer = await call(server, 'PATCH', `/Users/${id}`, {
      body: { Operations: [{ op: 'add', path: 'title', value: 'x' }] },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.scimType).toBe('invalidSyntax');
  });

  it('answers 409 when a PATCH makes userName collide', async () => {
    server.seedUser({ userName: 'bob' });
    const answer = await patch({ op: 'replace', path: 'userName', value: 'BOB' });
    expect(answer.status).toBe(409);
    expect(answer.body.scimType).toBe('uniqueness');
  });

  it('checks If-Match before applying (§3.14)', async () => {
    const answer = await call(server, 'PATCH', `/Users/${id}`, {
      body: patchBody({ op: 'replace', path: 'title', value: 'x' }),
      headers: { 'if-match': 'W/"5"' },
    });
    expect(answer.status).toBe(412);
  });
});
