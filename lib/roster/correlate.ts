/**
 * Correlation for the initial load (Okta/SailPoint "import and correlate"): which existing
 * account in one app belongs to which person of an HR roster. First by `externalId` (ours:
 * the HR employee id), then by `userName` — as the connector's mapping would build it from HR —
 * or the work email, both case-insensitively (apps store `Ada@Example.com` as typed).
 * Anything ambiguous is a conflict and is never adopted automatically. No I/O: the scan and
 * the adoption live in ./import.ts; this is unit-tested with plain data.
 */
import { evaluateAccess } from '../access';
import type { ConnectorConfig, PolicyConfig } from '../config/types';
import type { EmployeeRecord } from '../hr/employee';
import type { ScimUserResource } from '../mapping';
import { buildResource } from '../mapping/build';

export const CONFLICT_KINDS = [
  /** Several accounts claim one person (by externalId, or by userName/email). */
  'several-accounts',
  /** One account matches several people of the roster. */
  'shared-account',
  /** The account matched by userName/email carries an externalId of someone else. */
  'externalid-mismatch',
  /** Matched by email only, and the app cannot keep our externalId: the person's workflow would not find it. */
  'not-adoptable',
] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];

/** How an account was tied to a person. */
export type MatchedBy = 'externalId' | 'userName' | 'email';

/**
 * What adoption does: `none` (already carries the person's externalId), `set-externalId`
 * (PATCH it), `by-userName` (the app keeps no externalId; the person's workflow finds the
 * account by the userName its mapping builds, which this one has).
 */
export type Adoption = 'none' | 'set-externalId' | 'by-userName';

export interface Match {
  employeeId: string;
  scimId: string;
  userName?: string;
  by: MatchedBy;
  adoption: Adoption;
  active: boolean;
  /** The policy grants this person the app (if not, the lifecycle will not manage the account's access). */
  granted: boolean;
}

export interface Conflict {
  kind: ConflictKind;
  employeeIds: string[];
  scimIds: string[];
  detail: string;
}

export interface AppCorrelation {
  app: string;
  matches: Match[];
  conflicts: Conflict[];
  /** Granted by the policy, no account: the person's joiner creates it. */
  toCreate: string[];
  /** Accounts no person of the roster claims (left alone). */
  unclaimed: { scimId: string; userName?: string; externalId?: string }[];
}

export interface CorrelateInput {
  connector: ConnectorConfig;
  policy: Pick<PolicyConfig, 'access'>;
  connectors: Record<string, Pick<ConnectorConfig, 'groups'>>;
  people: readonly EmployeeRecord[];
  users: readonly ScimUserResource[];
}

/**
 * Whether adoption may write our `externalId` into the app: the connector looks accounts up by
 * it (`match`) and maps it on update. A connector for an app that drops or refuses externalId
 * says so by leaving it out of `match`; then accounts are found by `userName`.
 */
export function canSetExternalId(connector: ConnectorConfig): boolean {
  return (
    connector.match.includes('externalId') &&
    connector.mappings.some((m) => m.target === 'externalId' && m.applyOn.includes('update'))
  );
}

/** The userName the connector builds from HR, lower-cased; undefined when the mapping has no value. */
export function expectedUserName(connector: ConnectorConfig, person: EmployeeRecord): string | undefined {
  const built = buildResource(connector, person, 'create', { requireAll: false }).userName;
  return typeof built === 'string' && built ? built.toLowerCase() : undefined;
}

function emailsOf(user: ScimUserResource): string[] {
  const emails = Array.isArray(user.emails) ? (user.emails as { value?: unknown }[]) : [];
  return emails.map((e) => (typeof e?.value === 'string' ? e.value.toLowerCase() : '')).filter(Boolean);
}

