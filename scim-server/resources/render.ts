/**
 * Renders stored resources as SCIM JSON: `schemas` (core plus the extensions in use,
 * RFC 7643 §3), `id`, `meta` (§3.1) and the computed readOnly attributes — `User.groups` from
 * group membership, and `members[].$ref/display/type` of groups.
 */
import { URN } from '../protocol/urns';
import type { ResourceStore, StoredResource } from './store';

type Json = Record<string, unknown>;

export interface RenderContext {
  store: ResourceStore;
  /** Base URL used for `meta.location` and `$ref`s. */
  baseUrl: string;
  omitLocation: boolean;
}

export function weakEtag(resource: StoredResource): string {
  return `W/"${resource.version}"`;
}

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

function userGroups(user: StoredResource, ctx: RenderContext): Json[] {
  return ctx.store.groupsOf(user.id).map((g) => ({
    value: g.id,
    $ref: locationOf(g, ctx.baseUrl),
    display: g.data.displayName,
    type: 'direct',
  }));
}

/** The full representation of a resource (before `attributes`/`excludedAttributes` projection). */
export function renderResource(resource: StoredResource, ctx: RenderContext): Json {
  const { data } = resource;
  const core = resource.kind === 'User' ? URN.user : URN.group;
  const extensions = Object.keys(data).filter((k) => k.startsWith('urn:'));
  const copy = structuredClone(data);
  const coreEntries = Object.entries(copy).filter(([k]) => !k.startsWith('urn:'));
  const body: Json = { schemas: [core, ...extensions], id: resource.id, ...Object.fromEntries(coreEntries) };
  for (const urn of extensions) body[urn] = copy[urn];
  delete body.password;
  if (resource.kind === 'User') {
    const groups = userGroups(resource, ctx);
    if (groups.length) body.groups = groups;
  } else if (Array.isArray(data.members)) {
    body.members = (data.members as Json[]).map((m) => memberView(m, ctx));
  }
  const meta: Json = {
    resourceType: resource.kind,
    created: resource.created,
    lastModified: resource.lastModified,
    version: weakEtag(resource),
  };
  if (!ctx.omitLocation) meta.location = locationOf(resource, ctx.baseUrl);
  body.meta = meta;
  return body;
}
