/**
 * `ScimClients`: the process-wide registry — one client per app, one keep-alive `Pool` per
 * app origin, and rate-limit buckets per app or shared `budget`, so every activity in a worker
 * process paces its requests together.
 */
import { Pool, type Dispatcher } from 'undici';
import { resolveSecret as resolveConfigSecret } from '../config/secrets';
import type { ConnectorConfig } from '../config/types';
import type { Logger } from '../logger';
import { AuthHeader, type SecretResolver } from './auth';
import { maxResponseBytesFromEnv } from './body';
import { ScimClient } from './client';
import { Semaphore, TokenBucket } from './limiter';
import { ScimTransport, type ScimRequestInfo } from './transport';

export interface ScimClientsOptions {
  logger: Logger;
  resolveSecret?: SecretResolver;
  /** Tests inject a dispatcher (MockAgent, a local Pool). */
  dispatcherFor?: (connector: ConnectorConfig) => Dispatcher;
  /** Process-wide observer of every exchange (logs, metrics); audit goes through each call's recorder. */
  onRequest?: (info: ScimRequestInfo) => void;
  now?: () => number;
  /** Response body ceiling for SCIM and token answers. @default JML_SCIM_MAX_RESPONSE_BYTES, else 10 MiB */
  maxResponseBytes?: number;
}

export class ScimClients {
  private readonly clients = new Map<string, ScimClient>();
  private readonly pools = new Map<string, Pool>();
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly options: ScimClientsOptions) {}

  get(connector: ConnectorConfig): ScimClient {
    let client = this.clients.get(connector.id);
    if (client) return client;
    const now = this.options.now ?? Date.now;
    const dispatcher = this.options.dispatcherFor?.(connector) ?? this.pool(connector);
    const resolve = this.options.resolveSecret ?? ((ref: string) => resolveConfigSecret(ref));
    const bucketKey = connector.rateLimit.budget ? `budget:${connector.rateLimit.budget}` : `app:${connector.id}`;
    let bucket = this.buckets.get(bucketKey);
    if (!bucket) {
      bucket = new TokenBucket(connector.rateLimit.requestsPerSecond, connector.rateLimit.burst, now);
      this.buckets.set(bucketKey, bucket);
    }
    const logger = this.options.logger.child({ app: connector.id });
    const maxResponseBytes = this.options.maxResponseBytes ?? maxResponseBytesFromEnv();
    const auth = new AuthHeader(
      connector.id,
      connector.auth,
      resolve,
      this.options.dispatcherFor ? dispatcher : undefined,
      now,
      connector.timeouts.requestMs,
      (r) => this.tokenRequested(connector, logger, r),
      maxResponseBytes,
    );
    const transport = new ScimTransport({
      connector,
      dispatcher,
      auth,
      bucket,
      semaphore: new Semaphore(connector.rateLimit.maxConcurrency),
      logger,
      onRequest: this.options.onRequest,
      now,
      maxResponseBytes,
    });
    client = new ScimClient(connector, transport);
    this.clients.set(connector.id, client);
    return client;
  }

  private tokenRequested(
    connector: ConnectorConfig,
    logger: Logger,
    r: { status?: number; latencyMs: number; errorCode?: string },
  ): void {
    const path = connector.auth.type === 'oauth2-client-credentials' ? new URL(connector.auth.tokenUrl).pathname : '';
    logger.debug({ method: 'POST', path, ...r }, 'oauth token request');
    this.options.onRequest?.({ app: connector.id, operation: 'oauth-token', method: 'POST', path, ...r });
  }

  private pool(connector: ConnectorConfig): Pool {
    const origin = new URL(connector.scim.baseUrl).origin;
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: connector.rateLimit.maxConcurrency,
        // Never longer than the connector allows, even when the app announces a longer Keep-Alive
        // (undici takes 2 s off an announced timeout; a shorter announcement wins).
        keepAliveTimeout: connector.timeouts.idleMs,
        keepAliveMaxTimeout: connector.timeouts.idleMs,
        connect: { timeout: connector.timeouts.connectMs },
        headersTimeout: connector.timeouts.requestMs,
        bodyTimeout: connector.timeouts.requestMs,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close()));
    this.pools.clear();
    this.clients.clear();
  }
}
