/**
 * Quirk profiles: how real applications deviate from RFC 7644. A profile is a flat set of
 * flags; the named profiles below model public vendor behaviour (see
 * shared/notes/scim-field-facts.md) and any flag can be layered on top of one of them.
 */
import type { ServerRateLimit } from './types';

/** Filter operators and logical operators of RFC 7644 §3.4.2.2. */
export type FilterOperatorName =
  | 'eq'
  | 'ne'
  | 'co'
  | 'sw'
  | 'ew'
  | 'pr'
  | 'gt'
  | 'ge'
  | 'lt'
  | 'le'
  | 'and'
  | 'or'
  | 'not';

/** Every operator: what an RFC-complete service provider accepts. */
export const ALL_FILTER_OPERATORS: readonly FilterOperatorName[] = [
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'pr',
  'gt',
  'ge',
  'lt',
  'le',
  'and',
  'or',
  'not',
];

/**
 * What `DELETE /Users/{id}` does: `hard` removes the account (then 404), `deactivate` only sets
 * `active=false` (Slack) and answers 204, `unsupported` answers 405 (Canva).
 */
export type UserDeleteBehaviour = 'hard' | 'deactivate' | 'unsupported';

/** `supported`, or how an app without PATCH refuses it: 405 Method Not Allowed or 501 Not Implemented. */
export type PatchSupport = 'supported' | 'method-not-allowed' | 'not-implemented';

/** See `QuirkProfile.memberRemoval`. */
export type MemberRemoval = 'applied' | 'ignores-value-path' | 'ignored';

/** A complete set of behaviour flags. */
export interface QuirkProfile {
  name: string;
  userDelete: UserDeleteBehaviour;
  patch: PatchSupport;
  /** `/Groups` exists (otherwise 404 and absent from /ResourceTypes). */
  groups: boolean;
  /** `/Bulk` exists (RFC 7644 §3.7). */
  bulk: boolean;
  /** Versions are checked (`If-Match` → 412, `If-None-Match` → 304); otherwise those headers are ignored. */
  etag: boolean;
  /** `sortBy`/`sortOrder` are honoured (RFC 7644 §3.4.2.3). */
  sort: boolean;
  /** Operators the filter parser accepts; others answer 400 invalidFilter. */
  filterOperators: readonly FilterOperatorName[];
  /** String comparisons in filters are case-exact even where the schema says caseExact=false (userName). */
  caseSensitiveFilters: boolean;
  /** A successful PATCH answers 204 with no body instead of 200 with the resource. */
  patchReturns204: boolean;
  /**
   * A PATCH that changes nothing (removing a non-member, adding what is there) answers 204 with
   * no body, so a `2xx` says nothing about whether the membership changed.
   */
  noOpPatchReturns204: boolean;
  /** No `Location` header and no `meta.location`. */
  omitLocation: boolean;
  /** No `Location` header on create, while the body's `meta.location` is there. */
  omitLocationHeader: boolean;
  /**
   * Broken paging: `startIndex` is ignored (every request returns the first page), `itemsPerPage`
   * echoes the requested count, `totalResults` is one more than the store holds.
   */
  badPaging: boolean;
  /** A `startIndex` past the last result answers the first page again (pages inside the results are right). */
  pastEndRepeatsFirstPage: boolean;
  /** `totalResults` is one more than the results and `itemsPerPage` echoes the requested count (paging itself works). */
  wrongPageCounts: boolean;
  /** Top-level attributes the app cannot filter on: a filter naming one answers 400 invalidFilter. */
  unfilterableAttributes: readonly string[];
  /** PATCH paths with a value filter (`emails[type eq "work"].value`) answer 400 invalidPath. */
  rejectValuePathPatch: boolean;
  /** `externalId` is silently dropped on write, so filtering on it never matches. */
  ignoresExternalId: boolean;
  /** A user whose email (any `emails.value`) belongs to another user is a 409 uniqueness conflict. */
  dedupeOnEmail: boolean;
  /** Group `displayName`s are unique (case-insensitively): a duplicate is a 409, as in Slack and GitHub. */
  uniqueGroupNames: boolean;
  /** A group member added twice is listed twice (PATCH add and POST/PUT bodies keep duplicates). */
  duplicateMembers: boolean;
  /**
   * What a PATCH `remove` of group members does: `applied`; `ignores-value-path` — a
   * `members[value eq "…"]` remove is acknowledged and changes nothing (only the
   * `path: members` + `value` form works); `ignored` — every member remove is acknowledged and
   * changes nothing (a group synced from elsewhere).
   */
  memberRemoval: MemberRemoval;
  /** PATCH op names must be lower case (`Replace` is a 400), exposing clients that send Entra-style ops. */
  lowercasePatchOpsOnly: boolean;
  /** Setting `active=false` deletes the user for good (PagerDuty): the answer shows it inactive, then it is gone (404). */
  deactivateDeletes: boolean;
  /** The app's own rate limit, used unless the server options set one; null = none. */
  rateLimit?: ServerRateLimit | null;
}

const RFC: QuirkProfile = {
  name: 'rfc',
  userDelete: 'hard',
  patch: 'supported',
  groups: true,
  bulk: true,
  etag: true,
  sort: true,
  filterOperators: ALL_FILTER_OPERATORS,
  caseSensitiveFilters: false,
  patchReturns204: false,
  noOpPatchReturns204: false,
  omitLocation: false,
  omitLocationHeader: false,
  badPaging: false,
  pastEndRepeatsFirstPage: false,
  wrongPageCounts: false,
  unfilterableAttributes: [],
  rejectValuePathPatch: false,
  ignoresExternalId: false,
  dedupeOnEmail: false,
  uniqueGroupNames: false,
  duplicateMembers: false,
  memberRemoval: 'applied',
  lowercasePatchOpsOnly: false,
  deactivateDeletes: false,
};

