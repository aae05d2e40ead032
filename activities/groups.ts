/**
 * Group membership for one account, by group identity: the rule-granted groups are added
 * (creating a group only where the connector allows it) and the no-longer-granted ones removed.
 * Groups are addressed by the SCIM ids the account registry remembers, by name only the first
 * time; a name several groups share stops the step (`SCIM_GROUP_AMBIGUOUS`) instead of
 * guessing. Every removal is confirmed by the app before it is reported. Apps without groups
 * support, or connectors that do not manage groups, are left alone.
 */
import type { ConnectorConfig } from '../lib/config/types';
import { ERROR_CODES, JmlError, hasErrorCode } from '../lib/errors';
import type { GroupRemoval, StepError } from '../lib/lifecycle/types';
import type { ScimClient } from '../lib/scim';
import type { CallContext } from './context';

export interface GroupChange {
  add: string[];
  remove: string[];
  current: string[];
  /** displayName → SCIM id, from the account registry. */
  groupIds?: Record<string, string>;
}

export interface GroupSync {
  /** Managed groups after the change. */
  groups: string[];
  /** Their SCIM ids. */
  groupIds: Record<string, string>;
  removals: GroupRemoval[];
}

/** True when the orchestrator manages this app's groups. */
export function managesGroups(connector: ConnectorConfig): boolean {
  return connector.capabilities.groups && connector.groups.manage;
}

/**
 * Applies the change; null when the connector manages no groups. `existing`: the account
 * existed before this step (re-hire, adoption, mover), so an add first checks the member is not
 * already listed — apps that keep duplicate members would list them twice.
 */
export async function syncGroups(
  connector: ConnectorConfig,
  client: ScimClient,
  userId: string,
  change: GroupChange,
  call: CallContext,
  existing: boolean,
): Promise<GroupSync | null> {
  if (!managesGroups(connector)) return null;
  const ids: Record<string, string> = { ...(change.groupIds ?? {}) };
  for (const name of change.add)
    ids[name] = await addToGroup(connector, client, name, ids[name], userId, existing, call);
  const removals: GroupRemoval[] = [];
  for (const name of change.remove) {
    removals.push(await removeFromGroup(client, name, ids[name], userId, call));
    delete ids[name];
  }
  const removed = new Set(change.remove);
  const groups = [...new Set([...change.current.filter((g) => !removed.has(g)), ...change.add])].sort();
  return { groups, groupIds: pick(ids, groups), removals };
}

async function addToGroup(
  connector: ConnectorConfig,
  client: ScimClient,
  name: string,
  knownId: string | undefined,
  userId: string,
  existing: boolean,
  call: CallContext,
): Promise<string> {
  const group = await client.resolveGroup(name, knownId, call);
  if (!group) throw missingGroup(connector, name);
  try {
    await client.ensureMember(group.id, userId, existing && !group.created, call);
    return group.id;
  } catch (err) {
    if (!hasErrorCode(err, ERROR_CODES.SCIM_NOT_FOUND)) throw err;
    // The group we knew was deleted in the app: find (or create) the group of that name anew.
    client.forgetGroup(name, group.id);
    const again = await client.resolveGroup(name, undefined, call);
    if (!again) throw missingGroup(connector, name);
    await client.ensureMember(again.id, userId, existing && !again.created, call);
    return again.id;
  }
}

/**
 * Removes the member from the group known by id (by name when the registry has no id yet) and
 * returns the proof; throws when the app does not confirm it, or when the name is ambiguous.
 */
export async function removeFromGroup(
  client: ScimClient,
  name: string,
  knownId: string | undefined,
  userId: string,
  call: CallContext,
): Promise<GroupRemoval> {
  const group = await client.resolveGroup(name, knownId, call, false);
  // No group of that name in the app: nobody can be its member.
  if (!group) return { group: name, removed: true, proof: 'no-such-group' };
  const proof = await client.removeMemberConfirmed(group.id, userId, call);
  if (proof === 'group-gone') client.forgetGroup(name, group.id);
  return { group: name, groupId: group.id, removed: true, proof };
}

/**
 * The leaver's removals: each group on its own, failures recorded rather than thrown; groups
 * not started by `deadlineMs` are recorded as not removed.
 */
export async function removeAllGroups(
  client: ScimClient,
  userId: string,
  groups: string[],
  groupIds: Record<string, string>,
  call: CallContext,
  deadlineMs = Infinity,
): Promise<GroupRemoval[]> {
  const out: GroupRemoval[] = [];
  for (const name of groups) {
    if (Date.now() > deadlineMs) {
      const error: StepError = {
        type: 'TIME_BUDGET_SPENT',
        message: 'not attempted: the time allowed for group removals after the deactivation was spent',
        nonRetryable: false,
      };
      out.push({ group: name, ...(groupIds[name] ? { groupId: groupIds[name] } : {}), removed: false, error });
      continue;
    }
    try {
      out.push(await removeFromGroup(client, name, groupIds[name], userId, call));
    } catch (err) {
      out.push({
        group: name,
        ...(groupIds[name] ? { groupId: groupIds[name] } : {}),
        removed: false,
        error: stepError(err),
      });
    }
  }
  return out;
}

function stepError(err: unknown): StepError {
  const code = hasErrorCode(err) ? err.code : 'ERROR';
  const retryable = hasErrorCode(err) ? err.retryable : true;
  return { type: code, message: err instanceof Error ? err.message : String(err), nonRetryable: !retryable };
}

/** Timeline text for removals: `-dept-Sales (confirmed by read-back)`, `dept-X not removed: …`. */
export function describeRemovals(removals: GroupRemoval[]): string | undefined {
  if (removals.length === 0) return undefined;
  return removals
    .map((r) =>
      r.removed ? `-${r.group} (${PROOF_TEXT[r.proof ?? 'read-back']})` : `${r.group} NOT removed: ${r.error?.type}`,
    )
    .join(', ');
}

const PROOF_TEXT: Record<NonNullable<GroupRemoval['proof']>, string> = {
  response: 'confirmed by the app’s answer',
  'read-back': 'confirmed by read-back',
  'group-gone': 'group no longer exists',
  'no-such-group': 'no such group in the app',
};

function pick(ids: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.filter((n) => ids[n] !== undefined).map((n) => [n, ids[n]!]));
}

function missingGroup(connector: ConnectorConfig, name: string): JmlError {
  return new JmlError(
    ERROR_CODES.SCIM_NOT_FOUND,
    `group "${name}" does not exist in ${connector.id} and groups.create is false in ${connector.sourceFile}: create the group in the app or set groups.create: true, then retryApp`,
  );
}
