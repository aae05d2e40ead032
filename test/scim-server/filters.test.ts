import { startScimServer, type ScimServerHandle } from '../../scim-server';
import { ENTERPRISE, call, filterQuery } from './http';

let server: ScimServerHandle;

beforeAll(async () => {
  server = await startScimServer({ auth: { bearerToken: 't' } });
  server.seedUser({
    userName: 'alice@example.com',
    externalId: 'E-1',
    displayName: 'Alice Liddell',
    name: { givenName: 'Alice', familyName: 'Liddell' },
    active: true,
    title: 'Engineer',
    emails: [
      { value: 'alice@example.com', type: 'work', primary: true },
      { value: 'alice@home.org', type: 'home' },
    ],
    [ENTERPRISE]: { department: 'Engineering', employeeNumber: '100' },
  });
  server.seedUser({
    userName: 'bob@example.com',
    externalId: 'e-2',
    displayName: 'Bob Builder',
    name: { givenName: 'Bob', familyName: 'Builder' },
    active: false,
    emails: [{ value: 'bob@home.org', type: 'home' }],
    [ENTERPRISE]: { department: 'Sales' },
  });
  server.seedUser({
    userName: 'carol@partner.net',
    externalId: 'E-3',
    active: true,
    emails: [{ value: 'carol@example.com', type: 'work' }],
  });
});
afterAll(() => server.stop());

async function userNames(filter: string): Promise<string[]> {
  const answer = await call(server, 'GET', filterQuery(filter));
  if (answer.status !== 200) throw new Error(`${filter}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return (answer.body.Resources as { userName: string }[]).map((u) => u.userName).sort();
}

const A = 'alice@example.com';
const B = 'bob@example.com';
const C = 'carol@partner.net';

describe('filter operators (RFC 7644 §3.4.2.2)', () => {
  it.each([
    ['userName eq "ALICE@example.com"', [A]],
    ['userName ne "alice@example.com"', [B, C]],
    ['userName co "EXAMPLE"', [A, B]],
    ['userName sw "b"', [B]],
    ['userName ew ".net"', [C]],
    ['title pr', [A]],
    ['userName gt "bob@example.com"', [C]],
    ['userName ge "bob@example.com"', [B, C]],
    ['userName lt "bob@example.com"', [A]],
    ['userName le "bob@example.com"', [A, B]],
  ])('%s', async (filter, expected) => {
    expect(await userNames(filter)).toEqual(expected);
  });

  it('compares caseExact attributes exactly (externalId) and others case-insensitively (userName, §4.1.1)', async () => {
    expect(await userNames('externalId eq "E-2"')).toEqual([]);
    expect(await userNames('externalId eq "e-2"')).toEqual([B]);
    expect(await userNames('USERNAME Eq "Bob@Example.com"')).toEqual([B]);
  });

  it('compares booleans, and accepts the Entra string form', async () => {
    expect(await userNames('active eq true')).toEqual([A, C]);
    expect(await userNames('active eq false')).toEqual([B]);
    expect(await userNames('active ne "True"')).toEqual([B]);
  });

  it('compares dates as instants', async () => {
    const past = '2000-01-01T00:00:00Z';
    const future = '2999-01-01T00:00:00+02:00';
    expect(await userNames(`meta.created gt "${past}"`)).toEqual([A, B, C]);
    expect(await userNames(`meta.lastModified ge "${future}"`)).toEqual([]);
    expect(await userNames(`meta.created lt "${future}" and meta.resourceType eq "User"`)).toEqual([A, B, C]);
  });

  it('treats null as unassigned', async () => {
    expect(await userNames('title eq null')).toEqual([B, C]);
    expect(await userNames('title ne null')).toEqual([A]);
  });
});

describe('logical operators, grouping and paths', () => {
  it.each([
    ['active eq true and externalId sw "E"', [A, C]],
    ['userName sw "a" or userName sw "c"', [A, C]],
    ['not (userName sw "a")', [B, C]],
    ['userName sw "a" or userName sw "b" and active eq true', [A]],
    ['(userName sw "a" or userName sw "b") and active eq false', [B]],
    ['not (active eq true) or (userName ew ".net" and not (title pr))', [B, C]],
  ])('%s', async (filter, expected) => {
    expect(await userNames(filter)).toEqual(expected);
  });

  it('matches a value path on the same value of a multi-valued attribute', async () => {
    expect(await userNames('emails[type eq "work" and value co "@example.com"]')).toEqual([A, C]);
    expect(await userNames('emails[type eq "home" and value ew "example.com"]')).toEqual([]);
    // Without the value path, the two conditions may hold on different values.
    expect(await userNames('emails.type eq "home" and emails.value ew "example.com"')).toEqual([A]);
  });

  it('compares a complex multi-valued attribute without a sub-attribute by its value', async () => {
    expect(await userNames('emails co "home.org"')).toEqual([A, B]);
  });

  it('resolves sub-attributes and URN-qualified attributes', async () => {
    expect(await userNames('name.familyName eq "builder"')).toEqual([B]);
    expect(await userNames(`${ENTERPRISE}:department eq "Engineering"`)).toEqual([A]);
    expect(await userNames('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "c"')).toEqual([C]);
  });
});

describe('invalid filters answer 400 invalidFilter', () => {
  it.each([
    'userName eq',
    'userName equals "x"',
    'userName eq alice',
    'userName eq "unterminated',
    '(userName eq "x"',
    'userName eq "x" and',
    'nosuch eq "x"',
    'name eq "x"',
    'active gt true',
    'emails[type eq "work"',
    'emails[type[value eq "x"] eq "y"]',
    'meta.created gt "yesterday"',
    '',
  ])('%p', async (filter) => {
    const answer = await call(server, 'GET', filterQuery(filter));
    if (filter === '') {
      expect(answer.status).toBe(200);
      return;
    }
    expect(answer.status).toBe(400);
    expect(answer.body.scimType).toBe('invalidFilter');
  });
});

describe('POST /.search (RFC 7644 §3.4.3)', () => {
  it('searches Users with a SearchRequest body, and across types at the root', async () => {
    const search = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName sw "a"',
      attributes: ['userName'],
    };
    const users = await call(server, 'POST', '/Users/.search', { body: search });
    expect(users.status).toBe(200);
    expect(users.body.Resources).toEqual([{ schemas: expect.any(Array), id: expect.any(String), userName: A }]);
    const root = await call(server, 'POST', '/.search', { body: { ...search, filter: 'meta.resourceType eq "User"' } });
    expect(root.body.totalResults).toBe(3);
  });
});
