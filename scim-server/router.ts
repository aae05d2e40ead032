/**
 * Maps a protocol request to its endpoint (RFC 7644 §3.2, Table 1). Every failure is a
 * ScimProtocolError, rendered by the caller as an RFC 7644 §3.12 error body.
 */
import type { ScimRequest, ScimResponse, ServerState } from './context';
import { handleResourceTypes, handleSchemas, resourceTypes, serviceProviderConfig } from './discovery';
import { ScimProtocolError, notFound } from './protocol/errors';
import {
  handleCollection,
  handleSingle,
  matchingResources,
  methodNotAllowed,
  readSearchBody,
} from './resources/endpoints';
import { project } from './resources/projection';
import { listResponse, pageOf } from './resources/query';
import { renderResource, type RenderContext } from './resources/render';
import type { StoredResource } from './resources/store';
import { handleBulk } from './bulk';
import type { ResourceTypeDef } from './schema/definitions';

type Found = { type: ResourceTypeDef; resource: StoredResource; ctx: RenderContext };

function onlyGet(req: ScimRequest): void {
  if (req.method !== 'GET') throw methodNotAllowed('GET');
}

/** `POST /.search` across every resource type (RFC 7644 §3.4.3); types the filter does not apply to are skipped. */
function searchAll(state: ServerState, req: ScimRequest): ScimResponse {
  if (req.method !== 'POST') throw methodNotAllowed('POST');
  const query = readSearchBody(req.body);
  const all: Found[] = [];
  let lastError: unknown;
  for (const type of resourceTypes(state)) {
    try {
      const { ctx, matched } = matchingResources(state, type, query);
      all.push(...matched.map((resource) => ({ type, resource, ctx })));
    } catch (err) {
      lastError = err;
    }
  }
  if (all.length === 0 && lastError) throw lastError;
  const page = pageOf(all, query, state.profile, state.maxPageSize);
  const items = page.items.map(({ type, resource, ctx }) => project(renderResource(resource, ctx), type, query));
  return { status: 200, body: listResponse({ ...page, items }) };
}

function typeForSegment(state: ServerState, segment: string): ResourceTypeDef | undefined {
  return resourceTypes(state).find((t) => t.endpoint === `/${segment}`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw notFound(`malformed path segment "${segment}"`);
  }
}

/** Dispatches a request whose path is relative to the base path. */
export function route(state: ServerState, req: ScimRequest): ScimResponse {
  const segments = req.path.split('/').filter(Boolean).map(decodeSegment);
  const [first, second, ...rest] = segments;
  if (first === undefined) throw notFound('no endpoint at the base path');
  if (rest.length) throw notFound(`no endpoint at ${req.path}`);
  switch (first) {
    case 'ServiceProviderConfig':
      onlyGet(req);
      if (second !== undefined) throw notFound(`no endpoint at ${req.path}`);
      return { status: 200, body: serviceProviderConfig(state) };
    case 'ResourceTypes':
      onlyGet(req);
      return handleResourceTypes(state, second);
    case 'Schemas':
      onlyGet(req);
      return handleSchemas(state, second);
    case 'Bulk':
      if (!state.profile.bulk) throw new ScimProtocolError(501, 'Bulk is not supported by this service provider');
      if (second !== undefined) throw notFound(`no endpoint at ${req.path}`);
      if (req.method !== 'POST') throw methodNotAllowed('POST');
      return handleBulk(state, req, route);
    case '.search':
      return searchAll(state, req);
    default: {
      const type = typeForSegment(state, first);
      if (!type) throw notFound(`no endpoint at ${req.path}`);
      if (second === undefined || second === '.search') return handleCollection(state, type, req, second === '.search');
      return handleSingle(state, type, second, req);
    }
  }
}
