/**
 * SCIM 2.0 operations against one app (RFC 7644), shaped by the connector: lookups in the
 * connector's `match` order, idempotent create (look up first, adopt on 409 only what is
 * ours), minimal PATCH or a PUT merge where the app lacks PATCH, delete per the connector's
 * delete semantics, and group membership.
 */
import type { ConnectorConfig } from '../config/types';
import { ERROR_CODES } from '../errors';
import {
  applyPatch,
  diffScimUser,
  mergeForPut,
  patchRequest,
  type ScimPatchOperation,
  type ScimUserResource,
} from '../mapping';
import { ScimError } from './errors';
import type { BulkOperation, BulkResult } from './bulk';
import {
  addMembers,
  applyMemberships,
  bulk,
  deleteGroup,
  findGroup,
  findGroups,
  removeMembers,
  type MembershipChange,
  type ScimGroup,
} from './groups';
import {
  ensureMember,
  forgetGroup,
  probeUniqueGroupNames,
  readMembers,
  removeMemberConfirmed,
  resolveGroup,
  type RemovalProof,
  type ResolvedGroup,
} from './group-identity';
import { scanAll, type ScanResult } from './scan';
import { searchAll, type ClientContext, type ListResponse } from './search';
import type { ScimCallOptions, ScimTransport } from './transport';

/** One app's SCIM operations; get it from `ScimClients.get(connector)`, which shares it per process. */
export class ScimClient {
  private readonly ctx: ClientContext;

  constructor(
    readonly connector: ConnectorConfig,
    private readonly http: ScimTransport,
  ) {
    this.ctx = { connector, http };
  }

  /**
   * RFC 7644 §4: what the app says it supports (compared with the connector by `jml scim check`).
   * `/Schemas` and `/ResourceTypes` are often missing in real apps, so a 404 there is `undefined`.
   */
  async discover(
    o?: ScimCallOptions,
  ): Promise<{ serviceProviderConfig: unknown; resourceTypes: unknown; schemas: unknown }> {
    const get = async (path: string, accept: number[]) => {
      const res = await this.http.exchange({ operation: 'discover', method: 'GET', path, accept }, o);
      return res.status === 404 ? undefined : res.body;
    };
    return {
      serviceProviderConfig: await get('/ServiceProviderConfig', []),
      resourceTypes: await get('/ResourceTypes', [404]),
      schemas: await get('/Schemas', [404]),
    };
  }

  /** One raw page of `/Users` (RFC 7644 §3.4.2.4), for probing how an app pages. */
  async listUsersPage(startIndex: number, count: number, o?: ScimCallOptions): Promise<ListResponse<ScimUserResource>> {
    const res = await this.http.exchange(
      { operation: 'list-users', method: 'GET', path: `/Users?startIndex=${startIndex}&count=${count}` },
      o,
    );
    return (res.body ?? {}) as ListResponse<ScimUserResource>;
  }

  /** Every account in the app (reconciliation), robust to broken paging. */
  scanUsers(o?: ScimCallOptions, options?: { pageSize?: number }): Promise<ScanResult<ScimUserResource>> {
    return scanAll<ScimUserResource>(this.ctx, 'Users', o, options);
  }

  /** Every group in the app with its members (reconciliation), robust to broken paging. */
  scanGroups(o?: ScimCallOptions, options?: { pageSize?: number }): Promise<ScanResult<ScimGroup>> {
    return scanAll<ScimGroup>(this.ctx, 'Groups', o, options);
  }

  /** The person's account, by `externalId` then `userName` (the connector's `match` order). */
  async findUser(
    ref: { externalId?: string; userName?: string },
    o?: ScimCallOptions,
  ): Promise<ScimUserResource | null> {
    for (const attribute of this.connector.match) {
      const found = await this.findUserBy(attribute, ref, o);
      if (found) return found;
    }
    return null;
  }

