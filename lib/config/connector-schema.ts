/**
 * The shape of `config/connectors/<id>.yaml`, as written (before defaults). Objects are
 * strict: an unknown key is an error, because a misspelt option silently falling back to its
 * default is how a "deactivate-only" app ends up receiving DELETEs.
 */
import { z } from 'zod';
import { isSecretRef } from './secrets';

const FILTER_OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'pr', 'gt', 'ge', 'lt', 'le', 'and', 'or', 'not'] as const;

const scalar = z.union([z.string(), z.boolean(), z.number()]);
const duration = z.union([z.string(), z.number().int().nonnegative()]);

/**
 * A secret field: only `env:NAME` or `file:/path`. The hint names a plausible variable so
 * the fix can be copied; the value itself is never echoed.
 */
function secret(envHint: string) {
  return z.string().superRefine((value, ctx) => {
    if (isSecretRef(value)) return;
    const malformed = /^(env|file):/i.test(value);
    ctx.addIssue({
      code: 'custom',
      message: malformed
        ? `malformed secret reference; write env:NAME (letters, digits, "_") or file:/path`
        : `literal secrets are not allowed in config files; move the value into an environment variable and write "env:${envHint}" (or into a file: "file:/run/secrets/…")`,
    });
  });
}

/** Builds the schema; `envPrefix` (`SLACK` for slack.yaml) only shapes the hints in messages. */
export function connectorFileSchema(envPrefix: string) {
  const auth = z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('bearer'), token: secret(`${envPrefix}_SCIM_TOKEN`) }),
    z.strictObject({
      type: z.literal('basic'),
      username: z.string().min(1),
      password: secret(`${envPrefix}_SCIM_PASSWORD`),
    }),
    z.strictObject({
      type: z.literal('oauth2-client-credentials'),
      tokenUrl: z.string().min(1),
      clientId: z.string().min(1),
      clientSecret: secret(`${envPrefix}_CLIENT_SECRET`),
      scope: z.string().min(1).optional(),
      audience: z.string().min(1).optional(),
    }),
  ]);
  const mapping = z.strictObject({
    source: z.string().min(1).optional(),
    template: z.string().min(1).optional(),
    value: scalar.optional(),
    target: z.string().min(1),
    applyOn: z
      .array(z.enum(['create', 'update']))
      .min(1, 'applyOn must list at least one of: create, update')
      .optional(),
    transform: z.array(z.enum(['lower', 'upper', 'trim'])).optional(),
    map: z.record(z.string(), scalar).optional(),
    default: scalar.optional(),
    required: z.boolean().optional(),
  });
  return z.strictObject({
    id: z.string(),
    displayName: z.string().min(1).optional(),
    scim: z.strictObject({
      baseUrl: z.string().min(1),
      allowInsecureHttp: z.boolean().optional(),
      userSchemaExtensions: z
        .array(z.string().regex(/^urn:/i, 'an extension schema is a URN starting with "urn:"'))
        .optional(),
    }),
    auth,
    timeouts: z
      .strictObject({ connect: duration.optional(), request: duration.optional(), idle: duration.optional() })
      .optional(),
    rateLimit: z
      .strictObject({
        requestsPerSecond: z.number().positive().optional(),
        burst: z.number().int().min(1).optional(),
        budget: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]*$/, 'a budget name is a lower-case slug (a-z, 0-9, "-")')
          .optional(),
        maxConcurrency: z.number().int().min(1).optional(),
      })
      .optional(),
    capabilities: z
      .strictObject({
        patch: z.boolean().optional(),
        put: z.boolean().optional(),
        groups: z.boolean().optional(),
        bulk: z.boolean().optional(),
        etag: z.boolean().optional(),
        filterOperators: z.array(z.enum(FILTER_OPERATORS)).min(1).optional(),
        maxPageSize: z.number().int().min(1).max(10_000).optional(),
      })
      .optional(),
    delete: z
      .strictObject({
        mode: z.enum(['hard', 'deactivate-only', 'none']).optional(),
        reversible: z.boolean().optional(),
        deactivateIsDestructive: z.boolean().optional(),
      })
      .optional(),
    match: z
      .array(z.enum(['externalId', 'userName']))
      .min(1)
      .optional(),
    mappings: z.array(mapping).min(1, 'a connector needs mappings (at least userName and externalId)'),
    groups: z
      .strictObject({
        manage: z.boolean().optional(),
        create: z.boolean().optional(),
        nameTemplate: z.string().min(1).optional(),
      })
      .optional(),
  });
}

/** A connector file as written (schema output, before defaults). */
export type ConnectorFile = z.infer<ReturnType<typeof connectorFileSchema>>;
/** One `mappings[]` entry as written. */
export type MappingFile = ConnectorFile['mappings'][number];
