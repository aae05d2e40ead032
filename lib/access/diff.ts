/**
 * What changes when an employee's entitlement changes (the mover): apps to grant or revoke,
 * and group memberships to add or remove per app.
 */
import type { AccessPlan } from './evaluate';

/** Group memberships to add and remove in one app (display names). */
export interface GroupChanges {
  add: string[];
  remove: string[];
}

/** What changes between two access plans. */
export interface AccessDiff {
  /** Apps in `after` but not in `before` (provision). */
  grant: string[];
  /** Apps in `before` but not in `after` (deprovision). */
  revoke: string[];
  /** Apps in both whose groups changed, plus every granted app's groups (add) and every revoked app's groups (remove). */
  groups: Record<string, GroupChanges>;
}

/** Compares two plans; apps and groups come out sorted so plans and audit records are stable. */
export function diffAccess(before: AccessPlan, after: AccessPlan): AccessDiff {
  const beforeApps = Object.keys(before.apps);
  const afterApps = Object.keys(after.apps);
  const diff: AccessDiff = {
    grant: afterApps.filter((a) => !before.apps[a]).sort(),
    revoke: beforeApps.filter((a) => !after.apps[a]).sort(),
    groups: {},
  };
  for (const app of [...new Set([...beforeApps, ...afterApps])].sort()) {
    const was = before.apps[app]?.groups ?? [];
    const now = after.apps[app]?.groups ?? [];
    const changes = {
      add: now.filter((g) => !was.includes(g)).sort(),
      remove: was.filter((g) => !now.includes(g)).sort(),
    };
    if (changes.add.length > 0 || changes.remove.length > 0) diff.groups[app] = changes;
  }
  return diff;
}

/** True when nothing changes. */
export function isEmptyAccessDiff(diff: AccessDiff): boolean {
  return diff.grant.length === 0 && diff.revoke.length === 0 && Object.keys(diff.groups).length === 0;
}
