/**
 * Groups by identity, not by name. RFC 7643 does not make a Group's `displayName` unique and
 * many apps do not enforce it, so a name is only used to find a group the first time; from
 * then on the group is addressed by its SCIM `id` (kept by the caller in the account registry
 * and, per worker process, here). Creation is serialized per app and name, and checked
 * afterwards for a duplicate created concurrently elsewhere; a name that several groups share
 * stops the operation (`SCIM_GROUP_AMBIGUOUS`) instead of picking one.
 *
 * Membership changes are confirmed: a `2xx` on a PATCH is no proof (some apps answer `204` to a
 * remove that changed nothing), so a removal counts only once the app's answer or a read-back
 * shows the member gone, and an add on an existing account first reads whether it is needed
 * (apps that list a member twice would otherwise do so).
 */
import { ERROR_CODES } from '../errors';
import { patchRequest } from '../mapping';
import { ScimError } from './errors';
import { ambiguousGroup, findGroup, findGroups, replaceMembersWithout, type ScimGroup } from './groups';
import { KeyedMutex } from './keyed-mutex';
import type { ClientContext } from './search';
import type { ScimCallOptions } from './transport';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** A group resolved to its SCIM id. */
export interface ResolvedGroup {
  id: string;
  displayName: string;
  /** This call created it. */
  created: boolean;
}

/** How a removal was confirmed. */
export type RemovalProof = 'response' | 'read-back' | 'group-gone';

interface GroupState {
  locks: KeyedMutex;
  /** Lower-cased displayName → id, once resolved in this process. */
  ids: Map<string, string>;
}

const states = new WeakMap<ClientContext, GroupState>();

function stateOf(ctx: ClientContext): GroupState {
  let state = states.get(ctx);
  if (!state) {
    state = { locks: new KeyedMutex(), ids: new Map() };
    states.set(ctx, state);
  }
  return state;
}

const groupPath = (id: string) => `/Groups/${encodeURIComponent(id)}`;
const keyOf = (displayName: string) => displayName.toLowerCase();

/**
 * The group's id: `knownId` when the caller has one, else the one this process resolved, else
 * a lookup by name, else (when `create`) a new group. Null when missing and not to be created.
 */
export async function resolveGroup(
  ctx: ClientContext,
  displayName: string,
  options: { knownId?: string; create: boolean },
  o?: ScimCallOptions,
): Promise<ResolvedGroup | null> {
  if (options.knownId) return { id: options.knownId, displayName, created: false };
  const state = stateOf(ctx);
  const key = keyOf(displayName);
  // One resolver per app and name in this process: a second joiner waits and then reuses the id.
  return state.locks.run(key, async () => {
    const cached = state.ids.get(key);
    if (cached) return { id: cached, displayName, created: false };
    const found = await findGroups(ctx, displayName, o);
    if (found.length > 0) {
      const id = found.length === 1 ? found[0]!.id : await settleOurDuplicates(ctx, displayName, found, o);
      state.ids.set(key, id);
      return { id, displayName, created: false };
    }
    if (!options.create) return null;
    const id = await createGroup(ctx, displayName, o);
    state.ids.set(key, id.id);
    return { id: id.id, displayName, created: id.created };
  });
}

/** Forgets a resolved id (the group was deleted in the app: the next resolve looks it up again). */
export function forgetGroup(ctx: ClientContext, displayName: string, id?: string): void {
  const state = stateOf(ctx);
  const key = keyOf(displayName);
  if (id === undefined || state.ids.get(key) === id) state.ids.delete(key);
}

async function createGroup(
  ctx: ClientContext,
  displayName: string,
  o?: ScimCallOptions,
): Promise<{ id: string; created: boolean }> {
  const body = { schemas: [GROUP_SCHEMA], displayName, externalId: groupMarker(displayName) };
  const res = await ctx.http.exchange(
    {
      operation: 'create-group',
      method: 'POST',
      path: '/Groups',
      body,
      accept: [409],
      attributes: ['displayName', 'externalId'],
    },
    o,
  );
  if (res.status === 409) {
    // Another worker (or a retried attempt whose answer was lost) created it first.
    const raced = await findGroup(ctx, displayName, o);
    if (raced) return { id: raced.id, created: false };
    throw new ScimError(
      ERROR_CODES.SCIM_CONFLICT,
      {
        app: ctx.connector.id,
        operation: 'create-group',
        method: 'POST',
        path: '/Groups',
        status: 409,
        detail: `group "${displayName}" conflicts but cannot be found by displayName`,
      },
      { retryable: false },
    );
  }
  const id = (res.body as Partial<ScimGroup> | undefined)?.id;
  if (!id)
    throw new ScimError(
      ERROR_CODES.SCIM_PROTOCOL,
      {
        app: ctx.connector.id,
        operation: 'create-group',
        method: 'POST',
        path: '/Groups',
        status: res.status,
        detail: 'created group has no id',
      },
      { retryable: false },
    );
  return { id: await settleCreated(ctx, displayName, id, o), created: true };
}

