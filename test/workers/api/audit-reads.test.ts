/**
 * The API's read side over the audit store: the durable timeline and the console, on PGlite
 * in-process and, when a PostgreSQL server is given (CI), through a `jml api` process that
 * finds the worker's store from DATABASE_URL. With read tokens set, the console needs one
 * (bearer, or the password of HTTP Basic for a browser); without them, reads are open.
 */
import type { AuditStore } from '../../../lib/audit';
import { auditReadSide } from '../../../workers/api';
import { auditTargets, TEST_DATABASE_URL, uniqueEmployeeId } from '../../helpers/audit-targets';
import { createTestEnv, type TemporalTestEnv } from '../../helpers/temporal-env';
import { send, spawnApi, startApi, strongSecret, type ApiProcess, type RunningApi } from './helpers';

jest.setTimeout(60_000);

const READ_TOKEN = strongSecret();
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A finished leaver as the worker records it: received, one app deactivated, SLA met. */
async function seedLeaver(store: AuditStore, employeeId: string): Promise<void> {
  const t0 = Date.parse('2026-11-27T16:00:00Z');
  const entries: Record<string, unknown>[] = [
    {
      atMs: t0 + 1_000,
      kind: 'event-received',
      eventId: `${employeeId}-term`,
      eventType: 'terminate',
      effectiveAtMs: t0,
      initiator: 'hr.partner@example.com',
    },
    { atMs: t0 + 1_100, kind: 'lifecycle-started', eventId: `${employeeId}-term`, lifecycle: 'leaver' },
    {
      atMs: t0 + 1_900,
      kind: 'app-succeeded',
      eventId: `${employeeId}-term`,
      lifecycle: 'leaver',
      app: 'slack',
      action: 'deactivated',
      scimId: 'U-1',
    },
    {
      atMs: t0 + 2_000,
      kind: 'lifecycle-completed',
      eventId: `${employeeId}-term`,
      lifecycle: 'leaver',
      slaDeadlineMs: t0 + 1_000 + 15 * 60_000,
      slaBreached: false,
    },
  ];
  for (const [i, data] of entries.entries()) {
    await store.append({
      key: `employee-${employeeId}#${i}`,
      kind: 'milestone',
      employeeId,
      workflowId: `employee-${employeeId}`,
      runId: 'run-1',
      occurredAtMs: Number(data.atMs),
      data,
    });
  }
}

let env: TemporalTestEnv;
beforeAll(async () => {
  env = await createTestEnv({ timeSkipping: false });
});
afterAll(async () => {
  await env?.teardown();
});

