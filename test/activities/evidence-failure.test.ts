/**
 * The audit store is never in front of the app: with a store that cannot be read or written,
 * a deactivation is still sent, reported as done (the app did it), and the evidence gap is on
 * the outcome. Run in the SDK's MockActivityEnvironment against a reference app.
 */
import { Writable } from 'node:stream';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { AuditPort } from '../../activities/audit-port';
import type { AppOutcome } from '../../lib/lifecycle/types';
import { createLogger } from '../../lib/logger';
import { useReferenceApps } from '../helpers/reference-apps';

const reference = useReferenceApps();

const logged: string[] = [];

/** An audit port over a database that is gone: every call rejects, as pg does on a dead pool. */
const brokenStore: AuditPort = {
  findAccount: async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
  },
  recordAccount: async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
  },
  recordMilestones: async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
  },
  requestRecorder: () => {
    const writes: Promise<unknown>[] = [];
    return {
      record: () => {
        const write = Promise.reject(new Error('invalid byte sequence for encoding "UTF8": 0x00'));
        write.catch(() => undefined);
        writes.push(write);
      },
      settle: async () => {
        await Promise.all(writes);
      },
    };
  },
};

function activitiesWith(audit: AuditPort) {
  const destination = new Writable({ write: (chunk, _e, done) => (logged.push(String(chunk)), done()) });
  return createActivities({
    config: () => reference.apps.config,
    scim: reference.scim,
    audit,
    logger: createLogger({ level: 'error', destination }),
  });
}

test('a deactivation goes out and is reported done although the store can neither be read nor written', async () => {
  const server = reference.apps.apps.slack!.server;
  const { id } = server.seedUser({
    userName: 'ev1@example.com',
    externalId: 'EV1',
    active: true,
    name: { givenName: 'E', familyName: 'V' },
  });
  // No SCIM id from the workflow: the registry would have had it; the app is searched instead.
  const outcome: AppOutcome = await new MockActivityEnvironment().run(activitiesWith(brokenStore).deactivateAccount, {
    app: 'slack',
    employeeId: 'EV1',
    eventId: 'term-1',
  });
  expect(outcome.action).toBe('deactivated');
  expect(server.users().find((u) => u.id === id)?.active).toBe(false);
  expect(outcome.evidenceError).toMatch(/account registry not readable/);
  expect(outcome.evidenceError).toMatch(/account registry not updated/);
  expect(outcome.note).toMatch(/evidence not recorded/);
  expect(logged.join('')).toMatch(/audit store: account registry not updated/);
});

test('a SCIM failure is still the step failure when the store is also down', async () => {
  const env = new MockActivityEnvironment();
  await expect(
    env.run(activitiesWith(brokenStore).deactivateAccount, {
      app: 'no-such-app',
      employeeId: 'EV2',
      eventId: 'term-2',
    }),
  ).rejects.toThrow(/no connector "no-such-app"/);
});