const createdAt = (g: ScimGroup): number => Date.parse(g.meta?.created ?? '');

/**
 * The `externalId` the orchestrator gives the groups it creates (RFC 7643 §3.1: set by the
 * provisioning client): it tells our own duplicates apart from groups someone else made.
 */
export function groupMarker(displayName: string): string {
  return `jml-group:${displayName}`;
}

/**
 * After a create, looks again: another process may have created the same name at the same
 * time (an app without unique names accepts both), and a create whose answer was lost may
 * take effect later. See settleOurDuplicates.
 */
async function settleCreated(
  ctx: ClientContext,
  displayName: string,
  ourId: string,
  o?: ScimCallOptions,
): Promise<string> {
  const found = await findGroups(ctx, displayName, o);
  if (found.length === 0 || (found.length === 1 && found[0]!.id === ourId)) return ourId;
  if (found.some((g) => g.id === ourId)) return settleOurDuplicates(ctx, displayName, found, o);
  // Ours is not listed: deleted already as a younger duplicate (then the others decide), or a
  // search that lags its writes (then nobody can compare creation times: an operator decides).
  if ((await readMembers(ctx, ourId, o)) !== null) throw ambiguousGroup(ctx, displayName, [...found, { id: ourId }]);
  return found.length === 1 ? found[0]!.id : settleOurDuplicates(ctx, displayName, found, o);
}

/**
 * Several groups answer to one name. When the orchestrator created all of them (our marker in
 * `externalId`: concurrent creates, or a create whose lost answer took effect later), the oldest
 * wins everywhere — every process sees the same `meta.created` — and the younger ones are
 * deleted while still empty. Anything else — a group someone else made, creation times that
 * cannot be compared, a younger duplicate already in use — is for an operator:
 * `SCIM_GROUP_AMBIGUOUS`, never a guess.
 */
async function settleOurDuplicates(
  ctx: ClientContext,
  displayName: string,
  all: ScimGroup[],
  o?: ScimCallOptions,
): Promise<string> {
  if (!all.every((g) => g.externalId === groupMarker(displayName))) throw ambiguousGroup(ctx, displayName, all);
  const times = all.map(createdAt);
  if (!times.every(Number.isFinite) || new Set(times).size !== times.length)
    throw ambiguousGroup(ctx, displayName, all);
  const oldest = all[times.indexOf(Math.min(...times))]!;
  for (const g of all.filter((x) => x.id !== oldest.id)) {
    const members = await readMembers(ctx, g.id, o);
    if (members && members.length > 0) throw ambiguousGroup(ctx, displayName, all);
    await ctx.http.exchange(
      {
        operation: 'delete-group',
        method: 'DELETE',
        path: groupPath(g.id),
        accept: [404],
        repeatable: true,
        targetId: g.id,
      },
      o,
    );
  }
  return oldest.id;
}

/**
 * Whether the app enforces unique group names: creates a group named `displayName` twice (a
 * throw-away name), then deletes what was created. `unique` when the second create is a 409.
 */
export async function probeUniqueGroupNames(
  ctx: ClientContext,
  displayName: string,
  o?: ScimCallOptions,
): Promise<{ unique: boolean; leftBehind: string[] }> {
  const body = { schemas: [GROUP_SCHEMA], displayName };
  const created: string[] = [];
  const leftBehind: string[] = [];
  let unique = false;
  try {
    for (let i = 0; i < 2; i++) {
      const res = await ctx.http.exchange(
        {
          operation: 'probe-group-names',
          method: 'POST',
          path: '/Groups',
          body,
          accept: [409],
          attributes: ['displayName'],
        },
        o,
      );
      if (res.status === 409) {
        unique = true;
        break;
      }
      const id = (res.body as Partial<ScimGroup> | undefined)?.id;
      if (id) created.push(id);
    }
  } finally {
    for (const id of created) {
      try {
        await ctx.http.exchange(
          {
            operation: 'delete-group',
            method: 'DELETE',
            path: groupPath(id),
            accept: [404],
            repeatable: true,
            targetId: id,
          },
          o,
        );
      } catch {
        leftBehind.push(`group ${id}`);
      }
    }
  }
  return { unique, leftBehind };
}

