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
}

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
  return {
    address: env.TEMPORAL_ADDRESS || DEFAULT_TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE || DEFAULT_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE || DEFAULT_TASK_QUEUE,
    ...(apiKey ? { apiKey } : {}),
    ...(tls ? { tls } : {}),
  };
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
  };
  return reach(settings, () => NativeConnection.connect(options));
}
