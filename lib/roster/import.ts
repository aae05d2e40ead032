/**
 * The initial load, the I/O part (`jml import --roster FILE`): scan every account of each app
 * (robust to broken paging), correlate it with the roster (./correlate.ts), and with `apply`
 * adopt the matched accounts — write our `externalId` where the app keeps it, and confirm the
 * person's workflow will find the account — then start each person's employee workflow with an
 * HR event, so the normal lifecycle creates only the accounts that are missing. A person with
 * a conflict in any app, or whose adoption could not be confirmed, is not started: starting
 * them could create a second account.
 */
import { createHash } from 'node:crypto';
import { evaluateAccess } from '../access';
import { canonicalJson } from '../canonical-json';
import type { LoadedConfig } from '../config/types';
import type { EmployeeRecord } from '../hr/employee';
import type { HrEvent } from '../hr/event';
import type { ScimClients } from '../scim';
import { correlateApp, expectedUserName, type AppCorrelation, type Match } from './correlate';
import type { RowError } from './parse';

export interface AdoptionResult {
  employeeId: string;
  scimId: string;
  /** `externalId-set`: the app now finds it by externalId; `by-userName`: by the userName the connector builds. */
  result: 'externalId-set' | 'by-userName' | 'failed';
  error?: string;
}

export interface AppImportReport extends AppCorrelation {
  scanned: { users: number; pages: number; paging: string };
  /** With apply: what adoption did per matched account that needed it. */
  adopted?: AdoptionResult[];
  /**
   * With apply: active accounts of people HR says are terminated, deactivated at once (as
   * reconciliation repairs an active leaver) — there is no lifecycle to start for them.
   */
  deactivated?: { employeeId: string; scimId: string; result: 'yes' | 'failed'; error?: string }[];
  /** The app could not be read: nothing was adopted there and no one was started. */
  error?: string;
}

export interface ImportReport {
  people: number;
  invalidRows: RowError[];
  /** People this product already manages (a running employee workflow): left to their workflow. */
  managed: string[];
  apps: AppImportReport[];
  /** With apply: the workflows started (or signalled) with the person's hire event. */
  started?: { employeeId: string; eventId: string; type: 'hire' }[];
  /** With apply: people HR says are terminated — not started (their active accounts are deactivated instead). */
  terminated?: string[];
  /** With apply: people not started, and why. */
  notStarted?: { employeeId: string; reason: string }[];
}

/** Starts a person's lifecycle with an HR event (`deliverHrEvent` through the Temporal client). */
export type DeliverEvent = (event: HrEvent) => Promise<unknown>;

export interface ImportOptions {
  config: LoadedConfig;
  scim: ScimClients;
  people: readonly EmployeeRecord[];
  invalidRows?: RowError[];
  /** Employee ids with a running workflow: not correlated again, not started again. */
  managed?: ReadonlySet<string>;
  apps?: string[];
  apply?: { deliver: DeliverEvent; now?: () => Date };
}

/**
 * The eventId of a person's import event: the same file imported twice gives the same id (the
 * workflow drops the repeat); a changed record gives a new one.
 */
export function importEventId(record: EmployeeRecord): string {
  const digest = createHash('sha256').update(canonicalJson(record)).digest('hex').slice(0, 16);
  return `import-${record.employeeId}-${digest}`;
}

