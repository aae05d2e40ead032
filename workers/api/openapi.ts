/**
 * The OpenAPI 3.1 description served at `/openapi.json`. The event schema is generated from
 * the zod schema the route validates with, so the document cannot drift from the code.
 */
import { z } from 'zod';
import { HrEventSchema } from '../../lib/hr/event';
import { RosterSchema } from '../../lib/hr/roster';
import { VENDOR_ADAPTERS } from './adapters';
import { API_ERROR_CODES } from './problems';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const error = (description: string) => ({ description, content: json(ref('Error')) });

const SCHEMAS = {
  HrEvent: z.toJSONSchema(HrEventSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }),
  Accepted: {
    type: 'object',
    required: ['workflowId', 'eventId', 'status'],
    properties: {
      workflowId: { type: 'string', examples: ['employee-E1001'] },
      eventId: { type: 'string' },
      status: { const: 'accepted' },
    },
  },
  BatchAccepted: {
    type: 'object',
    required: ['status', 'events'],
    properties: { status: { const: 'accepted' }, events: { type: 'array', items: ref('Accepted') } },
  },
  Error: {
    type: 'object',
    required: ['status', 'code', 'message'],
    properties: {
      status: { type: 'integer' },
      code: { enum: Object.values(API_ERROR_CODES) },
      message: { type: 'string' },
      issues: { type: 'array', items: { type: 'string' }, examples: [['employee.workEmail: invalid email address']] },
      fields: { type: 'array', items: { type: 'string', format: 'json-pointer' }, examples: [['/employee/workEmail']] },
      requestId: { type: 'string' },
    },
  },
  Roster: z.toJSONSchema(RosterSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }),
  RosterAccepted: {
    type: 'object',
    required: ['status', 'rosterId', 'workflowId', 'full', 'employees', 'batches', 'repeated', 'statusUrl'],
    properties: {
      status: { const: 'accepted' },
      rosterId: { type: 'string' },
      workflowId: { type: 'string', examples: ['roster-2026-11-30'] },
      full: { type: 'boolean' },
      employees: { type: 'integer' },
      batches: { type: 'integer' },
      repeated: { type: 'boolean', description: 'The same roster was accepted before: nothing new was started' },
      statusUrl: { type: 'string', examples: ['/v1/hr/roster/2026-11-30'] },
    },
  },
  RosterStatus: {
    type: 'object',
    required: ['rosterId', 'full', 'state', 'employees', 'batchesReceived', 'batches', 'delivered', 'failed'],
    properties: {
      rosterId: { type: 'string' },
      full: { type: 'boolean' },
      state: { enum: ['receiving', 'delivering', 'inferring-leavers', 'done', 'incomplete'] },
      employees: { type: 'integer' },
      batchesReceived: { type: 'integer' },
      batches: { type: 'integer' },
      delivered: { type: 'integer' },
      failed: {
        type: 'array',
        items: {
          type: 'object',
          properties: { employeeId: { type: 'string' }, error: { type: 'string' } },
        },
      },
      missing: {
        type: 'array',
        items: { type: 'string' },
        description: 'Full roster: active people this product knows who are missing from it (terminations sent)',
      },
      terminationsSent: { type: 'integer' },
      reason: { type: 'string' },
    },
  },
  VendorPayload: { type: 'object', description: "The HR system's own webhook payload (see docs/api.md)." },
};

const INTAKE_ERRORS = {
  '400': error(
    'Invalid JSON, not UTF-8, or an invalid event; `issues` names each field and the fix, `fields` points at them',
  ),
  '401': error('Missing/invalid signature or bearer token, or a timestamp outside the replay window'),
  '409': error('The eventId was already accepted with different content'),
  '413': error('Body larger than the configured limit'),
  '415': error('Content-Type is not application/json or application/scim+json'),
  '429': { ...error('Rate limit exceeded'), headers: { 'Retry-After': { schema: { type: 'integer' } } } },
  '503': error('Temporal unavailable; nothing was accepted'),
};

