/**
 * Idle connections: the client must stop reusing a connection before the app drops it, or a
 * request goes out on a connection the app is closing and fails with "other side closed".
 * In front of the reference server sits a proxy that behaves like an app (or load balancer)
 * with a short idle timeout and the race lost every time: a request arriving on a connection
 * idle for longer than that is answered by closing the connection.
 */
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { buildScimUser } from '../../../lib/mapping';
import { ada } from '../mapping/fixtures';
import { shippedConnector, startRig, type Rig } from './helpers';

const APP_IDLE_MS = 600;

/** A TCP proxy to `port` that drops a connection a request reaches after more than `idleMs` of silence. */
interface Proxy {
  port: number;
  dropped(): number;
  close(): Promise<void>;
}

async function idleDroppingProxy(port: number, idleMs: number): Promise<Proxy> {
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    const upstream = createConnection(port, '127.0.0.1');
    let last = Date.now();
    client.on('data', (chunk) => {
      if (Date.now() - last > idleMs) {
        dropped++;
        client.destroy();
        upstream.destroy();
        return;
      }
      last = Date.now();
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      last = Date.now();
      client.write(chunk);
    });
    const close = () => {
      sockets.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    dropped: () => dropped,
    close: () => {
      sockets.forEach((s) => s.destroy());
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

let rig: Rig | undefined;
let proxy: Proxy | undefined;
afterEach(async () => {
  await rig?.stop();
  await proxy?.close();
  rig = undefined;
  proxy = undefined;
});

async function rigBehindProxy(idleMs: number): Promise<Rig> {
  const r = await startRig('github', { profile: 'rfc' }, (c) => {
    c.timeouts.idleMs = idleMs;
  });
  proxy = await idleDroppingProxy(r.server.port, APP_IDLE_MS);
  r.connector.scim.baseUrl = r.server.url.replace(`:${r.server.port}/`, `:${proxy.port}/`);
  return r;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("with the idle timeout below the app's, requests after idle spells all go through", async () => {
  rig = await rigBehindProxy(APP_IDLE_MS / 3);
  const client = rig.clients.get(rig.connector);
  const created = await client.createUser(buildScimUser(rig.connector, ada, 'create'));
  for (let i = 0; i < 3; i++) {
    await pause(APP_IDLE_MS + 300);
    expect((await client.getUser(created.id))?.id).toBe(created.id);
  }
  expect(proxy!.dropped()).toBe(0);
  expect(rig.seen.filter((r) => r.errorCode)).toEqual([]);
});

test("with the idle timeout above the app's, a request after an idle spell meets a closing connection", async () => {
  // The failure the setting prevents, shown on the same proxy: the reused connection is dropped.
  rig = await rigBehindProxy(APP_IDLE_MS * 10);
  const client = rig.clients.get(rig.connector);
  const created = await client.createUser(buildScimUser(rig.connector, ada, 'create'));
  await pause(APP_IDLE_MS + 300);
  await client.getUser(created.id).catch(() => undefined);
  expect(proxy!.dropped()).toBeGreaterThan(0);
});

test('the default idle timeout is below the 5 s of Node-based apps', async () => {
  expect((await shippedConnector('github')).timeouts.idleMs).toBeLessThan(5000);
});
