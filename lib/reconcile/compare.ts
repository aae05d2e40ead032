/**
 * Reconciliation, the pure part: what one app actually holds (a full scan of its users and
 * groups) against what this product says should exist (the people it knows, their last HR
 * snapshot and the access policy), as findings. No I/O: the scan and the repairs live in
 * ./reconcile.ts; this is unit-tested with plain data.
 *
 * Findings name people by employee id and accounts by SCIM id; `detail` names attributes,
 * never their values (another person's data must not leak into a report or an alert).
 */
import { evaluateAccess } from '../access';
import type { ConnectorConfig, PolicyConfig } from '../config/types';
import type { EmployeeRecord } from '../hr/employee';
import type { AppAccount } from '../lifecycle/types';
import { diffScimUser, type ScimUserResource } from '../mapping';
import { buildResource } from '../mapping/build';
import type { ScimGroup } from '../scim';

export const FINDING_KINDS = [
  'active-leaver',
  'missing',
  'orphan',
  'unmanaged',
  'duplicate-account',
  'attribute-drift',
  'group-drift',
  'duplicate-group',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  kind: FindingKind;
  employeeId?: string;
  scimId?: string;
  userName?: string;
  detail: string;
  /** What `--apply` may do about it; absent: report only (orphans, unmanaged, duplicates). */
  repair?: Repair;
}

export type Repair =
  | { action: 'deactivate'; scimId: string }
  | { action: 'patch-attributes'; scimId: string; desired: ScimUserResource; attributes: string[] }
  | { action: 'fix-membership'; groupId: string; group: string; add: string[]; remove: string[] }
  /** Never a direct create: the person's employee workflow runs its joiner step, so its registry knows the account. */
  | { action: 'ensure-account'; employeeId: string };

/** A person this product knows, as its employee workflow says. */
export interface KnownPerson {
  employeeId: string;
  /** The last applied HR snapshot; absent for a workflow that has seen no valid event. */
  snapshot?: EmployeeRecord;
  /** The workflow's registry entry for this app, if any. */
  account?: AppAccount;
  /** A mover's access kept for a grace period: not drift until it is due. */
  revocationPendingForApp?: boolean;
}

export interface AppScan {
  users: ScimUserResource[];
  groups: ScimGroup[];
}

export interface ReconcileInput {
  connector: ConnectorConfig;
  policy: Pick<PolicyConfig, 'access'>;
  connectors: Record<string, Pick<ConnectorConfig, 'groups'>>;
  people: KnownPerson[];
  scan: AppScan;
}

/** HR says this person has no access at all. */
export function isLeaver(person: KnownPerson): boolean {
  return person.snapshot?.status === 'terminated';
}

/** Group names this product manages in the app: any the policy grants to someone it knows. */
function managedGroupNames(input: ReconcileInput, grants: Map<string, string[]>): Set<string> {
  const names = new Set<string>();
  for (const groups of grants.values()) for (const g of groups) names.add(g.toLowerCase());
  for (const person of input.people) for (const g of person.account?.groups ?? []) names.add(g.toLowerCase());
  return names;
}

