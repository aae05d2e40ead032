/**
 * Every default of the connector and policy files, in one place (docs/connectors.md and
 * docs/policy.md quote these values). The zod schemas declare no defaults of their own, so a
 * default can never differ between the schema, the resolver and the docs.
 */
import type { ConnectorCapabilities, DeleteSemantics, Lifecycle, RateLimitConfig, TimeoutConfig } from './types';

/** Defaults of every optional connector option (docs/connectors.md quotes them). */
export const CONNECTOR_DEFAULTS = {
  scim: { allowInsecureHttp: false, userSchemaExtensions: [] as string[] },
  timeouts: { connectMs: 5_000, requestMs: 30_000, idleMs: 4_000 } satisfies TimeoutConfig,
  /** `burst` defaults to `requestsPerSecond` (computed, see resolve). */
  rateLimit: { requestsPerSecond: 10, maxConcurrency: 8 } satisfies Omit<RateLimitConfig, 'burst'>,
  capabilities: {
    patch: true,
    put: true,
    groups: false,
    bulk: false,
    etag: false,
    filterOperators: ['eq', 'and'],
    maxPageSize: 100,
  } satisfies ConnectorCapabilities,
  delete: { mode: 'deactivate-only', reversible: false, deactivateIsDestructive: false } satisfies DeleteSemantics,
  match: ['externalId', 'userName'] as ('externalId' | 'userName')[],
  mapping: { applyOn: ['create', 'update'] as Lifecycle[], required: false },
  /** `groups.manage` defaults to `capabilities.groups` (computed, see resolve). */
  groups: { create: false, nameTemplate: '{{group}}' },
} as const;

/** Defaults of every optional policy option, in milliseconds (docs/policy.md). */
export const POLICY_DEFAULTS = {
  slas: { joinerMs: 3_600_000, moverMs: 14_400_000, leaverMs: 900_000 },
  retention: { defaultMs: 2_592_000_000 },
  joiner: { leadTimeMs: 0 },
  mover: { revokeGraceMs: 0 },
  leaver: { removeGroupMemberships: true, recheckAfterMs: 600_000 },
  reconciliation: { everyMs: 86_400_000 },
  quarantine: {
    enabled: true,
    windowMs: 300_000,
    authFailures: 3,
    failureRatio: 0.8,
    minRequests: 20,
    probeEveryMs: 300_000,
  },
  /** The mass-change guard: 50 deactivations or deletions per app per hour (a percent limit only when set). */
  guard: { windowMs: 3_600_000, maxCount: 50, holdHrTerminations: false },
} as const;
