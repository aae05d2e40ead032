/**
 * Renders stored resources as SCIM JSON: `schemas` (core plus the extensions in use,
 * RFC 7643 §3), `id`, `meta` (§3.1) and the computed readOnly attributes — `User.groups` from
 * group membership, and `members[].$ref/display/type` of groups.
 */
import { URN } from '../protocol/urns';
import type { ResourceStore, StoredResource } from './store';

type Json = Record<string, unknown>;

/** What rendering needs besides the resource. */
export interface RenderContext {
  store: ResourceStore;
  /** Base URL used for `meta.location` and `$ref`s. */
  baseUrl: string;
  omitLocation: boolean;
  /** Precomputed `membershipIndex`, so listing many users stays linear. */
  membership?: Map<string, StoredResource[]>;
}

/** The resource version as a weak entity tag (RFC 7232 §2.3). */
export function weakEtag(resource: StoredResource): string {
  return `W/"${resource.version}"`;
}

/** The canonical URI of a resource (`meta.location`, `Location`, `$ref`). */
export function locationOf(resource: StoredResource, baseUrl: string): string {
  return `${baseUrl}/${resource.kind === 'User' ? 'Users' : 'Groups'}/${resource.id}`;
}

function memberView(member: Json, ctx: RenderContext): Json {
  const id = String(member.value);
  const user = ctx.store.find('User', id);
  const target = user ?? ctx.store.find('Group', id);
  if (!target) return { ...member };
  const display = user ? (user.data.displayName ?? user.data.userName) : target.data.displayName;
  const view: Json = { value: id, $ref: locationOf(target, ctx.baseUrl), type: target.kind };
  if (typeof display === 'string') view.display = display;
  return view;
}

/** Member id → the groups listing it, in one pass over the groups. */
export function membershipIndex(store: ResourceStore): Map<string, StoredResource[]> {
  const index = new Map<string, StoredResource[]>();
  for (const group of store.list('Group')) {
    for (const member of Array.isArray(group.data.members) ? (group.data.members as Json[]) : []) {
      const id = String(member.value);
      index.set(id, [...(index.get(id) ?? []), group]);
    }
  }
  return index;
}

function userGroups(user: StoredResource, ctx: RenderContext): Json[] {
  const groups = ctx.membership ? (ctx.membership.get(user.id) ?? []) : ctx.store.groupsOf(user.id);
  return groups.map((g) => ({
    value: g.id,
    $ref: locationOf(g, ctx.baseUrl),
    display: g.data.displayName,
    type: 'direct',
  }));
}

function metaOf(resource: StoredResource, ctx: RenderContext): Json {
  const meta: Json = {
    resourceType: resource.kind,
    created: resource.created,
    lastModified: resource.lastModified,
    version: weakEtag(resource),
  };
  if (!ctx.omitLocation) meta.location = locationOf(resource, ctx.baseUrl);
  return meta;
}

/**
 * What filters and sorting see: the stored attributes plus `id`, `meta` and the computed
 * attributes, without copying (never hand this object out).
 */
export function filterView(resource: StoredResource, ctx: RenderContext): Json {
  const view: Json = { ...resource.data, id: resource.id, meta: metaOf(resource, ctx) };
  delete view.password;
  if (resource.kind === 'User') {
    const groups = userGroups(resource, ctx);
    if (groups.length) view.groups = groups;
  } else if (Array.isArray(resource.data.members)) {
    view.members = (resource.data.members as Json[]).map((m) => memberView(m, ctx));
  }
  return view;
}

/** The full representation of a resource (before `attributes`/`excludedAttributes` projection), a fresh copy. */
export function renderResource(resource: StoredResource, ctx: RenderContext): Json {
  const view = structuredClone(filterView(resource, ctx));
  const extensions = Object.keys(view).filter((k) => k.startsWith('urn:'));
  const core = resource.kind === 'User' ? URN.user : URN.group;
  const { id, meta, ...attributes } = view;
  const body: Json = { schemas: [core, ...extensions], id };
  for (const [key, value] of Object.entries(attributes)) if (!key.startsWith('urn:')) body[key] = value;
  for (const urn of extensions) body[urn] = attributes[urn];
  body.meta = meta;
  return body;
}
