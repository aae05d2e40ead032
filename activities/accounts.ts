/**
 * Account activities: one app, one person, one lifecycle step each. All are idempotent —
 * Temporal may run any of them again after a crash or a timeout — because every write is
 * preceded by a lookup or is naturally repeatable (`active=false` twice is still false).
 */
import type { AccountRef, LifecycleActivities } from './contract';
import type { ConnectorConfig, LoadedConfig } from '../lib/config/types';
import type { EmployeeRecord } from '../lib/hr/employee';
import type { AccountState, AppOutcome, GroupRemoval, StepAction } from '../lib/lifecycle/types';
import { ERROR_CODES, JmlError } from '../lib/errors';
import { buildScimUser } from '../lib/mapping';
import type { ScimClient, ScimClients } from '../lib/scim';
import { activityCallContext, activityTaskQueue, keepAlive, type CallContext } from './context';
import type { AppGate, Attempt } from './app-gate';
import { toActivityFailure, unknownApp } from './failures';
import { describeRemovals, managesGroups, removeAllGroups, syncGroups, type GroupSync } from './groups';
import type { AttemptRecorder, AuditPort } from './audit-port';
import type { Logger } from '../lib/logger';

export interface AccountDeps {
  config: () => LoadedConfig;
  scim: ScimClients;
  audit?: AuditPort;
  logger?: Logger;
  /** Holds writes to paused or quarantined apps and counts outcomes; without one, nothing is held. */
  gate?: AppGate;
}

type AccountActivities = Pick<
  LifecycleActivities,
  | 'provisionAccount'
  | 'updateAccount'
  | 'setGroups'
  | 'deactivateAccount'
  | 'recheckDeactivated'
  | 'reactivateAccount'
  | 'deleteAccount'
>;

const STATE_AFTER: Partial<Record<StepAction, AccountState>> = {
  created: 'active',
  adopted: 'active',
  reactivated: 'active',
  updated: 'active',
  unchanged: 'active',
  deactivated: 'deactivated',
  'delete-skipped': 'deactivated',
  deleted: 'deleted',
};