export function correlateApp(input: CorrelateInput): AppCorrelation {
  const { connector } = input;
  const app = connector.id;
  const conflicts: Conflict[] = [];
  const rosterIds = new Set(input.people.map((p) => p.employeeId));

  // Indexes over the accounts: by externalId, userName and email (lower case).
  const byExternalId = new Map<string, ScimUserResource[]>();
  const byUserName = new Map<string, ScimUserResource[]>();
  const byEmail = new Map<string, ScimUserResource[]>();
  const push = (map: Map<string, ScimUserResource[]>, key: string, user: ScimUserResource) => {
    const list = map.get(key) ?? [];
    if (!list.includes(user)) list.push(user);
    map.set(key, list);
  };
  for (const user of input.users) {
    if (!user.id) continue;
    if (user.externalId) push(byExternalId, user.externalId, user);
    if (user.userName) push(byUserName, user.userName.toLowerCase(), user);
    for (const email of emailsOf(user)) push(byEmail, email, user);
  }

  // Each person's candidate accounts and how they were found. An externalId is authoritative: an
  // account matched by userName/email that carries any externalId is someone else's claim, not a candidate.
  interface Candidate {
    person: EmployeeRecord;
    users: ScimUserResource[];
    by: MatchedBy;
    foreign: ScimUserResource[];
  }
  const candidates: Candidate[] = [];
  const claimedBy = new Map<string, string[]>(); // scimId → employee ids
  for (const person of input.people) {
    let found: ScimUserResource[] = byExternalId.get(person.employeeId) ?? [];
    let by: MatchedBy = 'externalId';
    if (found.length === 0) {
      const userName = expectedUserName(connector, person);
      const email = person.workEmail?.toLowerCase();
      const viaUserName = [
        ...(userName ? (byUserName.get(userName) ?? []) : []),
        ...(email && email !== userName ? (byUserName.get(email) ?? []) : []),
      ];
      found = [...new Set(viaUserName)];
      by = 'userName';
      if (found.length === 0 && email) {
        found = byEmail.get(email) ?? [];
        by = 'email';
      }
    }
    if (found.length === 0) continue;
    const foreign = by === 'externalId' ? [] : found.filter((u) => u.externalId);
    const users = foreign.length > 0 ? [] : found;
    candidates.push({ person, users, by, foreign });
    for (const user of users) claimedBy.set(user.id!, [...(claimedBy.get(user.id!) ?? []), person.employeeId]);
  }

  const settable = canSetExternalId(connector);
  const matches: Match[] = [];
  const inConflict = new Set<string>(); // employee ids
  const reportedShared = new Set<string>(); // scim ids
  for (const { person, users, by, foreign } of candidates) {
    const id = person.employeeId;
    if (foreign.length > 0) {
      inConflict.add(id);
      const owners = foreign.map(
        (u) =>
          `${u.id} (externalId ${u.externalId}: ${rosterIds.has(u.externalId!) ? 'another person of the roster' : 'a person not in the roster'})`,
      );
      conflicts.push({
        kind: 'externalid-mismatch',
        employeeIds: [id],
        scimIds: foreign.map((u) => u.id!),
        detail: `matches by ${by} an account that belongs to someone else: ${owners.join(', ')}; correct it in the app or in HR`,
      });
      continue;
    }
    const shared = users.filter((u) => (claimedBy.get(u.id!) ?? []).length > 1);
    if (shared.length > 0) {
      inConflict.add(id);
      for (const user of shared) {
        if (reportedShared.has(user.id!)) continue;
        reportedShared.add(user.id!);
        const who = claimedBy.get(user.id!)!;
        conflicts.push({
          kind: 'shared-account',
          employeeIds: who,
          scimIds: [user.id!],
          detail: `account ${user.id} matches ${who.length} people (${who.join(', ')}) by ${by}; fix userName or email in HR or the app`,
        });
      }
      continue;
    }
    if (users.length > 1) {
      inConflict.add(id);
      conflicts.push({
        kind: 'several-accounts',
        employeeIds: [id],
        scimIds: users.map((u) => u.id!),
        detail: `${users.length} accounts match this person by ${by} (${users.map((u) => u.id).join(', ')}); merge or remove the extra ones in the app`,
      });
      continue;
    }
    const user = users[0]!;
    let adoption: Adoption = 'none';
    if (by !== 'externalId') {
      if (settable) adoption = 'set-externalId';
      else if (user.userName?.toLowerCase() === expectedUserName(connector, person)) adoption = 'by-userName';
      else {
        inConflict.add(id);
        conflicts.push({
          kind: 'not-adoptable',
          employeeIds: [id],
          scimIds: [user.id!],
          detail: `account ${user.id} matches by email, but ${app} keeps no externalId and its userName differs from the one the connector builds; align the userName, then import again`,
        });
        continue;
      }
    }
    matches.push({
      employeeId: id,
      scimId: user.id!,
      userName: user.userName,
      by,
      adoption,
      active: user.active !== false,
      granted: isGranted(input, person),
    });
  }

  const matched = new Set([...matches.map((m) => m.employeeId), ...inConflict]);
  const toCreate = input.people
    .filter((p) => !matched.has(p.employeeId) && p.status !== 'terminated' && isGranted(input, p))
    .map((p) => p.employeeId);
  const inConflictAccounts = new Set(conflicts.flatMap((c) => c.scimIds));
  const unclaimed = input.users
    .filter((u) => u.id && !claimedBy.has(u.id) && !inConflictAccounts.has(u.id))
    .map((u) => ({
      scimId: u.id!,
      ...(u.userName ? { userName: u.userName } : {}),
      ...(u.externalId ? { externalId: u.externalId } : {}),
    }));
  return { app, matches, conflicts, toCreate, unclaimed };
}

function isGranted(input: CorrelateInput, person: EmployeeRecord): boolean {
  if (person.status === 'terminated') return false;
  return evaluateAccess(input.policy, input.connectors, person).apps[input.connector.id] !== undefined;
}
