/**
 * Read endpoints, health, the OpenAPI document and the guard rails (rate limit, bearer token,
 * injected routes) over real HTTP; the status query is answered by the real employee workflow
 * on the embedded engine (a worker whose plan grants no apps, so no SCIM app is needed).
 */
import { Connection, Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { LifecycleActivities } from '../../../activities/contract';
import { createLifecycleWorker } from '../../../workers/lifecycle';
import { listAppHealth, pauseApp, startAppHealthWorkflows } from '../../../lib/temporal/app-client';
import { AuditStore } from '../../../lib/audit';
import { auditReadSide } from '../../../workers/api';
import { TEST_AUDIT_KEY } from '../../helpers/audit-targets';
import { createTestEnv, type TemporalTestEnv } from '../../helpers/temporal-env';
import { canonicalEvent, postSigned, send, startApi, type RunningApi } from './helpers';

jest.setTimeout(60_000);

const HOUR = 3_600_000;
const notCalled = async (): Promise<never> => {
  throw new Error('not expected: the plan grants no apps');
};
const noAppActivities: LifecycleActivities = {
  planLifecycle: async () => ({
    grants: [],
    slaMs: { joiner: HOUR, mover: HOUR, leaver: HOUR },
    deletePolicy: {},
    joinerLeadTimeMs: 0,
    moverRevokeGraceMs: 0,
  }),
  provisionAccount: notCalled,
  updateAccount: notCalled,
  setGroups: notCalled,
  deactivateAccount: notCalled,
  recheckDeactivated: notCalled,
  reactivateAccount: notCalled,
  deleteAccount: notCalled,
  sendAlert: async () => undefined,
  recordMilestones: async () => undefined,
  reconcileApp: notCalled,
  probeApp: notCalled,
  deliverRosterBatch: notCalled,
  terminateMissingFromRoster: notCalled,
  guardSettings: notCalled,
};

let env: TemporalTestEnv;
let api: RunningApi;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  env = await createTestEnv({ timeSkipping: false });
  api = await startApi(env.client, {
    routes: [(app) => void app.get('/console', async () => ({ page: 'console' }))],
  });
  worker = await createLifecycleWorker({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue: api.taskQueue,
    activities: noAppActivities,
    shutdownGraceTime: '1s',
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await api?.app.close();
  await env?.teardown();
});

describe('GET /v1/employees/:id', () => {
  test('404 when there is no workflow', async () => {
    const res = await send(`${api.url}/v1/employees/NOBODY`, { method: 'GET' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      status: 404,
      code: 'API_NOT_FOUND',
      message: 'no lifecycle workflow for employee "NOBODY"',
    });
  });

  test("the workflow's status query, with the future-dated hire pending", async () => {
    expect(
      (
        await postSigned(
          `${api.url}/v1/hr/events`,
          canonicalEvent('E-READ-1', { effectiveAt: '2099-01-04T09:00:00+01:00' }),
        )
      ).status,
    ).toBe(202);
    // The workflow plans (an activity) before it holds the hire, so poll until it has.
    let res = await send(`${api.url}/v1/employees/E-READ-1`, { method: 'GET' });
    for (let i = 0; i < 100 && (res.body as { pendingEvents?: unknown[] }).pendingEvents?.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      res = await send(`${api.url}/v1/employees/E-READ-1`, { method: 'GET' });
    }
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      employeeId: 'E-READ-1',
      pendingEvents: [{ eventId: 'ev-E-READ-1', type: 'hire' }],
    });
  });

  test('timeline: the workflow query by default, 404 for nobody', async () => {
    const res = await send(`${api.url}/v1/employees/E-READ-1/timeline`, { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ employeeId: 'E-READ-1', timeline: expect.any(Array) });
    expect((await send(`${api.url}/v1/employees/NOBODY/timeline`, { method: 'GET' })).status).toBe(404);
  });
});

