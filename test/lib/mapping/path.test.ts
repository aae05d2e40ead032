import { formatScimPath, parseScimPath, resolveTarget, ScimPathSyntaxError } from '../../../lib/mapping';
import { ENTERPRISE } from './fixtures';

describe('parseScimPath (RFC 7644 §3.10, §3.5.2 PATH)', () => {
  test.each([
    ['userName', { attribute: 'userName' }],
    ['name.givenName', { attribute: 'name', subAttribute: 'givenName' }],
    ['emails[type eq "work"]', { attribute: 'emails', filter: { attribute: 'type', value: 'work' } }],
    [
      'emails[type eq "work"].value',
      { attribute: 'emails', filter: { attribute: 'type', value: 'work' }, subAttribute: 'value' },
    ],
    [
      'emails[ primary EQ true ].value',
      { attribute: 'emails', filter: { attribute: 'primary', value: true }, subAttribute: 'value' },
    ],
    [
      'addresses[type eq "a]b\\"c"].locality',
      { attribute: 'addresses', filter: { attribute: 'type', value: 'a]b"c' }, subAttribute: 'locality' },
    ],
    [`${ENTERPRISE}:department`, { schema: ENTERPRISE, attribute: 'department' }],
    [`${ENTERPRISE}:manager.value`, { schema: ENTERPRISE, attribute: 'manager', subAttribute: 'value' }],
    [
      'urn:example:ext:1.0:User:badges[type eq "door"].value',
      {
        schema: 'urn:example:ext:1.0:User',
        attribute: 'badges',
        filter: { attribute: 'type', value: 'door' },
        subAttribute: 'value',
      },
    ],
  ])('%s', (text, expected) => {
    expect(parseScimPath(text)).toEqual({ schema: undefined, ...expected });
  });

  test.each([
    [
      'emails[type co "wo"].value',
      'unsupported value filter "[type co "wo"]"; write one equality test such as [type eq "work"]',
    ],
    ['emails[type eq "work"', '"[" is never closed with "]"'],
    ['emails[type eq "work"]value', 'expected "." and a sub-attribute after "]", found "value"'],
    ['name.given.name', 'a path has at most one sub-attribute (attr.sub)'],
    ['1name', '"1name" is not a valid attribute name (letters, digits, "-" and "_", starting with a letter)'],
  ])('rejects %s', (text, message) => {
    expect(() => parseScimPath(text)).toThrow(new ScimPathSyntaxError(message, 0));
  });

  test('format is the inverse of parse and quotes filter values as JSON', () => {
    for (const text of [
      'emails[type eq "work"].value',
      `${ENTERPRISE}:manager.value`,
      'x509Certificates[primary eq true].value',
    ]) {
      expect(formatScimPath(parseScimPath(text))).toBe(text);
    }
  });
});

describe('resolveTarget against RFC 7643 §4.1 / §4.3', () => {
  const ok = (text: string, ext: string[] = []) => {
    const r = resolveTarget(text, ext);
    if (!r.ok) throw new Error(r.message);
    return r.target;
  };
  const fail = (text: string, ext: string[] = []) => {
    const r = resolveTarget(text, ext);
    return r.ok ? 'ok' : r.message;
  };

  test('canonicalises attribute-name case (attribute names are case-insensitive, RFC 7643 §2.1)', () => {
    expect(ok('USERNAME').text).toBe('userName');
    expect(ok('Emails[Type eq "work"].Value').text).toBe('emails[type eq "work"].value');
    expect(ok(`${ENTERPRISE.toLowerCase()}:Department`).text).toBe(`${ENTERPRISE}:department`);
  });

  test('knows types', () => {
    expect(ok('active').leaf?.type).toBe('boolean');
    expect(ok('emails[type eq "work"].primary').leaf?.type).toBe('boolean');
    expect(ok('emails[type eq "work"].value').attribute.multiValued).toBe(true);
  });

  test.each([
    ['emials', 'unknown SCIM attribute "emials"; did you mean "emails"?'],
    ['emails.value', '"emails" is multi-valued; select one value with a filter, e.g. emails[type eq "work"].value'],
    ['emails[type eq "work"]', '"emails" is complex; map one of its sub-attributes, e.g. emails[type eq "work"].value'],
    ['emails[tpye eq "work"].value', '"tpye" is not a sub-attribute of "emails"; did you mean "type"?'],
    ['name', '"name" is complex; map one of its sub-attributes, e.g. name.formatted'],
    ['name.givenNmae', 'unknown sub-attribute "givenNmae" of "name"; did you mean "givenName"?'],
    ['title.value', '"title" has no sub-attributes; remove ".value"'],
    ['title[type eq "x"].value', '"title" is single-valued; remove the [type eq …] filter'],
    ['id', '"id" is read-only (set by the application) and cannot be a mapping target'],
    ['groups[type eq "direct"].value', '"groups" is read-only (set by the application) and cannot be a mapping target'],
    [
      `${ENTERPRISE}:manager.displayName`,
      `"${ENTERPRISE}:manager.displayName" is read-only and cannot be a mapping target`,
    ],
    [`${ENTERPRISE}:departmant`, `unknown SCIM attribute "departmant" in ${ENTERPRISE}; did you mean "department"?`],
    [
      'urn:example:ext:1.0:User:badge',
      'unknown schema "urn:example:ext:1.0:User"; declare a custom extension in scim.userSchemaExtensions',
    ],
  ])('%s', (text, message) => {
    expect(fail(text)).toBe(message);
  });

  test('attributes of declared custom extensions are accepted by any name', () => {
    expect(ok('urn:example:ext:1.0:User:badge', ['urn:example:ext:1.0:User']).schema).toBe('urn:example:ext:1.0:User');
  });
});
