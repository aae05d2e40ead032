import { startScimServer, type ScimServerHandle } from '../../scim-server';
import { call } from './http';

let server: ScimServerHandle;
let tokenUrl: string;

beforeAll(async () => {
  server = await startScimServer({ auth: { oauth2: { clientId: 'jml', clientSecret: 's3cret&more' } } });
  tokenUrl = `${new URL(server.url).origin}/oauth/token`;
});
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
  server.setFaults({});
});

async function requestToken(form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('OAuth 2.0 client credentials (RFC 6749 §4.4)', () => {
  it('issues a bearer token to a client authenticated with HTTP Basic, usable on the SCIM API', async () => {
    const issued = await requestToken(
      { grant_type: 'client_credentials', scope: 'scim' },
      { authorization: basic('jml', 's3cret&more') },
    );
    expect(issued.status).toBe(200);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    expect(issued.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'scim',
    });
    const users = await call(server, 'GET', '/Users', { token: String(issued.body.access_token) });
    expect(users.status).toBe(200);
  });

  it('accepts client credentials in the body and records them redacted', async () => {
    const issued = await requestToken({
      grant_type: 'client_credentials',
      client_id: 'jml',
      client_secret: 's3cret&more',
    });
    expect(issued.status).toBe(200);
    expect(server.requests[0]!.body).toEqual({
      grant_type: 'client_credentials',
      client_id: 'jml',
      client_secret: '[REDACTED]',
    });
  });

  it.each([
    [
      'a wrong secret',
      { grant_type: 'client_credentials', client_id: 'jml', client_secret: 'nope' },
      401,
      'invalid_client',
    ],
    [
      'another grant',
      { grant_type: 'password', client_id: 'jml', client_secret: 's3cret&more' },
      400,
      'unsupported_grant_type',
    ],
  ])('refuses %s', async (_name, form, status, error) => {
    const answer = await requestToken(form);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toBe(error);
  });

  it('refuses a JSON body and a GET', async () => {
    const json = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe('invalid_request');
    const get = await fetch(tokenUrl);
    expect(get.status).toBe(405);
    await get.arrayBuffer();
  });

  it('rejects unknown bearer tokens with error="invalid_token"', async () => {
    const answer = await call(server, 'GET', '/Users', { token: 'made-up' });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="scim", error="invalid_token"');
  });

  it('is exempt from injected faults', async () => {
    server.setFaults({ rate5xx: 1 });
    const issued = await requestToken({
      grant_type: 'client_credentials',
      client_id: 'jml',
      client_secret: 's3cret&more',
    });
    expect(issued.status).toBe(200);
    expect(server.stats().faultsInjected).toEqual({});
  });
});

describe('token expiry', () => {
  it('rejects an expired token and says so', async () => {
    const shortLived = await startScimServer({
      auth: { oauth2: { clientId: 'c', clientSecret: 's', tokenTtlSeconds: 0, tokenPath: '/token' } },
    });
    try {
      const res = await fetch(`${new URL(shortLived.url).origin}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('c', 's') },
        body: 'grant_type=client_credentials',
      });
      const { access_token: token } = (await res.json()) as { access_token: string };
      const answer = await call(shortLived, 'GET', '/Users', { token });
      expect(answer.status).toBe(401);
      expect(answer.body.detail).toMatch(/expired/);
    } finally {
      await shortLived.stop();
    }
  });
});
