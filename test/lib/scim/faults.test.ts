/**
 * The client against a misbehaving reference server: lost answers after the write, 429 and 5xx
 * with Retry-After, a server-side rate limit, lying paging, and OAuth token expiry.
 */
import { buildScimUser } from '../../../lib/mapping';
import { createLogger } from '../../../lib/logger';
import { ScimClients, ScimError } from '../../../lib/scim';
import { ada } from '../mapping/fixtures';
import { startRig, withRetries, type Rig } from './helpers';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

test.each([
  ['reset', { rateReset: 1 }],
  ['5xx', { rate5xx: 1, status5xx: 502 }],
  ['429', { rate429: 1 }],
] as const)(
  'a create whose answer is lost after the write (%s) is retried without a duplicate',
  async (_kind, fault) => {
    rig = await startRig('github', {
      profile: 'rfc',
      faults: { ...fault, faultTiming: 'after', methods: ['POST'], limit: 1 },
    });
    const client = rig.clients.get(rig.connector);
    const { value, failures } = await withRetries(() =>
      client.createUser(buildScimUser(rig!.connector, ada, 'create')),
    );
    expect(failures).toHaveLength(1);
    expect(value).toMatchObject({ adopted: true, created: false });
    expect(rig.server.users()).toHaveLength(1);
    expect(rig.server.users()[0]!.id).toBe(value.id);
  },
);

test('a hanging create times out as a retryable SCIM_TIMEOUT and the retry adopts the account', async () => {
  rig = await startRig(
    'github',
    { profile: 'rfc', faults: { rateHang: 1, faultTiming: 'after', methods: ['POST'], limit: 1 } },
    (c) => {
      c.timeouts.requestMs = 300;
    },
  );
  const client = rig.clients.get(rig.connector);
  const { value, failures } = await withRetries(() => client.createUser(buildScimUser(rig!.connector, ada, 'create')));
  expect(failures).toEqual(['SCIM_TIMEOUT']);
  expect(value.adopted).toBe(true);
  expect(rig.server.users()).toHaveLength(1);
});

test('every write failing for a while still converges to one account (20% fault campaign, seeded)', async () => {
  rig = await startRig('github', {
    profile: 'rfc',
    seed: 11,
    faults: { rate429: 0.1, rate5xx: 0.1, rateReset: 0.1, faultTiming: 'after' },
  });
  const client = rig.clients.get(rig.connector);
  for (let i = 0; i < 8; i++) {
    const employee = { ...ada, employeeId: `E${200 + i}`, workEmail: `person${i}@example.com` };
    await withRetries(() => client.createUser(buildScimUser(rig!.connector, employee, 'create')), 30);
  }
  const users = rig.server.users();
  expect(users).toHaveLength(8);
  expect(new Set(users.map((u) => u.externalId)).size).toBe(8);
});

test('three workers creating the same person at once end with one account (the others adopt)', async () => {
  rig = await startRig('github', { profile: 'rfc' });
  const client = rig.clients.get(rig.connector);
  const desired = buildScimUser(rig.connector, ada, 'create');
  const results = await Promise.all([
    client.createUser(desired),
    client.createUser(desired),
    client.createUser(desired),
  ]);
  expect(results.filter((r) => r.created)).toHaveLength(1);
  expect(new Set(results.map((r) => r.id)).size).toBe(1);
  expect(rig.server.users()).toHaveLength(1);
  // Whoever looked up before the winner's POST landed met the uniqueness 409 and adopted.
  const posts = rig.server.requests.filter((r) => r.method === 'POST').map((r) => r.status);
  expect(posts.filter((s) => s === 201)).toHaveLength(1);
  expect(posts.filter((s) => s !== 201 && s !== 409)).toEqual([]);
});

test.each(['seconds', 'http-date'] as const)('Retry-After (%s) is carried on the error', async (format) => {
  rig = await startRig('github', {
    profile: 'rfc',
    faults: { rate429: 1, retryAfterSeconds: 7, retryAfterFormat: format },
  });
  const err = (await rig.clients
    .get(rig.connector)
    .getUser('x')
    .catch((e: unknown) => e)) as ScimError;
  expect(err).toBeInstanceOf(ScimError);
  expect(err).toMatchObject({
    code: 'SCIM_RATE_LIMITED',
    retryable: true,
    info: { status: 429, operation: 'get-user' },
  });
  // An HTTP-date has one-second resolution, so it lands within a second below the seconds form.
  expect(err.info.retryAfterMs).toBeGreaterThan(5000);
  expect(err.info.retryAfterMs).toBeLessThanOrEqual(7000);
});