  /**
   * Every account matching the person by any attribute of the connector's `match` order, each
   * once: where `findUser` stops at the first, this is for checks that must see duplicates (a
   * leaver's recheck, where a late create sits beside the deactivated account).
   */
  async findAllUsers(
    ref: { externalId?: string; userName?: string },
    o?: ScimCallOptions,
  ): Promise<ScimUserResource[]> {
    const found = new Map<string, ScimUserResource>();
    for (const attribute of this.connector.match) {
      for (const user of await this.usersBy(attribute, ref, o))
        if (user.id && !found.has(user.id)) found.set(user.id, user);
    }
    return [...found.values()];
  }

  /**
   * One lookup by one attribute; null when nothing matches, and also when the app cannot filter
   * on `externalId` (`400 invalidFilter`), so callers go on to `userName`.
   */
  private async findUserBy(
    attribute: 'externalId' | 'userName',
    ref: { externalId?: string; userName?: string },
    o?: ScimCallOptions,
  ): Promise<ScimUserResource | null> {
    return (await this.usersBy(attribute, ref, o))[0] ?? null;
  }

  /** The exact matches of one lookup ([] also when the app cannot filter on `externalId`). */
  private async usersBy(
    attribute: 'externalId' | 'userName',
    ref: { externalId?: string; userName?: string },
    o?: ScimCallOptions,
  ): Promise<ScimUserResource[]> {
    const value = ref[attribute];
    if (!value) return [];
    let found: ScimUserResource[];
    try {
      found = await searchAll<ScimUserResource>(this.ctx, '/Users', { attribute, value }, 'find-user', o);
    } catch (err) {
      if (
        attribute === 'externalId' &&
        err instanceof ScimError &&
        err.info.status === 400 &&
        err.info.scimType === 'invalidFilter'
      )
        return [];
      throw err;
    }
    return found.filter((u) =>
      attribute === 'userName' ? u.userName?.toLowerCase() === value.toLowerCase() : u.externalId === value,
    );
  }

  /**
   * The lookup before a create: one request, by the first attribute of the connector's `match`.
   * `externalId` is ours (we set it), so when it comes first its answer decides and `userName` is
   * only asked after a 409 (see createUser). A connector whose app cannot filter on `externalId`
   * lists `userName` first (or only).
   */
  private async findBeforeCreate(
    ref: { externalId?: string; userName?: string },
    o?: ScimCallOptions,
  ): Promise<ScimUserResource | null> {
    const [first] = this.connector.match;
    if (first === 'externalId' && ref.externalId) return this.findUserBy('externalId', ref, o);
    return this.findUser(ref, o);
  }

  /** GET /Users/{id} (RFC 7644 §3.4.1); `null` when the app answers 404. */
  async getUser(id: string, o?: ScimCallOptions): Promise<ScimUserResource | null> {
    const res = await this.http.exchange(
      { operation: 'get-user', method: 'GET', path: `/Users/${encodeURIComponent(id)}`, accept: [404], targetId: id },
      o,
    );
    return res.status === 404 ? null : (res.body as ScimUserResource);
  }

  /**
   * Idempotent create (RFC 7644 §3.3): an account that already belongs to this person is
   * adopted (a retried create after a lost response, or an account made by hand); one that
   * belongs to someone else is never touched. Two requests when nothing exists (one lookup by
   * `externalId`, the POST); the `userName` lookup only follows a 409.
   */
  async createUser(
    desired: ScimUserResource,
    o?: ScimCallOptions,
  ): Promise<{ id: string; adopted: boolean; created: boolean; resource: ScimUserResource }> {
    const ref = { externalId: desired.externalId, userName: desired.userName };
    const existing = await this.findBeforeCreate(ref, o);
    if (existing) return this.adopt(existing, desired);
    const res = await this.http.exchange(
      {
        operation: 'create-user',
        method: 'POST',
        path: '/Users',
        body: desired,
        accept: [409],
        attributes: Object.keys(desired).filter((k) => k !== 'schemas'),
      },
      o,
    );
    if (res.status === 409) {
      // Ours after a lost answer (externalId), or an account made by hand or another person's (userName).
      const raced = await this.findUser(ref, o);
      if (raced) return this.adopt(raced, desired);
      throw new ScimError(
        ERROR_CODES.SCIM_CONFLICT,
        {
          app: this.connector.id,
          operation: 'create-user',
          method: 'POST',
          path: '/Users',
          status: 409,
          detail: 'the app reports a uniqueness conflict but no account matches externalId or userName',
        },
        { retryable: false },
      );
    }
    const resource = await this.createdResource(res, o);
    if (!resource?.id)
      throw new ScimError(
        ERROR_CODES.SCIM_PROTOCOL,
        {
          app: this.connector.id,
          operation: 'create-user',
          method: 'POST',
          path: '/Users',
          status: res.status,
          detail: 'created resource has no id',
        },
        { retryable: false },
      );
    return { id: resource.id, adopted: false, created: true, resource };
  }

