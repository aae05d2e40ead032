/**
 * Listing termination against scripted servers (undici MockAgent): lying totals, repeated
 * pages, endless new pages, short pages, and the filter and page parameters sent.
 */
import { MockAgent } from 'undici';
import type { ConnectorConfig } from '../../../lib/config/types';
import { createLogger } from '../../../lib/logger';
import { ScimClients } from '../../../lib/scim';
import { shippedConnector } from './helpers';

const ORIGIN = 'https://scim.test';
let agent: MockAgent;
let clients: ScimClients;
let connector: ConnectorConfig;
let queries: URLSearchParams[];
/** When set, answers filtered lookups instead of `serve`'s page function. */
let serveLookups: ((q: URLSearchParams) => object[]) | undefined;

beforeEach(async () => {
  agent = new MockAgent();
  agent.disableNetConnect();
  connector = await shippedConnector('github');
  connector.scim.baseUrl = `${ORIGIN}/scim/v2`;
  connector.capabilities.maxPageSize = 2;
  connector.rateLimit = { requestsPerSecond: 10_000, burst: 10_000, maxConcurrency: 4 };
  clients = new ScimClients({
    logger: createLogger({ level: 'silent' }),
    resolveSecret: async () => 't',
    dispatcherFor: () => agent,
  });
  queries = [];
  serveLookups = undefined;
});
afterEach(async () => {
  await clients.close();
  await agent.close();
});

const user = (n: number) => ({ id: `u${n}`, userName: `u${n}@example.com`, externalId: 'SHARED' });

/** Answers every GET /Users with `page(startIndex, count)`. */
function serve(page: (startIndex: number, count: number) => object): void {
  agent
    .get(ORIGIN)
    .intercept({ path: (p) => p.startsWith('/scim/v2/Users?'), method: 'GET' })
    .reply((req) => {
      const q = new URLSearchParams(String(req.path).split('?')[1]);
      queries.push(q);
      const found = serveLookups?.(q);
      const body = found
        ? { totalResults: found.length, Resources: found }
        : page(Number(q.get('startIndex')), Number(q.get('count')));
      return {
        statusCode: 200,
        data: JSON.stringify(body),
        responseOptions: { headers: { 'content-type': 'application/scim+json' } },
      };
    })
    .persist();
}

const find = () => clients.get(connector).findUser({ externalId: 'SHARED' });

test('the filter is a typed eq with the page size from the connector', async () => {
  serve(() => ({ totalResults: 1, Resources: [user(1)] }));
  expect(await clients.get(connector).findUser({ externalId: 'a"b\\c' })).toBeNull();
  expect(queries[0]!.get('filter')).toBe('externalId eq "a\\"b\\\\c"');
  expect(queries[0]!.get('startIndex')).toBe('1');
  expect(queries[0]!.get('count')).toBe('2');
});

test('an honest server is walked page by page until totalResults', async () => {
  serve((start) => ({
    totalResults: 5,
    itemsPerPage: 2,
    startIndex: start,
    Resources: [1, 2, 3, 4, 5].slice(start - 1, start + 1).map(user),
  }));
  expect(await find()).toMatchObject({ id: 'u1' });
  expect(queries.map((q) => q.get('startIndex'))).toEqual(['1', '3', '5']);
});

test('a server repeating the first page forever stops after the first repeat', async () => {
  serve(() => ({ totalResults: 999, itemsPerPage: 2, Resources: [user(1), user(2)] }));
  await find();
  expect(queries).toHaveLength(2);
});

test('a server inventing new ids forever stops at the page bound', async () => {
  let n = 0;
  serve(() => ({ totalResults: 1_000_000, Resources: [user(++n), user(++n)] }));
  await find();
  expect(queries).toHaveLength(50);
});

test('short pages advance startIndex by what was returned, not by count', async () => {
  serve((start) => ({ totalResults: 3, itemsPerPage: 2, Resources: [user(start)] }));
  await find();
  expect(queries.map((q) => q.get('startIndex'))).toEqual(['1', '2', '3']);
});

test('an empty page ends the listing even when totalResults says otherwise', async () => {
  serve(() => ({ totalResults: 10, Resources: [] }));
  expect(await find()).toBeNull();
  expect(queries).toHaveLength(1);
});

test('a connector without eq cannot look accounts up', async () => {
  connector.capabilities.filterOperators = ['co'];
  await expect(find()).rejects.toMatchObject({ code: 'SCIM_UNSUPPORTED', retryable: false });
});

test('a create answered 201 with an empty body is read back from Location', async () => {
  const pool = agent.get(ORIGIN);
  pool
    .intercept({ path: (p) => p.startsWith('/scim/v2/Users?'), method: 'GET' })
    .reply(200, { totalResults: 0, Resources: [] })
    .times(2);
  pool
    .intercept({ path: '/scim/v2/Users', method: 'POST' })
    .reply(201, '', { headers: { location: `${ORIGIN}/scim/v2/Users/u-42` } });
  pool
    .intercept({ path: '/scim/v2/Users/u-42', method: 'GET' })
    .reply(200, { id: 'u-42', userName: 'ada@example.com', externalId: 'E1' });
  const created = await clients
    .get(connector)
    .createUser({ schemas: [], userName: 'ada@example.com', externalId: 'E1' });
  expect(created).toMatchObject({
    id: 'u-42',
    created: true,
    adopted: false,
    resource: { userName: 'ada@example.com' },
  });
});

/** Lookups find nothing until the POST was answered 409; then `after(filter)` answers. */
function conflictScript(after: (filter: string) => object[]): void {
  let conflicted = false;
  serve(() => ({}));
  agent
    .get(ORIGIN)
    .intercept({ path: '/scim/v2/Users', method: 'POST' })
    .reply(() => {
      conflicted = true;
      return {
        statusCode: 409,
        data: JSON.stringify({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
          status: '409',
          scimType: 'uniqueness',
        }),
      };
    });
  serveLookups = (q) => (conflicted ? after(q.get('filter') ?? '') : []);
}

test('a create answered 409 adopts the account the second lookup finds when it is ours', async () => {
  conflictScript((f) =>
    f.startsWith('externalId') ? [{ id: 'u-7', userName: 'ada@example.com', externalId: 'E1' }] : [],
  );
  expect(
    await clients.get(connector).createUser({ schemas: [], userName: 'ada@example.com', externalId: 'E1' }),
  ).toMatchObject({ id: 'u-7', adopted: true, created: false });
});

test("a create answered 409 whose second lookup finds another person's account is refused", async () => {
  conflictScript((f) =>
    f.startsWith('userName') ? [{ id: 'u-9', userName: 'ada@example.com', externalId: 'E2' }] : [],
  );
  await expect(
    clients.get(connector).createUser({ schemas: [], userName: 'ada@example.com', externalId: 'E1' }),
  ).rejects.toMatchObject({ code: 'SCIM_ACCOUNT_OWNED_BY_OTHER', retryable: false });
});
