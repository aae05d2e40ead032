/**
 * Attribute definitions of the User, Group and enterprise extension schemas (RFC 7643 §4, §7).
 * They drive everything that depends on the schema: case-exactness in filters, mutability on
 * PUT/PATCH, `returned` on projection, type coercion, and the /Schemas endpoint.
 */
import { URN } from '../protocol/urns';

/** Attribute data types (RFC 7643 §2.3). */
export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'complex'
  | 'binary';
/** Attribute mutability (RFC 7643 §7). */
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
/** When an attribute is returned (RFC 7643 §7). */
export type Returned = 'always' | 'never' | 'default' | 'request';
/** Attribute uniqueness (RFC 7643 §7). */
export type Uniqueness = 'none' | 'server' | 'global';

/** One attribute, as in the `attributes` of a Schema resource (RFC 7643 §7). */
export interface AttributeDef {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  subAttributes?: AttributeDef[];
  canonicalValues?: string[];
  referenceTypes?: string[];
}

/** A schema resource (RFC 7643 §7) as the server uses it. */
export interface SchemaDef {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDef[];
}

type Opts = Partial<Omit<AttributeDef, 'name' | 'type' | 'description'>>;

function attr(name: string, type: AttributeType, description: string, opts: Opts = {}): AttributeDef {
  return {
    name,
    type,
    description,
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...opts,
  };
}

/** The sub-attributes shared by multi-valued attributes (RFC 7643 §2.4). */
function multiValue(
  name: string,
  description: string,
  types: string[],
  extra: AttributeDef[] = [],
  opts: Opts = {},
): AttributeDef {
  return attr(name, 'complex', description, {
    multiValued: true,
    ...opts,
    subAttributes: [
      attr('value', 'string', `The ${name} value.`),
      attr('display', 'string', 'A human-readable name, primarily used for display purposes.'),
      attr('type', 'string', "A label indicating the attribute's function.", { canonicalValues: types }),
      attr('primary', 'boolean', 'Indicates the primary or preferred value; at most one per attribute.'),
      ...extra,
    ],
  });
}

