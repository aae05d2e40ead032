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

export interface AppState {
  users: AppUser[];
  /** SCIM ids that received a DELETE (whatever the answer). */
  deletedIds: string[];
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
  /** `person@app`: a DELETE reached an account of a person under legal hold. */
  deletedWhileOnHold: string[];
  /** `person@app`: a leaver without hold whose hard-delete app still has the account after retention. */
  notDeletedAfterRetention: string[];
}

export function judge(people: PersonTruth[], apps: Record<string, AppState>): Verdict {
  const v: Verdict = { missing: [], duplicates: [], leaversActive: [], accessNotRevoked: [], deletedWhileOnHold: [], notDeletedAfterRetention: [] };
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
    for (const u of state.users) if (u.userName) logins.set(u.userName.toLowerCase(), (logins.get(u.userName.toLowerCase()) ?? 0) + 1);
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
        const heldIds = users.map((u) => u.id);
        if (users.length === 0 || heldIds.some((id) => state.deletedIds.includes(id))) v.deletedWhileOnHold.push(key);
      } else if (state.deleteMode === 'hard' && users.length > 0) {
        v.notDeletedAfterRetention.push(key);
      }
    }
  }
  return v;
}

export function problemCount(v: Verdict): number {
  return Object.values(v).reduce((n, list) => n + list.length, 0);
}