test('5xx is retryable; 401 and 400 are not', async () => {
  rig = await startRig('github', { profile: 'rfc', faults: { rate5xx: 1 } });
  const client = rig.clients.get(rig.connector);
  await expect(client.getUser('x')).rejects.toMatchObject({
    code: 'SCIM_SERVER_ERROR',
    retryable: true,
    info: { status: 503 },
  });
  rig.server.setFaults({});
  await expect(
    client.createUser({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], externalId: 'E1', userName: '' }),
  ).rejects.toMatchObject({ code: 'SCIM_BAD_REQUEST', retryable: false, info: { status: 400 } });
  const stranger = new ScimClients({
    logger: createLogger({ level: 'silent' }),
    resolveSecret: async () => 'wrong-token',
  });
  try {
    const err = (await stranger
      .get(rig.connector)
      .getUser('x')
      .catch((e: unknown) => e)) as ScimError;
    expect(err).toMatchObject({ code: 'SCIM_UNAUTHORIZED', retryable: false, info: { status: 401 } });
    expect(err.message).not.toContain('wrong-token');
  } finally {
    await stranger.close();
  }
});

test('a burst of requests never exceeds the server-side rate limit', async () => {
  rig = await startRig('github', { profile: 'rfc', rateLimit: { requestsPerSecond: 20, burst: 5 } }, (c) => {
    c.rateLimit = { requestsPerSecond: 18, burst: 4, maxConcurrency: 4 };
  });
  const client = rig.clients.get(rig.connector);
  await Promise.all(Array.from({ length: 30 }, (_, i) => client.findUser({ externalId: `E${i}` })));
  expect(rig.server.stats().requests).toBe(30);
  expect(rig.server.stats().rateLimited).toBe(0);
});

test('connectors sharing a budget share one bucket', async () => {
  rig = await startRig('github', { profile: 'rfc', rateLimit: { requestsPerSecond: 20, burst: 5 } }, (c) => {
    c.rateLimit = { requestsPerSecond: 18, burst: 4, maxConcurrency: 4, budget: 'org' };
  });
  const twin = { ...structuredClone(rig.connector), id: 'github-twin' };
  const a = rig.clients.get(rig.connector);
  const b = rig.clients.get(twin);
  await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).findUser({ externalId: `E${i}` })));
  expect(rig.server.stats().rateLimited).toBe(0);
});

test('paging terminates on a server that ignores startIndex and overstates totalResults', async () => {
  rig = await startRig('github', { profile: { base: 'rfc', badPaging: true } }, (c) => {
    c.capabilities.maxPageSize = 2;
  });
  for (let i = 0; i < 5; i++) rig.server.seedUser({ userName: `dup${i}@example.com`, externalId: 'SHARED' });
  const found = await rig.clients.get(rig.connector).findUser({ externalId: 'SHARED' });
  expect(found?.externalId).toBe('SHARED');
  expect(rig.server.requests.length).toBeLessThanOrEqual(3);
});

test('paging walks every page of an honest server', async () => {
  rig = await startRig('github', { profile: 'rfc' }, (c) => {
    c.capabilities.maxPageSize = 2;
  });
  for (let i = 0; i < 5; i++) rig.server.seedUser({ userName: `dup${i}@example.com`, externalId: 'SHARED' });
  const client = rig.clients.get(rig.connector);
  expect(await client.findUser({ externalId: 'SHARED' })).not.toBeNull();
  expect(rig.server.requests.filter((r) => r.path.endsWith('/Users')).length).toBe(3);
});

test('OAuth client credentials: one token for many (concurrent) requests, refreshed once after a 401', async () => {
  rig = await startRig(
    'canva',
    { profile: 'canva', auth: { oauth2: { clientId: 'jml', clientSecret: 's3cret', tokenTtlSeconds: 3600 } } },
    (c) => {
      c.auth = { type: 'oauth2-client-credentials', tokenUrl: '', clientId: 'jml', clientSecret: 'env:UNUSED' };
    },
  );
  const server = rig.server;
  if (rig.connector.auth.type === 'oauth2-client-credentials')
    rig.connector.auth.tokenUrl = `${new URL(server.url).origin}/oauth/token`;
  const clients = new ScimClients({ logger: createLogger({ level: 'silent' }), resolveSecret: async () => 's3cret' });
  try {
    const client = clients.get(rig.connector);
    await Promise.all([
      client.findUser({ externalId: 'E1' }),
      client.findUser({ externalId: 'E2' }),
      client.getUser('u'),
    ]);
    const tokenCalls = () => server.requests.filter((r) => r.path.endsWith('/oauth/token')).length;
    expect(tokenCalls()).toBe(1);
    server.reset();
    await client.findUser({ externalId: 'E3' });
    expect(server.requests.filter((r) => r.path.endsWith('/oauth/token'))).toHaveLength(1);
    expect(server.requests.filter((r) => r.status === 401)).toHaveLength(1);
    expect(JSON.stringify(server.requests)).not.toContain('s3cret');
  } finally {
    await clients.close();
  }
});
