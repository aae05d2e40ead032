/**
 * The in-memory resource store and its integrity rules: `userName` uniqueness (caseExact=false,
 * so case-insensitive, RFC 7643 §4.1.1 and RFC 7644 §3.3), optional e-mail de-duplication,
 * group members that must exist, and membership cleanup when a resource is hard-deleted.
 */
import { randomUUID } from 'node:crypto';
import { ScimProtocolError, badRequest, notFound } from '../protocol/errors';

type Json = Record<string, unknown>;

/** The resource types the store holds. */
export type ResourceKind = 'User' | 'Group';

/** A stored resource: its attributes (without id/meta/schemas) plus bookkeeping. */
export interface StoredResource {
  kind: ResourceKind;
  id: string;
  data: Json;
  created: string;
  lastModified: string;
  /** Incremented on every change; rendered as the weak ETag `W/"<version>"`. */
  version: number;
}

/** Integrity rules that depend on the quirk profile. */
export interface StoreRules {
  dedupeOnEmail: boolean;
  uniqueGroupNames: boolean;
}

function emailsOf(data: Json): string[] {
  const emails = Array.isArray(data.emails) ? (data.emails as Json[]) : [];
  return emails
    .map((e) => e.value)
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.toLowerCase());
}

/** Users and groups of one server instance, with their integrity rules. */
export class ResourceStore {
  private readonly users = new Map<string, StoredResource>();
  private readonly groups = new Map<string, StoredResource>();
  /** Lower-cased userName → user id, so uniqueness checks stay O(1). */
  private readonly userNames = new Map<string, string>();
  private clock = 0;

  private map(kind: ResourceKind): Map<string, StoredResource> {
    return kind === 'User' ? this.users : this.groups;
  }

  /** Timestamps strictly increase, so lastModified orders changes even within one millisecond. */
  private now(): string {
    this.clock = Math.max(Date.now(), this.clock + 1);
    return new Date(this.clock).toISOString();
  }

  list(kind: ResourceKind): StoredResource[] {
    return [...this.map(kind).values()];
  }

  find(kind: ResourceKind, id: string): StoredResource | undefined {
    return this.map(kind).get(id);
  }

  get(kind: ResourceKind, id: string): StoredResource {
    const found = this.find(kind, id);
    if (!found) throw notFound(`${kind} ${id} not found`);
    return found;
  }

  clear(): void {
    this.userNames.clear();
    this.users.clear();
    this.groups.clear();
  }

  /** `id` is only chosen by the caller when seeding pre-existing accounts. */
  create(kind: ResourceKind, data: Json, rules: StoreRules, id: string = randomUUID()): StoredResource {
    if (this.users.has(id) || this.groups.has(id))
      throw new ScimProtocolError(409, `a resource with id ${id} already exists`, 'uniqueness');
    this.check(kind, data, id, rules);
    const now = this.now();
    const resource: StoredResource = { kind, id, data, created: now, lastModified: now, version: 1 };
    this.map(kind).set(resource.id, resource);
    this.indexUserName(resource, undefined);
    return resource;
  }

  replace(existing: StoredResource, data: Json, rules: StoreRules): StoredResource {
    this.check(existing.kind, data, existing.id, rules);
    const before = existing.data.userName;
    existing.data = data;
    this.indexUserName(existing, before);
    existing.lastModified = this.now();
    existing.version += 1;
    return existing;
  }

  private indexUserName(resource: StoredResource, before: unknown): void {
    if (resource.kind !== 'User') return;
    if (typeof before === 'string') this.userNames.delete(before.toLowerCase());
    this.userNames.set(String(resource.data.userName).toLowerCase(), resource.id);
  }

  remove(existing: StoredResource): void {
    this.map(existing.kind).delete(existing.id);
    if (existing.kind === 'User') this.userNames.delete(String(existing.data.userName).toLowerCase());
    for (const group of this.groups.values()) {
      const members = Array.isArray(group.data.members) ? (group.data.members as Json[]) : [];
      const kept = members.filter((m) => m.value !== existing.id);
      if (kept.length !== members.length) this.replaceMembers(group, kept);
    }
  }

  private replaceMembers(group: StoredResource, members: Json[]): void {
    if (members.length) group.data.members = members;
    else delete group.data.members;
    group.lastModified = this.now();
    group.version += 1;
  }

  /** Groups that list `id` as a member (for the readOnly `User.groups`, RFC 7643 §4.1.2). */
  groupsOf(id: string): StoredResource[] {
    return this.list('Group').filter(
      (g) => Array.isArray(g.data.members) && (g.data.members as Json[]).some((m) => m.value === id),
    );
  }

  private check(kind: ResourceKind, data: Json, selfId: string | undefined, rules: StoreRules): void {
    if (kind === 'User') this.checkUser(data, selfId, rules);
    else this.checkGroup(data, selfId, rules);
  }

  private checkUser(data: Json, selfId: string | undefined, rules: StoreRules): void {
    if (typeof data.userName !== 'string' || data.userName === '')
      throw badRequest.invalidValue('"userName" is required (RFC 7643 §4.1.1)');
    const owner = this.userNames.get(data.userName.toLowerCase());
    if (owner !== undefined && owner !== selfId)
      throw new ScimProtocolError(409, `userName "${data.userName}" is already taken`, 'uniqueness');
    if (!rules.dedupeOnEmail) return;
    const others = this.list('User').filter((u) => u.id !== selfId);
    const emails = new Set(emailsOf(data));
    const clash = others.find((u) => emailsOf(u.data).some((e) => emails.has(e)));
    if (clash) throw new ScimProtocolError(409, 'a user with the same email address already exists', 'uniqueness');
  }

  private checkGroup(data: Json, selfId: string | undefined, rules: StoreRules): void {
    if (typeof data.displayName !== 'string' || data.displayName === '')
      throw badRequest.invalidValue('"displayName" is required (RFC 7643 §4.2)');
    const name = data.displayName.toLowerCase();
    if (
      rules.uniqueGroupNames &&
      this.list('Group').some((g) => g.id !== selfId && String(g.data.displayName).toLowerCase() === name)
    ) {
      throw new ScimProtocolError(409, `a group named "${data.displayName}" already exists`, 'uniqueness');
    }
    const members = Array.isArray(data.members) ? (data.members as Json[]) : [];
    for (const member of members) {
      const value = member.value;
      if (typeof value !== 'string') throw badRequest.invalidValue('every member needs a "value" (the member\'s id)');
      if (value === selfId) throw badRequest.invalidValue('a group cannot be a member of itself');
      if (!this.users.has(value) && !this.groups.has(value))
        throw badRequest.invalidValue(`member "${value}" does not exist`);
    }
  }
}
