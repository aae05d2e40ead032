/**
 * A revocation's evidence is never held by the audit store's group-commit linger: with a real
 * store that holds batched writes for longer than the test may run (so a held write would time
 * the test out) and a steady stream of other writes keeping it lingering, a deactivation
 * completes with its request records and registry entry committed. Run in the SDK's
 * MockActivityEnvironment against a reference app.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { createAuditPort } from '../../activities/audit';
import { AuditStore } from '../../lib/audit';
import type { AppOutcome } from '../../lib/lifecycle/types';
import { createLogger } from '../../lib/logger';
import { TEST_AUDIT_KEY, uniqueEmployeeId } from '../helpers/audit-targets';
import { useReferenceApps } from '../helpers/reference-apps';

const reference = useReferenceApps();

/** Longer than the test timeout (60 s). */
const FOREVER_MS = 120_000;

let store: AuditStore;

beforeAll(async () => {
  store = await AuditStore.open({ key: TEST_AUDIT_KEY, groupCommit: { maxLingerMs: FOREVER_MS } });
});
afterAll(async () => {
  await store?.close();
});

test('a deactivation is not held by the linger while other writes are', async () => {
  const activities = createActivities({
    config: () => reference.apps.config,
    scim: reference.scim,
    audit: createAuditPort(store, () => undefined),
    logger: createLogger({ level: 'silent' }),
  });
  // Other people's evidence arriving steadily until the store holds a batch (for up to 120 s).
  // How many writes that takes is the machine's: the store lingers only once the writes queued
  // behind the first, unheld, commit have arrived steadily, and on a busy machine that commit
  // can outlast a fixed number of them.
  const others: Promise<unknown>[] = [];
  for (let i = 1; store.writeStats.lingered === 0; i++) {
    if (i > 2000) throw new Error(`the store held no batch after ${i - 1} steady writes`);
    const employeeId = uniqueEmployeeId('OTHER');
    others.push(
      store.append({ key: `${employeeId}#1`, kind: 'milestone', employeeId, occurredAtMs: Date.now(), data: { i } }),
    );
    await new Promise((r) => setTimeout(r, 1));
  }

  const employeeId = uniqueEmployeeId('LEAVER');
  const server = reference.apps.apps.slack!.server;
  const { id } = server.seedUser({
    userName: `${employeeId.toLowerCase()}@example.com`,
    externalId: employeeId,
    active: true,
    name: { givenName: 'L', familyName: 'Eaver' },
  });
  const env = new MockActivityEnvironment({ workflowExecution: { workflowId: `leaver-${employeeId}`, runId: 'r1' } });
  const outcome: AppOutcome = await env.run(activities.deactivateAccount, {
    app: 'slack',
    employeeId,
    eventId: 'term-1',
  });
  expect(outcome).toMatchObject({ action: 'deactivated', scimId: id });
  expect(outcome.evidenceError).toBeUndefined();
  expect(server.users().find((u) => u.id === id)?.active).toBe(false);
  // Committed before the activity completed: its request records and the registry entry.
  const records = await store.records({ employeeId });
  expect(records.length).toBeGreaterThanOrEqual(2);
  expect(records.every((r) => r.kind === 'scim-request')).toBe(true);
  expect(await store.getAccounts(employeeId)).toEqual([
    expect.objectContaining({ app: 'slack', scimId: id, state: 'deactivated' }),
  ]);
  // The held writes went out with the revocation's: nothing waits out the linger.
  await Promise.all(others);
  expect((await store.verify({ employeeId })).ok).toBe(true);
});
