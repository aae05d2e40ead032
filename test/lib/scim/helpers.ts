/**
 * Test wiring: a reference SCIM server on 127.0.0.1 and a `ScimClients` registry whose
 * connector points at it (a shipped connector with its baseUrl, auth and limits overridden).
 */
import { join } from 'node:path';
import { loadConfig } from '../../../lib/config';
import type { ConnectorConfig, LoadedConfig } from '../../../lib/config/types';
import { createLogger } from '../../../lib/logger';
import { ScimClients, type ScimRequestInfo } from '../../../lib/scim';
import { startScimServer, type ScimServerHandle, type ScimServerOptions } from '../../../scim-server';

let shipped: LoadedConfig | undefined;

/** The shipped config/ connectors, loaded once per test file. */
export async function shippedConnector(id: string): Promise<ConnectorConfig> {
  shipped ??= await loadConfig(join(__dirname, '../../../config'));
  const c = shipped.connectors[id];
  if (!c) throw new Error(`no connector ${id}`);
  return structuredClone(c);
}

export interface Rig {
  server: ScimServerHandle;
  connector: ConnectorConfig;
  clients: ScimClients;
  seen: ScimRequestInfo[];
  stop(): Promise<void>;
}

/** Starts a server and a registry; `tweak` adjusts the connector (capabilities, limits). */
export async function startRig(
  base: string,
  server: ScimServerOptions,
  tweak: (c: ConnectorConfig) => void = () => {},
): Promise<Rig> {
  const handle = await startScimServer({ auth: { bearerToken: 'test-token' }, rateLimit: null, seed: 7, ...server });
  const connector = await shippedConnector(base);
  connector.id = `${base}-test`;
  connector.scim.baseUrl = handle.url;
  connector.auth = { type: 'bearer', token: 'env:UNUSED' };
  connector.rateLimit = { requestsPerSecond: 1000, burst: 1000, maxConcurrency: 8 };
  connector.timeouts = { connectMs: 2000, requestMs: 2000, idleMs: 4000 };
  tweak(connector);
  const seen: ScimRequestInfo[] = [];
  const clients = new ScimClients({
    logger: createLogger({ level: 'silent' }),
    resolveSecret: async () => 'test-token',
    onRequest: (info) => seen.push(info),
  });
  return {
    server: handle,
    connector,
    clients,
    seen,
    async stop() {
      await clients.close();
      await handle.stop();
    },
  };
}

/** Re-invokes `fn` after retryable errors, as Temporal's retry policy would (without the waits). */
export async function withRetries<T>(fn: () => Promise<T>, attempts = 10): Promise<{ value: T; failures: string[] }> {
  const failures: string[] = [];
  for (let i = 0; i < attempts; i++) {
    try {
      return { value: await fn(), failures };
    } catch (err) {
      const e = err as { retryable?: boolean; code?: string };
      if (!e.retryable) throw err;
      failures.push(e.code ?? 'unknown');
    }
  }
  throw new Error(`still failing after ${attempts} attempts: ${failures.join(', ')}`);
}
