/**
 * Discovery endpoints (RFC 7644 §4; representations in RFC 7643 §5–§7): what this instance
 * supports is derived from its quirk profile, so a client that reads /ServiceProviderConfig
 * learns, for example, that PATCH or Bulk is unavailable.
 */
import type { ScimResponse, ServerState } from './context';
import { notFound } from './protocol/errors';
import { URN } from './protocol/urns';
import { COMMON_ATTRIBUTES, GROUP_TYPE, USER_TYPE, type ResourceTypeDef, type SchemaDef } from './schema/definitions';

type Json = Record<string, unknown>;

/** Bulk limits advertised and enforced (RFC 7644 §3.7.4). */
export const BULK_LIMITS = { maxOperations: 1000, maxPayloadSize: 1_048_576 } as const;

/** The resource types this instance exposes (Groups only when the profile has them). */
export function resourceTypes(state: ServerState): ResourceTypeDef[] {
  return state.profile.groups ? [USER_TYPE, GROUP_TYPE] : [USER_TYPE];
}

function meta(state: ServerState, resourceType: string, path: string): Json {
  return { resourceType, location: `${state.baseUrl}${path}` };
}

/** The ServiceProviderConfig resource (RFC 7643 §5) describing this instance's profile. */
export function serviceProviderConfig(state: ServerState): Json {
  const { profile } = state;
  return {
    schemas: [URN.serviceProviderConfig],
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: { supported: profile.patch === 'supported' },
    bulk: {
      supported: profile.bulk,
      maxOperations: profile.bulk ? BULK_LIMITS.maxOperations : 0,
      maxPayloadSize: profile.bulk ? BULK_LIMITS.maxPayloadSize : 0,
    },
    filter: { supported: true, maxResults: state.maxPageSize },
    changePassword: { supported: false },
    sort: { supported: profile.sort },
    etag: { supported: profile.etag },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with a bearer token (RFC 6750).',
        primary: true,
      },
      { type: 'httpbasic', name: 'HTTP Basic', description: 'Authentication with HTTP Basic (RFC 7617).' },
    ],
    meta: meta(state, 'ServiceProviderConfig', '/ServiceProviderConfig'),
  };
}

function resourceTypeBody(state: ServerState, type: ResourceTypeDef): Json {
  return {
    schemas: [URN.resourceType],
    id: type.name,
    name: type.name,
    endpoint: type.endpoint,
    description: type.schema.description,
    schema: type.schema.id,
    schemaExtensions: type.extensions.map((e) => ({ schema: e.id, required: false })),
    meta: meta(state, 'ResourceType', `/ResourceTypes/${type.name}`),
  };
}

function schemaBody(state: ServerState, schema: SchemaDef): Json {
  // RFC 7643 §7: common attributes (id, externalId, meta) are not part of a schema's attribute list.
  const attributes = schema.attributes.filter((a) => !COMMON_ATTRIBUTES.includes(a));
  return {
    schemas: [URN.schema],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes,
    meta: meta(state, 'Schema', `/Schemas/${schema.id}`),
  };
}

function listOf(resources: Json[]): Json {
  return {
    schemas: [URN.listResponse],
    totalResults: resources.length,
    startIndex: 1,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

function allSchemas(state: ServerState): SchemaDef[] {
  return resourceTypes(state).flatMap((t) => [t.schema, ...t.extensions]);
}

/** `GET /ResourceTypes[/{name}]`. */
export function handleResourceTypes(state: ServerState, name: string | undefined): ScimResponse {
  const types = resourceTypes(state);
  if (name === undefined) return { status: 200, body: listOf(types.map((t) => resourceTypeBody(state, t))) };
  const type = types.find((t) => t.name === name);
  if (!type) throw notFound(`resource type ${name} not found`);
  return { status: 200, body: resourceTypeBody(state, type) };
}

/** `GET /Schemas[/{urn}]`. */
export function handleSchemas(state: ServerState, id: string | undefined): ScimResponse {
  const schemas = allSchemas(state);
  if (id === undefined) return { status: 200, body: listOf(schemas.map((s) => schemaBody(state, s))) };
  const schema = schemas.find((s) => s.id === id);
  if (!schema) throw notFound(`schema ${id} not found`);
  return { status: 200, body: schemaBody(state, schema) };
}