export async function importRoster(options: ImportOptions): Promise<ImportReport> {
  const { config } = options;
  const managed = options.managed ?? new Set<string>();
  const people = options.people.filter((p) => !managed.has(p.employeeId));
  const appIds = options.apps ?? Object.keys(config.connectors).sort();
  const reports: AppImportReport[] = [];
  for (const app of appIds) {
    const connector = config.connectors[app];
    const empty = { app, matches: [], conflicts: [], toCreate: [], unclaimed: [] };
    if (!connector) {
      reports.push({ ...empty, scanned: { users: 0, pages: 0, paging: 'n/a' }, error: `no connector "${app}"` });
      continue;
    }
    const client = options.scim.get(connector);
    try {
      const scan = await client.scanUsers();
      // Accounts of people already managed are theirs (by externalId, or by the userName their connector
      // builds where the app keeps no externalId): not unclaimed, not offered to anyone else.
      const managedUserNames = new Set(
        options.people
          .filter((p) => managed.has(p.employeeId))
          .map((p) => expectedUserName(connector, p))
          .filter((u): u is string => u !== undefined),
      );
      const users = scan.resources.filter(
        (u) =>
          !(u.externalId && managed.has(u.externalId)) &&
          !(!u.externalId && u.userName && managedUserNames.has(u.userName.toLowerCase())),
      );
      const correlation = correlateApp({
        connector,
        policy: config.policy,
        connectors: config.connectors,
        people,
        users,
      });
      const report: AppImportReport = {
        ...correlation,
        scanned: { users: scan.resources.length, pages: scan.pages, paging: scan.endedBy },
      };
      if (options.apply) {
        report.adopted = await adoptAll(client, connector, correlation.matches, people);
        report.deactivated = await deactivateLeavers(client, correlation.matches, people);
      }
      reports.push(report);
    } catch (err) {
      reports.push({
        ...empty,
        scanned: { users: 0, pages: 0, paging: 'n/a' },
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  const report: ImportReport = {
    people: options.people.length,
    invalidRows: options.invalidRows ?? [],
    managed: options.people.filter((p) => managed.has(p.employeeId)).map((p) => p.employeeId),
    apps: reports,
  };
  if (options.apply) {
    // Starting a person runs their joiner in every app the policy grants: one not correlated here
    // may hold their account under another userName, and the joiner would create a second one.
    const scanned = new Set(reports.filter((r) => !r.error).map((r) => r.app));
    const uncorrelated = (p: EmployeeRecord) =>
      p.status === 'terminated'
        ? []
        : Object.keys(evaluateAccess(config.policy, config.connectors, p).apps).filter((a) => !scanned.has(a));
    await startLifecycles(report, people, options.apply, uncorrelated);
  }
  return report;
}

type Client = ReturnType<ScimClients['get']>;

async function adoptAll(
  client: Client,
  connector: LoadedConfig['connectors'][string],
  matches: Match[],
  people: readonly EmployeeRecord[],
): Promise<AdoptionResult[]> {
  const byId = new Map(people.map((p) => [p.employeeId, p]));
  const results: AdoptionResult[] = [];
  for (const match of matches) {
    if (match.adoption === 'none') continue;
    const person = byId.get(match.employeeId)!;
    const entry = { employeeId: match.employeeId, scimId: match.scimId };
    try {
      if (match.adoption === 'set-externalId') {
        await client.patchUser(match.scimId, [{ op: 'replace', path: 'externalId', value: match.employeeId }]);
        // Confirm with the lookup the joiner makes first: an app may acknowledge and drop externalId.
        const found = await client.findUser({ externalId: match.employeeId });
        if (found?.id === match.scimId) {
          results.push({ ...entry, result: 'externalId-set' });
          continue;
        }
      }
      // No externalId in the app: the joiner's create meets the account by userName (lookup, or the app's 409
      // on the same userName) and adopts it — only if its userName is the one the connector builds.
      const current = await client.getUser(match.scimId);
      const userName = current?.userName?.toLowerCase();
      if (current && userName && userName === expectedUserName(connector, person)) {
        const found = await client.findUser({ userName: current.userName });
        if (found?.id === match.scimId) {
          results.push({ ...entry, result: 'by-userName' });
          continue;
        }
      }
      results.push({
        ...entry,
        result: 'failed',
        error: `${connector.id} did not keep externalId and the account's userName is not the one the connector builds; the person's workflow would not find it`,
      });
    } catch (err) {
      results.push({ ...entry, result: 'failed', error: err instanceof Error ? err.message : String(err) });
    }
  }
  return results;
}

/**
 * A terminated person's active account is a leaver's account left active: deactivated now, as
 * reconciliation's active-leaver repair does. Starting a workflow would not do it — a lifecycle
 * that begins with a termination has no accounts of its own to revoke.
 */
async function deactivateLeavers(
  client: Client,
  matches: Match[],
  people: readonly EmployeeRecord[],
): Promise<NonNullable<AppImportReport['deactivated']>> {
  const terminated = new Set(people.filter((p) => p.status === 'terminated').map((p) => p.employeeId));
  const out: NonNullable<AppImportReport['deactivated']> = [];
  for (const m of matches) {
    if (!terminated.has(m.employeeId) || !m.active) continue;
    try {
      await client.deactivateUser(m.scimId);
      out.push({ employeeId: m.employeeId, scimId: m.scimId, result: 'yes' });
    } catch (err) {
      out.push({
        employeeId: m.employeeId,
        scimId: m.scimId,
        result: 'failed',
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  return out;
}

async function startLifecycles(
  report: ImportReport,
  people: readonly EmployeeRecord[],
  apply: NonNullable<ImportOptions['apply']>,
  uncorrelated: (person: EmployeeRecord) => string[],
): Promise<void> {
  const blocked = new Map<string, string>();
  const block = (id: string, reason: string) => {
    if (!blocked.has(id)) blocked.set(id, reason);
  };
  for (const app of report.apps) {
    if (app.error) {
      // An app we could not read may hold their accounts: starting anyone could create duplicates there.
      for (const p of people) block(p.employeeId, `${app.app} could not be read: ${app.error}`);
      continue;
    }
    for (const c of app.conflicts) for (const id of c.employeeIds) block(id, `${app.app}: ${c.kind} — ${c.detail}`);
    for (const a of app.adopted ?? [])
      if (a.result === 'failed') block(a.employeeId, `${app.app}: adoption of ${a.scimId} failed — ${a.error}`);
  }
  for (const p of people) {
    const apps = uncorrelated(p);
    if (apps.length > 0)
      block(
        p.employeeId,
        `granted ${apps.join(', ')}, which this import did not correlate; include them (or omit --app)`,
      );
  }
  const now = (apply.now ?? (() => new Date()))().toISOString();
  report.started = [];
  report.notStarted = [];
  report.terminated = [];
  for (const person of people) {
    if (person.status === 'terminated') {
      report.terminated.push(person.employeeId);
      continue;
    }
    const reason = blocked.get(person.employeeId);
    if (reason) {
      report.notStarted.push({ employeeId: person.employeeId, reason });
      continue;
    }
    const type = 'hire' as const;
    const eventId = importEventId(person);
    try {
      await apply.deliver({
        eventId,
        type,
        effectiveAt: now,
        occurredAt: now,
        source: 'roster-import',
        initiator: 'jml import',
        employee: person,
      });
      report.started.push({ employeeId: person.employeeId, eventId, type });
    } catch (err) {
      report.notStarted.push({
        employeeId: person.employeeId,
        reason: `workflow not started: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
}

/**
 * Exit code of `jml import`: 2 an app could not be read; 1 conflicts, invalid rows, failed
 * adoptions, people not started — or, without apply, accounts to adopt or create; 0 otherwise.
 */
export function importExitCode(report: ImportReport, applied: boolean): number {
  if (report.apps.some((a) => a.error)) return 2;
  if (report.invalidRows.length > 0) return 1;
  if (report.apps.some((a) => a.conflicts.length > 0)) return 1;
  if (applied) {
    if ((report.notStarted ?? []).length > 0) return 1;
    return report.apps.some(
      (a) =>
        (a.adopted ?? []).some((x) => x.result === 'failed') ||
        (a.deactivated ?? []).some((x) => x.result === 'failed'),
    )
      ? 1
      : 0;
  }
  return report.apps.some((a) => a.toCreate.length > 0 || a.matches.some((m) => m.adoption !== 'none')) ? 1 : 0;
}