  /** Some apps answer 201 with an empty body and only `Location` (RFC 7644 §3.3): read it from there. */
  private async createdResource(
    res: { body: unknown; headers: Record<string, string | string[] | undefined> },
    o?: ScimCallOptions,
  ): Promise<ScimUserResource | null> {
    const body = res.body as ScimUserResource | undefined;
    if (body && typeof body === 'object' && body.id) return body;
    const location = [res.headers.location].flat()[0];
    const id = location ? decodeURIComponent(location.replace(/\/$/, '').split('/').pop() ?? '') : '';
    return id ? this.getUser(id, o) : null;
  }

  private adopt(found: ScimUserResource, desired: ScimUserResource) {
    const ours =
      found.externalId === desired.externalId ||
      (!found.externalId && found.userName?.toLowerCase() === desired.userName?.toLowerCase());
    if (!ours || !found.id) {
      throw new ScimError(
        ERROR_CODES.SCIM_ACCOUNT_OWNED_BY_OTHER,
        {
          app: this.connector.id,
          operation: 'create-user',
          method: 'GET',
          path: '/Users',
          detail: `account ${found.id ?? '?'} with the same userName belongs to externalId ${String(found.externalId)}, not ${String(desired.externalId)}`,
        },
        { retryable: false },
      );
    }
    return { id: found.id, adopted: true, created: false, resource: found };
  }

  /** Brings the mapped attributes up to date: GET, diff, then a minimal PATCH or a PUT merge; nothing when equal. */
  async updateUser(
    id: string,
    desired: ScimUserResource,
    o?: ScimCallOptions,
  ): Promise<{ changed: string[]; requests: number }> {
    const current = await this.getUser(id, o);
    if (!current) throw this.notFound('update-user', id);
    const ops = diffScimUser(this.connector, current, desired);
    if (ops.length === 0) return { changed: [], requests: 1 };
    const changed = ops.map((op) => op.path ?? '(resource)');
    if (this.connector.capabilities.patch) await this.patchUser(id, ops, o, current);
    else await this.replaceUser(id, mergeForPut(current, desired, this.connector), o, changed);
    return { changed, requests: 2 };
  }

  /** RFC 7644 §3.5.2; falls back to GET + PUT merge when the app has no PATCH. */
  async patchUser(
    id: string,
    ops: ScimPatchOperation[],
    o?: ScimCallOptions,
    current?: ScimUserResource,
  ): Promise<void> {
    const attributes = ops.map((op) => op.path ?? '(resource)');
    if (!this.connector.capabilities.patch) {
      const base = current ?? (await this.getUser(id, o));
      if (!base) throw this.notFound('patch-user', id);
      await this.replaceUser(id, applyPatch(base, ops), o, attributes);
      return;
    }
    const version = this.connector.capabilities.etag ? current?.meta?.version : undefined;
    await this.http.exchange(
      {
        operation: 'patch-user',
        method: 'PATCH',
        path: `/Users/${encodeURIComponent(id)}`,
        body: patchRequest(ops),
        headers: version ? { 'if-match': version } : undefined,
        repeatable: !version && ops.every((op) => op.op !== 'remove'),
        targetId: id,
        attributes,
      },
      o,
    );
  }