describe('GET /v1/apps', () => {
  test('every app with its health; a paused app says by whom, why and since; 404 for an unknown app', async () => {
    await startAppHealthWorkflows(env.client, {
      taskQueue: api.taskQueue,
      apps: ['github', 'slack'],
      probeEveryMs: 60_000,
    });
    await pauseApp(env.client, 'slack', { by: 'ops@example.com', reason: 'vendor maintenance' });
    const res = await send(`${api.url}/v1/apps`, { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      apps: [
        expect.objectContaining({ app: 'github', state: 'active' }),
        expect.objectContaining({
          app: 'slack',
          state: 'paused',
          paused: { by: 'ops@example.com', reason: 'vendor maintenance', sinceMs: expect.any(Number) },
        }),
      ],
    });
    expect((await send(`${api.url}/v1/apps/slack`, { method: 'GET' })).body).toMatchObject({ state: 'paused' });
    expect((await send(`${api.url}/v1/apps/canva`, { method: 'GET' })).status).toBe(404);
    expect((await send(`${api.url}/v1/apps/..%2Fetc`, { method: 'GET' })).status).toBe(400);
  });

  test('the console shows the paused app above the runs; an unreadable source is said, not hidden', async () => {
    const store = await AuditStore.open({ key: TEST_AUDIT_KEY });
    const withConsole = await startApi(env.client, auditReadSide(store, { apps: () => listAppHealth(env.client) }));
    const down = await startApi(
      env.client,
      auditReadSide(store, {
        apps: async () => {
          throw new Error('Temporal unreachable');
        },
      }),
    );
    try {
      const res = await fetch(`${withConsole.url}/console`);
      const html = await res.text();
      expect(html).toContain('Paused and quarantined apps');
      expect(html).toMatch(/data-app="slack" data-state="paused"/);
      expect(html).toContain('vendor maintenance (by ops@example.com)');
      expect(html).not.toContain('data-app="github"');
      expect(await (await fetch(`${down.url}/console`)).text()).toContain('could not be read');
    } finally {
      await withConsole.app.close();
      await down.app.close();
      await store.close();
    }
  });
});

describe('injection points', () => {
  test('timelineSource replaces the query (the audit store plugs in here)', async () => {
    const other = await startApi(env.client, {
      timelineSource: async (id) => (id === 'E-X' ? [{ milestone: 'from-store' }] : null),
    });
    try {
      expect((await send(`${other.url}/v1/employees/E-X/timeline`, { method: 'GET' })).body).toEqual({
        employeeId: 'E-X',
        timeline: [{ milestone: 'from-store' }],
      });
      expect((await send(`${other.url}/v1/employees/E-Y/timeline`, { method: 'GET' })).status).toBe(404);
    } finally {
      await other.app.close();
    }
  });

  test('extra routes are served', async () => {
    expect((await send(`${api.url}/console`, { method: 'GET' })).body).toEqual({ page: 'console' });
  });
});

describe('health', () => {
  test('/healthz and /readyz when Temporal answers', async () => {
    expect((await send(`${api.url}/healthz`, { method: 'GET' })).body).toEqual({ status: 'ok' });
    const ready = await send(`${api.url}/readyz`, { method: 'GET' });
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', temporal: 'reachable' });
  });

  test('/readyz is 503 when Temporal is unreachable; liveness stays 200', async () => {
    // Port 1 on loopback: nothing listens, connections are refused.
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const down = await startApi(client, { temporal: { client, taskQueue: 'unused', rpcTimeoutMs: 500 } });
    try {
      const res = await send(`${down.url}/readyz`, { method: 'GET' });
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'unavailable', temporal: 'unreachable' });
      expect((await send(`${down.url}/healthz`, { method: 'GET' })).status).toBe(200);
      const intake = await postSigned(`${down.url}/v1/hr/events`, canonicalEvent('E-DOWN-1'));
      expect(intake.status).toBe(503);
      expect(intake.headers.get('retry-after')).toBe('5');
      expect(intake.body).toMatchObject({ code: 'API_TEMPORAL_UNAVAILABLE' });
    } finally {
      await down.app.close();
      await client.connection.close();
    }
  });
});