export function createAccountActivities(deps: AccountDeps): AccountActivities {
  /**
   * A leaver's group removals on its deactivated account, each confirmed or reported (never
   * thrown), for at most GROUP_REMOVAL_BUDGET_MS from `fromMs`. Nothing (undefined) when there
   * are none to remove, the policy keeps memberships, or the connector manages no groups.
   */
  async function removeLeaverGroups(
    s: StepCtx,
    id: string,
    input: { groups?: string[]; groupIds?: Record<string, string> },
    fromMs: number,
  ): Promise<{ groups: string[]; groupIds: Record<string, string>; groupRemovals: GroupRemoval[] } | undefined> {
    const groups = input.groups ?? [];
    const ids = input.groupIds ?? {};
    if (deps.config().policy.leaver?.removeGroupMemberships === false) return undefined;
    if (groups.length === 0 || !managesGroups(s.connector)) return undefined;
    const removals = await removeAllGroups(s.client, id, groups, ids, s.call, fromMs + GROUP_REMOVAL_BUDGET_MS);
    const kept = removals.filter((r) => !r.removed).map((r) => r.group);
    const groupIds = Object.fromEntries(Object.entries(ids).filter(([name]) => kept.includes(name)));
    return { groups: kept, groupIds, groupRemovals: removals };
  }

  /**
   * Shared frame: resolve the connector, run the step, keep the registry, convert errors. The
   * audit store is never in front of the app: a registry that cannot be read means a lookup at
   * the app instead, and records that cannot be written are reported on the outcome (what the
   * app did stands) rather than failing a step whose requests the app has already carried out.
   * `body` may set `atMs` itself: when the decisive request was answered (a deactivation before
   * its group removals). `held`: the step waits while the app is paused or quarantined (joiner
   * and mover writes, deletions); a deactivation is never held.
   */
  async function step(
    ref: AccountRef,
    operation: string,
    body: (s: StepCtx) => Promise<Omit<AppOutcome, 'app' | 'atMs'> & { atMs?: number }>,
    held = true,
  ): Promise<AppOutcome> {
    const connector = deps.config().connectors[ref.app];
    if (!connector) throw unknownApp(ref.app);
    const run = activityCallContext({ employeeId: ref.employeeId, eventId: ref.eventId, operation });
    const attempt: Attempt = {
      app: ref.app,
      operation,
      held,
      attempt: Number(run.context.attempt ?? 1),
      taskQueue: activityTaskQueue(),
    };
    // Before any request and before the audit recorder: a held step leaves no trace at the app.
    await deps.gate?.admit(attempt);
    // A step that is never held takes access away: its evidence is written at once, not batched.
    const recorder = deps.audit?.requestRecorder?.(run.context, { urgent: !held });
    // Nor does it queue behind other steps' requests to the app in this worker.
    const call: CallContext = { ...run, recorder: recorder?.record, urgent: !held };
    const client = deps.scim.get(connector);
    const stopBeating = keepAlive();
    const evidenceErrors: string[] = [];
    const noteEvidenceFailure = (what: string, err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      evidenceErrors.push(`${what}: ${message}`);
      deps.logger?.error(
        { app: ref.app, employeeId: ref.employeeId, eventId: ref.eventId, operation, err },
        `audit store: ${what}`,
      );
    };
    let outcome: AppOutcome;
    try {
      let scimId = ref.scimId;
      if (!scimId && deps.audit) {
        try {
          scimId = await deps.audit.findAccount(ref.employeeId, ref.app);
        } catch (err) {
          noteEvidenceFailure('account registry not readable, the app was searched instead', err);
        }
      }
      const result = await body({ connector, client, call, scimId });
      outcome = { app: ref.app, atMs: Date.now(), ...result };
      const state = STATE_AFTER[outcome.action];
      if (state && deps.audit) {
        try {
          await deps.audit.recordAccount({
            employeeId: ref.employeeId,
            app: ref.app,
            scimId: outcome.scimId ?? scimId,
            state,
            atMs: outcome.atMs,
            call,
            urgent: !held,
          });
        } catch (err) {
          noteEvidenceFailure('account registry not updated', err);
        }
      }
      deps.gate?.settle(attempt);
    } catch (err) {
      await settleQuietly(recorder);
      throw deps.gate?.settle(attempt, err) ?? toActivityFailure(err, Number(call.context.attempt ?? 1));
    } finally {
      stopBeating();
    }
    try {
      await recorder?.settle();
    } catch (err) {
      noteEvidenceFailure('SCIM request records not written', err);
    }
    if (evidenceErrors.length === 0) return outcome;
    const evidenceError = evidenceErrors.join('; ');
    // In the note too, so the timeline (and the step's history event) shows the gap beside the action.
    return {
      ...outcome,
      evidenceError,
      note: [outcome.note, `evidence not recorded (${evidenceError})`].filter(Boolean).join('; '),
    };
  }

  return {
    provisionAccount: (input) =>
      step(input, 'provision', async (s) => {
        const known = s.scimId ? await s.client.getUser(s.scimId, s.call) : null;
        if (known) return reuse(s, known.id ?? s.scimId!, input.employee, input.groups, input.groupIds, 'adopted');
        const desired = buildScimUser(s.connector, input.employee, 'create');
        const created = await s.client.createUser(desired, s.call);
        if (!created.created)
          return reuse(
            s,
            created.id,
            input.employee,
            input.groups,
            input.groupIds,
            'adopted',
            created.resource.active === false,
          );
        // A brand-new account is in no group yet: add without reading the groups first.
        const synced = await syncGroups(
          s.connector,
          s.client,
          created.id,
          { add: input.groups, remove: [], current: [] },
          s.call,
          false,
        );
        return { action: 'created', scimId: created.id, ...groupFields(synced) };
      }),

    updateAccount: (input) =>
      step(input, 'update', async (s) => {
        const id = await resolveId(s, input.employeeId, input.employee);
        if (!id) {
          // The account vanished in the app (deleted by hand): recreate it, as Okta does on push.
          const created = await s.client.createUser(buildScimUser(s.connector, input.employee, 'create'), s.call);
          return {
            action: created.created ? 'created' : 'adopted',
            scimId: created.id,
            note: 'account was missing in the app; recreated',
          };
        }
        const { changed } = await s.client.updateUser(id, buildScimUser(s.connector, input.employee, 'update'), s.call);
        return {
          action: changed.length > 0 ? 'updated' : 'unchanged',
          scimId: id,
          note: changed.length > 0 ? `changed ${changed.join(', ')}` : undefined,
        };
      }),

    setGroups: (input) =>
      step(
        input,
        'groups',
        async (s) => {
          const id = await resolveId(s, input.employeeId);
          if (!id) throw notFound(s.connector, input.employeeId);
          const synced = await syncGroups(s.connector, s.client, id, input, s.call, true);
          const note = [describeGroupChange(input.add, []), describeRemovals(synced?.removals ?? [])]
            .filter(Boolean)
            .join(' ');
          return { action: 'updated', scimId: id, ...groupFields(synced), note: note || undefined };
          // Only removals take access away: never held, like a deactivation.
        },
        input.add.length > 0,
      ),

    deactivateAccount: (input) =>
      step(
        input,
        'deactivate',
        async (s) => {
          // With the record, by userName too: an account the app holds without our externalId is still found.
          const id = await resolveId(s, input.employeeId, input.employee);
          // Nothing in the app means nothing to revoke: the leaver's goal already holds.
          if (!id) return { action: 'deactivated', note: 'no account found in the app; nothing to revoke' };
          await s.client.deactivateUser(id, s.call);
          const atMs = Date.now();
          const destructive = s.connector.delete.deactivateIsDestructive
            ? 'deactivation is destructive in this app'
            : undefined;
          // Only after active=false went out: group removals never delay or fail the revocation.
          const removal = await removeLeaverGroups(s, id, input, atMs);
          if (!removal) return { action: 'deactivated', scimId: id, atMs, note: destructive };
          const note = [destructive, describeRemovals(removal.groupRemovals)].filter(Boolean).join('; ');
          return { action: 'deactivated', scimId: id, atMs, ...removal, note };
        },
        false,
      ),

    recheckDeactivated: (input) =>
      step(
        input,
        'recheck',
        async (s) => {
          const userName = input.employee
            ? (buildScimUser(s.connector, input.employee, 'create').userName as string | undefined)
            : undefined;
          // Every way the person's account can be found, duplicates included: a late create has a new id.
          const known = s.scimId ? await s.client.getUser(s.scimId, s.call) : null;
          const matches = (await s.client.findAllUsers({ externalId: input.employeeId, userName }, s.call)).filter(
            (u) => !ownedByOther(u, input.employeeId),
          );
          const accounts = new Map([known, ...matches].filter((u) => u?.id).map((u) => [u!.id!, u!]));
          const foundActive = [...accounts.values()].filter((u) => u.active !== false).map((u) => u.id!);
          for (const id of foundActive) await s.client.deactivateUser(id, s.call);
          const scimId = foundActive[0] ?? s.scimId ?? [...accounts.keys()][0];
          const found =
            foundActive.length > 0
              ? `found active again and deactivated: ${foundActive.join(', ')}`
              : accounts.size > 0
                ? 'still inactive'
                : 'no account found in the app';
          // The memberships the leaver left on its account, only when nothing came back: an account
          // found active is reported at once, its alert neither waiting on a membership retry nor
          // lost to a timeout during one (the operator that alert calls sees the memberships too).
          const retry = foundActive.length === 0 && s.scimId !== undefined && accounts.has(s.scimId);
          const leftover = retry ? await removeLeaverGroups(s, s.scimId!, input, Date.now()) : undefined;
          const note = [found, leftover && describeRemovals(leftover.groupRemovals)].filter(Boolean).join('; ');
          return { action: 'deactivated', ...(scimId ? { scimId } : {}), note, recheck: { foundActive }, ...leftover };
        },
        // A leaver's recheck deactivates: never held by a paused or quarantined app.
        false,
      ),

    reactivateAccount: (input) =>
      step(input, 'reactivate', async (s) => {
        const id = await resolveId(s, input.employeeId, input.employee);
        if (!id) {
          const created = await s.client.createUser(buildScimUser(s.connector, input.employee, 'create'), s.call);
          const synced = await syncGroups(
            s.connector,
            s.client,
            created.id,
            { add: input.groups, remove: [], current: [] },
            s.call,
            !created.created,
          );
          return {
            action: created.created ? 'created' : 'adopted',
            scimId: created.id,
            ...groupFields(synced),
            note: 'previous account is gone; created a new one',
          };
        }
        return reuse(s, id, input.employee, input.groups, input.groupIds, 'reactivated', true);
      }),

    deleteAccount: (input) =>
      step(input, 'delete', async (s) => {
        const id = await resolveId(s, input.employeeId, input.employee);
        if (!id) return { action: 'deleted', note: 'no account found in the app; already gone' };
        const { outcome } = await s.client.deleteUser(id, s.call);
        if (outcome === 'deleted' || outcome === 'already-gone')
          return { action: 'deleted', scimId: id, note: outcome === 'already-gone' ? 'already gone (404)' : undefined };
        return {
          action: 'delete-skipped',
          scimId: id,
          note: `delete is "${s.connector.delete.mode}" in ${s.connector.id}: account left ${outcome === 'deactivated' ? 'deactivated' : 'as is'}`,
        };
      }),
  };
}