describe.each(auditTargets)('audit read side in-process on %s', (_name, open) => {
  let store: AuditStore;
  let api: RunningApi;
  const employee = uniqueEmployeeId('L7');

  beforeAll(async () => {
    store = await open();
    await seedLeaver(store, employee);
    const readSide = auditReadSide(store, {
      temporalUiUrl: 'http://ui.example:8233',
      namespace: 'default',
      readTokens: [READ_TOKEN],
    });
    api = await startApi(env.client, {
      ...readSide,
      secrets: { hmacSecrets: ['hmac-secret-0123456789abcdef'], bearerTokens: [], readTokens: [READ_TOKEN] },
    });
  });
  afterAll(async () => {
    await api?.app.close();
    await store?.close();
  });

  it('answers the timeline from the store, with the Temporal UI link', async () => {
    const res = await send(`${api.url}/v1/employees/${employee}/timeline`, {
      method: 'GET',
      headers: { authorization: `Bearer ${READ_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const body = res.body as { timeline: { terminations: Array<Record<string, unknown>> } };
    expect(body.timeline.terminations[0]).toMatchObject({
      eventId: `${employee}-term`,
      sla: 'met',
      initiator: 'hr.partner@example.com',
    });
    expect(String(body.timeline.terminations[0]!.workflowUrl)).toContain(
      `http://ui.example:8233/namespaces/default/workflows/employee-${employee}/`,
    );
  });

  it('lists people with name and department, searchable by name and id', async () => {
    const name = `Hedy ${employee.replace(/[^a-z0-9]/gi, '')}`;
    await store.upsertPerson({
      employeeId: employee,
      displayName: name,
      department: 'Research & Development',
      status: 'terminated',
      asOfMs: Date.parse('2026-11-27T16:00:02Z'),
    });
    const auth = { authorization: `Bearer ${READ_TOKEN}` };
    for (const q of [name.toUpperCase().slice(0, 12), employee]) {
      const res = await fetch(`${api.url}/console/people?q=${encodeURIComponent(q)}`, { headers: auth });
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain(`<tr data-employee="${employee}">`);
      expect(html).toContain(`>${name}</a>`);
      // Escaped like every value.
      expect(html).toContain('<td>Research &amp; Development</td><td>terminated</td><td>leaver</td>');
      expect(html).toMatch(/page 1 of 1 \(1 people\)/);
    }
    const none = await fetch(`${api.url}/console/people?q=${encodeURIComponent('<nobody>')}`, { headers: auth });
    const html = await none.text();
    expect(html).toContain('Nobody matches.');
    expect(html).toContain('value="&lt;nobody&gt;"');
    const person = await fetch(`${api.url}/console/employees/${employee}`, { headers: auth });
    expect(await person.text()).toContain(`Lifecycle history of ${name} (${employee}), Research &amp; Development`);
  });

  it('asks a browser for the read token and serves the console with it', async () => {
    const bare = await fetch(`${api.url}/console`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toMatch(/^Basic realm="jml console"/);
    expect(
      (await fetch(`${api.url}/console`, { headers: { authorization: basic('auditor', 'wrong-token') } })).status,
    ).toBe(401);
    const page = await fetch(`${api.url}/console`, { headers: { authorization: basic('auditor', READ_TOKEN) } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`data-employee="${employee}" data-lifecycle="leaver"`);
    const person = await fetch(`${api.url}/console/employees/${employee}`, {
      headers: { authorization: `Bearer ${READ_TOKEN}` },
    });
    expect(person.status).toBe(200);
    expect(await person.text()).toContain(`${employee}-term`);
    expect((await fetch(`${api.url}/console/employees/${employee}`)).status).toBe(401);
    // Pages (the login prompt included) cannot be framed, sniffed or cached.
    for (const res of [bare, page, person]) {
      expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });
});

(TEST_DATABASE_URL ? describe : describe.skip)('jml api with DATABASE_URL (PostgreSQL)', () => {
  let store: AuditStore;
  let api: ApiProcess;
  const employee = uniqueEmployeeId('L8');

  beforeAll(async () => {
    store = await auditTargets.find(([name]) => name === 'PostgreSQL')![1]();
    await seedLeaver(store, employee);
    api = await spawnApi(['--port', '0'], {
      TEMPORAL_ADDRESS: env.address,
      DATABASE_URL: TEST_DATABASE_URL,
      JML_API_HMAC_SECRETS: strongSecret(),
      JML_API_READ_TOKENS: READ_TOKEN,
    });
  });
  afterAll(async () => {
    await api?.stop();
    await store?.close();
  });

  it("reads the timeline and the console from the worker's store, and never logs the URL", async () => {
    const res = await send(`${api.url}/v1/employees/${employee}/timeline`, {
      method: 'GET',
      headers: { authorization: `Bearer ${READ_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect((res.body as { timeline: { terminations: unknown[] } }).timeline.terminations).toHaveLength(1);
    const page = await fetch(`${api.url}/console`, { headers: { authorization: basic('auditor', READ_TOKEN) } });
    expect(await page.text()).toContain(`data-employee="${employee}"`);
    const listening = api.logLines.find((l) => l.msg === 'intake API listening')!;
    expect(String(listening.timeline)).toContain('audit store');
    expect(JSON.stringify(api.logLines)).not.toContain(TEST_DATABASE_URL!);
    expect(JSON.stringify(api.logLines)).not.toContain(READ_TOKEN);
  });
});
