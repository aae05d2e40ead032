/**
 * The resolved configuration types: what the loader (lib/config/load.ts) produces after
 * parsing YAML, applying defaults and cross-field checks. Everything downstream (SCIM client,
 * activities, workflows via plain data) depends on these types, not on the zod schemas.
 *
 * Secrets are kept as references (`env:NAME` / `file:/path`), never as values, so a config
 * object can be logged or passed to a workflow safely; `resolveSecret` reads them at use time.
 */

/** `env:NAME` or `file:/absolute/or/relative/path`. */
export type SecretRef = string;

export type AuthConfig =
  | { type: 'bearer'; token: SecretRef }
  | { type: 'basic'; username: string; password: SecretRef }
  | {
      type: 'oauth2-client-credentials';
      tokenUrl: string;
      clientId: string;
      clientSecret: SecretRef;
      scope?: string;
      audience?: string;
    };

export type FilterOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'pr' | 'gt' | 'ge' | 'lt' | 'le' | 'and' | 'or' | 'not';

export interface ConnectorCapabilities {
  /** PATCH /Users/{id} (RFC 7644 §3.5.2). Without it, updates use PUT. @default true */
  patch: boolean;
  /** PUT /Users/{id} (RFC 7644 §3.5.1). @default true */
  put: boolean;
  /** /Groups and membership PATCH. @default false */
  groups: boolean;
  /** /Bulk (RFC 7644 §3.7). @default false */
  bulk: boolean;
  /** Send If-Match with the resource version (RFC 7644 §3.14). @default false */
  etag: boolean;
  /** Filter operators the app accepts. @default ['eq', 'and'] */
  filterOperators: FilterOperator[];
  /** Largest page the client asks for (`count`). @default 100 */
  maxPageSize: number;
}

/**
 * What DELETE /Users/{id} does in this app, and so what the leaver may issue after retention:
 * - `hard`: DELETE removes the account (and is irreversible unless `reversible: true`).
 * - `deactivate-only`: DELETE only deactivates (Slack) or the app must not be sent DELETE;
 *   the leaver stops at `active=false`.
 * - `none`: the app has no DELETE at all (Canva); deactivation only.
 */
export interface DeleteSemantics {
  mode: 'hard' | 'deactivate-only' | 'none';
  /** Can a deleted account be restored? Irreversible deletes never run under legal hold. @default false */
  reversible: boolean;
  /** Does `active=false` itself destroy the account (PagerDuty)? @default false */
  deactivateIsDestructive: boolean;
}

export type Lifecycle = 'create' | 'update';

export type Transform = 'lower' | 'upper' | 'trim';

/** One HR attribute → SCIM attribute rule. Exactly one of `source`, `template`, `value`. */
export interface AttributeMapping {
  /** HR field (`department`, `custom.badgeId`). */
  source?: string;
  /** `{{givenName}}.{{familyName}}@example.com`; placeholders are HR fields. */
  template?: string;
  /** A constant. */
  value?: string | boolean | number;
  /**
   * SCIM attribute path (RFC 7644 §3.10): `userName`, `name.givenName`,
   * `emails[type eq "work"].value`, or with an extension URN prefix
   * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`.
   */
  target: string;
  /** @default ['create', 'update'] */
  applyOn: Lifecycle[];
  /** Applied in order after the value is read. */
  transform: Transform[];
  /** Value table (HR value → app value); unmapped values fall to `default` or stay as-is. */
  map?: Record<string, string | boolean | number>;
  /** Used when the source is empty or unmapped. */
  default?: string | boolean | number;
  /** The account cannot be created without it. @default false */
  required: boolean;
}

export interface GroupSettings {
  /** The orchestrator adds and removes members of the groups access rules grant. @default true when capabilities.groups */
  manage: boolean;
  /** It may create a group that does not exist yet (otherwise a missing group is an error). @default false */
  create: boolean;
  /** Group `displayName` template applied to rule group names, e.g. `jml-{{group}}`. @default '{{group}}' */
  nameTemplate: string;
}

export interface RateLimitConfig {
  /** Sustained requests per second. @default 10 */
  requestsPerSecond: number;
  /** Token-bucket size. @default = requestsPerSecond */
  burst: number;
  /** Several connectors naming the same budget share one bucket (an org-wide limit). */
  budget?: string;
  /** Requests in flight at once per worker process. @default 8 */
  maxConcurrency: number;
}

export interface TimeoutConfig {
  /** @default 5000 */
  connectMs: number;
  /** Whole request, headers to last body byte. @default 30000 */
  requestMs: number;
  /**
   * How long an idle connection to the app is kept for reuse. Must stay below the app's (or its
   * load balancer's) own idle timeout: a request sent just as the app closes the connection fails
   * with "other side closed". @default 4000 (below the 5 s of Node's and many servers' defaults)
   */
  idleMs: number;
}

