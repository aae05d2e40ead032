/**
 * Idempotency records in the audit store's database: two API replicas over one store give a
 * repeated eventId the same answer and a changed one 409, whichever replica the repeat reaches;
 * old records are pruned. On PGlite always, on PostgreSQL when a server is given (CI).
 */
import type { AuditStore } from '../../../lib/audit';
import { SqlIdempotencyStore } from '../../../workers/api/idempotency-sql';
import { auditTargets, uniqueEmployeeId } from '../../helpers/audit-targets';
import { createTestEnv, type TemporalTestEnv } from '../../helpers/temporal-env';
import { canonicalEvent, postSigned, signalsOf, startApi, type RunningApi } from './helpers';

let env: TemporalTestEnv;
beforeAll(async () => {
  env = await createTestEnv({ timeSkipping: false });
});
afterAll(async () => {
  await env?.teardown();
});

describe.each(auditTargets)('shared idempotency records on %s', (_name, open) => {
  let store: AuditStore;
  let a: RunningApi;
  let b: RunningApi;

  beforeAll(async () => {
    store = await open();
    a = await startApi(env.client, { idempotency: new SqlIdempotencyStore(store.db) });
    b = await startApi(env.client, { idempotency: new SqlIdempotencyStore(store.db) });
  });
  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    await store?.close();
  });

  it('answers a repeat that reaches the other replica with the first answer, and signals once', async () => {
    const id = uniqueEmployeeId('IDEM');
    const event = canonicalEvent(id);
    const first = await postSigned(`${a.url}/v1/hr/events`, event);
    expect(first.status).toBe(202);
    const again = await postSigned(`${b.url}/v1/hr/events`, event);
    expect(again).toMatchObject({ status: 202, body: first.body });
    expect(await signalsOf(env.client, `employee-${id}`)).toEqual(['hrEvent']);
  });

  it('refuses the same eventId with different content on the other replica (409)', async () => {
    const id = uniqueEmployeeId('IDEM');
    await postSigned(`${a.url}/v1/hr/events`, canonicalEvent(id));
    const changed = await postSigned(
      `${b.url}/v1/hr/events`,
      canonicalEvent(id, { effectiveAt: '2026-12-08T09:00:00+01:00' }),
    );
    expect(changed.status).toBe(409);
    expect((changed.body as { code: string }).code).toBe('API_IDEMPOTENCY_CONFLICT');
  });

  it('keeps the first record when two replicas store one id, and prunes old records', async () => {
    const id = `ev-${uniqueEmployeeId('IDEM')}`;
    const s = new SqlIdempotencyStore(store.db, { retentionMs: 60_000, now: () => Date.parse('2026-11-30T12:00:00Z') });
    const answer = { workflowId: 'employee-X', eventId: id, status: 'accepted' as const };
    await s.put(id, { bodyHash: 'h1', answer, acceptedAtMs: Date.parse('2026-11-30T11:00:00Z') });
    await s.put(id, { bodyHash: 'h2', answer, acceptedAtMs: Date.parse('2026-11-30T11:59:30Z') });
    expect(await s.get(id)).toEqual({ bodyHash: 'h1', answer, acceptedAtMs: Date.parse('2026-11-30T11:00:00Z') });
    expect(await s.prune()).toBeGreaterThanOrEqual(1);
    expect(await s.get(id)).toBeUndefined();
  });
});
