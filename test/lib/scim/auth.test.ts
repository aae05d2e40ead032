/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4) against a tiny loopback token endpoint: the form
 * and client authentication sent, caching until shortly before expiry (injected clock), and
 * how token endpoint failures are classified — without the secret in any message.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthHeader } from '../../../lib/scim/auth';

interface Seen {
  authorization?: string;
  contentType?: string;
  form: URLSearchParams;
}

let server: Server;
let url: string;
let seen: Seen[];
let answer: (res: ServerResponse) => void;

beforeEach(async () => {
  seen = [];
  answer = (res) =>
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ access_token: `tok-${seen.length}`, token_type: 'Bearer', expires_in: 600 }));
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        form: new URLSearchParams(body),
      });
      answer(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
});

function auth(now: () => number, scope?: string): AuthHeader {
  return new AuthHeader(
    'canva',
    {
      type: 'oauth2-client-credentials',
      tokenUrl: url,
      clientId: 'jml client',
      clientSecret: 'env:X',
      scope,
      audience: 'scim',
    },
    async () => 's3cret:&',
    undefined,
    now,
  );
}

test('posts the client-credentials form with HTTP Basic client authentication (RFC 6749 §2.3.1)', async () => {
  expect(await auth(() => 0, 'users:write').header()).toBe('Bearer tok-1');
  expect(seen[0]!.contentType).toBe('application/x-www-form-urlencoded');
  expect(Object.fromEntries(seen[0]!.form)).toEqual({
    grant_type: 'client_credentials',
    scope: 'users:write',
    audience: 'scim',
  });
  const [id, secret] = Buffer.from(seen[0]!.authorization!.replace(/^Basic /, ''), 'base64')
    .toString()
    .split(':');
  expect([decodeURIComponent(id!), decodeURIComponent(secret!)]).toEqual(['jml client', 's3cret:&']);
});

test('the token is reused until a minute before it expires, then fetched again', async () => {
  let now = 0;
  const a = auth(() => now);
  expect(await a.header()).toBe('Bearer tok-1');
  now = 539_000;
  expect(await a.header()).toBe('Bearer tok-1');
  now = 540_000;
  expect(await a.header()).toBe('Bearer tok-2');
  expect(seen).toHaveLength(2);
});

test('invalidate() after a 401 forces a new token; bearer auth has nothing to refresh', async () => {
  const a = auth(() => 0);
  await a.header();
  expect(a.invalidate()).toBe(true);
  expect(await a.header()).toBe('Bearer tok-2');
  const bearer = new AuthHeader(
    'x',
    { type: 'bearer', token: 'env:T' },
    async () => 'static',
    undefined,
    () => 0,
  );
  expect(await bearer.header()).toBe('Bearer static');
  expect(bearer.invalidate()).toBe(false);
});

test.each([
  [401, 'SCIM_UNAUTHORIZED', false],
  [400, 'SCIM_UNAUTHORIZED', false],
  [503, 'SCIM_SERVER_ERROR', true],
  [429, 'SCIM_RATE_LIMITED', true],
])('token endpoint %d → %s (retryable %s), secret not in the message', async (status, code, retryable) => {
  answer = (res) => res.writeHead(status, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
  const err = (await auth(() => 0)
    .header()
    .catch((e: unknown) => e)) as Error & { code: string; retryable: boolean };
  expect(err).toMatchObject({ code, retryable, info: { status, operation: 'oauth-token' } });
  expect(err.message).not.toContain('s3cret');
});

test.each(['{"token_type":"Bearer"}', '<html>login</html>'])(
  'an answer without access_token is a protocol error: %s',
  async (text) => {
    answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(text);
    await expect(auth(() => 0).header()).rejects.toMatchObject({ code: 'SCIM_PROTOCOL', retryable: false });
  },
);

test('an unreachable token endpoint is a retryable network error', async () => {
  await new Promise((r) => server.close(r));
  server = createServer();
  await expect(auth(() => 0).header()).rejects.toMatchObject({ code: 'SCIM_NETWORK', retryable: true });
});
