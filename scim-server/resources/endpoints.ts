/**
 * The resource endpoints, `/Users` and `/Groups` (RFC 7644 §3.2–§3.6), with the versioning
 * rules of §3.14 and the profile's quirks (soft or refused DELETE, PATCH 204, no Location).
 */
import type { ScimRequest, ScimResponse, ServerState } from '../context';
import { applyPatch, parsePatchRequest } from '../patch/apply';
import { ScimProtocolError, badRequest } from '../protocol/errors';
import { URN } from '../protocol/urns';
import { ALL_FILTER_OPERATORS } from '../quirks';
import type { ResourceTypeDef } from '../schema/definitions';
import { project, splitAttributeList, type Projection } from './projection';
import { filterFor, listResponse, pageOf, readListQuery, sortResources, type ListQuery } from './query';
import { filterView, locationOf, membershipIndex, renderResource, weakEtag, type RenderContext } from './render';
import type { StoredResource } from './store';
import { attributesFromBody, finishWrite } from './write';

type Json = Record<string, unknown>;

function renderContext(state: ServerState): RenderContext {
  return { store: state.store, baseUrl: state.baseUrl, omitLocation: state.profile.omitLocation };
}

function projectionOf(req: ScimRequest): Projection {
  return {
    attributes: splitAttributeList(req.query.get('attributes')),
    excludedAttributes: splitAttributeList(req.query.get('excludedAttributes')),
  };
}

/** A single-resource answer with its ETag (and Location on create, RFC 7644 §3.3). */
function resourceResponse(
  state: ServerState,
  type: ResourceTypeDef,
  resource: StoredResource,
  status: number,
  req: ScimRequest,
): ScimResponse {
  const headers: Record<string, string> = {};
  if (state.profile.etag) headers.etag = weakEtag(resource);
  const noHeader = state.profile.omitLocation || state.profile.omitLocationHeader;
  if (!noHeader && (status === 201 || req.method === 'GET')) headers.location = locationOf(resource, state.baseUrl);
  const body = project(renderResource(resource, renderContext(state)), type, projectionOf(req));
  return { status, body, headers };
}

/** Compares entity tags weakly (RFC 7232 §2.3.2): `W/"3"` matches `"3"`. */
function tagMatches(header: string, resource: StoredResource): boolean {
  const current = weakEtag(resource).replace(/^W\//, '');
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === current;
  });
}

/** `If-Match` on writes: 412 when the client's version is stale (RFC 7644 §3.14). */
function checkIfMatch(state: ServerState, req: ScimRequest, resource: StoredResource): void {
  const header = req.headers['if-match'];
  if (!state.profile.etag || header === undefined) return;
  if (!tagMatches(header, resource)) {
    throw new ScimProtocolError(
      412,
      `version mismatch: the resource is at ${weakEtag(resource)}, the request expected ${header}`,
    );
  }
}

/** Attributes not stored as such: rendered (`id`, `meta`, `groups`, `members`) or never visible (`password`). */
const COMPUTED = ['id', 'meta', 'groups', 'members', 'password'];

/** Filters, sorts and pages every resource of one type; rendering only the returned page. */
export function matchingResources(
  state: ServerState,
  type: ResourceTypeDef,
  query: ListQuery,
): { ctx: RenderContext; matched: StoredResource[] } {
  const { matches, reads } = filterFor(query, type, state.profile);
  const ctx: RenderContext = { ...renderContext(state), membership: membershipIndex(state.store) };
  // The stored attributes serve as the view unless the query reads computed or hidden ones.
  const computed = COMPUTED.some((name) => reads.has(name));
  const entries = state.store
    .list(type.name)
    .map((resource) => ({ resource, view: computed ? filterView(resource, ctx) : resource.data }))
    .filter((e) => matches(e.view));
  if (state.profile.sort) sortResources(entries, type, query, (e) => e.view);
  return { ctx, matched: entries.map((e) => e.resource) };
}

/** Lists resources of one type matching a query. */
export function listResources(state: ServerState, type: ResourceTypeDef, query: ListQuery): ScimResponse {
  const { ctx, matched } = matchingResources(state, type, query);
  const page = pageOf(matched, query, state.profile, state.maxPageSize);
  return {
    status: 200,
    body: listResponse({ ...page, items: page.items.map((r) => project(renderResource(r, ctx), type, query)) }),
  };
}

function create(state: ServerState, type: ResourceTypeDef, req: ScimRequest): ScimResponse {
  const data = attributesFromBody(type, req.body, state.profile);
  const created = state.store.create(type.name, data, state.profile);
  return resourceResponse(state, type, created, 201, req);
}

