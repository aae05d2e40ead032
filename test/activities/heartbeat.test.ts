/**
 * SCIM steps heartbeat while they run when their options set a heartbeat timeout, so a worker
 * that dies mid-step is noticed in seconds (not after the start-to-close timeout) and
 * cancellation reaches the activity. Run in the SDK's MockActivityEnvironment against a
 * reference app that answers slowly.
 */
import { Writable } from 'node:stream';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { ScimClients } from '../../lib/scim';
import { startReferenceApps, type ReferenceApps } from '../../workers/dev/reference-apps';
import { CONFIG_DIR } from '../helpers/lifecycle-stack';

let apps: ReferenceApps;
let scim: ScimClients;
let activities: ReturnType<typeof createActivities>;

beforeAll(async () => {
  const loaded = await loadConfig(CONFIG_DIR);
  apps = await startReferenceApps(loaded, { ports: 'any', serverOptions: () => ({ faults: { latencyMs: 1_600 } }) });
  const logger = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
  scim = new ScimClients({ logger });
  activities = createActivities({ config: () => apps.config, scim, logger });
});
afterAll(async () => {
  await scim?.close();
  await apps?.stop();
});

function seeded(employeeId: string): string {
  return apps.apps.slack!.server.seedUser({
    userName: `${employeeId.toLowerCase()}@example.com`,
    externalId: employeeId,
    active: true,
    name: { givenName: 'H', familyName: 'B' },
  }).id;
}

test('a step heartbeats every third of its heartbeat timeout while the app is slow', async () => {
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 1_500 });
  const beats: number[] = [];
  env.on('heartbeat', () => beats.push(Date.now()));
  const startedAt = Date.now();
  const outcome: { action: string } = await env.run(activities.deactivateAccount, {
    app: 'slack',
    employeeId: 'HB1',
    scimId: seeded('HB1'),
    eventId: 'e1',
  });
  expect(outcome.action).toBe('deactivated');
  // Every 500 ms of a request that takes over 1.6 s; none at the start (the server counts the
  // timeout from the attempt's start, so a beat then would only cost an RPC).
  expect(beats.length).toBeGreaterThanOrEqual(3);
  expect(beats[0]! - startedAt).toBeGreaterThanOrEqual(450);
  const beatsAtEnd = beats.length;
  await new Promise((r) => setTimeout(r, 1_100));
  expect(beats.length).toBe(beatsAtEnd); // stopped with the step
});

test('without a heartbeat timeout a step does not heartbeat', async () => {
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: undefined });
  let beats = 0;
  env.on('heartbeat', () => beats++);
  await env.run(activities.deactivateAccount, {
    app: 'slack',
    employeeId: 'HB2',
    scimId: seeded('HB2'),
    eventId: 'e2',
  });
  expect(beats).toBe(0);
});

test('a step that ends before a third of its heartbeat timeout sends no heartbeat', async () => {
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 20_000 });
  let beats = 0;
  env.on('heartbeat', () => beats++);
  const outcome: { action: string } = await env.run(activities.deactivateAccount, {
    app: 'slack',
    employeeId: 'HB3',
    scimId: seeded('HB3'),
    eventId: 'e3',
  });
  expect(outcome.action).toBe('deactivated');
  expect(beats).toBe(0);
});