  /** RFC 7644 §3.5.1 — readOnly attributes are dropped from the body. */
  async replaceUser(
    id: string,
    resource: ScimUserResource,
    o?: ScimCallOptions,
    attributes?: string[],
  ): Promise<ScimUserResource> {
    if (!this.connector.capabilities.put) {
      throw new ScimError(
        ERROR_CODES.SCIM_UNSUPPORTED,
        {
          app: this.connector.id,
          operation: 'replace-user',
          method: 'PUT',
          path: `/Users/${id}`,
          detail: 'the connector declares neither PATCH nor PUT for users',
        },
        { retryable: false },
      );
    }
    const { meta, groups: _groups, ...body } = resource as ScimUserResource & { groups?: unknown };
    const version = this.connector.capabilities.etag ? meta?.version : undefined;
    const res = await this.http.exchange(
      {
        operation: 'replace-user',
        method: 'PUT',
        path: `/Users/${encodeURIComponent(id)}`,
        body: { ...body, id },
        headers: version ? { 'if-match': version } : undefined,
        repeatable: !version,
        targetId: id,
        attributes,
      },
      o,
    );
    return (res.body as ScimUserResource) ?? resource;
  }

  /** `active=false` (RFC 7643 §4.1.1) by PATCH, or GET + PUT where the app has no PATCH. */
  deactivateUser(id: string, o?: ScimCallOptions): Promise<void> {
    return this.setActive(id, false, o);
  }

  /** `active=true` — a re-hire keeps the same account instead of creating a second one. */
  reactivateUser(id: string, o?: ScimCallOptions): Promise<void> {
    return this.setActive(id, true, o);
  }

  private async setActive(id: string, active: boolean, o?: ScimCallOptions): Promise<void> {
    if (this.connector.capabilities.patch) {
      await this.http.exchange(
        {
          operation: active ? 'reactivate-user' : 'deactivate-user',
          method: 'PATCH',
          path: `/Users/${encodeURIComponent(id)}`,
          body: patchRequest([{ op: 'replace', path: 'active', value: active }]),
          repeatable: true,
          targetId: id,
          attributes: ['active'],
        },
        o,
      );
      return;
    }
    const current = await this.getUser(id, o);
    if (!current) throw this.notFound(active ? 'reactivate-user' : 'deactivate-user', id);
    if (current.active === active) return;
    await this.replaceUser(id, { ...current, active }, o, ['active']);
  }

  /**
   * DELETE per the connector (RFC 7644 §3.6): `hard` deletes, and a 404 means an earlier attempt
   * already did (success, for idempotency); `deactivate-only` and `none` apps must not be sent
   * DELETE, so the account is deactivated instead and reported as such (`skipped` is reserved
   * for callers that decide to send nothing).
   */
  async deleteUser(
    id: string,
    o?: ScimCallOptions,
  ): Promise<{ outcome: 'deleted' | 'already-gone' | 'deactivated' | 'skipped' }> {
    if (this.connector.delete.mode !== 'hard') {
      try {
        await this.deactivateUser(id, o);
      } catch (err) {
        if (err instanceof ScimError && err.code === ERROR_CODES.SCIM_NOT_FOUND) return { outcome: 'already-gone' };
        throw err;
      }
      return { outcome: 'deactivated' };
    }
    const res = await this.http.exchange(
      {
        operation: 'delete-user',
        method: 'DELETE',
        path: `/Users/${encodeURIComponent(id)}`,
        accept: [404],
        repeatable: true,
        targetId: id,
      },
      o,
    );
    return { outcome: res.status === 404 ? 'already-gone' : 'deleted' };
  }

  /** The one group with this `displayName` (RFC 7644 §3.4.2.2), members left out; several are `SCIM_GROUP_AMBIGUOUS`. */
  findGroup(displayName: string, o?: ScimCallOptions): Promise<ScimGroup | null> {
    return findGroup(this.ctx, displayName, o);
  }

  /** Every group answering to this `displayName` (names need not be unique). */
  findGroups(displayName: string, o?: ScimCallOptions): Promise<ScimGroup[]> {
    return findGroups(this.ctx, displayName, o);
  }