/** `id`, `externalId` and `meta`, common to every resource (RFC 7643 §3.1). */
export const COMMON_ATTRIBUTES: AttributeDef[] = [
  attr('id', 'string', 'Unique identifier assigned by the service provider.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attr('externalId', 'string', 'Identifier assigned by the provisioning client.', { caseExact: true }),
  attr('meta', 'complex', 'Resource metadata.', {
    mutability: 'readOnly',
    subAttributes: [
      attr('resourceType', 'string', 'The name of the resource type.', { caseExact: true, mutability: 'readOnly' }),
      attr('created', 'dateTime', 'When the resource was added.', { mutability: 'readOnly' }),
      attr('lastModified', 'dateTime', 'When the resource was last modified.', { mutability: 'readOnly' }),
      attr('location', 'reference', 'The URI of the resource.', {
        caseExact: true,
        mutability: 'readOnly',
        referenceTypes: ['uri'],
      }),
      attr('version', 'string', 'The version (weak ETag) of the resource.', {
        caseExact: true,
        mutability: 'readOnly',
      }),
    ],
  }),
];

const nameSubAttributes = [
  'formatted',
  'familyName',
  'givenName',
  'middleName',
  'honorificPrefix',
  'honorificSuffix',
].map((n) => attr(n, 'string', `The ${n} component of the name.`));

const address = multiValue(
  'addresses',
  'Physical mailing addresses.',
  ['work', 'home', 'other'],
  [
    ...['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country'].map((n) =>
      attr(n, 'string', `The ${n} component.`),
    ),
  ],
);
// RFC 7643 §4.1.2: addresses have no `value`; drop it from the shared sub-attributes.
address.subAttributes = address.subAttributes!.filter((a) => a.name !== 'value');

const groupRef = (opts: Opts = {}) => [
  attr('$ref', 'reference', 'The URI of the referenced resource.', {
    caseExact: true,
    referenceTypes: ['User', 'Group'],
    ...opts,
  }),
];

/** `urn:ietf:params:scim:schemas:core:2.0:User` (RFC 7643 §4.1, §8.7.1). */
export const USER_SCHEMA: SchemaDef = {
  id: URN.user,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr('userName', 'string', 'Unique identifier for the User, used to authenticate.', {
      required: true,
      uniqueness: 'server',
    }),
    attr('name', 'complex', "The components of the user's name.", { subAttributes: nameSubAttributes }),
    ...['displayName', 'nickName', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone'].map((n) =>
      attr(n, 'string', `The ${n} of the User.`),
    ),
    attr('profileUrl', 'reference', "A URI pointing to the user's online profile.", { referenceTypes: ['external'] }),
    attr('active', 'boolean', "The User's administrative status."),
    attr('password', 'string', "The User's cleartext password (write-only).", {
      mutability: 'writeOnly',
      returned: 'never',
      caseExact: true,
    }),
    multiValue('emails', 'Email addresses for the user.', ['work', 'home', 'other']),
    multiValue('phoneNumbers', 'Phone numbers for the User.', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    multiValue('ims', 'Instant messaging addresses for the User.', [
      'aim',
      'gtalk',
      'icq',
      'xmpp',
      'msn',
      'skype',
      'qq',
      'yahoo',
    ]),
    multiValue('photos', 'URLs of photos of the User.', ['photo', 'thumbnail']),
    address,
    multiValue(
      'groups',
      'Groups the user belongs to (managed through /Groups).',
      ['direct', 'indirect'],
      groupRef({ mutability: 'readOnly' }),
      {
        mutability: 'readOnly',
      },
    ),
    multiValue('entitlements', 'Entitlements of the User.', []),
    multiValue('roles', 'Roles of the User.', []),
    multiValue('x509Certificates', 'Certificates of the User.', []),
  ],
};

/** The enterprise User extension (RFC 7643 §4.3). */
export const ENTERPRISE_USER_SCHEMA: SchemaDef = {
  id: URN.enterpriseUser,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    ...['employeeNumber', 'costCenter', 'organization', 'division', 'department'].map((n) =>
      attr(n, 'string', `The ${n} of the User.`),
    ),
    attr('manager', 'complex', "The User's manager.", {
      subAttributes: [
        attr('value', 'string', "The id of the manager's User resource.", { caseExact: true }),
        ...groupRef(),
        attr('displayName', 'string', "The manager's display name.", { mutability: 'readOnly' }),
      ],
    }),
  ],
};

/** `urn:ietf:params:scim:schemas:core:2.0:Group` (RFC 7643 §4.2). */
export const GROUP_SCHEMA: SchemaDef = {
  id: URN.group,
  name: 'Group',
  description: 'Group',
  attributes: [
    attr('displayName', 'string', 'A human-readable name for the Group.', { required: true }),
    attr('members', 'complex', 'A list of members of the Group.', {
      multiValued: true,
      subAttributes: [
        attr('value', 'string', 'Identifier of the member.', { caseExact: true, mutability: 'immutable' }),
        ...groupRef({ mutability: 'immutable' }),
        attr('display', 'string', 'A human-readable name of the member.', { mutability: 'readOnly' }),
        attr('type', 'string', 'The type of member.', { canonicalValues: ['User', 'Group'], mutability: 'immutable' }),
      ],
    }),
  ],
};

/** A resource type: its core schema and the extensions it accepts (RFC 7643 §6). */
export interface ResourceTypeDef {
  name: 'User' | 'Group';
  endpoint: '/Users' | '/Groups';
  schema: SchemaDef;
  extensions: SchemaDef[];
}

/** The User resource type with its enterprise extension. */
export const USER_TYPE: ResourceTypeDef = {
  name: 'User',
  endpoint: '/Users',
  schema: USER_SCHEMA,
  extensions: [ENTERPRISE_USER_SCHEMA],
};
/** The Group resource type. */
export const GROUP_TYPE: ResourceTypeDef = { name: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA, extensions: [] };