/**
 * How long a leaver's group removals may run after the deactivation before the rest are
 * recorded as not done: the step's result (and so the leaver's completion) waits for them.
 */
const GROUP_REMOVAL_BUDGET_MS = 60_000;

interface StepCtx {
  connector: ConnectorConfig;
  client: ScimClient;
  call: CallContext;
  scimId?: string;
}

/**
 * Brings an existing account (adopted, or the person's own from before) up to date. Its groups
 * are added only where it is not already a member (a re-hire keeps no duplicate memberships).
 */
async function reuse(
  s: StepCtx,
  id: string,
  employee: EmployeeRecord,
  groups: string[],
  groupIds: Record<string, string> | undefined,
  action: 'adopted' | 'reactivated',
  reactivate = false,
) {
  if (reactivate) await s.client.reactivateUser(id, s.call);
  await s.client.updateUser(id, buildScimUser(s.connector, employee, 'update'), s.call);
  const synced = await syncGroups(
    s.connector,
    s.client,
    id,
    { add: groups, remove: [], current: [], groupIds },
    s.call,
    true,
  );
  return { action, scimId: id, ...groupFields(synced) };
}

/** The outcome's group fields: the managed groups and their ids ([] when the app's groups are not managed). */
function groupFields(synced: GroupSync | null): {
  groups: string[];
  groupIds?: Record<string, string>;
  groupRemovals?: GroupSync['removals'];
} {
  if (!synced) return { groups: [] };
  return {
    groups: synced.groups,
    groupIds: synced.groupIds,
    ...(synced.removals.length ? { groupRemovals: synced.removals } : {}),
  };
}

