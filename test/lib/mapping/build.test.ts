import { buildScimUser, MappingError } from '../../../lib/mapping';
import { ada, connector, ENTERPRISE, m, standardMappings } from './fixtures';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe('buildScimUser', () => {
  test('create: full resource with schemas, multi-valued entries, extension and active', () => {
    expect(buildScimUser(connector(standardMappings), ada, 'create')).toEqual({
      schemas: [CORE, ENTERPRISE],
      externalId: 'E100',
      userName: 'ada.lovelace@example.com',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      displayName: 'Ada Lovelace',
      emails: [{ type: 'work', value: 'ada.lovelace@example.com', primary: true }],
      phoneNumbers: [{ type: 'work', value: '+44 20 7946 0000', primary: true }],
      title: 'Engineer',
      [ENTERPRISE]: { department: 'Engineering', manager: { value: 'E001' } },
      active: true,
    });
  });

  test('update: no active, only mappings that apply on update', () => {
    const c = connector([
      m({ source: 'employeeId', target: 'externalId' }),
      m({ source: 'workEmail', target: 'userName', applyOn: ['create'] }),
    ]);
    expect(buildScimUser(c, ada, 'update')).toEqual({ schemas: [CORE], externalId: 'E100' });
  });

  test('several entries of one multi-valued attribute: only the first is primary', () => {
    const c = connector([
      m({ source: 'workEmail', target: 'emails[type eq "work"].value' }),
      m({ source: 'personalEmail', target: 'emails[type eq "home"].value' }),
      m({ template: '{{givenName}} (work)', target: 'emails[type eq "work"].display' }),
    ]);
    expect(buildScimUser(c, { ...ada, personalEmail: 'ada@home.example' }, 'update').emails).toEqual([
      { type: 'work', value: 'ada.lovelace@example.com', display: 'Ada (work)', primary: true },
      { type: 'home', value: 'ada@home.example' },
    ]);
  });

  test('an explicit primary mapping wins over the automatic one', () => {
    const c = connector([
      m({ source: 'workEmail', target: 'emails[type eq "work"].value' }),
      m({ value: false, target: 'emails[type eq "work"].primary' }),
    ]);
    expect(buildScimUser(c, ada, 'update').emails).toEqual([
      { type: 'work', value: 'ada.lovelace@example.com', primary: false },
    ]);
  });

  test('templates, custom fields, transforms in order, constants', () => {
    const c = connector([
      m({ template: '{{ givenName }}.{{familyName}}@Example.com', target: 'userName', transform: ['lower'] }),
      m({ source: 'custom.badgeId', target: 'nickName', transform: ['trim', 'upper'] }),
      m({ value: 'Employee', target: 'userType' }),
      m({ template: '{{preferredName}} {{familyName}}', target: 'displayName' }),
    ]);
    expect(buildScimUser(c, { ...ada, custom: { badgeId: '  b-7 ' } }, 'update')).toEqual({
      schemas: [CORE],
      userName: 'ada.lovelace@example.com',
      nickName: 'B-7',
      userType: 'Employee',
    });
  });

  test('map (exact, then case-insensitive), default for unmapped and for missing values', () => {
    const c = connector([
      m({
        source: 'employmentType',
        target: 'userType',
        map: { FULL_TIME: 'Employee', contractor: 'Contractor' },
        default: 'Other',
      }),
    ]);
    const userType = (e: Partial<typeof ada>) => buildScimUser(c, { ...ada, ...e }, 'update').userType;
    expect(userType({ employmentType: 'FULL_TIME' })).toBe('Employee');
    expect(userType({ employmentType: 'CONTRACTOR' })).toBe('Contractor');
    expect(userType({ employmentType: 'INTERN' })).toBe('Other');
    expect(userType({ employmentType: undefined })).toBe('Other');
    const noDefault = connector([m({ source: 'department', target: 'userType', map: { Engineering: 'Eng' } })]);
    expect(buildScimUser(noDefault, { ...ada, department: 'Sales' }, 'update').userType).toBe('Sales');
  });

  test('values are converted to the attribute type (HR data is strings)', () => {
    const c = connector([m({ source: 'custom.enabled', target: 'active' })]);
    expect(buildScimUser(c, { ...ada, custom: { enabled: 'FALSE' } }, 'create').active).toBe(false);
    expect(() => buildScimUser(c, { ...ada, custom: { enabled: 'maybe' } }, 'create')).toThrow(
      'app "acme": active expects a boolean, but the mapping produced "maybe"',
    );
  });

  test('missing required values: one typed error naming the app, each target and HR field', () => {
    const c = connector(standardMappings);
    let error: unknown;
    try {
      buildScimUser(c, { ...ada, workEmail: undefined, custom: {} }, 'create');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MappingError);
    expect(error).toMatchObject({
      code: 'MAPPING_REQUIRED_MISSING',
      app: 'acme',
      missing: [
        { target: 'userName', fields: ['workEmail'] },
        { target: 'emails[type eq "work"].value', fields: ['workEmail'] },
      ],
      message:
        'app "acme": employee E100 has no value for required userName (HR field workEmail); emails[type eq "work"].value (HR field workEmail)',
    });
  });

  test('declared extensions come first in schemas, in declaration order', () => {
    const ext = 'urn:example:ext:1.0:User';
    const c = connector(
      [
        m({ source: 'department', target: `${ENTERPRISE}:department` }),
        m({ source: 'custom.badgeId', target: `${ext}:badge` }),
      ],
      [ext, ENTERPRISE],
    );
    const user = buildScimUser(c, ada, 'update');
    expect(user.schemas).toEqual([CORE, ext, ENTERPRISE]);
    expect(user[ext]).toEqual({ badge: 'B-7' });
  });
});
