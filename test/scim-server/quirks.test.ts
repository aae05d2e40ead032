import { QUIRK_PROFILES, startScimServer, type ScimServerHandle } from '../../scim-server';
import { call, createUser, filterQuery, patchBody, userBody } from './http';

let server: ScimServerHandle;

beforeAll(async () => {
  server = await startScimServer({ auth: { bearerToken: 't' } });
});
afterAll(() => server.stop());
beforeEach(() => {
  server.setProfile('rfc');
  server.reset();
});

const replaceTitle = patchBody({ op: 'replace', path: 'title', value: 'Boss' });

describe('named profiles', () => {
  it('slack: DELETE only deactivates; the account stays readable with active=false', async () => {
    server.setProfile('slack');
    const { body: user } = await createUser(server, 'sam', { active: true });
    expect((await call(server, 'DELETE', `/Users/${user.id}`)).status).toBe(204);
    const read = await call(server, 'GET', `/Users/${user.id}`);
    expect(read.status).toBe(200);
    expect(read.body.active).toBe(false);
    const config = await call(server, 'GET', '/ServiceProviderConfig');
    expect(config.body).toMatchObject({ bulk: { supported: false }, etag: { supported: false } });
  });

  it('slack: limits writes (180/min, burst 20) but not reads', async () => {
    server.setProfile('slack');
    expect(QUIRK_PROFILES.slack.rateLimit).toEqual({
      requestsPerSecond: 3,
      burst: 20,
      methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
    });
    const writes: number[] = [];
    for (let i = 0; i < 40; i += 1)
      writes.push((await call(server, 'POST', '/Users', { body: userBody(`s${i}`) })).status);
    expect(writes.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(writes).toContain(429);
    expect(server.users()).toHaveLength(writes.filter((s) => s === 201).length);
    const reads: number[] = [];
    for (let i = 0; i < 30; i += 1) reads.push((await call(server, 'GET', '/Users?count=1')).status);
    expect(reads.every((s) => s === 200)).toBe(true);
    expect(server.stats().rateLimited).toBe(writes.filter((s) => s === 429).length);
  });

  it('github-emu: DELETE is a hard delete', async () => {
    server.setProfile('github-emu');
    const { body: user } = await createUser(server, 'octo');
    expect((await call(server, 'DELETE', `/Users/${user.id}`)).status).toBe(204);
    expect((await call(server, 'GET', `/Users/${user.id}`)).status).toBe(404);
  });

  it('no-patch: PATCH answers 501 and changes nothing; PUT works; discovery says so', async () => {
    server.setProfile('no-patch');
    const { body: user } = await createUser(server, 'pat');
    const patch = await call(server, 'PATCH', `/Users/${user.id}`, { body: replaceTitle });
    expect(patch.status).toBe(501);
    expect(server.users()[0]!.title).toBeUndefined();
    expect((await call(server, 'PUT', `/Users/${user.id}`, { body: userBody('pat', { title: 'Boss' }) })).status).toBe(
      200,
    );
    expect((await call(server, 'GET', '/ServiceProviderConfig')).body.patch.supported).toBe(false);
    server.setProfile({ patch: 'method-not-allowed' });
    expect((await call(server, 'PATCH', `/Users/${user.id}`, { body: replaceTitle })).status).toBe(405);
  });

  it.each(['canva', 'no-delete'] as const)('%s: DELETE answers 405 and the user stays', async (profile) => {
    server.setProfile(profile);
    const { body: user } = await createUser(server, 'cam');
    const answer = await call(server, 'DELETE', `/Users/${user.id}`);
    expect(answer.status).toBe(405);
    expect(server.users()).toHaveLength(1);
  });

  it('canva: no PATCH (405), no groups, eq filters only; PUT carries updates', async () => {
    server.setProfile('canva');
    const { body: user } = await createUser(server, 'cara');
    expect((await call(server, 'PATCH', `/Users/${user.id}`, { body: replaceTitle })).status).toBe(405);
    expect(
      (await call(server, 'PUT', `/Users/${user.id}`, { body: userBody('cara', { active: false }) })).body.active,
    ).toBe(false);
    expect((await call(server, 'GET', '/Groups')).status).toBe(404);
    expect((await call(server, 'GET', filterQuery('userName eq "cara" and active eq false'))).status).toBe(400);
  });

  it('github is an alias of github-emu', () => {
    expect({ ...QUIRK_PROFILES.github, name: 'github-emu' }).toEqual(QUIRK_PROFILES['github-emu']);
  });

  it('no-groups: /Groups does not exist', async () => {
    server.setProfile('no-groups');
    expect((await call(server, 'GET', '/Groups')).status).toBe(404);
    const types = await call(server, 'GET', '/ResourceTypes');
    expect(types.body.Resources.map((t: { name: string }) => t.name)).toEqual(['User']);
  });

  it('minimal: only eq and and are accepted in filters', async () => {
    server.setProfile('minimal');
    await createUser(server, 'min', { active: true });
    expect((await call(server, 'GET', filterQuery('userName eq "min" and active eq true'))).body.totalResults).toBe(1);
    for (const filter of [
      'userName co "m"',
      'userName eq "a" or userName eq "b"',
      'not (userName eq "a")',
      'title pr',
    ]) {
      const answer = await call(server, 'GET', filterQuery(filter));
      expect(answer.status).toBe(400);
      expect(answer.body.scimType).toBe('invalidFilter');
    }
  });
});

describe('quirk flags', () => {
  it('filterOperators restricts the accepted operators', async () => {
    server.setProfile({ filterOperators: ['eq'] });
    expect((await call(server, 'GET', filterQuery('userName eq "a"'))).status).toBe(200);
    expect((await call(server, 'GET', filterQuery('userName eq "a" and active eq true'))).status).toBe(400);
  });

  it('caseSensitiveFilters: userName eq compares exactly', async () => {
    server.setProfile({ caseSensitiveFilters: true });
    await createUser(server, 'Alice@Example.com');
    expect((await call(server, 'GET', filterQuery('userName eq "alice@example.com"'))).body.totalResults).toBe(0);
    expect((await call(server, 'GET', filterQuery('userName eq "Alice@Example.com"'))).body.totalResults).toBe(1);
  });

  it('patchReturns204: PATCH answers 204 without a body but applies the change', async () => {
    server.setProfile({ patchReturns204: true });
    const { body: user } = await createUser(server, 'np');
    const answer = await call(server, 'PATCH', `/Users/${user.id}`, { body: replaceTitle });
    expect(answer.status).toBe(204);
    expect(answer.body).toBeUndefined();
    expect(server.users()[0]!.title).toBe('Boss');
  });

  it('omitLocation: no Location header and no meta.location', async () => {
    server.setProfile({ omitLocation: true });
    const answer = await createUser(server, 'loc');
    expect(answer.headers.get('location')).toBeNull();
    expect(answer.body.meta.location).toBeUndefined();
  });

  it('badPaging: startIndex is ignored and the counts are wrong', async () => {
    server.setProfile({ badPaging: true });
    for (const n of ['a', 'b', 'c']) await createUser(server, n);
    const first = await call(server, 'GET', '/Users?startIndex=1&count=2');
    const second = await call(server, 'GET', '/Users?startIndex=3&count=2');
    expect(second.body.Resources).toEqual(first.body.Resources);
    expect(second.body).toMatchObject({ totalResults: 4, startIndex: 3, itemsPerPage: 2 });
  });

  it('rejectValuePathPatch: value-filter paths answer 400 invalidPath, whole-attribute replaces work', async () => {
    server.setProfile({ rejectValuePathPatch: true });
    const { body: user } = await createUser(server, 'vp', { emails: [{ value: 'a@x.com', type: 'work' }] });
    const filtered = await call(server, 'PATCH', `/Users/${user.id}`, {
      body: patchBody({ op: 'replace', path: 'emails[type eq "work"].value', value: 'b@x.com' }),
    });
    expect(filtered.status).toBe(400);
    expect(filtered.body.scimType).toBe('invalidPath');
    const whole = await call(server, 'PATCH', `/Users/${user.id}`, {
      body: patchBody({ op: 'replace', path: 'emails', value: [{ value: 'b@x.com', type: 'work' }] }),
    });
    expect(whole.status).toBe(200);
  });

  it('ignoresExternalId: externalId is dropped, so filtering on it finds nothing', async () => {
    server.setProfile({ ignoresExternalId: true });
    const { body: user } = await createUser(server, 'ext', { externalId: 'E-9' });
    expect(user.externalId).toBeUndefined();
    expect((await call(server, 'GET', filterQuery('externalId eq "E-9"'))).body.totalResults).toBe(0);
  });

  it('dedupeOnEmail: another user with the same email is a 409', async () => {
    server.setProfile({ dedupeOnEmail: true });
    await createUser(server, 'one', { emails: [{ value: 'Same@x.com' }] });
    const answer = await call(server, 'POST', '/Users', {
      body: userBody('two', { emails: [{ value: 'same@x.com' }] }),
    });
    expect(answer.status).toBe(409);
    expect(answer.body.scimType).toBe('uniqueness');
  });

  it('uniqueGroupNames: a second group with the same name (any case) is a 409', async () => {
    server.setProfile({ uniqueGroupNames: true });
    server.seedGroup({ displayName: 'Engineering' });
    const answer = await call(server, 'POST', '/Groups', {
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'engineering' },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.scimType).toBe('uniqueness');
    expect(QUIRK_PROFILES.slack.uniqueGroupNames).toBe(true);
  });

  it('lowercasePatchOpsOnly: "Replace" is a 400, "replace" works', async () => {
    server.setProfile({ lowercasePatchOpsOnly: true });
    const { body: user } = await createUser(server, 'lc');
    const capitalized = await call(server, 'PATCH', `/Users/${user.id}`, {
      body: patchBody({ op: 'Replace', path: 'title', value: 'x' }),
    });
    expect(capitalized.status).toBe(400);
    expect(capitalized.body.scimType).toBe('invalidSyntax');
    expect((await call(server, 'PATCH', `/Users/${user.id}`, { body: replaceTitle })).status).toBe(200);
  });

  it('pagerduty (deactivateDeletes): active=false answers the inactive user, then it is gone', async () => {
    server.setProfile('pagerduty');
    const { body: user } = await createUser(server, 'pd', { active: true });
    const answer = await call(server, 'PATCH', `/Users/${user.id}`, {
      body: patchBody({ op: 'replace', path: 'active', value: false }),
    });
    expect(answer.status).toBe(200);
    expect(answer.body.active).toBe(false);
    expect((await call(server, 'GET', `/Users/${user.id}`)).status).toBe(404);
    expect(server.users()).toHaveLength(0);
  });

  it('composes flags on a named base and rejects unknown profile names', () => {
    expect(() => server.setProfile({ base: 'slack', patchReturns204: true })).not.toThrow();
    expect(() => server.setProfile('nope' as never)).toThrow(/unknown SCIM quirk profile/);
    expect(() => server.setProfile({ patchReturns240: true } as never)).toThrow(
      /unknown SCIM quirk flag "patchReturns240"/,
    );
    expect(() => server.setProfile({ badPaging: 'yes' } as never)).toThrow(/must be a boolean/);
  });
});
