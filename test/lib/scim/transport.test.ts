/**
 * Cross-cutting transport behaviour against the reference server: debug logs without secrets,
 * cancellation while waiting for a rate-limit token, and If-Match on apps with ETags.
 */
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
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const connector = await shippedConnector('github');
  connector.scim.baseUrl = server.url;
  const clients = new ScimClients({ logger: createLogger({ level: 'debug', destination }), resolveSecret: async () => 'sekrit-token-123' });
  try {
    const client = clients.get(connector);
    const { id } = await client.createUser(buildScimUser(connector, ada, 'create'));
    await client.getUser(id);
  } finally {
    await clients.close();
  }
  const requests = lines.filter((l) => l.msg === 'scim request');
  expect(requests.map((l) => `${String(l.method)} ${String(l.status)}`)).toEqual(['GET 200', 'GET 200', 'POST 201', 'GET 200']);
  expect(requests[2]).toMatchObject({ app: 'github', path: '/Users', latencyMs: expect.any(Number) });
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

test('with ETags, updates send If-Match and a stale version is a retryable 412', async () => {
  rig = await startRig('github', { profile: 'rfc' }, (c) => {
    c.capabilities.etag = true;
  });
  const client = rig.clients.get(rig.connector);
  const { id, resource } = await client.createUser(buildScimUser(rig.connector, ada, 'create'));
  await client.updateUser(id, buildScimUser(rig.connector, { ...ada, familyName: 'King' }, 'update'));
  const patch = rig.server.requests.find((r) => r.method === 'PATCH')!;
  expect(patch.headers['if-match']).toBe(resource.meta?.version);
  await expect(client.replaceUser(id, resource)).rejects.toMatchObject({ code: 'SCIM_PRECONDITION_FAILED', retryable: true, info: { status: 412 } });
});

test('the registry hands out one client per connector id', async () => {
  rig = await startRig('github', { profile: 'rfc' });
  const a = rig.clients.get(rig.connector);
  expect(rig.clients.get(rig.connector)).toBe(a);
  expect(rig.clients.get({ ...rig.connector, id: 'other' })).not.toBe(a);
});