const GITHUB_EMU: QuirkProfile = {
  ...RFC,
  name: 'github-emu',
  userDelete: 'hard',
  bulk: false,
  etag: false,
  sort: false,
  filterOperators: ['eq'],
  uniqueGroupNames: true,
};

/**
 * Groups as some third-party servers keep them: names are not unique (two concurrent creates
 * both succeed), a member added twice is listed twice, and a PATCH that changes nothing (a
 * remove of a non-member) answers 204 with no body.
 */
const LAX_GROUPS: QuirkProfile = {
  ...RFC,
  name: 'lax-groups',
  bulk: false,
  etag: false,
  uniqueGroupNames: false,
  duplicateMembers: true,
  noOpPatchReturns204: true,
};

/** The named profiles. */
export const QUIRK_PROFILES = {
  rfc: RFC,
  // Slack: DELETE only deactivates; user writes (POST, PUT/PATCH, DELETE) are limited to
  // 180/min with a burst of 20; reads have a far higher limit and are not modelled.
  slack: {
    ...RFC,
    name: 'slack',
    userDelete: 'deactivate',
    bulk: false,
    etag: false,
    filterOperators: ['eq', 'and'],
    uniqueGroupNames: true,
    rateLimit: { requestsPerSecond: 3, burst: 20, methods: ['POST', 'PUT', 'PATCH', 'DELETE'] },
  },
  // GitHub EMU: active=false is reversible, DELETE is an irreversible hard deprovision; user
  // lookups are `eq` filters only.
  'github-emu': GITHUB_EMU,
  /** Alias of `github-emu`, named like config/connectors/github.yaml. */
  github: { ...GITHUB_EMU, name: 'github' },
  'no-patch': { ...RFC, name: 'no-patch', patch: 'not-implemented', bulk: false },
  // Canva, as config/connectors/canva.yaml describes it: no DELETE (deprovisioning is
  // active=false), no PATCH (full PUTs), no groups, `eq` filters only.
  canva: {
    ...RFC,
    name: 'canva',
    userDelete: 'unsupported',
    patch: 'method-not-allowed',
    groups: false,
    bulk: false,
    etag: false,
    sort: false,
    filterOperators: ['eq'],
  },
  'no-delete': { ...RFC, name: 'no-delete', userDelete: 'unsupported' },
  // PagerDuty: deactivating a user deletes it and it cannot be reactivated.
  pagerduty: { ...RFC, name: 'pagerduty', deactivateDeletes: true, bulk: false, etag: false, groups: false },
  'no-groups': { ...RFC, name: 'no-groups', groups: false },
  // Entra-tuned apps commonly implement only what Entra sends: eq and and.
  minimal: { ...RFC, name: 'minimal', bulk: false, sort: false, etag: false, filterOperators: ['eq', 'and'] },
  'lax-groups': LAX_GROUPS,
  // Every deviation observed in third-party servers at once: lax groups, `eq`/`and` filters,
  // case-sensitive userName, paging past the end repeating page 1 with wrong counts, no Location header.
  sloppy: {
    ...LAX_GROUPS,
    name: 'sloppy',
    sort: false,
    filterOperators: ['eq', 'and'],
    caseSensitiveFilters: true,
    pastEndRepeatsFirstPage: true,
    wrongPageCounts: true,
    omitLocationHeader: true,
  },
} satisfies Record<string, QuirkProfile>;

/** Names of the built-in profiles. */
export type QuirkProfileName = keyof typeof QUIRK_PROFILES;

/** A profile built from a named base (default `rfc`) with some flags overridden. */
export type QuirkProfileInput = Partial<Omit<QuirkProfile, 'name'>> & { base?: QuirkProfileName; name?: string };

/** True when `name` is a built-in profile. */
export function isQuirkProfileName(name: string): name is QuirkProfileName {
  return Object.prototype.hasOwnProperty.call(QUIRK_PROFILES, name);
}

/** Throws on unknown flags or values of the wrong type (a typo in `--quirk` must not pass silently). */
function checkFlags(flags: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(flags)) {
    if (key === 'name' || key === 'rateLimit' || value === undefined) continue;
    if (!Object.prototype.hasOwnProperty.call(RFC, key)) throw new Error(`unknown SCIM quirk flag "${key}"`);
    const expected = RFC[key as keyof QuirkProfile];
    const ok = Array.isArray(expected) ? Array.isArray(value) : typeof value === typeof expected;
    if (!ok)
      throw new Error(
        `SCIM quirk flag "${key}" must be ${Array.isArray(expected) ? 'a list' : `a ${typeof expected}`}`,
      );
  }
}

/** Resolves a profile name or composition into a complete profile. */
export function resolveProfile(input: QuirkProfileName | QuirkProfileInput | undefined): QuirkProfile {
  if (input === undefined) return RFC;
  if (typeof input === 'string') {
    if (!isQuirkProfileName(input))
      throw new Error(`unknown SCIM quirk profile "${input}" (known: ${Object.keys(QUIRK_PROFILES).join(', ')})`);
    return QUIRK_PROFILES[input];
  }
  const { base, ...flags } = input;
  checkFlags(flags);
  const baseProfile = resolveProfile(base ?? 'rfc');
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const name = input.name ?? (Object.keys(defined).length ? `${baseProfile.name}+custom` : baseProfile.name);
  return { ...baseProfile, ...defined, name };
}