export interface ConnectorConfig {
  /** Lower-case slug, equal to the file name (`slack` for `slack.yaml`). */
  id: string;
  displayName: string;
  scim: {
    /** Without trailing slash; `https:` unless loopback or `allowInsecureHttp`. */
    baseUrl: string;
    /** @default false */
    allowInsecureHttp: boolean;
    /** Extension schema URNs to include in `schemas` when the mapping writes them. */
    userSchemaExtensions: string[];
  };
  auth: AuthConfig;
  timeouts: TimeoutConfig;
  rateLimit: RateLimitConfig;
  capabilities: ConnectorCapabilities;
  delete: DeleteSemantics;
  /** Lookup order for an existing account. @default ['externalId', 'userName'] */
  match: ('externalId' | 'userName')[];
  mappings: AttributeMapping[];
  groups: GroupSettings;
  /** Where the connector was read from (for error messages). */
  sourceFile: string;
}

/** Durations are resolved to milliseconds. */
export interface SlaPolicy {
  /** @default 3_600_000 (1 h) */
  joinerMs: number;
  /** @default 14_400_000 (4 h) */
  moverMs: number;
  /** @default 900_000 (15 min) */
  leaverMs: number;
}

export interface AccessCondition {
  /** HR field → accepted values (any of). */
  [field: string]: string[];
}

export interface AccessGrant {
  app: string;
  /** Rule-level group names; `{{field}}` placeholders are HR fields. */
  groups: string[];
}

export interface AccessRule {
  name: string;
  /** All fields must match (AND); an empty object matches everyone. */
  when: AccessCondition;
  /** Optional exclusions: any field match disables the rule. */
  unless?: AccessCondition;
  grant: AccessGrant[];
}

export interface QuarantinePolicy {
  /** Quarantine apps that keep failing (pausing by an operator works either way). @default true */
  enabled: boolean;
  /** The sliding window the outcomes are counted over. @default 300_000 (5 min) */
  windowMs: number;
  /** Authentication refusals (401/403) within the window that quarantine the app. @default 3 */
  authFailures: number;
  /** Share of failed requests within the window that quarantines the app… @default 0.8 */
  failureRatio: number;
  /** …once at least this many were made. @default 20 */
  minRequests: number;
  /** How often a quarantined app is probed. @default 300_000 (5 min) */
  probeEveryMs: number;
}

export interface PolicyConfig {
  slas: SlaPolicy;
  retention: {
    /** @default 2_592_000_000 (30 days) */
    defaultMs: number;
    /** Per-app override by connector id. */
    perAppMs: Record<string, number>;
  };
  joiner: {
    /** Provision this long before the start date. @default 0 */
    leadTimeMs: number;
  };
  mover: {
    /** Keep revoked access this long after a move. @default 0 */
    revokeGraceMs: number;
  };
  leaver: {
    /**
     * At deactivation, also remove the person from the groups the orchestrator manages (access
     * granted through groups elsewhere, e.g. SSO, must not outlive them). @default true
     */
    removeGroupMemberships: boolean;
    /**
     * Look for the person in every app this long after a leaver deactivated them, and deactivate
     * whatever is active again (a create the app applied after the client gave up on it, an
     * admin's re-enable). 0 turns it off. @default 600_000 (10 min)
     */
    recheckAfterMs: number;
  };
  reconciliation: {
    /** How often each app is reconciled in Temporal (at least a minute). @default 86_400_000 (24 h) */
    everyMs: number;
  };
  /** When a worker quarantines an app that keeps failing, and how often it probes it. */
  quarantine: QuarantinePolicy;
  /** The mass-change guard (docs/reconciliation.md, "Safeguards: mass-change guard"). */
  guard: GuardPolicy;
  access: { rules: AccessRule[] };
  notifications: {
    /** Alert webhook (SLA breaches, failed apps); logged only when absent. */
    webhookUrl?: SecretRef | string;
  };
  sourceFile: string;
}

export interface LoadedConfig {
  connectors: Record<string, ConnectorConfig>;
  policy: PolicyConfig;
  /** The directory the files were read from. */
  dir: string;
}

/** Limits on irreversible changes (deactivations, deletions) in a sliding window. */
export interface GuardThresholds {
  /** At most this many changes in the window. */
  maxCount?: number;
  /** At most this percentage of the app's accounts (known from its last reconciliation scan). */
  maxPercent?: number;
}

export interface GuardPolicy extends GuardThresholds {
  /** The sliding window. @default 3_600_000 (1 h) */
  windowMs: number;
  /** Also hold deactivations of terminations HR sent (not only those inferred from a roster). @default false */
  holdHrTerminations: boolean;
  /** Limits on every app's changes together. */
  allApps: GuardThresholds;
  /** Per-app overrides by connector id. */
  apps: Record<string, GuardThresholds & { windowMs?: number }>;
}
