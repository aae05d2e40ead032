/**
 * Reads and repeatable writes are retried inside one call (a couple of times, honouring a short
 * Retry-After) so one flaky request does not fail a whole multi-request activity attempt;
 * creates, conditional writes and timeouts are left to Temporal's retry policy. Against the
 * reference server with scripted faults.
 */
import { ERROR_CODES } from '../../../lib/errors';
import { QUICK_RETRIES, quickRetryDelayMs, ScimError } from '../../../lib/scim';
import { buildScimUser } from '../../../lib/mapping';
import { ada } from '../mapping/fixtures';
import { startRig, type Rig } from './helpers';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const seedAda = (r: Rig) =>
  r.server.seedUser({
    userName: 'ada@example.com',
    externalId: ada.employeeId,
    active: true,
    name: { givenName: 'Ada', familyName: 'Lovelace' },
  });
const requestsTo = (r: Rig, method: string) => r.server.requests.filter((q) => q.method === method).length;

test.each([
  ['5xx', { rate5xx: 1 }],
  ['reset', { rateReset: 1 }],
  ['429 with a short Retry-After', { rate429: 1, retryAfterSeconds: 0 }],
] as const)('a lookup that fails twice (%s) succeeds within one call', async (_name, fault) => {
  rig = await startRig('github', { profile: 'rfc', faults: { ...fault, methods: ['GET'], limit: QUICK_RETRIES } });
  seedAda(rig);
  const found = await rig.clients.get(rig.connector).findUser({ externalId: ada.employeeId });
  expect(found?.externalId).toBe(ada.employeeId);
  expect(requestsTo(rig, 'GET')).toBe(QUICK_RETRIES + 1);
  // Every try is on record for the audit trail.
  expect(rig.seen.filter((s) => s.method === 'GET')).toHaveLength(QUICK_RETRIES + 1);
});

test('a third failure is left to Temporal (retryable, after three requests)', async () => {
  rig = await startRig('github', { profile: 'rfc', faults: { rate5xx: 1, methods: ['GET'] } });
  const user = seedAda(rig);
  await expect(rig.clients.get(rig.connector).getUser(user.id)).rejects.toMatchObject({
    code: ERROR_CODES.SCIM_SERVER_ERROR,
    retryable: true,
  });
  expect(requestsTo(rig, 'GET')).toBe(3);
});

test('Retry-After is honoured between quick retries', async () => {
  rig = await startRig('github', {
    profile: 'rfc',
    faults: { rate429: 1, retryAfterSeconds: 1, methods: ['GET'], limit: 1 },
  });
  const user = seedAda(rig);
  const t0 = Date.now();
  expect((await rig.clients.get(rig.connector).getUser(user.id))?.id).toBe(user.id);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
});

test('a deactivation whose answer was lost twice after the write succeeds within one call', async () => {
  rig = await startRig('github', {
    profile: 'rfc',
    faults: { rate5xx: 1, faultTiming: 'after', methods: ['PATCH'], limit: 2 },
  });
  const user = seedAda(rig);
  await rig.clients.get(rig.connector).deactivateUser(user.id);
  expect(requestsTo(rig, 'PATCH')).toBe(3);
  expect(rig.server.users()[0]!.active).toBe(false);
});

test('adding a member again after a lost answer leaves one membership', async () => {
  rig = await startRig('github', {
    profile: 'rfc',
    faults: { rateReset: 1, faultTiming: 'after', methods: ['PATCH'], pathPrefix: '/Groups', limit: 2 },
  });
  const user = seedAda(rig);
  const group = rig.server.seedGroup({ displayName: 'engineering' });
  await rig.clients.get(rig.connector).addMembers(group.id, [user.id]);
  expect(requestsTo(rig, 'PATCH')).toBe(3);
  expect(rig.server.groups()[0]!.members?.map((m) => m.value)).toEqual([user.id]);
});

test('a create is not retried inside the call (Temporal retries it after a lookup)', async () => {
  rig = await startRig('github', { profile: 'rfc', faults: { rate5xx: 1, methods: ['POST'], limit: 1 } });
  await expect(
    rig.clients.get(rig.connector).createUser(buildScimUser(rig.connector, ada, 'create')),
  ).rejects.toMatchObject({ retryable: true });
  expect(requestsTo(rig, 'POST')).toBe(1);
});

test('a read that timed out is not retried inside the call (its time budget is spent)', async () => {
  rig = await startRig('github', { profile: 'rfc', faults: { rateHang: 1, methods: ['GET'], limit: 1 } }, (c) => {
    c.timeouts.requestMs = 300;
  });
  const user = seedAda(rig);
  await expect(rig.clients.get(rig.connector).getUser(user.id)).rejects.toMatchObject({
    code: ERROR_CODES.SCIM_TIMEOUT,
  });
  expect(requestsTo(rig, 'GET')).toBe(1);
});

test('the delay rule', () => {
  const err = (
    retryAfterMs?: number,
    code: (typeof ERROR_CODES)[keyof typeof ERROR_CODES] = ERROR_CODES.SCIM_RATE_LIMITED,
    retryable = true,
  ) => new ScimError(code, { app: 'a', operation: 'o', method: 'GET', path: '/Users', retryAfterMs }, { retryable });
  const get = { method: 'GET' as const };
  expect(quickRetryDelayMs(get, err(), 0)).toBe(200);
  expect(quickRetryDelayMs(get, err(), 1)).toBe(400);
  expect(quickRetryDelayMs(get, err(), 2)).toBeUndefined();
  expect(quickRetryDelayMs(get, err(3_000), 0)).toBe(3_000);
  expect(quickRetryDelayMs(get, err(60_000), 0)).toBeUndefined();
  expect(quickRetryDelayMs({ method: 'PATCH' }, err(), 0)).toBeUndefined();
  expect(quickRetryDelayMs({ method: 'PATCH', repeatable: true }, err(), 0)).toBe(200);
  expect(quickRetryDelayMs(get, err(undefined, ERROR_CODES.SCIM_TIMEOUT), 0)).toBeUndefined();
  expect(quickRetryDelayMs(get, err(undefined, ERROR_CODES.SCIM_FORBIDDEN, false), 0)).toBeUndefined();
  expect(quickRetryDelayMs(get, new Error('not ours'), 0)).toBeUndefined();
});
