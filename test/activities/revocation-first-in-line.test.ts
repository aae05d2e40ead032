/**
 * A deactivation does not queue behind other steps' requests to the same app inside the worker:
 * with the app's connector limited to a few requests a second and creates for several people
 * already waiting for the rate limit, the deactivation's PATCH goes out next, not last (the
 * limit itself still holds). Real activities against the reference SCIM server; the order is
 * read from the app's own request log.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { ConnectorConfig, LoadedConfig } from '../../lib/config';
import type { EmployeeRecord } from '../../lib/hr/employee';
import { createLogger } from '../../lib/logger';
import { useReferenceApps } from '../helpers/reference-apps';

const reference = useReferenceApps();

let config: LoadedConfig;

beforeAll(async () => {
  const slack: ConnectorConfig = reference.apps.config.connectors.slack!;
  // Slow and one at a time, so requests wait in the worker's own queues.
  config = {
    ...reference.apps.config,
    connectors: {
      ...reference.apps.config.connectors,
      slack: { ...slack, rateLimit: { ...slack.rateLimit, requestsPerSecond: 10, burst: 1, maxConcurrency: 1 } },
    },
  };
});

function employee(id: string): EmployeeRecord {
  return {
    employeeId: id,
    givenName: 'Quinn',
    familyName: id,
    workEmail: `${id.toLowerCase()}@example.com`,
    department: 'Engineering',
    employmentType: 'FULL_TIME',
    status: 'active',
  } as EmployeeRecord;
}

test('a deactivation is sent before creates that were waiting for the rate limit', async () => {
  const server = reference.apps.apps.slack!.server;
  const leaver = server.seedUser({
    userName: 'ql1@example.com',
    externalId: 'QL1',
    active: true,
    name: { givenName: 'Quinn', familyName: 'QL1' },
  });
  server.clearRequests();
  const activities = createActivities({
    config: () => config,
    scim: reference.scim,
    logger: createLogger({ level: 'silent' }),
  });
  const hires = ['QH1', 'QH2', 'QH3', 'QH4', 'QH5', 'QH6'].map((id) =>
    new MockActivityEnvironment().run(activities.provisionAccount, {
      app: 'slack',
      employeeId: id,
      eventId: `${id}-hire`,
      employee: employee(id),
      groups: [],
    }),
  );
  // The creates are queued (12 requests at 10 a second) when the termination's step starts.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const deactivated = await new MockActivityEnvironment().run(activities.deactivateAccount, {
    app: 'slack',
    employeeId: 'QL1',
    eventId: 'QL1-term',
    scimId: leaver.id,
  });
  expect(deactivated).toMatchObject({ action: 'deactivated', scimId: leaver.id });
  await Promise.all(hires);
  const sent = server.requests.map((r) => `${r.method} ${r.path}`);
  expect(sent).toHaveLength(13);
  const patch = sent.findIndex((r) => r.startsWith('PATCH'));
  // First in, first out it would be the 13th; urgent, it is among the first few.
  expect(patch).toBeGreaterThanOrEqual(0);
  expect(patch).toBeLessThan(3);
  expect(server.users().find((u) => u.id === leaver.id)?.active).toBe(false);
});
