/**
 * The mapping's bodies and PATCH operations against the reference SCIM server (a real HTTP
 * server on 127.0.0.1), using the shipped connectors and their quirk profiles: what the
 * mapping emits must be accepted, and applying it must converge (a second diff is empty).
 */
import { join } from 'node:path';
import { loadConfig } from '../../../lib/config';
import type { ConnectorConfig, LoadedConfig } from '../../../lib/config/types';
import type { EmployeeRecord } from '../../../lib/hr/employee';
import {
  buildScimUser,
  diffHrSnapshots,
  diffScimUser,
  mergeForPut,
  patchRequest,
  type ScimUserResource,
} from '../../../lib/mapping';
import { startScimServer, type QuirkProfileName, type ScimServerHandle } from '../../../scim-server';
import { ada } from './fixtures';

let config: LoadedConfig;
beforeAll(async () => {
  config = await loadConfig(join(__dirname, '../../../config'));
});

async function call(
  server: ScimServerHandle,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: ScimUserResource }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/scim+json', authorization: 'Bearer t' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as ScimUserResource };
}

async function withServer(
  profile: QuirkProfileName & keyof LoadedConfig['connectors'],
  fn: (server: ScimServerHandle, connector: ConnectorConfig) => Promise<void>,
): Promise<void> {
  const server = await startScimServer({ auth: { bearerToken: 't' }, profile, rateLimit: null });
  try {
    await fn(server, config.connectors[profile]);
  } finally {
    await server.stop();
  }
}

const mover: EmployeeRecord = {
  ...ada,
  familyName: 'King',
  workEmail: 'ada.king@example.com',
  phone: undefined,
  department: 'Research',
  employmentType: 'CONTRACTOR',
};

test.each(['slack', 'github'] as const)('%s: create, then the mover PATCH is accepted and converges', async (app) => {
  await withServer(app, async (server, connector) => {
    const created = await call(server, 'POST', '/Users', buildScimUser(connector, ada, 'create'));
    expect(created.status).toBe(201);
    const ops = diffHrSnapshots(connector, ada, mover);
    expect(ops.length).toBeGreaterThan(0);
    const patched = await call(server, 'PATCH', `/Users/${created.json.id}`, patchRequest(ops));
    expect([200, 204]).toContain(patched.status);
    const current = await call(server, 'GET', `/Users/${created.json.id}`);
    expect(diffScimUser(connector, current.json, buildScimUser(connector, mover, 'update'))).toEqual([]);
    expect(current.json.userName).toBe('ada.king@example.com');
  });
});

test('canva (no PATCH): the PUT body from mergeForPut is accepted, converges and keeps what the app owns', async () => {
  await withServer('canva', async (server, connector) => {
    const created = await call(server, 'POST', '/Users', {
      ...buildScimUser(connector, ada, 'create'),
      nickName: 'set-in-canva',
    });
    expect(created.status).toBe(201);
    const body = mergeForPut(created.json, buildScimUser(connector, mover, 'update'), connector);
    const put = await call(server, 'PUT', `/Users/${created.json.id}`, body);
    expect(put.status).toBe(200);
    expect(put.json.nickName).toBe('set-in-canva');
    expect(diffScimUser(connector, put.json, buildScimUser(connector, mover, 'update'))).toEqual([]);
  });
});
