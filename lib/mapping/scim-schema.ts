/**
 * What the orchestrator knows about the User schemas it writes: the core User schema
 * (RFC 7643 §4.1) and the enterprise extension (RFC 7643 §4.3). Used to validate mapping
 * targets (with did-you-mean), to know which attributes are multi-valued or complex, and to
 * compare values the way the service provider will (`caseExact`, RFC 7643 §2.2).
 */
import { CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from './types';

/** RFC 7643 §2.3 data types. */
export type ScimAttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'binary'
  | 'complex';

/** The slice of an RFC 7643 §7 attribute definition the mapping needs. */
export interface ScimAttributeDef {
  type: ScimAttributeType;
  multiValued: boolean;
  /** RFC 7643 §2.2: string comparison is case-sensitive only when true. @default false */
  caseExact?: boolean;
  /** `readOnly` attributes are set by the service provider and cannot be mapping targets. */
  readOnly?: boolean;
  /** Sub-attributes of a complex attribute. */
  subAttributes?: Record<string, ScimAttributeDef>;
}

const str: ScimAttributeDef = { type: 'string', multiValued: false };
const ref: ScimAttributeDef = { type: 'reference', multiValued: false };
const bool: ScimAttributeDef = { type: 'boolean', multiValued: false };

/** RFC 7643 §2.4: the canonical sub-attributes of a multi-valued attribute. */
function multiValued(value: ScimAttributeDef = str, extra: Record<string, ScimAttributeDef> = {}): ScimAttributeDef {
  return {
    type: 'complex',
    multiValued: true,
    subAttributes: { value, display: str, type: str, primary: bool, ...extra },
  };
}

/** RFC 7643 §4.1 (and §3.1 for the common attributes `id`, `externalId`, `meta`). */
export const CORE_USER_ATTRIBUTES: Record<string, ScimAttributeDef> = {
  id: { type: 'string', multiValued: false, caseExact: true, readOnly: true },
  externalId: { type: 'string', multiValued: false, caseExact: true },
  meta: { type: 'complex', multiValued: false, readOnly: true, subAttributes: {} },
  userName: str,
  name: {
    type: 'complex',
    multiValued: false,
    subAttributes: {
      formatted: str,
      familyName: str,
      givenName: str,
      middleName: str,
      honorificPrefix: str,
      honorificSuffix: str,
    },
  },
  displayName: str,
  nickName: str,
  profileUrl: ref,
  title: str,
  userType: str,
  preferredLanguage: str,
  locale: str,
  timezone: str,
  active: bool,
  password: str,
  emails: multiValued(),
  phoneNumbers: multiValued(),
  ims: multiValued(),
  photos: multiValued(ref),
  addresses: {
    type: 'complex',
    multiValued: true,
    subAttributes: {
      formatted: str,
      streetAddress: str,
      locality: str,
      region: str,
      postalCode: str,
      country: str,
      type: str,
      primary: bool,
    },
  },
  groups: { ...multiValued(str, { $ref: ref }), readOnly: true },
  entitlements: multiValued(),
  roles: multiValued(),
  x509Certificates: multiValued({ type: 'binary', multiValued: false }),
};

/** RFC 7643 §4.3. */
export const ENTERPRISE_USER_ATTRIBUTES: Record<string, ScimAttributeDef> = {
  employeeNumber: str,
  costCenter: str,
  organization: str,
  division: str,
  department: str,
  manager: {
    type: 'complex',
    multiValued: false,
    subAttributes: { value: str, $ref: ref, displayName: { ...str, readOnly: true } },
  },
};

/** Attribute definitions by schema URN; extensions not listed here are opaque (any name). */
export const KNOWN_SCHEMAS: Record<string, Record<string, ScimAttributeDef>> = {
  [CORE_USER_SCHEMA]: CORE_USER_ATTRIBUTES,
  [ENTERPRISE_USER_SCHEMA]: ENTERPRISE_USER_ATTRIBUTES,
};

/**
 * Case-insensitive lookup (RFC 7643 §2.1: attribute names are case-insensitive); returns the
 * canonical name with its definition.
 */
export function findAttribute(
  attrs: Record<string, ScimAttributeDef>,
  name: string,
): { name: string; def: ScimAttributeDef } | undefined {
  const lower = name.toLowerCase();
  for (const [key, def] of Object.entries(attrs)) {
    if (key.toLowerCase() === lower) return { name: key, def };
  }
  return undefined;
}
