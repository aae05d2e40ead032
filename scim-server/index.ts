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
import { RequestHandler } from './http/handler';
import { URN } from './protocol/urns';
import { ServerRuntime } from './runtime';
import { GROUP_TYPE, USER_TYPE } from './schema/definitions';
import type { ScimGroupResource, ScimServerHandle, ScimServerOptions, ScimUserResource } from './types';

export * from './types';
export { QUIRK_PROFILES, resolveProfile, ALL_FILTER_OPERATORS } from './quirks';
export type { FilterOperatorName } from './quirks';
export { URN };

type Json = Record<string, unknown>;

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

function stopper(server: Server, runtime: ServerRuntime): () => Promise<void> {
  let stopped: Promise<void> | undefined;
  return () => {
    stopped ??= new Promise<void>((resolve, reject) => {
      runtime.timers.cancelAll();
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    });
    return stopped;
  };
}

function handleFor(runtime: ServerRuntime, server: Server, port: number): ScimServerHandle {
  const { state } = runtime;
  return {
    url: state.baseUrl,
    port,
    requests: runtime.requests,
    users: () => state.store.list('User').map((r) => runtime.render(r)) as ScimUserResource[],
    groups: () => state.store.list('Group').map((r) => runtime.render(r)) as ScimGroupResource[],
    seedUser: (user) => runtime.seed(USER_TYPE, user as Json) as ScimUserResource,
    seedGroup: (group) => runtime.seed(GROUP_TYPE, group as Json) as ScimGroupResource,
    setFaults: (faults) => runtime.setFaults(faults),
    setProfile: (profile) => runtime.setProfile(profile),
    clearRequests: () => runtime.clearRequests(),
    reset: () => runtime.reset(),
    stats: () => runtime.stats(),
    stop: stopper(server, runtime),
  };
}

/** Starts a server on `host:port` (a random free port by default) and resolves once it listens. */
export async function startScimServer(options: ScimServerOptions = {}): Promise<ScimServerHandle> {
  const basePath = normalizeBasePath(options.basePath);
  const runtime = new ServerRuntime(options);
  const handler = new RequestHandler({
    state: runtime.state,
    basePath,
    auth: options.auth,
    issuer: runtime.issuer,
    planner: runtime.planner,
    rateLimit: () => runtime.limiter,
    meter: runtime.meter,
    requests: runtime.requests,
    counters: runtime.counters,
    onRequest: options.onRequest,
    maxRecordedRequests: options.maxRecordedRequests,
    sleep: runtime.timers.sleep,
  });
  const server = createServer((req, res) => void handler.handle(req, res));
  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  runtime.state.baseUrl = `http://${host}:${address.port}${basePath}`;
  return handleFor(runtime, server, address.port);
}