describe('OpenAPI', () => {
  test('/openapi.json is OpenAPI 3.1 describing every route', async () => {
    const doc = (await send(`${api.url}/openapi.json`, { method: 'GET' })).body as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { properties?: object }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/healthz',
        '/openapi.json',
        '/readyz',
        '/v1/apps',
        '/v1/apps/{app}',
        '/v1/employees/{id}',
        '/v1/employees/{id}/timeline',
        '/v1/hr/events',
        '/v1/hr/events/bamboohr',
        '/v1/hr/events/scim-bulk',
        '/v1/hr/roster',
        '/v1/hr/roster/{rosterId}',
      ].sort(),
    );
    expect(Object.keys(doc.paths['/v1/hr/events'].post.responses).sort()).toEqual([
      '202',
      '400',
      '401',
      '409',
      '413',
      '415',
      '429',
      '503',
    ]);
    expect(doc.components.schemas.HrEvent.properties).toHaveProperty('employee');
  });
});

describe('guard rails', () => {
  test('429 with Retry-After past the burst; nothing is started for the refused request', async () => {
    const limited = await startApi(env.client, { limits: { ratePerSec: 0.5, burst: 2 } });
    try {
      const statuses: number[] = [];
      for (const id of ['E-RL-1', 'E-RL-2', 'E-RL-3'])
        statuses.push((await postSigned(`${limited.url}/v1/hr/events`, canonicalEvent(id))).status);
      expect(statuses).toEqual([202, 202, 429]);
      const refused = await postSigned(`${limited.url}/v1/hr/events`, canonicalEvent('E-RL-4'));
      expect(refused.headers.get('retry-after')).toBe('2');
      expect(refused.body).toMatchObject({ status: 429, code: 'API_RATE_LIMITED' });
      // Health checks are not rate limited.
      expect((await send(`${limited.url}/healthz`, { method: 'GET' })).status).toBe(200);
    } finally {
      await limited.app.close();
    }
  });

  test('with bearer tokens configured, a signed request without the token is 401', async () => {
    const token = 'bearer-token-0123456789';
    const guarded = await startApi(env.client, {
      secrets: { hmacSecrets: ['test-hmac-secret-current-0001'], bearerTokens: [token] },
    });
    try {
      const without = await postSigned(`${guarded.url}/v1/hr/events`, canonicalEvent('E-BR-1'));
      expect(without.status).toBe(401);
      expect(without.headers.get('www-authenticate')).toBe('Bearer realm="jml"');
      const withToken = await postSigned(`${guarded.url}/v1/hr/events`, canonicalEvent('E-BR-1'), {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(withToken.status).toBe(202);
    } finally {
      await guarded.app.close();
    }
  });

  test('with read tokens configured, the employee endpoints need one', async () => {
    const readToken = 'read-token-0123456789abc';
    const guarded = await startApi(env.client, {
      secrets: { hmacSecrets: ['test-hmac-secret-current-0001'], bearerTokens: [], readTokens: [readToken] },
    });
    try {
      const without = await send(`${guarded.url}/v1/employees/E-READ-1`, { method: 'GET' });
      expect(without.status).toBe(401);
      expect(without.body).toMatchObject({
        code: 'API_UNAUTHORIZED',
        message: 'missing or invalid bearer token for the read endpoints',
      });
      const withToken = await send(`${guarded.url}/v1/employees/E-READ-1`, {
        method: 'GET',
        headers: { authorization: `Bearer ${readToken}` },
      });
      expect(withToken.status).toBe(200);
      // The apps' health too.
      expect((await send(`${guarded.url}/v1/apps`, { method: 'GET' })).status).toBe(401);
      expect(
        (await send(`${guarded.url}/v1/apps`, { method: 'GET', headers: { authorization: `Bearer ${readToken}` } }))
          .status,
      ).toBe(200);
      // The intake stays on signatures; a read token is not needed there.
      expect((await postSigned(`${guarded.url}/v1/hr/events`, canonicalEvent('E-RT-1'))).status).toBe(202);
    } finally {
      await guarded.app.close();
    }
  });

  test('without any read token the API warns that reads are open', () => {
    expect(api.logLines().some((l) => l.includes('GET /v1/employees/* is unauthenticated'))).toBe(true);
  });

  test('refuses to build without credentials', async () => {
    await expect(startApi(env.client, { secrets: { hmacSecrets: [], bearerTokens: [] } })).rejects.toThrow(
      /no API credentials/,
    );
  });
});