/** `GET/POST /Users`, `/Groups`, and `POST …/.search` (RFC 7644 §3.4.3). */
export function handleCollection(
  state: ServerState,
  type: ResourceTypeDef,
  req: ScimRequest,
  search: boolean,
): ScimResponse {
  if (search) {
    if (req.method !== 'POST') throw methodNotAllowed('POST');
    return listResources(state, type, readSearchBody(req.body));
  }
  if (req.method === 'GET') return listResources(state, type, readListQuery(req.query));
  if (req.method === 'POST') return create(state, type, req);
  throw methodNotAllowed('GET, POST');
}

/** Validates a SearchRequest body (RFC 7644 §3.4.3). */
export function readSearchBody(body: unknown): ListQuery {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest.invalidSyntax('the search body must be a JSON object');
  const schemas = (body as Json).schemas;
  if (!Array.isArray(schemas) || !schemas.includes(URN.searchRequest))
    throw badRequest.invalidSyntax(`a search body must list the schema ${URN.searchRequest}`);
  return readListQuery(body as Json);
}

/** 405 with the `Allow` header listing what the endpoint accepts. */
export function methodNotAllowed(allow: string): ScimProtocolError {
  return new ScimProtocolError(405, `method not allowed here; allowed: ${allow}`, undefined, { allow });
}

function deleteResource(
  state: ServerState,
  type: ResourceTypeDef,
  resource: StoredResource,
  req: ScimRequest,
): ScimResponse {
  checkIfMatch(state, req, resource);
  if (type.name === 'User' && state.profile.userDelete === 'unsupported') throw methodNotAllowed('GET, PUT, PATCH');
  if (type.name === 'User' && state.profile.userDelete === 'deactivate') {
    // Slack: DELETE only deactivates; the account stays readable with active=false.
    state.store.replace(
      resource,
      { ...resource.data, active: false },
      { dedupeOnEmail: false, uniqueGroupNames: false },
    );
  } else {
    state.store.remove(resource);
  }
  return { status: 204 };
}

/** Stores a PUT/PATCH result; under `deactivateDeletes` a deactivated user is then deleted for good. */
function commit(state: ServerState, resource: StoredResource, data: Json): StoredResource {
  const updated = state.store.replace(resource, data, state.profile);
  if (state.profile.deactivateDeletes && updated.kind === 'User' && updated.data.active === false)
    state.store.remove(updated);
  return updated;
}

function patchResource(
  state: ServerState,
  type: ResourceTypeDef,
  resource: StoredResource,
  req: ScimRequest,
): ScimResponse {
  if (state.profile.patch === 'method-not-allowed') throw methodNotAllowed('GET, PUT, DELETE');
  if (state.profile.patch === 'not-implemented')
    throw new ScimProtocolError(501, 'PATCH is not implemented by this service provider; use PUT');
  checkIfMatch(state, req, resource);
  const operations = parsePatchRequest(req.body, state.profile.lowercasePatchOpsOnly);
  const patched = applyPatch(resource.data, operations, {
    type,
    caseSensitive: false,
    operators: ALL_FILTER_OPERATORS,
    rejectValuePaths: state.profile.rejectValuePathPatch,
    resourceId: resource.id,
    duplicateMembers: state.profile.duplicateMembers,
    memberRemoval: state.profile.memberRemoval,
  });
  const finished = finishWrite(patched, state.profile);
  // noOpPatchReturns204: nothing changed (a remove of a non-member), so nothing is stored or shown.
  if (state.profile.noOpPatchReturns204 && JSON.stringify(finished) === JSON.stringify(resource.data))
    return { status: 204 };
  const updated = commit(state, resource, finished);
  if (state.profile.patchReturns204)
    return { status: 204, headers: state.profile.etag ? { etag: weakEtag(updated) } : {} };
  return resourceResponse(state, type, updated, 200, req);
}

/** `GET/PUT/PATCH/DELETE /Users/{id}` and `/Groups/{id}`. */
export function handleSingle(state: ServerState, type: ResourceTypeDef, id: string, req: ScimRequest): ScimResponse {
  if (!['GET', 'PUT', 'PATCH', 'DELETE'].includes(req.method)) throw methodNotAllowed('GET, PUT, PATCH, DELETE');
  const resource = state.store.get(type.name, id);
  switch (req.method) {
    case 'GET': {
      const header = req.headers['if-none-match'];
      if (state.profile.etag && header !== undefined && tagMatches(header, resource)) {
        return { status: 304, headers: { etag: weakEtag(resource) } };
      }
      return resourceResponse(state, type, resource, 200, req);
    }
    case 'PUT': {
      checkIfMatch(state, req, resource);
      const data = attributesFromBody(type, req.body, state.profile, resource);
      return resourceResponse(state, type, commit(state, resource, data), 200, req);
    }
    case 'PATCH':
      return patchResource(state, type, resource, req);
    case 'DELETE':
    default:
      return deleteResource(state, type, resource, req);
  }
}
