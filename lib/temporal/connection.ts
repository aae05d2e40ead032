/**
 * How every process (worker, API, CLI) reaches Temporal: one place that reads the standard
 * environment so `TEMPORAL_ADDRESS=… jml worker` and `… jml api` agree, including Temporal
 * Cloud (mTLS client certificate or API key).
 */
import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { handshakeFailure, tcpFailure, TemporalUnreachableError } from './reachability';

export { TemporalUnreachableError } from './reachability';

export interface TemporalSettings {
  /** host:port. @default '127.0.0.1:7233' (the embedded engine of `jml dev`) */
  address: string;
  /** @default 'default' */
  namespace: string;
  /** @default 'jml-lifecycle' */
  taskQueue: string;
  /** Temporal Cloud API key (from `TEMPORAL_API_KEY` or the file in `TEMPORAL_API_KEY_FILE`). */
  apiKey?: string;
  /** mTLS client certificate and key (PEM); implies TLS. */
  tls?: { cert: Buffer; key: Buffer; serverName?: string } | true;
  /**
   * gzip of the worker's requests to Temporal (`TEMPORAL_GRPC_COMPRESSION=gzip|none`).
   * @default 'none' for a loopback address, else 'gzip' (the SDK's default)
   */
  grpcCompression?: GrpcCompression;
}

export type GrpcCompression = 'gzip' | 'none';

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_TASK_QUEUE = 'jml-lifecycle';

/** Reads `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_TASK_QUEUE`, `TEMPORAL_API_KEY[_FILE]`, `TEMPORAL_TLS_CERT`/`_KEY` (file paths), `TEMPORAL_TLS=true`. */
export function temporalSettingsFromEnv(env: Record<string, string | undefined> = process.env): TemporalSettings {
  const apiKey =
    env.TEMPORAL_API_KEY ??
    (env.TEMPORAL_API_KEY_FILE ? readFileSync(env.TEMPORAL_API_KEY_FILE, 'utf8').trim() : undefined);
  let tls: TemporalSettings['tls'];
  if (env.TEMPORAL_TLS_CERT && env.TEMPORAL_TLS_KEY) {
    tls = {
      cert: readFileSync(env.TEMPORAL_TLS_CERT),
      key: readFileSync(env.TEMPORAL_TLS_KEY),
      serverName: env.TEMPORAL_TLS_SERVER_NAME,
    };
  } else if (env.TEMPORAL_TLS === 'true' || apiKey) {
    tls = true;
  }
  const address = env.TEMPORAL_ADDRESS || DEFAULT_TEMPORAL_ADDRESS;
  return {
    address,
    grpcCompression: grpcCompression(env.TEMPORAL_GRPC_COMPRESSION, address),
    namespace: env.TEMPORAL_NAMESPACE || DEFAULT_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE || DEFAULT_TASK_QUEUE,
    ...(apiKey ? { apiKey } : {}),
    ...(tls ? { tls } : {}),
  };
}

/**
 * The SDK gzips every request the worker sends (polls, completions, heartbeats), and the server
 * inflates each one. Over loopback (the embedded engine, a sidecar) that buys nothing and costs
 * both processes CPU on every workflow and activity task, so it is off there; across a network
 * the SDK's gzip stays, unless `TEMPORAL_GRPC_COMPRESSION` says otherwise.
 */
export function grpcCompression(setting: string | undefined, address: string): GrpcCompression {
  if (setting === 'gzip' || setting === 'none') return setting;
  if (setting !== undefined && setting !== '')
    throw new Error(`TEMPORAL_GRPC_COMPRESSION must be gzip or none, got "${setting}"`);
  return isLoopback(address) ? 'none' : 'gzip';
}

/** `localhost`, `127.x.x.x` or `[::1]`, with or without a port. */
function isLoopback(address: string): boolean {
  const host = address.startsWith('[') ? address.slice(1, address.indexOf(']')) : address.replace(/:\d+$/, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function tlsOption(settings: TemporalSettings) {
  if (!settings.tls) return undefined;
  if (settings.tls === true) return true;
  return {
    clientCertPair: { crt: settings.tls.cert, key: settings.tls.key },
    serverNameOverride: settings.tls.serverName,
  };
}

/**
 * Opens `connect()` after checking that the address takes TCP connections; either failure is a
 * TemporalUnreachableError naming the address, the cause and what to check.
 */
async function reach<T>(settings: TemporalSettings, connect: () => Promise<T>): Promise<T> {
  const refused = await tcpFailure(settings.address);
  if (refused) throw new TemporalUnreachableError(settings.address, settings.namespace, refused);
  try {
    return await connect();
  } catch (err) {
    const { reason, hint } = handshakeFailure(err, Boolean(settings.tls));
    throw new TemporalUnreachableError(settings.address, settings.namespace, reason, hint);
  }
}

/** A client connection (API, CLI). */
export async function connectClient(settings: TemporalSettings): Promise<{ client: Client; connection: Connection }> {
  const options: ConnectionOptions = { address: settings.address, tls: tlsOption(settings), apiKey: settings.apiKey };
  const connection = await reach(settings, () => Connection.connect(options));
  return { client: new Client({ connection, namespace: settings.namespace }), connection };
}

/** A worker connection. */
export function connectWorker(settings: TemporalSettings): Promise<NativeConnection> {
  const options: NativeConnectionOptions = {
    address: settings.address,
    tls: tlsOption(settings),
    apiKey: settings.apiKey,
    grpcCompression: { codec: settings.grpcCompression ?? grpcCompression(undefined, settings.address) },
  };
  return reach(settings, () => NativeConnection.connect(options));
}
