/**
 * Response bodies have a ceiling: an app or token endpoint that answers more than the limit
 * (streamed without a length, or announced by Content-Length) fails that request cleanly with
 * SCIM_PROTOCOL instead of being buffered whole. A misbehaving HTTP server stands in for the
 * app: the reference SCIM server never answers that much.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../../lib/logger';
import { ScimClients, ScimError, type ScimRequestInfo } from '../../../lib/scim';
import { maxResponseBytesFromEnv } from '../../../lib/scim/body';
import { shippedConnector } from './helpers';

const LIMIT = 1024 * 1024;
let server: Server;
let url: string;
let chunksWritten = 0;

/** 4 MiB of a JSON string, in 64 KiB chunks; stops when the client goes away. */
function flood(res: ServerResponse, withLength: boolean): void {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const total = 64;
  res.writeHead(200, {
    'content-type': 'application/scim+json',
    ...(withLength ? { 'content-length': String(total * chunk.length + 2) } : {}),
  });
  res.write('"');
  let i = 0;
  const next = () => {
    while (i < total && !res.destroyed) {
      i++;
      chunksWritten++;
      if (!res.write(chunk)) return void res.once('drain', next);
    }
    if (!res.destroyed) res.end('"');
  };
  next();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith('/token-big')) return flood(res, false);
    if (req.url?.startsWith('/scim/v2/Users/streamed')) return flood(res, false);
    if (req.url?.startsWith('/scim/v2/Users/announced')) return flood(res, true);
    res.writeHead(200, { 'content-type': 'application/scim+json' });
    res.end(
      JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        id: 'small',
        userName: 'ok@example.com',
        active: true,
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

async function clients(seen: ScimRequestInfo[]) {
  const connector = await shippedConnector('github');
  connector.scim.baseUrl = `${url}/scim/v2`;
  connector.auth = { type: 'bearer', token: 'env:UNUSED' };
  const registry = new ScimClients({
    logger: createLogger({ level: 'silent' }),
    resolveSecret: async () => 't',
    maxResponseBytes: LIMIT,
    onRequest: (i) => seen.push(i),
  });
  return { registry, client: registry.get(connector) };
}

test.each(['streamed', 'announced'])(
  'a %s SCIM answer over the limit fails the request with SCIM_PROTOCOL, not retried',
  async (kind) => {
    const seen: ScimRequestInfo[] = [];
    const { registry, client } = await clients(seen);
    try {
      const before = chunksWritten;
      const err = (await client.getUser(kind).catch((e: unknown) => e)) as ScimError;
      expect(err).toBeInstanceOf(ScimError);
      expect(err).toMatchObject({ code: 'SCIM_PROTOCOL', retryable: false });
      expect(err.message).toMatch(/HTTP 200, answer not read: the answer is larger than 1048576 bytes/);
      expect(seen).toEqual([
        expect.objectContaining({
          status: 200,
          errorCode: 'SCIM_PROTOCOL',
          detail: expect.stringMatching(/larger than/),
        }),
      ]);
      // The client stopped reading: the server did not get to send all 4 MiB.
      expect(chunksWritten - before).toBeLessThan(64);
      // Under the limit, the same client works.
      expect(await client.getUser('small')).toMatchObject({ id: 'small' });
    } finally {
      await registry.close();
    }
  },
);

test('an OAuth token answer over the limit fails the token request cleanly', async () => {
  const connector = await shippedConnector('canva');
  connector.scim.baseUrl = `${url}/scim/v2`;
  if (connector.auth.type !== 'oauth2-client-credentials') throw new Error('canva uses OAuth in the shipped config');
  connector.auth.tokenUrl = `${url}/token-big`;
  const registry = new ScimClients({
    logger: createLogger({ level: 'silent' }),
    resolveSecret: async () => 'secret',
    maxResponseBytes: LIMIT,
  });
  try {
    const err = (await registry
      .get(connector)
      .getUser('small')
      .catch((e: unknown) => e)) as ScimError;
    expect(err).toMatchObject({ code: 'SCIM_PROTOCOL', retryable: false });
    expect(err.message).toMatch(/token endpoint answer not read: the answer is larger than 1048576 bytes/);
  } finally {
    await registry.close();
  }
});

test('JML_SCIM_MAX_RESPONSE_BYTES configures the limit and a bad value names the variable', () => {
  expect(maxResponseBytesFromEnv({})).toBe(10 * 1024 * 1024);
  expect(maxResponseBytesFromEnv({ JML_SCIM_MAX_RESPONSE_BYTES: '2048' })).toBe(2048);
  expect(() => maxResponseBytesFromEnv({ JML_SCIM_MAX_RESPONSE_BYTES: '10MB' })).toThrow(
    /JML_SCIM_MAX_RESPONSE_BYTES must be a positive number of bytes/,
  );
});
