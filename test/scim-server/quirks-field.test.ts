/**
 * Quirks observed in third-party SCIM servers: non-unique group names, duplicate members,
 * 204 for a PATCH that changes nothing, filters refused on some attributes, paging past the end
 * and wrong counts, a missing Location header — and the named profiles that bundle them.
 */
import { QUIRK_PROFILES, startScimServer, type ScimServerHandle } from '../../scim-server';
import { GROUP, call, createUser, filterQuery, patchBody } from './http';

let server: ScimServerHandle;

beforeAll(async () => {
  server = await startScimServer({ auth: { bearerToken: 't' } });
});
afterAll(() => server.stop());
beforeEach(() => {
  server.setProfile('rfc');
  server.reset();
});

const groupBody = (displayName: string, members: string[] = []) => ({
  schemas: [GROUP],
  displayName,
  members: members.map((value) => ({ value })),
});
const addMember = (id: string) => patchBody({ op: 'add', path: 'members', value: [{ value: id }] });

describe('non-unique group names', () => {
  it('lax-groups: two concurrent creates of one name both succeed and leave two groups', async () => {
    server.setProfile('lax-groups');
    const answers = await Promise.all(
      [1, 2].map(() => call(server, 'POST', '/Groups', { body: groupBody('dept-Sales') })),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    expect(answers[0]!.body.id).not.toBe(answers[1]!.body.id);
    const found = await call(server, 'GET', `/Groups?filter=${encodeURIComponent('displayName eq "dept-Sales"')}`);
    expect(found.body.totalResults).toBe(2);
  });
});

describe('duplicateMembers', () => {
  it('a member added twice is listed twice; the RFC profile lists it once', async () => {
    const { body: user } = await createUser(server, 'dup');
    for (const profile of ['rfc', 'lax-groups'] as const) {
      server.setProfile(profile);
      const { body: group } = await call(server, 'POST', '/Groups', { body: groupBody(`g-${profile}`) });
      await call(server, 'PATCH', `/Groups/${group.id}`, { body: addMember(user.id) });
      await call(server, 'PATCH', `/Groups/${group.id}`, { body: addMember(user.id) });
      const read = await call(server, 'GET', `/Groups/${group.id}`);
      expect(read.body.members.map((m: { value: string }) => m.value)).toEqual(
        profile === 'rfc' ? [user.id] : [user.id, user.id],
      );
    }
  });

  it('a POST body listing a member twice keeps both; a filtered remove takes every copy', async () => {
    server.setProfile({ duplicateMembers: true });
    const { body: user } = await createUser(server, 'twice');
    const { body: group } = await call(server, 'POST', '/Groups', { body: groupBody('g', [user.id, user.id]) });
    expect(group.members).toHaveLength(2);
    const removed = await call(server, 'PATCH', `/Groups/${group.id}`, {
      body: patchBody({ op: 'remove', path: `members[value eq "${user.id}"]` }),
    });
    expect(removed.status).toBe(200);
    expect(removed.body.members).toBeUndefined();
  });
});

describe('noOpPatchReturns204', () => {
  it('a remove of a non-member answers 204 with no body and changes nothing; a real change answers 200', async () => {
    server.setProfile({ noOpPatchReturns204: true });
    const { body: member } = await createUser(server, 'member');
    const { body: other } = await createUser(server, 'other');
    const { body: group } = await call(server, 'POST', '/Groups', { body: groupBody('g', [member.id]) });
    const noOp = await call(server, 'PATCH', `/Groups/${group.id}`, {
      body: patchBody({ op: 'remove', path: `members[value eq "${other.id}"]` }),
    });
    expect(noOp.status).toBe(204);
    expect(noOp.body).toBeUndefined();
    expect(server.groups()[0]!.members).toEqual([expect.objectContaining({ value: member.id })]);
    expect(server.groups()[0]!.meta.version).toBe(group.meta.version);
    const real = await call(server, 'PATCH', `/Groups/${group.id}`, {
      body: patchBody({ op: 'remove', path: `members[value eq "${member.id}"]` }),
    });
    expect(real.status).toBe(200);
    expect(server.groups()[0]!.members).toBeUndefined();
  });
});

describe('memberRemoval', () => {
  it.each([
    ['applied', [], []],
    ['ignores-value-path', ['m'], []],
    ['ignored', ['m'], ['m']],
  ] as const)('%s: filtered remove leaves %j, value-list remove leaves %j', async (mode, afterFiltered, afterList) => {
    server.setProfile({ memberRemoval: mode });
    const { body: user } = await createUser(server, 'm');
    const names = () => (server.groups()[0]!.members ?? []).map((m) => (m.value === user.id ? 'm' : '?'));
    const { body: group } = await call(server, 'POST', '/Groups', { body: groupBody('g', [user.id]) });
    const filtered = await call(server, 'PATCH', `/Groups/${group.id}`, {
      body: patchBody({ op: 'remove', path: `members[value eq "${user.id}"]` }),
    });
    expect(filtered.status).toBe(200);
    expect(names()).toEqual(afterFiltered);
    await call(server, 'PATCH', `/Groups/${group.id}`, {
      body: patchBody({ op: 'Remove', path: 'members', value: [{ value: user.id }] }),
    });
    expect(names()).toEqual(afterList);
  });
});

describe('unfilterableAttributes', () => {
  it('a filter naming a refused attribute answers 400 invalidFilter; others work', async () => {
    server.setProfile({ base: 'minimal', unfilterableAttributes: ['externalId'] });
    await createUser(server, 'ext', { externalId: 'E-1' });
    const refused = await call(server, 'GET', filterQuery('externalId eq "E-1"'));
    expect(refused.status).toBe(400);
    expect(refused.body.scimType).toBe('invalidFilter');
    const nested = await call(server, 'GET', filterQuery('userName eq "ext" and externalId eq "E-1"'));
    expect(nested.status).toBe(400);
    expect((await call(server, 'GET', filterQuery('userName eq "ext"'))).body.totalResults).toBe(1);
  });
});

describe('paging', () => {
  beforeEach(async () => {
    for (const n of ['a', 'b', 'c']) await createUser(server, n);
  });

  it('pastEndRepeatsFirstPage: pages inside the results are right, past the end repeats page 1', async () => {
    server.setProfile({ pastEndRepeatsFirstPage: true });
    const first = await call(server, 'GET', '/Users?startIndex=1&count=2');
    const second = await call(server, 'GET', '/Users?startIndex=3&count=2');
    const past = await call(server, 'GET', '/Users?startIndex=4&count=2');
    expect(second.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(['c']);
    expect(past.body.Resources).toEqual(first.body.Resources);
    expect(past.body).toMatchObject({ totalResults: 3, startIndex: 4 });
  });

  it('wrongPageCounts: totalResults is one too many and itemsPerPage echoes count; paging works', async () => {
    server.setProfile({ wrongPageCounts: true });
    const second = await call(server, 'GET', '/Users?startIndex=3&count=2');
    expect(second.body.Resources).toHaveLength(1);
    expect(second.body).toMatchObject({ totalResults: 4, startIndex: 3, itemsPerPage: 2 });
    expect((await call(server, 'GET', '/Users?startIndex=4&count=2')).body.Resources).toEqual([]);
  });
});

describe('omitLocationHeader', () => {
  it('no Location header on create or read, but meta.location is in the body', async () => {
    server.setProfile({ omitLocationHeader: true });
    const created = await createUser(server, 'loc');
    expect(created.headers.get('location')).toBeNull();
    expect(created.body.meta.location).toBe(`${server.url}/Users/${created.body.id}`);
    expect((await call(server, 'GET', `/Users/${created.body.id}`)).headers.get('location')).toBeNull();
  });
});

describe('sloppy profile', () => {
  it('bundles every field deviation', async () => {
    expect(QUIRK_PROFILES.sloppy).toMatchObject({
      uniqueGroupNames: false,
      duplicateMembers: true,
      noOpPatchReturns204: true,
      filterOperators: ['eq', 'and'],
      caseSensitiveFilters: true,
      pastEndRepeatsFirstPage: true,
      wrongPageCounts: true,
      omitLocationHeader: true,
    });
    server.setProfile('sloppy');
    await createUser(server, 'Mixed@Case.example');
    expect((await call(server, 'GET', filterQuery('userName eq "mixed@case.example"'))).body.Resources).toEqual([]);
    expect((await call(server, 'GET', filterQuery('userName co "Mixed"'))).status).toBe(400);
  });

  it('list flags are type-checked', () => {
    expect(() => server.setProfile({ unfilterableAttributes: 'externalId' } as never)).toThrow(/must be a list/);
  });
});