function intakeOperation(summary: string, body: object, accepted: object) {
  return {
    summary,
    // The signature always; a bearer token only in addition (when tokens are configured), never instead.
    security: [{ hmac: [] }, { hmac: [], bearer: [] }],
    parameters: [
      {
        name: TIMESTAMP_HEADER,
        in: 'header',
        required: true,
        schema: { type: 'string', pattern: '^\\d+$' },
        description: 'Unix seconds when signed',
      },
      {
        name: SIGNATURE_HEADER,
        in: 'header',
        required: true,
        schema: { type: 'string' },
        description: 'v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">',
      },
    ],
    requestBody: { required: true, content: { ...json(body), 'application/scim+json': { schema: body } } },
    responses: {
      '202': { description: 'Durably accepted (or a repeat of an accepted eventId)', content: json(accepted) },
      ...INTAKE_ERRORS,
    },
  };
}

function readOperation(summary: string, schema: object, param: string | null = 'id') {
  return {
    summary,
    // Bearer when read tokens are configured; `{}` = open when none are (docs/api.md).
    security: [{ bearer: [] }, {}],
    parameters: param ? [{ name: param, in: 'path', required: true, schema: { type: 'string' } }] : [],
    responses: {
      '200': { description: 'OK', content: json(schema) },
      '401': error('Read tokens are configured and none was sent'),
      '404': error('No workflow for this employee'),
      '429': { ...error('Rate limit exceeded'), headers: { 'Retry-After': { schema: { type: 'integer' } } } },
      '503': error('Temporal unavailable'),
    },
  };
}

/** Builds the document (once per server). */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, unknown> = {
    '/v1/hr/events': { post: intakeOperation('Submit one canonical HR event', ref('HrEvent'), ref('Accepted')) },
    '/v1/hr/roster': {
      post: {
        ...intakeOperation(
          'Submit an HR roster (a snapshot of people; full: the whole company). Answered at once; processed by the roster-<rosterId> workflow',
          ref('Roster'),
          ref('RosterAccepted'),
        ),
        responses: {
          ...intakeOperation('', ref('Roster'), ref('RosterAccepted')).responses,
          '202': {
            description:
              'Durably accepted (or a repeat of an accepted roster); progress at statusUrl (also the Location header)',
            content: json(ref('RosterAccepted')),
          },
          '409': error('The rosterId was already accepted with different content'),
        },
      },
    },
    '/v1/hr/roster/{rosterId}': {
      get: {
        ...readOperation(
          "The roster's progress and, for a full roster, the people missing from it",
          ref('RosterStatus'),
        ),
        parameters: [{ name: 'rosterId', in: 'path', required: true, schema: { type: 'string' } }],
      },
    },
    '/v1/employees/{id}': { get: readOperation("The employee workflow's status query", { type: 'object' }) },
    '/v1/employees/{id}/timeline': { get: readOperation('Lifecycle milestones of the employee', { type: 'object' }) },
    '/v1/apps': {
      get: readOperation(
        'Every app: active, paused (by, reason, since) or quarantined (reason, since, next probe)',
        { type: 'object' },
        null,
      ),
    },
    '/v1/apps/{app}': { get: readOperation("One app's health", { type: 'object' }, 'app') },
    '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'The process is up' } } } },
    '/readyz': {
      get: {
        summary: 'Readiness: connected to Temporal and it answers',
        responses: {
          '200': { description: 'Ready' },
          '503': { description: 'Not connected yet, or Temporal unreachable' },
        },
      },
    },
    '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } } },
  };
  for (const adapter of VENDOR_ADAPTERS) {
    paths[`/v1/hr/events/${adapter.name}`] = {
      post: intakeOperation(adapter.description, ref('VendorPayload'), ref('BatchAccepted')),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'jml-orchestrator intake API',
      version: '1.0.0',
      description: 'HR events in, identity lifecycle workflows out. See docs/api.md.',
    },
    paths,
    components: {
      schemas: SCHEMAS,
      securitySchemes: {
        hmac: {
          type: 'apiKey',
          in: 'header',
          name: SIGNATURE_HEADER,
          description: `HMAC-SHA256 over "<${TIMESTAMP_HEADER}>.<raw body>"`,
        },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
  };
}