  /** The group, created when missing and `groups.create` allows it; null when missing and not allowed. */
  async ensureGroup(displayName: string, o?: ScimCallOptions): Promise<{ id: string; created: boolean } | null> {
    const group = await resolveGroup(this.ctx, displayName, { create: this.connector.groups.create }, o);
    return group && { id: group.id, created: group.created };
  }

  /**
   * The group's SCIM id: `knownId` (from the account registry), else the one resolved in this
   * process, else by name — created when missing and `groups.create` allows it, one creator per
   * name in the process. See group-identity.ts.
   */
  resolveGroup(
    displayName: string,
    knownId?: string,
    o?: ScimCallOptions,
    create = this.connector.groups.create,
  ): Promise<ResolvedGroup | null> {
    return resolveGroup(this.ctx, displayName, { knownId, create }, o);
  }

  /** Drops a group id this process remembered (the app says the group is gone). */
  forgetGroup(displayName: string, id?: string): void {
    forgetGroup(this.ctx, displayName, id);
  }

  /** `jml scim check`: creates a throw-away name twice (then deletes both) to see whether names are unique. */
  probeUniqueGroupNames(displayName: string, o?: ScimCallOptions): Promise<{ unique: boolean; leftBehind: string[] }> {
    return probeUniqueGroupNames(this.ctx, displayName, o);
  }

  /** The group's member ids; null when the group is gone. */
  readMembers(groupId: string, o?: ScimCallOptions): Promise<string[] | null> {
    return readMembers(this.ctx, groupId, o);
  }

  /** Adds the member; with `checkFirst`, only when not already listed (no duplicates on lax apps). */
  ensureMember(
    groupId: string,
    userId: string,
    checkFirst: boolean,
    o?: ScimCallOptions,
  ): Promise<'added' | 'already-member'> {
    return ensureMember(this.ctx, groupId, userId, { checkFirst }, o);
  }

  /** Removes the member and proves it (PATCH answer or read-back); `SCIM_UNCONFIRMED` when the app still lists them. */
  removeMemberConfirmed(groupId: string, userId: string, o?: ScimCallOptions): Promise<RemovalProof> {
    return removeMemberConfirmed(this.ctx, groupId, userId, o);
  }

  /** Deletes a group (used by `jml scim check` to clean up its throw-away group). */
  deleteGroup(groupId: string, o?: ScimCallOptions): Promise<{ outcome: 'deleted' | 'already-gone' }> {
    return deleteGroup(this.ctx, groupId, o);
  }

  /** PATCH add of `members` (RFC 7644 §3.5.2.1); adding a member twice is a no-op in SCIM. */
  addMembers(groupId: string, userIds: string[], o?: ScimCallOptions): Promise<void> {
    return addMembers(this.ctx, groupId, userIds, o);
  }

  /** PATCH remove with a `members[value eq "…"]` path (§3.5.2.2); see groups.ts for fallbacks. */
  removeMembers(groupId: string, userIds: string[], o?: ScimCallOptions): Promise<void> {
    return removeMembers(this.ctx, groupId, userIds, o);
  }

  /** Membership changes for several groups: one Bulk request when the app has Bulk (§3.7), else a PATCH per group. */
  applyMemberships(changes: MembershipChange[], o?: ScimCallOptions): Promise<void> {
    return applyMemberships(this.ctx, changes, o);
  }

  /** Raw Bulk (RFC 7644 §3.7), per-operation results in order; requires `capabilities.bulk`. */
  bulk(operations: BulkOperation[], o?: ScimCallOptions): Promise<BulkResult[]> {
    return bulk(this.ctx, operations, o);
  }

  private notFound(operation: string, id: string): ScimError {
    return new ScimError(
      ERROR_CODES.SCIM_NOT_FOUND,
      {
        app: this.connector.id,
        operation,
        method: 'GET',
        path: `/Users/${id}`,
        status: 404,
        detail: `no account ${id} in ${this.connector.id}`,
      },
      { retryable: false },
    );
  }
}
