/**
 * The fault campaign's verdict: each app's actual state against HR truth. Pure functions over
 * what the reference apps hold and received, so the verdict itself is unit-tested.
 */
import { expectedActiveApps, type PersonTruth } from './scenario';

export interface AppUser {
  id: string;
  externalId?: string;
  userName?: string;
  active?: boolean;
}

/** A group as the app holds it: member ids as listed (a member listed twice appears twice). */
export interface AppGroup {
  displayName: string;
  members: string[];
  /**
   * Members named by an add that hung past the client's timeout: the app applied it late,
   * after the retry had added them, which lists them once more (no client can prevent that).
   */
  hungAdds?: string[];
}

export interface AppState {
  users: AppUser[];
  /** The app's groups, where the verdict checks them (an app without unique group names). */
  groups?: AppGroup[];
  /** SCIM ids that received a DELETE (whatever the answer). */
  deletedIds: string[];
  /**
   * Every account the app held at any point of the run (as read after each request it answered):
   * what proves that an account now gone once existed. Without it, absence cannot be told apart
   * from "never created", and the verdict counts an absent account of a held person as deleted.
   */
  everHeld?: AppUser[];
  deleteMode: 'hard' | 'deactivate-only' | 'none';
}

export interface Verdict {
  /** `person@app`: should be active there and is not (absent or inactive). */
  missing: string[];
  /** `person@app`: more than one account for the person. */
  duplicates: string[];
  /** `person@app`: a leaver still active. */
  leaversActive: string[];
  /** `person@app`: active in an app the person is no longer entitled to (a mover's old app). */
  accessNotRevoked: string[];
  /**
   * `person@app`: an account of a person under legal hold was deleted — a DELETE for it reached
   * the app, or it existed during the run and is gone. An account never created is not a deletion.
   */
  deletedWhileOnHold: string[];
  /** `person@app`: a leaver without hold whose hard-delete app still has the account after retention. */
  notDeletedAfterRetention: string[];
  /**
   * `group@app`: memberships split over several groups with one name (creates the orchestrator
   * did not settle). An extra group that is empty is not counted: a create whose answer was lost
   * can take effect later (a hung request), and the next lookup of the name deletes it.
   */
  duplicateGroups: string[];
  /** `person@app:group`: a member listed more than once. */
  duplicateMembers: string[];
  /** `person@app:group`: a leaver still in a group. */
  leaverMemberships: string[];
  /** `person@app:group`: in a department group (`dept-<department>`) of another department. */
  staleMemberships: string[];
  /** `person@app:group`: an active person missing from their department's group. */
  missingMemberships: string[];
}

/**
 * @param explained collects memberships not counted as problems because a request that hung past
 *   the client's timeout (applied late by the app) accounts for them — reported, not hidden.
 * @param neverCreated collects `person@app` of held leavers the app never had an account for (their
 *   joiner was cut short by the termination): not a deletion, and `leaversActive` still holds them
 *   to "no active account anywhere".
 */
export function judge(
  people: PersonTruth[],
  apps: Record<string, AppState>,
  explained: string[] = [],
  neverCreated: string[] = [],
): Verdict {
  const v: Verdict = {
    missing: [],
    duplicates: [],
    leaversActive: [],
    accessNotRevoked: [],
    deletedWhileOnHold: [],
    notDeletedAfterRetention: [],
    duplicateGroups: [],
    duplicateMembers: [],
    leaverMemberships: [],
    staleMemberships: [],
    missingMemberships: [],
  };
  const byPerson = new Map<string, Map<string, AppUser[]>>();
  for (const [app, state] of Object.entries(apps)) {
    for (const user of state.users) {
      if (!user.externalId) continue;
      const perApp = byPerson.get(user.externalId) ?? new Map<string, AppUser[]>();
      byPerson.set(user.externalId, perApp);
      perApp.set(app, [...(perApp.get(app) ?? []), user]);
    }
    // A second account under another externalId but the same login is a duplicate too.
    const logins = new Map<string, number>();
    for (const u of state.users)
      if (u.userName) logins.set(u.userName.toLowerCase(), (logins.get(u.userName.toLowerCase()) ?? 0) + 1);
    for (const [login, n] of logins) if (n > 1) v.duplicates.push(`${login}@${app}`);
  }
  for (const p of people) {
    const accounts = byPerson.get(p.employeeId) ?? new Map<string, AppUser[]>();
    const active = new Set(expectedActiveApps(p));
    for (const app of Object.keys(apps)) {
      const users = accounts.get(app) ?? [];
      const key = `${p.employeeId}@${app}`;
      if (users.length > 1) v.duplicates.push(key);
      const isActive = users.some((u) => u.active !== false);
      if (active.has(app)) {
        if (!isActive) v.missing.push(key);
      } else if (isActive) {
        (p.status === 'terminated' ? v.leaversActive : v.accessNotRevoked).push(key);
      }
      if (p.status !== 'terminated' || !p.everHad.includes(app)) continue;
      const state = apps[app]!;
      if (p.legalHold) {
        const deletion = heldDeletion(p.employeeId, users, state);
        if (deletion === 'deleted') v.deletedWhileOnHold.push(key);
        else if (deletion === 'never-created') neverCreated.push(key);
      } else if (state.deleteMode === 'hard' && users.length > 0) {
        v.notDeletedAfterRetention.push(key);
      }
    }
  }
  for (const [app, state] of Object.entries(apps)) if (state.groups) judgeGroups(people, app, state, v, explained);
  return v;
}

