/**
 * Intake and read access over real HTTP: bearer tokens never authorize a change, reads are
 * rate-limited, every answer carries the browser security headers, and start-up refuses
 * placeholder and weak secrets (the process-level check is in cli.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTestEnv, type TemporalTestEnv } from '../../helpers/temporal-env';
import { apiSecretsFromEnv } from '../../../workers/api';
import { KNOWN_PLACEHOLDERS, secretWeakness } from '../../../workers/api/secret-strength';
import {
  canonicalEvent,
  postSigned,
  send,
  SECRET,
  startApi,
  strongSecret,
  workflowAbsent,
  type RunningApi,
} from './helpers';

jest.setTimeout(30_000);

let env: TemporalTestEnv;
const TOKEN = strongSecret();

beforeAll(async () => {
  env = await createTestEnv({ timeSkipping: false });
});

afterAll(async () => {
  await env?.teardown();
});

async function withApi(
  overrides: Parameters<typeof startApi>[1],
  run: (api: RunningApi) => Promise<void>,
): Promise<void> {
  const api = await startApi(env.client, overrides);
  try {
    await run(api);
  } finally {
    await api.app.close();
  }
}

describe('state-changing routes need the HMAC signature', () => {
  test('a bearer token alone is 401 on every POST route, and nothing is started', async () => {
    await withApi({ secrets: { hmacSecrets: [SECRET], bearerTokens: [TOKEN] } }, async (api) => {
      for (const route of ['/v1/hr/events', '/v1/hr/events/bamboohr', '/v1/hr/events/scim-bulk']) {
        const res = await send(`${api.url}${route}`, {
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify(canonicalEvent('E-SEC-BEARER')),
        });
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ code: 'API_UNAUTHORIZED' });
      }
      expect(await workflowAbsent(env.client, 'employee-E-SEC-BEARER')).toBe(true);
      // With the signature (and the token, since one is configured) it is accepted.
      const ok = await postSigned(`${api.url}/v1/hr/events`, canonicalEvent('E-SEC-BOTH'), {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(ok.status).toBe(202);
    });
  });

  test('an API without an HMAC secret is refused when it is built', async () => {
    await expect(startApi(env.client, { secrets: { hmacSecrets: [], bearerTokens: [TOKEN] } })).rejects.toThrow(
      /every POST needs an HMAC signature/,
    );
  });
});

describe('read paths follow the employeeId rule', () => {
  test.each(['E%00X', 'a%20b', '%F0%9F%99%82', 'a%2Fb'])('%s is 400 before anything is asked', async (id) => {
    await withApi({}, async (api) => {
      for (const route of [`/v1/employees/${id}`, `/v1/employees/${id}/timeline`]) {
        const res = await send(`${api.url}${route}`, { method: 'GET' });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({
          code: 'API_BAD_REQUEST',
          message: 'employeeId in the path: use letters, digits and . _ : - only (at most 128)',
        });
      }
    });
  });

  test('a well-formed id that nobody has is 404', async () => {
    await withApi({}, async (api) => {
      expect((await send(`${api.url}/v1/employees/E-NOBODY.1:x_y`, { method: 'GET' })).status).toBe(404);
    });
  });
});

describe('reads are rate-limited too', () => {
  test('per client, in a bucket of their own: a read flood does not block the intake', async () => {
    await withApi({ limits: { ratePerSec: 0.001, burst: 2 } }, async (api) => {
      const reads = [];
      for (let i = 0; i < 3; i++) reads.push(await send(`${api.url}/v1/employees/NOBODY`, { method: 'GET' }));
      expect(reads.map((r) => r.status)).toEqual([404, 404, 429]);
      expect(reads[2].headers.get('retry-after')).toMatch(/^\d+$/);
      expect(reads[2].body).toMatchObject({ code: 'API_RATE_LIMITED' });
      expect((await send(`${api.url}/v1/employees/NOBODY/timeline`, { method: 'GET' })).status).toBe(429);
      expect((await send(`${api.url}/no/such/route`, { method: 'GET' })).status).toBe(429);
      // Probes are never limited; writes have their own bucket.
      expect((await send(`${api.url}/healthz`, { method: 'GET' })).status).toBe(200);
      expect((await postSigned(`${api.url}/v1/hr/events`, canonicalEvent('E-SEC-RATE'))).status).toBe(202);
    });
  });
});

describe('security headers on every answer', () => {
  test.each([
    ['a JSON read', 'GET', '/v1/employees/NOBODY', 404],
    ['an error page for an unknown route', 'GET', '/nowhere', 404],
    ['a refused write', 'POST', '/v1/hr/events', 415],
    ['the OpenAPI document', 'GET', '/openapi.json', 200],
    ['the liveness probe', 'GET', '/healthz', 200],
  ])('%s', async (_name, method, route, status) => {
    await withApi({}, async (api) => {
      const res = await fetch(`${api.url}${route}`, {
        method,
        ...(method === 'POST' ? { body: 'x', headers: { 'content-type': 'text/plain' } } : {}),
      });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
    });
  });

  test("a page that sets its own policy keeps it, with frame-ancestors 'none' added", async () => {
    const page = (app: import('fastify').FastifyInstance) => {
      app.get('/page', async (_request, reply) =>
        reply
          .type('text/html')
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
          .send('<p>hi</p>'),
      );
    };
    await withApi({ routes: [page] }, async (api) => {
      const res = await fetch(`${api.url}/page`);
      expect(res.headers.get('content-security-policy')).toBe(
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      );
      expect(res.headers.get('cache-control')).toBe('no-store');
    });
  });
});

describe('secret strength', () => {
  const envExample = readFileSync(path.join(__dirname, '..', '..', '..', '.env.example'), 'utf8');
  // Every credential-like value shipped in the example (names and hosts are not secrets).
  const shipped = envExample
    .split('\n')
    .map((line) => /^[A-Z0-9_]*(SECRET|TOKEN|PASSWORD|KEY)[A-Z0-9_]*=(.+)$/.exec(line.trim())?.[2])
    .filter((v): v is string => v !== undefined);

  test('every value shipped in .env.example is refused as a placeholder', () => {
    expect(shipped.length).toBeGreaterThan(3);
    for (const value of shipped)
      expect([value, secretWeakness(value)]).toEqual([value, 'is a placeholder, not a secret']);
    for (const value of KNOWN_PLACEHOLDERS) expect(secretWeakness(value)).toBe('is a placeholder, not a secret');
  });

  test.each([
    ['openssl rand -base64 48', 'k3C0yqNDNp8m1x3Lr0n+5y3V2oOe0Ztq0yq9Yy0bTsv2b8bYjW4mJ5d0G2lQy0Vx'],
    ['32 random bytes as hex', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
    ['32 random bytes as base64url', strongSecret()],
  ])('accepts %s', (_name, value) => {
    expect(secretWeakness(value)).toBeUndefined();
  });

  test.each([
    ['a memorable phrase', 'test-hmac-secret-current-0001', /too weak/],
    ['16 random bytes as hex', '0123456789abcdef0123456789abcdef', /too weak \(about 128 bits/],
    ['one character repeated', 'a'.repeat(80), /does not look random/],
    ['a word that marks a placeholder', `${strongSecret()}-changeme`, /placeholder/],
  ])('refuses %s', (_name, value, expected) => {
    expect(secretWeakness(value)).toMatch(expected);
  });

  test('apiSecretsFromEnv names the variable and the position, never the value', () => {
    const weak = 'short-but-16-chars-long';
    expect(() => apiSecretsFromEnv({ JML_API_HMAC_SECRETS: `${strongSecret()},${weak}` })).toThrow(
      /JML_API_HMAC_SECRETS value 2 is too weak.*openssl rand -base64 48/,
    );
    try {
      apiSecretsFromEnv({ JML_API_HMAC_SECRETS: weak });
    } catch (err) {
      expect((err as Error).message).not.toContain(weak);
    }
    expect(
      apiSecretsFromEnv({ JML_API_HMAC_SECRETS: strongSecret(), JML_API_READ_TOKENS: strongSecret() }).readTokens,
    ).toHaveLength(1);
  });
});

describe('X-Forwarded-For counts only from trusted proxies', () => {
  const read = (api: RunningApi, forwardedFor: string) =>
    send(`${api.url}/v1/employees/NOBODY`, { method: 'GET', headers: { 'x-forwarded-for': forwardedFor } });

  test('from a listed proxy each forwarded client gets its own bucket', async () => {
    await withApi({ limits: { ratePerSec: 0.001, burst: 1 }, trustProxy: ['127.0.0.1'] }, async (api) => {
      expect((await read(api, '203.0.113.1')).status).toBe(404);
      expect((await read(api, '203.0.113.2')).status).toBe(404);
      expect((await read(api, '203.0.113.1')).status).toBe(429);
    });
  });

  test('from a peer not on the list the header is ignored: a client cannot pick its own bucket', async () => {
    await withApi({ limits: { ratePerSec: 0.001, burst: 1 }, trustProxy: ['10.9.9.9'] }, async (api) => {
      expect((await read(api, '203.0.113.1')).status).toBe(404);
      expect((await read(api, '203.0.113.2')).status).toBe(429);
    });
  });
});
