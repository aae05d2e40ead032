import {
  applyPatch,
  buildScimUser,
  diffHrSnapshots,
  diffScimUser,
  mergeForPut,
  type ScimUserResource,
} from '../../../lib/mapping';
import { ada, connector, ENTERPRISE, m, standardMappings } from './fixtures';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const c = connector(standardMappings);

/** What an app returns: our attributes plus ones it owns. */
function appResource(overrides: Record<string, unknown> = {}): ScimUserResource {
  return {
    ...buildScimUser(c, ada, 'create'),
    id: 'u-1',
    meta: { resourceType: 'User', version: 'W/"1"' },
    nickName: 'ada',
    photos: [{ type: 'photo', value: 'https://cdn.example.com/ada.png' }],
    groups: [{ value: 'g1', display: 'all-staff' }],
    ...overrides,
  };
}

describe('diffHrSnapshots (mover path, no GET)', () => {
  test('replace for changed values, including sub-attributes and extension attributes', () => {
    expect(diffHrSnapshots(c, ada, { ...ada, familyName: 'King', department: 'Research' })).toEqual([
      { op: 'replace', path: 'name.familyName', value: 'King' },
      { op: 'replace', path: 'displayName', value: 'Ada King' },
      { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Research' },
    ]);
  });

  test('remove when a value disappears; a whole entry when nothing else is in it', () => {
    expect(diffHrSnapshots(c, ada, { ...ada, title: undefined, phone: undefined, managerId: undefined })).toEqual([
      { op: 'remove', path: 'title' },
      { op: 'remove', path: `${ENTERPRISE}:manager.value` },
      { op: 'remove', path: 'phoneNumbers[type eq "work"]' },
    ]);
  });

  test('add for new values; a new multi-valued entry is added whole', () => {
    expect(diffHrSnapshots(c, { ...ada, title: undefined, phone: undefined }, ada)).toEqual([
      { op: 'add', path: 'title', value: 'Engineer' },
      { op: 'add', path: 'phoneNumbers', value: [{ type: 'work', value: '+44 20 7946 0000', primary: true }] },
    ]);
  });

  test('replace inside an existing entry uses a value-filter path', () => {
    expect(diffHrSnapshots(c, ada, { ...ada, workEmail: 'ada.king@example.com' })).toEqual([
      { op: 'replace', path: 'userName', value: 'ada.king@example.com' },
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'ada.king@example.com' },
    ]);
  });

  test('snapshots compare exactly: a case-only change is a change', () => {
    expect(diffHrSnapshots(c, ada, { ...ada, title: 'ENGINEER' })).toEqual([
      { op: 'replace', path: 'title', value: 'ENGINEER' },
    ]);
  });

  test('create-only mappings are never patched; no change, no ops', () => {
    const createOnly = connector([
      ...standardMappings,
      m({ source: 'custom.badgeId', target: 'nickName', applyOn: ['create'] }),
    ]);
    expect(diffHrSnapshots(createOnly, ada, { ...ada, custom: { badgeId: 'B-8' } })).toEqual([]);
  });

  test('required values still missing in the next snapshot fail loudly', () => {
    expect(() => diffHrSnapshots(c, ada, { ...ada, workEmail: undefined })).toThrow(/no value for required userName/);
  });
});

