/**
 * Maps a protocol request to its endpoint (RFC 7644 §3.2, Table 1). Every failure is a
 * ScimError, rendered by the caller as an RFC 7644 §3.12 error body.
 */
import type { ScimRequest, ScimResponse, ServerState } from './context';
import { handleResourceTypes, handleSchemas, resourceTypes, serviceProviderConfig } from './discovery';
import { ScimError, notFound } from './protocol/errors';
import { URN } from './protocol/urns';
import { handleCollection, handleSingle, listResources, methodNotAllowed, readSearchBody } from './resources/endpoints';
import { handleBulk } from './bulk';
import type { ResourceTypeDef } from './schema/definitions';

type Json = Record<string, unknown>;

function onlyGet(req: ScimRequest): void {
  if (req.method !== 'GET') throw methodNotAllowed('GET');
}

/** `POST /.search` across every resource type (RFC 7644 §3.4.3); types the filter does not apply to are skipped. */
function searchAll(state: ServerState, req: ScimRequest): ScimResponse {
  if (req.method !== 'POST') throw methodNotAllowed('POST');
  const query = readSearchBody(req.body);
  const all: Json[] = [];
  let lastError: unknown;
  for (const type of resourceTypes(state)) {
    try {
      const unpaged = listResources(state, type, { ...query, startIndex: 1, count: Number.MAX_SAFE_INTEGER });
      all.push(...((unpaged.body as Json).Resources as Json[]));
    } catch (err) {
      lastError = err;
    }
  }
  if (all.length === 0 && lastError) throw lastError;
  const count = Math.min(query.count ?? state.maxPageSize, state.maxPageSize);
  const page = all.slice(query.startIndex - 1, query.startIndex - 1 + count);
  return { status: 200, body: { schemas: [URN.listResponse], totalResults: all.length, startIndex: query.startIndex, itemsPerPage: page.length, Resources: page } };
}

function typeForSegment(state: ServerState, segment: string): ResourceTypeDef | undefined {
  return resourceTypes(state).find((t) => t.endpoint === `/${segment}`);
}

/** Dispatches a request whose path is relative to the base path. */
export function route(state: ServerState, req: ScimRequest): ScimResponse {
  const segments = req.path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
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
      if (!state.profile.bulk) throw new ScimError(501, 'Bulk is not supported by this service provider');
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
