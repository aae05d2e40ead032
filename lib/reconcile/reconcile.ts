/**
 * Reconciliation, the I/O part: scan each app (every user and group, robust to broken paging),
 * compare with what this product says should exist (./compare.ts), and with `apply` repair what
 * is safe — an active leaver is deactivated at once, drifted attributes are patched back,
 * drifted memberships of managed groups fixed, and a missing account is asked of the person's
 * employee workflow (never created here: the workflow's registry must know every account, or
 * a later leaver would not revoke it). Orphans, unmanaged and duplicate accounts and duplicate
 * groups are reported, never changed.
 */
import type { LoadedConfig } from '../config/types';
import type { ScimClients } from '../scim';
import { reconcileApp, type Finding, type FindingKind, type KnownPerson, type Repair } from './compare';

/** A person as the employee workflow reports them (status query), per app. */
export interface PersonRecord {
  employeeId: string;
  snapshot?: KnownPerson['snapshot'];
  accounts: NonNullable<KnownPerson['account']>[];
  pendingRevocations?: { app: string }[];
}

export interface AppReport {
  app: string;
  /** Accounts and groups read from the app. */
  scanned: { users: number; groups: number; pages: number; paging: string };
  findings: ReportedFinding[];
  error?: string;
}

/**
 * `repaired`: `yes`/`failed` for a repair made here; for a missing account, `requested` (the
 * employee workflow accepted the request: `requestId` names its joiner step) or `rejected` (it
 * refused: `repairError` says why) — or `failed` when it could not be asked.
 */
export type ReportedFinding = Omit<Finding, 'repair'> & {
  repaired?: 'yes' | 'failed' | 'requested' | 'rejected';
  repairError?: string;
  requestId?: string;
};

/** What the person's employee workflow answered to an account request. */
export type EnsureAnswer = { requested: true; requestId: string } | { requested: false; reason: string };

export interface ReconcileReport {
  apps: AppReport[];
}

export interface ReconcileOptions {
  config: LoadedConfig;
  scim: ScimClients;
  people: PersonRecord[];
  apps?: string[];
  /** Repair what is safe; a list repairs only findings of those kinds (scheduled runs: `['active-leaver']`). */
  apply?: boolean | readonly FindingKind[];
  /**
   * Asks the person's employee workflow to ensure their account in `app` (the `ensureAccount`
   * Update). Without it, `missing` is only reported. Throws when the workflow could not be asked.
   */
  ensureAccount?: (app: string, employeeId: string) => Promise<EnsureAnswer>;
  /** Told of every active leaver found (repaired or not): it is a security incident. */
  onActiveLeaver?: (app: string, finding: ReportedFinding) => Promise<void>;
}

export async function reconcile(options: ReconcileOptions): Promise<ReconcileReport> {
  const { config } = options;
  const appIds = options.apps ?? Object.keys(config.connectors).sort();
  const reports: AppReport[] = [];
  for (const app of appIds) {
    const connector = config.connectors[app];
    if (!connector) {
      reports.push({
        app,
        scanned: { users: 0, groups: 0, pages: 0, paging: 'n/a' },
        findings: [],
        error: `no connector "${app}" in the config`,
      });
      continue;
    }
    const client = options.scim.get(connector);
    try {
      const users = await client.scanUsers();
      const groups = connector.capabilities.groups
        ? await client.scanGroups()
        : { resources: [], pages: 0, endedBy: 'empty-page' as const };
      const people: KnownPerson[] = options.people.map((p) => ({
        employeeId: p.employeeId,
        snapshot: p.snapshot,
        account: p.accounts.find((a) => a.app === app),
        revocationPendingForApp: (p.pendingRevocations ?? []).some((r) => r.app === app),
      }));
      const findings = reconcileApp({
        connector,
        policy: config.policy,
        connectors: config.connectors,
        people,
        scan: { users: users.resources, groups: groups.resources },
      });
      const reported: ReportedFinding[] = [];
      for (const finding of findings) {
        const { repair, ...rest } = finding;
        const entry: ReportedFinding = { ...rest };
        const apply = typeof options.apply === 'object' ? options.apply.includes(entry.kind) : options.apply === true;
        if (apply && repair?.action === 'ensure-account') {
          if (options.ensureAccount) await requestAccount(entry, app, repair.employeeId, options.ensureAccount);
        } else if (apply && repair) {
          try {
            await applyRepair(client, repair);
            entry.repaired = 'yes';
          } catch (err) {
            entry.repaired = 'failed';
            entry.repairError = err instanceof Error ? err.message : String(err);
          }
        }
        if (entry.kind === 'active-leaver') await options.onActiveLeaver?.(app, entry);
        reported.push(entry);
      }
      reports.push({
        app,
        scanned: {
          users: users.resources.length,
          groups: groups.resources.length,
          pages: users.pages + groups.pages,
          paging: users.endedBy,
        },
        findings: reported,
      });
    } catch (err) {
      reports.push({
        app,
        scanned: { users: 0, groups: 0, pages: 0, paging: 'n/a' },
        findings: [],
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  return { apps: reports };
}

async function requestAccount(
  entry: ReportedFinding,
  app: string,
  employeeId: string,
  ensure: NonNullable<ReconcileOptions['ensureAccount']>,
): Promise<void> {
  try {
    const answer = await ensure(app, employeeId);
    if (answer.requested) {
      entry.repaired = 'requested';
      entry.requestId = answer.requestId;
    } else {
      entry.repaired = 'rejected';
      entry.repairError = answer.reason;
    }
  } catch (err) {
    entry.repaired = 'failed';
    entry.repairError = err instanceof Error ? err.message : String(err);
  }
}

async function applyRepair(client: ReturnType<ScimClients['get']>, repair: Repair): Promise<void> {
  switch (repair.action) {
    case 'ensure-account':
      // Never a direct create here: requestAccount asks the person's workflow.
      throw new Error('a missing account is requested from the employee workflow, not created by reconciliation');
    case 'deactivate':
      await client.deactivateUser(repair.scimId);
      return;
    case 'patch-attributes':
      await client.updateUser(repair.scimId, repair.desired);
      return;
    case 'fix-membership':
      if (repair.add.length > 0) await client.addMembers(repair.groupId, repair.add);
      // Confirmed or thrown (SCIM_UNCONFIRMED): a 2xx alone is not proof the member is gone.
      for (const id of repair.remove) await client.removeMemberConfirmed(repair.groupId, id);
      return;
  }
}

/** Exit code of `jml reconcile`: 0 nothing found, 1 findings, 2 an app could not be reconciled. */
export function exitCodeOf(report: ReconcileReport): number {
  if (report.apps.some((a) => a.error)) return 2;
  return report.apps.some((a) => a.findings.length > 0) ? 1 : 0;
}
