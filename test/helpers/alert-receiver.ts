/**
 * An alert webhook for tests: a real HTTP server on a free loopback port that keeps every alert
 * the lifecycle posts (the policy's notifications.webhookUrl points at `url`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AlertReceiver {
  url: string;
  /** Every alert received, in arrival order (the parsed JSON body). */
  alerts: Record<string, unknown>[];
  /**
   * Waits in real time for alerts matching `match` (delivery runs beside the workflows, after
   * the fact) and returns them; returns what matched so far after `maxMs`.
   */
  waitFor(
    match: (alert: Record<string, unknown>) => boolean,
    count?: number,
    maxMs?: number,
  ): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** `status`: what the webhook answers every delivery (default 204); each body is kept whatever it answers. */
export async function startAlertReceiver(options: { status?: number } = {}): Promise<AlertReceiver> {
  const alerts: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      alerts.push(JSON.parse(body) as Record<string, unknown>);
      res.statusCode = options.status ?? 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    alerts,
    async waitFor(match, count = 1, maxMs = 30_000) {
      const deadline = Date.now() + maxMs;
      while (alerts.filter(match).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      return alerts.filter(match);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