describe('diffScimUser against the app resource (reconciliation)', () => {
  test('nothing to do when the app holds our values, whatever it owns besides', () => {
    expect(diffScimUser(c, appResource(), buildScimUser(c, ada, 'update'))).toEqual([]);
  });

  test('caseExact=false strings and stringly booleans from the app are not changes (RFC 7643 §2.2)', () => {
    const current = appResource({ userName: 'ADA.LOVELACE@EXAMPLE.COM', title: 'engineer' });
    expect(diffScimUser(c, current, buildScimUser(c, ada, 'update'))).toEqual([]);
    const withActive = connector([...standardMappings, m({ value: true, target: 'active' })]);
    expect(diffScimUser(withActive, appResource({ active: 'True' }), buildScimUser(withActive, ada, 'update'))).toEqual(
      [],
    );
  });

  test('the app casing of attribute names does not matter', () => {
    const current = appResource({
      title: undefined,
      Title: 'Engineer',
      name: { GivenName: 'Ada', familyName: 'Lovelace' },
    });
    expect(diffScimUser(c, current, buildScimUser(c, ada, 'update'))).toEqual([]);
  });

  test('removing a mapped sub-attribute keeps an entry that holds unmapped data', () => {
    const current = appResource({ phoneNumbers: [{ type: 'work', value: '+44 20 7946 0000', display: 'desk' }] });
    expect(diffScimUser(c, current, buildScimUser(c, { ...ada, phone: undefined }, 'update'))).toEqual([
      { op: 'remove', path: 'phoneNumbers[type eq "work"].value' },
    ]);
  });

  test('a missing sub-attribute inside an existing entry is set with replace (RFC 7644 §3.5.2.3)', () => {
    const current = appResource({ emails: [{ type: 'Work', primary: true }] });
    expect(diffScimUser(c, current, buildScimUser(c, ada, 'update'))).toEqual([
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'ada.lovelace@example.com' },
    ]);
  });

  test('applying the ops converges: a second diff is empty and unmapped attributes survive', () => {
    const current = appResource({
      title: 'Intern',
      phoneNumbers: undefined,
      [ENTERPRISE]: { department: 'Sales', employeeNumber: '7' },
    });
    const desired = buildScimUser(c, ada, 'update');
    const patched = applyPatch(current, diffScimUser(c, current, desired));
    expect(diffScimUser(c, patched, desired)).toEqual([]);
    expect(patched.nickName).toBe('ada');
    expect((patched[ENTERPRISE] as Record<string, unknown>).employeeNumber).toBe('7');
  });
});

describe('applyPatch', () => {
  test('ops are case-insensitive; add appends to multi-valued attributes; remove by filter', () => {
    const start: ScimUserResource = { schemas: [CORE], emails: [{ type: 'work', value: 'a@x' }] };
    const out = applyPatch(start, [
      { op: 'Add' as 'add', path: 'emails', value: [{ type: 'home', value: 'a@home' }] },
      { op: 'Replace' as 'replace', path: 'emails[type eq "work"].value', value: 'b@x' },
      { op: 'add', path: 'name.givenName', value: 'A' },
      { op: 'add', value: { title: 'T' } },
      { op: 'remove', path: 'emails[type eq "home"]' },
    ]);
    expect(out).toEqual({
      schemas: [CORE],
      emails: [{ type: 'work', value: 'b@x' }],
      name: { givenName: 'A' },
      title: 'T',
    });
    expect(start.emails).toEqual([{ type: 'work', value: 'a@x' }]);
  });

  test('rejects a pathless remove', () => {
    expect(() => applyPatch({ schemas: [CORE] }, [{ op: 'remove' }])).toThrow(
      'PATCH remove without a path needs an object value (RFC 7644 §3.5.2.1)',
    );
  });
});

describe('mergeForPut (apps without PATCH)', () => {
  test('with the connector: mapped values change or disappear, unmapped ones stay, readOnly ones go', () => {
    const current = appResource({ title: 'Intern' });
    const desired = buildScimUser(c, { ...ada, phone: undefined }, 'update');
    const body = mergeForPut(current, desired, c);
    expect(body.title).toBe('Engineer');
    expect(body.phoneNumbers).toEqual([]);
    expect(body.nickName).toBe('ada');
    expect(body.photos).toEqual(current.photos);
    expect(body.id).toBe('u-1');
    expect(body.active).toBe(true);
    expect(body.meta).toBeUndefined();
    expect(body.groups).toBeUndefined();
    expect(body.schemas).toEqual([CORE, ENTERPRISE]);
  });

  test('without the connector: deep merge, entries merged by type, nothing removed', () => {
    const current: ScimUserResource = {
      schemas: [CORE],
      id: 'u-2',
      name: { givenName: 'Ada', middleName: 'B' },
      emails: [
        { type: 'work', value: 'old@x', display: 'desk' },
        { type: 'home', value: 'h@x' },
      ],
      nickName: 'ada',
    };
    const desired: ScimUserResource = {
      schemas: [CORE, ENTERPRISE],
      name: { givenName: 'Adah' },
      emails: [{ type: 'Work', value: 'new@x', primary: true }],
      [ENTERPRISE]: { department: 'R' },
    };
    expect(mergeForPut(current, desired)).toEqual({
      schemas: [CORE, ENTERPRISE],
      id: 'u-2',
      name: { givenName: 'Adah', middleName: 'B' },
      emails: [
        { type: 'work', value: 'new@x', display: 'desk', primary: true },
        { type: 'home', value: 'h@x' },
      ],
      nickName: 'ada',
      [ENTERPRISE]: { department: 'R' },
    });
  });
});
