/**
 * Groups (RFC 7643 §4.2) and their membership: lookup by exact `displayName`, creation only
 * when the connector allows it, member add/remove by PATCH, and several groups' changes in one
 * Bulk request where the app has Bulk.
 */
import { ERROR_CODES } from '../errors';
import { patchRequest, type ScimPatchOperation } from '../mapping';
import { sendBulk, type BulkOperation, type BulkResult } from './bulk';
import { ScimError } from './errors';
import { searchAll, type ClientContext } from './search';
import type { ScimCallOptions } from './transport';

/** Used when the app does not advertise `bulk.maxOperations`. */
const DEFAULT_BULK_MAX = 100;

/** A group as the client needs it. */
export interface ScimGroup {
  id: string;
  displayName: string;
  members?: { value: string }[];
  externalId?: string;
  meta?: { created?: string };
}

/** One group's membership change. */
export interface MembershipChange {
  groupId: string;
  add?: string[];
  remove?: string[];
}

const groupPath = (id: string) => `/Groups/${encodeURIComponent(id)}`;

/**
 * Every group answering to `displayName` (RFC 7644 §3.4.2.2 filter), members left out: the
 * exact spelling when any has it, else the case-insensitive matches (Group `displayName` is
 * caseExact=false, RFC 7643 §4.2). Names are not unique in many apps, so this may be several.
 */
export async function findGroups(ctx: ClientContext, displayName: string, o?: ScimCallOptions): Promise<ScimGroup[]> {
  const found = await searchAll<ScimGroup>(
    ctx,
    '/Groups',
    { attribute: 'displayName', value: displayName },
    'find-group',
    o,
    'excludedAttributes=members',
  );
  const exact = found.filter((g) => g.displayName === displayName);
  if (exact.length > 0) return exact;
  const folded = displayName.toLowerCase();
  return found.filter((g) => g.displayName?.toLowerCase() === folded);
}

/** The alert-worthy failure: several groups answer to one name and none is known by id. */
export function ambiguousGroup(ctx: ClientContext, displayName: string, groups: { id: string }[]): ScimError {
  const ids = groups.map((g) => g.id).join(', ');
  return new ScimError(
    ERROR_CODES.SCIM_GROUP_AMBIGUOUS,
    {
      app: ctx.connector.id,
      operation: 'find-group',
      method: 'GET',
      path: '/Groups',
      detail: `${groups.length} groups in ${ctx.connector.id} are named "${displayName}" (ids ${ids}); the orchestrator does not guess which one grants access: merge or rename them in the app, then retryApp`,
    },
    { retryable: false },
  );
}

/** The one group named `displayName`, null when none; several are `SCIM_GROUP_AMBIGUOUS`, never a guess. */
export async function findGroup(
  ctx: ClientContext,
  displayName: string,
  o?: ScimCallOptions,
): Promise<ScimGroup | null> {
  const found = await findGroups(ctx, displayName, o);
  if (found.length > 1) throw ambiguousGroup(ctx, displayName, found);
  return found[0] ?? null;
}

/** DELETE /Groups/{id} (RFC 7644 §3.6); a 404 means an earlier attempt already did it. */
export async function deleteGroup(
  ctx: ClientContext,
  groupId: string,
  o?: ScimCallOptions,
): Promise<{ outcome: 'deleted' | 'already-gone' }> {
  const res = await ctx.http.exchange(
    { operation: 'delete-group', method: 'DELETE', path: groupPath(groupId), accept: [404], targetId: groupId },
    o,
  );
  return { outcome: res.status === 404 ? 'already-gone' : 'deleted' };
}

function membershipOps(change: MembershipChange): ScimPatchOperation[] {
  const ops: ScimPatchOperation[] = [];
  if (change.add?.length) ops.push({ op: 'add', path: 'members', value: change.add.map((value) => ({ value })) });
  for (const id of change.remove ?? []) ops.push({ op: 'remove', path: `members[value eq ${JSON.stringify(id)}]` });
  return ops;
}

export async function addMembers(
  ctx: ClientContext,
  groupId: string,
  userIds: string[],
  o?: ScimCallOptions,
): Promise<void> {
  if (userIds.length === 0) return;
  await ctx.http.exchange(
    {
      operation: 'add-members',
      method: 'PATCH',
      path: groupPath(groupId),
      body: patchRequest(membershipOps({ groupId, add: userIds })),
      repeatable: true,
      targetId: groupId,
      attributes: ['members'],
    },
    o,
  );
}

