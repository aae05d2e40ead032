/**
 * The worker's small HTTP endpoint (it has no other server): `/metrics` for Prometheus,
 * `/healthz` (the process answers) and `/readyz` (each named check passes, e.g. Temporal
 * connected and the audit store reachable) for an orchestrator's probes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { METRICS_CONTENT_TYPE, metricsText } from './exposition';

/** Resolves true when the dependency answers; a thrown error or false means not ready. */
export type ReadinessCheck = () => Promise<boolean>;

export interface MetricsServer {
  /** `http://host:port` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** @default 2000 ms: a probe must answer within the orchestrator's probe timeout. */
const CHECK_TIMEOUT_MS = 2_000;

async function runCheck(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startMetricsServer(options: {
  port: number;
  host: string;
  checks: Record<string, ReadinessCheck>;
}): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
    if (path === '/healthz') return send(200, 'application/json', JSON.stringify({ status: 'ok' }));
    if (path === '/metrics') {
      metricsText().then(
        (text) => send(200, METRICS_CONTENT_TYPE, text),
        (err: Error) => send(500, 'text/plain', `metrics failed: ${err.message}\n`),
      );
      return;
    }
    if (path === '/readyz') {
      const names = Object.keys(options.checks);
      void Promise.all(names.map((name) => runCheck(options.checks[name]!))).then((results) => {
        const checks = Object.fromEntries(names.map((name, i) => [name, results[i] ? 'ok' : 'failing']));
        const ready = results.every(Boolean);
        send(
          ready ? 200 : 503,
          'application/json',
          JSON.stringify({ status: ready ? 'ready' : 'unavailable', checks }),
        );
      });
      return;
    }
    return send(404, 'text/plain', 'not found: try /metrics, /healthz or /readyz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Prometheus keeps its connection open between scrapes; do not wait for it.
        server.closeAllConnections();
      }),
  };
}