/**
 * Whether an account of a held person was deleted: proven by a DELETE the app received for one of
 * the person's accounts, or by an account the app held during the run that is gone now. Without
 * the app's history (`everHeld`), an absent account counts as deleted (absence cannot be explained).
 */
function heldDeletion(employeeId: string, users: AppUser[], state: AppState): 'deleted' | 'kept' | 'never-created' {
  if (!state.everHeld)
    return users.length === 0 || users.some((u) => state.deletedIds.includes(u.id)) ? 'deleted' : 'kept';
  const now = new Set(users.map((u) => u.id));
  const ids = new Set([...now, ...state.everHeld.filter((u) => u.externalId === employeeId).map((u) => u.id)]);
  if ([...ids].some((id) => state.deletedIds.includes(id) || !now.has(id))) return 'deleted';
  return ids.size === 0 ? 'never-created' : 'kept';
}

/** Groups of an app without unique names: one group per name, each member once, leavers in none, movers moved. */
function judgeGroups(people: PersonTruth[], app: string, state: AppState, v: Verdict, explained: string[]): void {
  const groups = state.groups ?? [];
  const names = new Map<string, number>();
  for (const g of groups.filter((x) => x.members.length > 0))
    names.set(g.displayName, (names.get(g.displayName) ?? 0) + 1);
  for (const [name, n] of names) if (n > 1) v.duplicateGroups.push(`${name}@${app}`);
  const personOf = new Map(state.users.filter((u) => u.externalId).map((u) => [u.id, u.externalId!]));
  const truth = new Map(people.map((p) => [p.employeeId, p]));
  for (const g of groups) {
    const seen = new Map<string, number>();
    for (const member of g.members) {
      const who = personOf.get(member) ?? member;
      const key = `${who}@${app}:${g.displayName}`;
      const copies = (seen.get(member) ?? 0) + 1;
      seen.set(member, copies);
      const hung = (g.hungAdds ?? []).filter((m) => m === member).length;
      if (copies > 1 + hung) v.duplicateMembers.push(key);
      else if (copies > 1) explained.push(`${key}: second copy from an add applied after it timed out`);
      const p = truth.get(who);
      if (!p || copies > 1) continue;
      const stale =
        p.status === 'terminated' || (g.displayName.startsWith('dept-') && g.displayName !== `dept-${p.department}`);
      if (!stale) continue;
      if (hung > 0) explained.push(`${key}: re-added by an add applied after it timed out (after the removal)`);
      else (p.status === 'terminated' ? v.leaverMemberships : v.staleMemberships).push(key);
    }
  }
  for (const p of people.filter((x) => x.status === 'active' && expectedActiveApps(x).includes(app))) {
    const name = `dept-${p.department}`;
    const ids = state.users.filter((u) => u.externalId === p.employeeId).map((u) => u.id);
    if (!groups.some((g) => g.displayName === name && g.members.some((m) => ids.includes(m))))
      v.missingMemberships.push(`${p.employeeId}@${app}:${name}`);
  }
  for (const list of [v.duplicateMembers, v.leaverMemberships, v.staleMemberships, v.missingMemberships]) list.sort();
}

/** Why `acceptAlertedRemovals` did not count a membership (the runner counts these lines). */
export const ALERTED_REMOVAL = 'the app refused the removal; alerted groups-not-removed';

/** An alert as the campaign's webhook received it (the fields the verdict reads). */
export interface ReceivedAlert {
  kind: string;
  employeeId?: string;
  app?: string;
  message?: string;
}

/**
 * A leaver's membership the app refused to remove (a 503, a reset and a 429 in a row use up the
 * client's attempts; removals follow the deactivation and never fail it, so Temporal does not
 * retry them) is the product's contract, not a silent failure: the account is inactive, the
 * removal is alerted (`groups-not-removed`, naming each group as `<group> (<error type>)`) and
 * listed for an operator. Such memberships move from `leaverMemberships` to `explained`; one
 * without that alert stays counted. Returns the verdict with the rest.
 */
export function acceptAlertedRemovals(v: Verdict, alerts: ReceivedAlert[], explained: string[]): Verdict {
  // `person@app:group`; person ids may hold '-', app ids no '@' or ':'.
  const alertedFor = (key: string): boolean => {
    const at = key.lastIndexOf('@');
    const colon = key.indexOf(':', at);
    const [who, app, group] = [key.slice(0, at), key.slice(at + 1, colon), key.slice(colon + 1)];
    return alerts.some(
      (a) =>
        a.kind === 'groups-not-removed' &&
        a.employeeId === who &&
        a.app === app &&
        (a.message ?? '').includes(` ${group} (`),
    );
  };
  const kept: string[] = [];
  for (const key of v.leaverMemberships) {
    if (!alertedFor(key)) kept.push(key);
    else explained.push(`${key}: ${ALERTED_REMOVAL}`);
  }
  return { ...v, leaverMemberships: kept };
}

export function problemCount(v: Verdict): number {
  return Object.values(v).reduce((n, list) => n + list.length, 0);
}
