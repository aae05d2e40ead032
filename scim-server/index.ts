/**
 * Reference SCIM 2.0 service provider (RFC 7643 / RFC 7644) with fault injection and quirk
 * profiles, for tests, demos and benchmarks. Node built-ins only; shares no code with the
 * SCIM client in lib/scim.
 *
 * @example
 * const server = await startScimServer({ auth: { bearerToken: 't' }, profile: 'slack' });
 * // … point a client at server.url …
 * await server.stop();
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerState } from './context';
import { FaultPlanner } from './faults/planner';
import { RateMeter, bucketFor, type TokenBucket } from './faults/rate-limit';
import type { FaultOptions } from './faults/types';
import { RequestHandler } from './http/handler';
import { TokenIssuer } from './http/oauth';
import { URN } from './protocol/urns';
import { resolveProfile, type QuirkProfile, type QuirkProfileInput, type QuirkProfileName } from './quirks';
import { renderResource } from './resources/render';
import { ResourceStore } from './resources/store';
import { attributesFromBody } from './resources/write';
import { GROUP_TYPE, USER_TYPE, type ResourceTypeDef } from './schema/definitions';
import type { RecordedRequest, ScimGroupResource, ScimServerHandle, ScimServerOptions, ScimUserResource, ServerRateLimit } from './types';

export * from './types';
export { QUIRK_PROFILES, resolveProfile, ALL_FILTER_OPERATORS } from './quirks';
export type { FilterOperatorName } from './quirks';

type Json = Record<string, unknown>;

/** Cancellable timers, so stop() leaves nothing behind (latency, finite hangs). */
class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();

  sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.add(timer);
    });

  cancelAll(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}

function normalizeBasePath(basePath: string | undefined): string {
  const path = (basePath ?? '/scim/v2').replace(/\/+$/, '');
  return path.startsWith('/') || path === '' ? path : `/${path}`;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function seed(state: ServerState, type: ResourceTypeDef, input: Json): Json {
  const { id, schemas, ...rest } = input;
  const body = { schemas: Array.isArray(schemas) ? schemas : [type.schema.id], ...rest };
  const data = attributesFromBody(type, body, state.profile);
  const created = state.store.create(type.name, data, state.profile, typeof id === 'string' ? id : undefined);
  return renderResource(created, { store: state.store, baseUrl: state.baseUrl, omitLocation: state.profile.omitLocation });
}

/** Starts a server on `host:port` (a random free port by default) and resolves once it listens. */
export async function startScimServer(options: ScimServerOptions = {}): Promise<ScimServerHandle> {
  const host = options.host ?? '127.0.0.1';
  const basePath = normalizeBasePath(options.basePath);
  const state: ServerState = { store: new ResourceStore(), profile: resolveProfile(options.profile), baseUrl: '', maxPageSize: options.maxPageSize ?? 100 };
  const planner = new FaultPlanner(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  planner.configure(options.faults ?? {});
  const rateLimitFor = (profile: QuirkProfile): ServerRateLimit | null | undefined => (options.rateLimit === undefined ? profile.rateLimit : options.rateLimit);
  const limiterOf = (profile: QuirkProfile): { bucket: TokenBucket; methods?: string[] } | undefined => {
    const limit = rateLimitFor(profile);
    return limit ? { bucket: bucketFor(limit), methods: limit.methods } : undefined;
  };
  let limiter = limiterOf(state.profile);
  const requests: RecordedRequest[] = [];
  const counters = { requests: 0, rateLimited: 0, faults: {} as Record<string, number> };
  const meter = new RateMeter();
  const timers = new Timers();
  const issuer = options.auth?.oauth2 ? new TokenIssuer(options.auth.oauth2) : undefined;
  const handler = new RequestHandler({ state, basePath, auth: options.auth, issuer, planner, rateLimit: () => limiter, meter, requests, counters, onRequest: options.onRequest, maxRecordedRequests: options.maxRecordedRequests, sleep: timers.sleep });
  const server = createServer((req, res) => void handler.handle(req, res));
  const address = await listen(server, options.port ?? 0, host);
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  state.baseUrl = `http://${hostPart}:${address.port}${basePath}`;
  let stopped: Promise<void> | undefined;
  const render = (r: Parameters<typeof renderResource>[0]) => renderResource(r, { store: state.store, baseUrl: state.baseUrl, omitLocation: state.profile.omitLocation });

  return {
    url: state.baseUrl,
    port: address.port,
    requests,
    users: () => state.store.list('User').map(render) as ScimUserResource[],
    groups: () => state.store.list('Group').map(render) as ScimGroupResource[],
    seedUser: (user) => seed(state, USER_TYPE, user as Json) as ScimUserResource,
    seedGroup: (group) => seed(state, GROUP_TYPE, group as Json) as ScimGroupResource,
    setFaults: (faults: FaultOptions) => planner.configure(faults),
    setProfile: (profile: QuirkProfileName | QuirkProfileInput) => {
      state.profile = resolveProfile(profile);
      limiter = limiterOf(state.profile);
    },
    clearRequests: () => {
      requests.length = 0;
    },
    reset: () => {
      state.store.clear();
      requests.length = 0;
      counters.requests = 0;
      counters.rateLimited = 0;
      counters.faults = {};
      meter.reset();
      planner.restart();
      issuer?.clear();
    },
    stats: () => ({
      requests: counters.requests,
      rateLimited: counters.rateLimited,
      maxObservedRatePerSecond: meter.max,
      faultsInjected: { ...counters.faults },
    }),
    stop: () => {
      stopped ??= new Promise<void>((resolve, reject) => {
        timers.cancelAll();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

export { URN };