export function reconcileApp(input: ReconcileInput): Finding[] {
  const { connector, scan } = input;
  const app = connector.id;
  const findings: Finding[] = [];
  const people = new Map(input.people.map((p) => [p.employeeId, p]));

  // What the policy grants each known, non-terminated person in this app (group names).
  const grants = new Map<string, string[]>();
  for (const person of input.people) {
    if (!person.snapshot || isLeaver(person)) continue;
    const access = evaluateAccess(input.policy, input.connectors, person.snapshot).apps[app];
    if (access) grants.set(person.employeeId, access.groups);
  }

  // Accounts by externalId; several for one person is a finding of its own.
  const byExternalId = new Map<string, ScimUserResource[]>();
  for (const user of scan.users) {
    if (!user.externalId) {
      findings.push({
        kind: 'unmanaged',
        scimId: user.id,
        userName: user.userName,
        detail: 'account without externalId: no person of this product claims it',
      });
      continue;
    }
    const list = byExternalId.get(user.externalId) ?? [];
    list.push(user);
    byExternalId.set(user.externalId, list);
  }

  const accountOf = new Map<string, ScimUserResource>();
  for (const [externalId, accounts] of byExternalId) {
    const person = people.get(externalId);
    if (!person) {
      for (const user of accounts) {
        findings.push({
          kind: 'orphan',
          scimId: user.id,
          userName: user.userName,
          detail: `externalId ${externalId} belongs to no person this product knows`,
        });
      }
      continue;
    }
    if (accounts.length > 1) {
      const ids = accounts.map((a) => a.id).join(', ');
      findings.push({
        kind: 'duplicate-account',
        employeeId: externalId,
        detail: `${accounts.length} accounts carry this externalId (${ids}); resolve by hand`,
      });
    }
    // The registry's account when it is among them, else the first: the rest are reported above.
    const chosen = accounts.find((a) => a.id === person.account?.scimId) ?? accounts[0]!;
    accountOf.set(externalId, chosen);
    if (isLeaver(person)) {
      // Every account of a leaver must be inactive, duplicates included.
      for (const user of accounts) {
        if (user.active !== false) {
          findings.push({
            kind: 'active-leaver',
            employeeId: externalId,
            scimId: user.id,
            userName: user.userName,
            detail: 'HR says terminated; the account is active',
            repair: { action: 'deactivate', scimId: user.id! },
          });
        }
      }
    }
  }

  for (const person of input.people) {
    if (!person.snapshot || isLeaver(person)) continue;
    const granted = grants.has(person.employeeId);
    const user = accountOf.get(person.employeeId);
    if (granted && !user) {
      if (person.snapshot.status === 'active') {
        findings.push({
          kind: 'missing',
          employeeId: person.employeeId,
          detail: 'the policy grants this app; no account carries this externalId',
          repair: { action: 'ensure-account', employeeId: person.employeeId },
        });
      }
      continue;
    }
    if (!user) continue;
    if (!granted) {
      if (user.active !== false && !person.revocationPendingForApp) {
        findings.push({
          kind: 'attribute-drift',
          employeeId: person.employeeId,
          scimId: user.id,
          userName: user.userName,
          detail: 'active: no access rule grants this app',
          repair: { action: 'deactivate', scimId: user.id! },
        });
      }
      continue;
    }
    if (person.snapshot.status !== 'active') continue;
    if (user.active === false) {
      // Restoring access is the lifecycle's job (a re-hire or retry), not a silent repair.
      findings.push({
        kind: 'attribute-drift',
        employeeId: person.employeeId,
        scimId: user.id,
        userName: user.userName,
        detail:
          'inactive although HR says active and the policy grants this app (not repaired: use jml employee retry)',
      });
      continue;
    }
    const desired = buildResource(connector, person.snapshot, 'update', { requireAll: false });
    const ops = diffScimUser(connector, user, desired);
    if (ops.length > 0) {
      const attributes = [
        ...new Set(ops.map((op) => op.path ?? Object.keys((op.value ?? {}) as object).join(','))),
      ].filter(Boolean);
      findings.push({
        kind: 'attribute-drift',
        employeeId: person.employeeId,
        scimId: user.id,
        userName: user.userName,
        detail: `differs from HR in: ${attributes.join(', ')}`,
        repair: { action: 'patch-attributes', scimId: user.id!, desired, attributes },
      });
    }
  }

  // Groups the product manages: duplicates by name, and membership against the grants.
  const managed = managedGroupNames(input, grants);
  const groupsByName = new Map<string, ScimGroup[]>();
  for (const group of scan.groups) {
    const key = group.displayName.toLowerCase();
    if (!managed.has(key)) continue;
    const list = groupsByName.get(key) ?? [];
    list.push(group);
    groupsByName.set(key, list);
  }
  const personByScimId = new Map<string, string>();
  for (const [employeeId, user] of accountOf) if (user.id) personByScimId.set(user.id, employeeId);
  // Who should be in each group, built once from the grants: looking through every grant for
  // each group instead cost groups × people (10 s for 10,000 people in 1,000 groups).
  const shouldByGroup = new Map<string, Set<string>>();
  for (const [employeeId, names] of grants) {
    const user = accountOf.get(employeeId);
    if (!user?.id || people.get(employeeId)?.snapshot?.status !== 'active') continue;
    for (const name of names) {
      const key = name.toLowerCase();
      const members = shouldByGroup.get(key) ?? new Set<string>();
      members.add(user.id);
      shouldByGroup.set(key, members);
    }
  }
  for (const [, groups] of groupsByName) {
    if (groups.length > 1) {
      findings.push({
        kind: 'duplicate-group',
        detail: `${groups.length} groups named "${groups[0]!.displayName}" (${groups.map((g) => g.id).join(', ')}); memberships cannot be checked by name — merge them by hand`,
      });
      continue;
    }
    const group = groups[0]!;
    const members = new Set((group.members ?? []).map((m) => m.value));
    const should = shouldByGroup.get(group.displayName.toLowerCase()) ?? new Set<string>();
    const add = [...should].filter((id) => !members.has(id));
    // Only accounts of people this product knows are removed; others in the group are not ours.
    const remove = [...members].filter(
      (id) =>
        !should.has(id) && personByScimId.has(id) && !people.get(personByScimId.get(id)!)?.revocationPendingForApp,
    );
    for (const id of add) {
      findings.push({
        kind: 'group-drift',
        employeeId: personByScimId.get(id),
        scimId: id,
        detail: `not a member of "${group.displayName}", which the policy grants`,
        repair: { action: 'fix-membership', groupId: group.id, group: group.displayName, add: [id], remove: [] },
      });
    }
    for (const id of remove) {
      findings.push({
        kind: 'group-drift',
        employeeId: personByScimId.get(id),
        scimId: id,
        detail: `member of "${group.displayName}", which the policy does not grant`,
        repair: { action: 'fix-membership', groupId: group.id, group: group.displayName, add: [], remove: [id] },
      });
    }
  }
  return findings;
}