/**
 * Removing a member that is not there answers `400 noTarget` (§3.5.2.2) — after a retried
 * attempt that is success. Apps that reject value-filter paths (`400 invalidPath`) get the
 * whole `members` list replaced without the removed ids instead.
 */
export async function removeMembers(
  ctx: ClientContext,
  groupId: string,
  userIds: string[],
  o?: ScimCallOptions,
): Promise<void> {
  if (userIds.length === 0) return;
  try {
    await ctx.http.exchange(
      {
        operation: 'remove-members',
        method: 'PATCH',
        path: groupPath(groupId),
        body: patchRequest(membershipOps({ groupId, remove: userIds })),
        targetId: groupId,
        attributes: ['members'],
      },
      o,
    );
  } catch (err) {
    if (!(err instanceof ScimError) || err.info.status !== 400) throw err;
    if (err.info.scimType === 'noTarget') return;
    if (err.info.scimType !== 'invalidPath') throw err;
    await replaceMembersWithout(ctx, groupId, userIds, o);
  }
}

/** Replaces `members` with the current list minus `userIds` (apps that refuse value-filter paths). */
export async function replaceMembersWithout(
  ctx: ClientContext,
  groupId: string,
  userIds: string[],
  o?: ScimCallOptions,
): Promise<void> {
  const res = await ctx.http.exchange(
    { operation: 'get-group', method: 'GET', path: `${groupPath(groupId)}?attributes=members`, targetId: groupId },
    o,
  );
  const members = ((res.body as Partial<ScimGroup> | undefined)?.members ?? [])
    .filter((m) => !userIds.includes(m.value))
    .map((m) => ({ value: m.value }));
  await ctx.http.exchange(
    {
      operation: 'remove-members',
      method: 'PATCH',
      path: groupPath(groupId),
      body: patchRequest([{ op: 'replace', path: 'members', value: members }]),
      targetId: groupId,
      attributes: ['members'],
    },
    o,
  );
}

export async function applyMemberships(
  ctx: ClientContext,
  changes: MembershipChange[],
  o?: ScimCallOptions,
): Promise<void> {
  const effective = changes.filter((c) => c.add?.length || c.remove?.length);
  if (effective.length > 1 && ctx.connector.capabilities.bulk) {
    const results = await bulk(
      ctx,
      effective.map(
        (c): BulkOperation => ({ method: 'PATCH', path: groupPath(c.groupId), data: patchRequest(membershipOps(c)) }),
      ),
      o,
    );
    // A remove that finds nothing was already applied (a retried attempt).
    const failed = results.filter((r) => r.error && r.error.info.scimType !== 'noTarget');
    if (failed.length > 0) throw failed.find((r) => !r.error!.retryable)?.error ?? failed[0]!.error!;
    return;
  }
  for (const c of effective) {
    await addMembers(ctx, c.groupId, c.add ?? [], o);
    await removeMembers(ctx, c.groupId, c.remove ?? [], o);
  }
}

/** The app's `bulk.maxOperations` (§5), read once per client. */
const bulkLimits = new WeakMap<ClientContext, Promise<number>>();

export async function bulk(
  ctx: ClientContext,
  operations: BulkOperation[],
  o?: ScimCallOptions,
): Promise<BulkResult[]> {
  if (!ctx.connector.capabilities.bulk) {
    throw new ScimError(
      ERROR_CODES.SCIM_UNSUPPORTED,
      {
        app: ctx.connector.id,
        operation: 'bulk',
        method: 'POST',
        path: '/Bulk',
        detail: 'capabilities.bulk is false for this connector',
      },
      { retryable: false },
    );
  }
  let limit = bulkLimits.get(ctx);
  if (!limit) {
    limit = ctx.http
      .exchange({ operation: 'discover', method: 'GET', path: '/ServiceProviderConfig' }, o)
      .then(
        (r) =>
          Number((r.body as { bulk?: { maxOperations?: unknown } } | undefined)?.bulk?.maxOperations) ||
          DEFAULT_BULK_MAX,
      );
    bulkLimits.set(ctx, limit);
    limit.catch(() => bulkLimits.delete(ctx));
  }
  return sendBulk(ctx.http, ctx.connector.id, operations, await limit, o);
}