/** The stored SCIM id when still valid, else a lookup in the connector's `match` order. */
async function resolveId(s: StepCtx, employeeId: string, employee?: EmployeeRecord): Promise<string | undefined> {
  if (s.scimId) return s.scimId;
  const userName = employee
    ? (buildScimUser(s.connector, employee, 'create').userName as string | undefined)
    : undefined;
  const found = await s.client.findUser({ externalId: employeeId, userName }, s.call);
  // A userName match carrying another person's externalId is theirs (a reused address): never ours to change.
  return found && !ownedByOther(found, employeeId) ? found.id : undefined;
}

function ownedByOther(user: { externalId?: string }, employeeId: string): boolean {
  return user.externalId !== undefined && user.externalId !== '' && user.externalId !== employeeId;
}

function notFound(connector: ConnectorConfig, employeeId: string): JmlError {
  return new JmlError(
    ERROR_CODES.SCIM_NOT_FOUND,
    `no account for ${employeeId} in ${connector.id}: provision it first (retryApp runs the failed step again)`,
  );
}

function describeGroupChange(add: string[], remove: string[]): string {
  return [add.length ? `+${add.join(', +')}` : '', remove.length ? `-${remove.join(', -')}` : '']
    .filter(Boolean)
    .join(' ');
}

/** A failed step's request records: written if the store can, never masking the step's own error. */
async function settleQuietly(recorder: AttemptRecorder | undefined): Promise<void> {
  try {
    await recorder?.settle();
  } catch {
    // The store's failure was logged when the write failed; the step's error is what matters here.
  }
}
