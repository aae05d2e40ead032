/**
 * Cross-cutting transport behaviour against the reference server: debug logs without secrets,
 * cancellation while waiting for a rate-limit token, and If-Match on apps with ETags.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../../../lib/logger';
import { buildScimUser } from '../../../lib/mapping';
import { ScimClients } from '../../../lib/scim';
import { startScimServer, type ScimServerHandle } from '../../../scim-server';
import { ada } from '../mapping/fixtures';
import { shippedConnector, startRig, type Rig } from './helpers';

let rig: Rig | undefined;
let server: ScimServerHandle | undefined;
afterEach(async () => {
  await rig?.stop();
  await server?.stop();
  rig = undefined;
  server = undefined;
});

test('every request is logged at debug with method, path, status and latency, never the token', async () => {
  server = await startScimServer({ auth: { bearerToken: 'sekrit-token-123' }, profile: 'rfc', rateLimit: null });
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const connector = await shippedConnector('github');
  connector.scim.baseUrl = server.url;
  const clients = new ScimClients({
    logger: createLogger({ level: 'debug', destination }),
    resolveSecret: async () => 'sekrit-token-123',
  });
  try {
    const client = clients.get(connector);
    const { id } = await client.createUser(buildScimUser(connector, ada, 'create'));
    await client.getUser(id);
  } finally {
    await clients.close();
  }
  const requests = lines.filter((l) => l.msg === 'scim request');
  expect(requests.map((l) => `${String(l.method)} ${String(l.status)}`)).toEqual(['GET 200', 'POST 201', 'GET 200']);
  expect(requests[1]).toMatchObject({ app: 'github', path: '/Users', latencyMs: expect.any(Number) });
  const text = JSON.stringify(lines);
  expect(text).not.toContain('sekrit-token-123');
  expect(text).not.toContain('Lovelace');
});

test('a cancelled activity stops waiting for a rate-limit token and sends nothing', async () => {
  rig = await startRig('github', { profile: 'rfc' }, (c) => {
    c.rateLimit = { requestsPerSecond: 0.5, burst: 1, maxConcurrency: 1 };
  });
  const client = rig.clients.get(rig.connector);
  await client.getUser('first');
  const ac = new AbortController();
  const waiting = client.getUser('second', { signal: ac.signal });
  ac.abort(new Error('activity cancelled'));
  await expect(waiting).rejects.toThrow('activity cancelled');
  expect(rig.server.requests.map((r) => r.path)).toEqual(['/scim/v2/Users/first']);
});

test('a write on the wire runs to its answer when the activity is cancelled; a read is aborted', async () => {
  // The app answers after 600 ms; the activity is cancelled 100 ms into each request.
  rig = await startRig('github', { profile: 'rfc', faults: { latencyMs: 600 } });
  const client = rig.clients.get(rig.connector);
  const write = new AbortController();
  const creating = client.createUser(buildScimUser(rig.connector, ada, 'create'), { signal: write.signal });
  // The lookup before the create is a read: wait until the POST itself is in flight.
  while (!rig.server.requests.some((r) => r.method === 'POST')) await new Promise((r) => setTimeout(r, 10));
  setTimeout(() => write.abort(new Error('activity cancelled')), 100);
  // The app applied the create; the client saw its answer instead of hiding it.
  const { id } = await creating;
  expect(rig.server.users().map((u) => u.id)).toEqual([id]);

  const read = new AbortController();
  const reading = client.getUser(id, { signal: read.signal });
  setTimeout(() => read.abort(new Error('activity cancelled')), 100);
  await expect(reading).rejects.toThrow('activity cancelled');
});

test('with ETags, updates send If-Match and a stale version is a retryable 412', async () => {
  rig = await startRig('github', { profile: 'rfc' }, (c) => {
    c.capabilities.etag = true;
  });
  const client = rig.clients.get(rig.connector);
  const { id, resource } = await client.createUser(buildScimUser(rig.connector, ada, 'create'));
  await client.updateUser(id, buildScimUser(rig.connector, { ...ada, familyName: 'King' }, 'update'));
  const patch = rig.server.requests.find((r) => r.method === 'PATCH')!;
  expect(patch.headers['if-match']).toBe(resource.meta?.version);
  await expect(client.replaceUser(id, resource)).rejects.toMatchObject({
    code: 'SCIM_PRECONDITION_FAILED',
    retryable: true,
    info: { status: 412 },
  });
});

test('the registry hands out one client per connector id', async () => {
  rig = await startRig('github', { profile: 'rfc' });
  const a = rig.clients.get(rig.connector);
  expect(rig.clients.get(rig.connector)).toBe(a);
  expect(rig.clients.get({ ...rig.connector, id: 'other' })).not.toBe(a);
});

test('a body that trickles past timeouts.request is a retryable SCIM_TIMEOUT, though each chunk came in time', async () => {
  const trickle: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/scim+json' });
    res.write('{"id":"u1",');
    const t = setInterval(() => res.write(' '), 50);
    res.on('close', () => clearInterval(t));
  });
  await new Promise<void>((r) => trickle.listen(0, '127.0.0.1', r));
  const connector = await shippedConnector('github');
  connector.scim.baseUrl = `http://127.0.0.1:${(trickle.address() as AddressInfo).port}/scim/v2`;
  connector.timeouts = { connectMs: 1000, requestMs: 300, idleMs: 4000 };
  const clients = new ScimClients({ logger: createLogger({ level: 'silent' }), resolveSecret: async () => 't' });
  try {
    await expect(clients.get(connector).getUser('u1')).rejects.toMatchObject({ code: 'SCIM_TIMEOUT', retryable: true });
  } finally {
    await clients.close();
    trickle.closeAllConnections();
    await new Promise((r) => trickle.close(r));
  }
});

test('token endpoint and secret errors keep their own codes through a request', async () => {
  rig = await startRig(
    'canva',
    { profile: 'canva', auth: { oauth2: { clientId: 'jml', clientSecret: 'right' } } },
    (c) => {
      c.auth = {
        type: 'oauth2-client-credentials',
        tokenUrl: `${new URL(c.scim.baseUrl).origin}/oauth/token`,
        clientId: 'jml',
        clientSecret: 'env:UNUSED',
      };
    },
  );
  const wrong = new ScimClients({ logger: createLogger({ level: 'silent' }), resolveSecret: async () => 'wrong' });
  const missing = new ScimClients({
    logger: createLogger({ level: 'silent' }),
    resolveSecret: async () => {
      throw Object.assign(new Error('env SECRET is not set'), { code: 'SECRET_UNRESOLVED' });
    },
  });
  try {
    await expect(wrong.get(rig.connector).getUser('x')).rejects.toMatchObject({
      code: 'SCIM_UNAUTHORIZED',
      retryable: false,
      info: { operation: 'oauth-token', status: 401 },
    });
    await expect(missing.get(rig.connector).getUser('x')).rejects.toMatchObject({ code: 'SECRET_UNRESOLVED' });
    expect(rig.server.requests.filter((r) => !r.path.endsWith('/oauth/token'))).toHaveLength(0);
  } finally {
    await wrong.close();
    await missing.close();
  }
});