/** The group's member ids (`GET /Groups/{id}?attributes=members`); null when the group is gone (404). */
export async function readMembers(ctx: ClientContext, groupId: string, o?: ScimCallOptions): Promise<string[] | null> {
  const res = await ctx.http.exchange(
    {
      operation: 'get-group',
      method: 'GET',
      path: `${groupPath(groupId)}?attributes=members`,
      accept: [404],
      targetId: groupId,
    },
    o,
  );
  if (res.status === 404) return null;
  const members = (res.body as Partial<ScimGroup> | undefined)?.members;
  return Array.isArray(members) ? members.map((m) => m.value) : [];
}

/**
 * Adds the member unless `checkFirst` finds it already there (an existing account: a re-hire,
 * an adopted account). A 404 is `SCIM_NOT_FOUND`: the group is gone.
 */
export async function ensureMember(
  ctx: ClientContext,
  groupId: string,
  userId: string,
  options: { checkFirst: boolean },
  o?: ScimCallOptions,
): Promise<'added' | 'already-member'> {
  if (options.checkFirst) {
    const members = await readMembers(ctx, groupId, o);
    if (members === null) throw groupGone(ctx, groupId);
    if (members.includes(userId)) return 'already-member';
  }
  const body = patchRequest([{ op: 'add', path: 'members', value: [{ value: userId }] }]);
  await ctx.http.exchange(
    {
      operation: 'add-members',
      method: 'PATCH',
      path: groupPath(groupId),
      body,
      repeatable: true,
      targetId: groupId,
      attributes: ['members'],
    },
    o,
  );
  return 'added';
}

function groupGone(ctx: ClientContext, groupId: string): ScimError {
  return new ScimError(
    ERROR_CODES.SCIM_NOT_FOUND,
    {
      app: ctx.connector.id,
      operation: 'get-group',
      method: 'GET',
      path: groupPath(groupId),
      status: 404,
      detail: `group ${groupId} no longer exists in ${ctx.connector.id}`,
    },
    { retryable: false },
  );
}

/**
 * Removes the member and proves it: the PATCH answer when it lists the members without them,
 * else a read-back. A group that is gone holds no membership. An app that acknowledged but
 * still lists them gets the other removal form (`path: members` with a `value` list, which
 * Entra sends and some apps need); still listed after that is `SCIM_UNCONFIRMED` (retryable):
 * the caller must not report the removal.
 */
export async function removeMemberConfirmed(
  ctx: ClientContext,
  groupId: string,
  userId: string,
  o?: ScimCallOptions,
): Promise<RemovalProof> {
  const byFilter = patchRequest([{ op: 'remove', path: `members[value eq ${JSON.stringify(userId)}]` }]);
  const first = await sendRemoval(ctx, groupId, userId, byFilter, o);
  if (first !== 'unconfirmed') return first;
  const byValue = patchRequest([{ op: 'remove', path: 'members', value: [{ value: userId }] }]);
  const second = await sendRemoval(ctx, groupId, userId, byValue, o);
  if (second !== 'unconfirmed') return second;
  throw new ScimError(
    ERROR_CODES.SCIM_UNCONFIRMED,
    {
      app: ctx.connector.id,
      operation: 'remove-members',
      method: 'PATCH',
      path: groupPath(groupId),
      detail: `the app acknowledged removing ${userId} from group ${groupId}, but reading the group back still lists them`,
    },
    { retryable: true },
  );
}

async function sendRemoval(
  ctx: ClientContext,
  groupId: string,
  userId: string,
  body: unknown,
  o?: ScimCallOptions,
): Promise<RemovalProof | 'unconfirmed'> {
  let answer: { status: number; body: unknown } | undefined;
  try {
    // Repeatable: whatever a repeat answers (even 400 noTarget), the read-back decides.
    answer = await ctx.http.exchange(
      {
        operation: 'remove-members',
        method: 'PATCH',
        path: groupPath(groupId),
        body,
        accept: [404],
        repeatable: true,
        targetId: groupId,
        attributes: ['members'],
      },
      o,
    );
  } catch (err) {
    if (!(err instanceof ScimError) || err.info.status !== 400) throw err;
    if (err.info.scimType === 'invalidPath') await replaceMembersWithout(ctx, groupId, [userId], o);
    else if (err.info.scimType !== 'noTarget') throw err;
  }
  if (answer?.status === 404) return 'group-gone';
  const shown = answer?.status === 200 ? (answer.body as Partial<ScimGroup> | undefined)?.members : undefined;
  if (Array.isArray(shown) && !shown.some((m) => m.value === userId)) return 'response';
  const members = await readMembers(ctx, groupId, o);
  if (members === null) return 'group-gone';
  return members.includes(userId) ? 'unconfirmed' : 'read-back';
}
