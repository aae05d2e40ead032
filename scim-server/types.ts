/**
 * Public types of the reference SCIM 2.0 service provider (RFC 7643 / RFC 7644).
 * Deliberately independent of the SCIM client in lib/scim: the two must not share parsing or
 * serialization code, or a bug in one would be cancelled out by the same bug in the other.
 */
import type { FaultOptions } from './faults/types';
import type { QuirkProfileInput, QuirkProfileName } from './quirks';

export type { FaultOptions, FaultKind, FaultTiming } from './faults/types';
export type { QuirkProfile, QuirkProfileName, QuirkProfileInput, UserDeleteBehaviour, PatchSupport } from './quirks';

/** `meta` of every resource (RFC 7643 §3.1). */
export interface ScimMeta {
  resourceType: 'User' | 'Group';
  created: string;
  lastModified: string;
  /** Absent only under the `omitLocation` quirk. */
  location?: string;
  /** Weak entity tag, e.g. `W/"3"` (RFC 7644 §3.14). */
  version: string;
}

/** A multi-valued attribute value such as an email (RFC 7643 §2.4). */
export interface ScimMultiValue {
  value?: string;
  display?: string;
  type?: string;
  primary?: boolean;
  $ref?: string;
  [subAttribute: string]: unknown;
}

/** A User as stored and returned (RFC 7643 §4.1 plus the enterprise extension, §4.3). */
export interface ScimUserResource {
  schemas: string[];
  id: string;
  externalId?: string;
  userName: string;
  name?: Record<string, string>;
  displayName?: string;
  active?: boolean;
  emails?: ScimMultiValue[];
  phoneNumbers?: ScimMultiValue[];
  groups?: ScimMultiValue[];
  meta: ScimMeta;
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'?: Record<string, unknown>;
  [attribute: string]: unknown;
}

/** A Group as stored and returned (RFC 7643 §4.2). */
export interface ScimGroupResource {
  schemas: string[];
  id: string;
  externalId?: string;
  displayName: string;
  members?: ScimMultiValue[];
  meta: ScimMeta;
  [attribute: string]: unknown;
}

/**
 * An OAuth 2.0 token endpoint for the client-credentials grant (RFC 6749 §4.4), served at
 * `tokenPath` outside the SCIM base path; the access tokens it issues are accepted as bearer
 * tokens until they expire.
 */
export interface ServerOAuth2 {
  clientId: string;
  clientSecret: string;
  /** @default '/oauth/token' */
  tokenPath?: string;
  /** Lifetime of issued tokens. @default 3600 */
  tokenTtlSeconds?: number;
}

/** Accepted credentials; any configured scheme authenticates a request. */
export interface ServerAuth {
  /** A static bearer token (RFC 6750). */
  bearerToken?: string;
  /** HTTP Basic credentials (RFC 7617). */
  basic?: { username: string; password: string };
  oauth2?: ServerOAuth2;
  /**
   * Serve `/ServiceProviderConfig`, `/ResourceTypes` and `/Schemas` without credentials, as
   * some providers do; most real apps require them there too. @default false
   */
  publicDiscovery?: boolean;
}

/** Token-bucket limit enforced by the server itself (429 + Retry-After when exceeded). */
export interface ServerRateLimit {
  requestsPerSecond: number;
  burst: number;
  /** Only requests with these methods consume tokens (Slack limits writes, not reads). @default all */
  methods?: string[];
  /**
   * Servers in the same process naming the same budget share one bucket: an org-wide limit
   * shared by several apps (Slack, Zoom).
   */
  budget?: string;
}

/** Options of `startScimServer`. */
export interface ScimServerOptions {
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default '/scim/v2' */
  basePath?: string;
  /** Without it the server accepts every request. Any configured scheme is accepted. */
  auth?: ServerAuth;
  /** A named profile or a composed one (`{ base: 'slack', patchReturns204: true }`). @default 'rfc' */
  profile?: QuirkProfileName | QuirkProfileInput;
  /** @default no faults */
  faults?: FaultOptions;
  /** Overrides the profile's own limit (Slack's profile has one); null disables rate limiting. */
  rateLimit?: ServerRateLimit | null;
  /** Largest `count` honoured in one page (RFC 7644 §3.4.2.4). @default 100 */
  maxPageSize?: number;
  /**
   * Keep only the most recent N request records (a long-running dev-stack process would
   * otherwise grow without bound). Statistics still count every request. @default unlimited
   */
  maxRecordedRequests?: number;
  /** Called once per request when it is answered, or when it ends without an answer (reset, hang). */
  onRequest?: (record: RecordedRequest) => void;
  /** Seed of the fault-injection random generator; the same seed and request sequence inject the same faults. */
  seed?: number;
}

/** What was injected into one request. */
export interface InjectedFault {
  kind: 'latency' | '429' | '5xx' | 'hang' | 'reset' | 'rateLimit';
  timing: 'before' | 'after';
  /** Added latency or hang duration, when relevant. */
  delayMs?: number;
}

/** One request as the server saw it. Credentials are redacted. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, including the base path. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON, the raw text when it was not JSON, or undefined when empty. */
  body: unknown;
  /** Status answered; null while pending or when no answer was sent (hang, reset). */
  status: number | null;
  /** Epoch milliseconds. */
  receivedAt: number;
  /** Null while pending or when no answer was sent. */
  durationMs: number | null;
  /** Everything injected into this request, in order (latency may combine with one other fault). */
  faults: InjectedFault[];
  /** The fault that decided the outcome (429, 5xx, hang, reset or the rate limit), if any; latency only appears in `faults`. */
  fault?: InjectedFault;
}

/** Counters since start or the last `reset()`. */
export interface ScimServerStats {
  requests: number;
  /** Requests refused by the server-side rate limit (clients exceeding it). */
  rateLimited: number;
  /** Highest number of requests received within any sliding one-second window. */
  maxObservedRatePerSecond: number;
  /** Injected faults by kind (`429`, `5xx`, `hang`, `reset`, `latency`). */
  faultsInjected: Record<string, number>;
}

/** A running server: its URL, its store and request log, and run-time controls. */
export interface ScimServerHandle {
  /** Base URL, e.g. `http://127.0.0.1:PORT/scim/v2`. */
  url: string;
  port: number;
  /** Every request received, in arrival order (the same array instance until `clearRequests`/`reset`). */
  readonly requests: RecordedRequest[];
  users(): ScimUserResource[];
  groups(): ScimGroupResource[];
  /** Inserts a pre-existing account without any request (validated like a POST). */
  seedUser(user: Partial<ScimUserResource>): ScimUserResource;
  seedGroup(group: Partial<ScimGroupResource>): ScimGroupResource;
  setFaults(faults: FaultOptions): void;
  setProfile(profile: QuirkProfileName | QuirkProfileInput): void;
  clearRequests(): void;
  /** Empties the store, the recorded requests and the statistics. */
  reset(): void;
  stats(): ScimServerStats;
  /** Closes the listener and every open connection, including hanging ones. */
  stop(): Promise<void>;
}
