/**
 * The intake over real HTTP against the embedded Temporal engine: accepted events become an
 * `employee-<id>` workflow with the signal in its history; rejected ones leave nothing behind.
 */
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createTestEnv, type TemporalTestEnv } from '../../helpers/temporal-env';
import {
  canonicalEvent,
  fixture,
  OLD_SECRET,
  postSigned,
  send,
  SECRET,
  signalsOf,
  startApi,
  workflowAbsent,
  type RunningApi,
} from './helpers';

jest.setTimeout(30_000);

const BAMBOO_KEY = 'bamboohr-webhook-private-key-01';

let env: TemporalTestEnv;
let api: RunningApi;
let url: string;

beforeAll(async () => {
  env = await createTestEnv({ timeSkipping: false });
  api = await startApi(env.client, {
    limits: { bodyBytes: 64 * 1024 },
    secrets: { hmacSecrets: [SECRET, OLD_SECRET], bearerTokens: [], bambooHrKeys: [BAMBOO_KEY] },
  });
  url = `${api.url}/v1/hr/events`;
});

afterAll(async () => {
  await api?.app.close();
  await env?.teardown();
});

describe('accepted events', () => {
  test('202 with the workflow id; the workflow exists with the signal and the EmployeeId search attribute', async () => {
    const event = canonicalEvent('E-ACC-1');
    const res = await postSigned(url, event);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ workflowId: 'employee-E-ACC-1', eventId: 'ev-E-ACC-1', status: 'accepted' });
    expect(res.headers.get('x-request-id')).toBe('req-test-1');
    expect(await signalsOf(env.client, 'employee-E-ACC-1')).toEqual(['hrEvent']);
    const description = await env.client.workflow.getHandle('employee-E-ACC-1').describe();
    expect(description.taskQueue).toBe(api.taskQueue);
    expect(description.searchAttributes.EmployeeId).toEqual(['E-ACC-1']);
  });

  test('a repeated eventId gets the same answer and signals nothing new; the body may be re-serialized', async () => {
    const event = canonicalEvent('E-REP-1');
    const first = await postSigned(url, event);
    const reordered = Object.fromEntries(Object.entries(event).reverse());
    const second = await postSigned(url, reordered);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(await signalsOf(env.client, 'employee-E-REP-1')).toEqual(['hrEvent']);
  });

  test('the same eventId with different content is 409 and changes nothing', async () => {
    await postSigned(url, canonicalEvent('E-CON-1'));
    const res = await postSigned(url, canonicalEvent('E-CON-1', { effectiveAt: '2026-12-08T09:00:00+01:00' }));
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      status: 409,
      code: 'API_IDEMPOTENCY_CONFLICT',
      message: 'eventId "ev-E-CON-1" was already accepted with different content; use a new eventId for a new change',
      requestId: 'req-test-1',
    });
    expect(await signalsOf(env.client, 'employee-E-CON-1')).toEqual(['hrEvent']);
  });

  test('concurrent deliveries of one event signal once', async () => {
    const event = canonicalEvent('E-PAR-1');
    const answers = await Promise.all([1, 2, 3].map(() => postSigned(url, event)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(await signalsOf(env.client, 'employee-E-PAR-1')).toEqual(['hrEvent']);
  });

  test('concurrent deliveries of one eventId with different content: one is accepted, the other is 409', async () => {
    const answers = await Promise.all([
      postSigned(url, canonicalEvent('E-PAR-2')),
      postSigned(url, canonicalEvent('E-PAR-2', { effectiveAt: '2026-12-09T09:00:00+01:00' })),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    expect(await signalsOf(env.client, 'employee-E-PAR-2')).toEqual(['hrEvent']);
  });

  test('a request signed with the previous secret is accepted during rotation', async () => {
    const res = await postSigned(url, canonicalEvent('E-ROT-1'), { secret: OLD_SECRET });
    expect(res.status).toBe(202);
  });

  test('content type parameters and case do not matter', async () => {
    const res = await postSigned(url, canonicalEvent('E-CT-1'), {
      headers: { 'content-type': 'Application/JSON; charset=utf-8' },
    });
    expect(res.status).toBe(202);
  });

  test('the example events shipped in examples/events are accepted', async () => {
    const dir = path.join(__dirname, '..', '..', '..', 'examples', 'events');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const res = await postSigned(url, JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
      expect({ file, status: res.status }).toEqual({ file, status: 202 });
    }
  });

  test('a snapshot without type is accepted as is (the workflow derives the transition)', async () => {
    const event = canonicalEvent('E-SNAP-1');
    delete event.type;
    expect((await postSigned(url, event)).status).toBe(202);
    expect(await signalsOf(env.client, 'employee-E-SNAP-1')).toEqual(['hrEvent']);
  });
});

describe('HR adapters', () => {
  test('BambooHR webhook: one workflow per employee in the payload', async () => {
    const res = await postSigned(`${url}/bamboohr`, fixture('bamboohr-global.json'));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      status: 'accepted',
      events: [
        { workflowId: 'employee-113', eventId: 'bamboohr:113:2026-11-20T09:15:02_00:00', status: 'accepted' },
        { workflowId: 'employee-114', eventId: 'bamboohr:114:2026-11-20T09:16:40_00:00', status: 'accepted' },
      ],
    });
    expect(await signalsOf(env.client, 'employee-113')).toEqual(['hrEvent']);
    expect(await signalsOf(env.client, 'employee-114')).toEqual(['hrEvent']);
  });

  test('BambooHR posting directly, signed with its own X-BambooHR-Signature', async () => {
    const payload = fixture('bamboohr-permissioned.json') as { employees: { id: number }[] };
    payload.employees[0].id = 9207;
    const body = JSON.stringify(payload);
    const ts = String(Math.floor(Date.now() / 1000));
    const bambooHeaders = (key: string) => ({
      'content-type': 'application/json',
      'x-bamboohr-timestamp': ts,
      'x-bamboohr-signature': createHmac('sha256', key)
        .update(body + ts)
        .digest('hex'),
    });
    const wrong = await send(`${url}/bamboohr`, { headers: bambooHeaders('not-the-bamboohr-key-000'), body });
    expect(wrong.status).toBe(401);
    expect(await workflowAbsent(env.client, 'employee-9207')).toBe(true);
    const res = await send(`${url}/bamboohr`, { headers: bambooHeaders(BAMBOO_KEY), body });
    expect(res.status).toBe(202);
    expect(await signalsOf(env.client, 'employee-9207')).toEqual(['hrEvent']);
    // Only the BambooHR route takes BambooHR's scheme.
    const canonical = JSON.stringify(canonicalEvent('E-BH-1'));
    const onCanonical = await send(url, {
      headers: {
        ...bambooHeaders(BAMBOO_KEY),
        'x-bamboohr-signature': createHmac('sha256', BAMBOO_KEY)
          .update(canonical + ts)
          .digest('hex'),
      },
      body: canonical,
    });
    expect(onCanonical.status).toBe(401);
  });

  test('Entra bulkUpload-style SCIM BulkRequest as application/scim+json', async () => {
    const res = await postSigned(`${url}/scim-bulk`, fixture('entra-bulk.json'), {
      headers: { 'content-type': 'application/scim+json' },
    });
    expect(res.status).toBe(202);
    expect((res.body as { events: { workflowId: string }[] }).events.map((e) => e.workflowId)).toEqual([
      'employee-701984',
      'employee-701985',
    ]);
    expect(await signalsOf(env.client, 'employee-701985')).toEqual(['hrEvent']);
  });

  test('one invalid employee in a batch rejects the whole batch and starts nothing', async () => {
    const payload = fixture('bamboohr-global.json') as { employees: { id: string; fields: Record<string, string> }[] };
    payload.employees[0].id = 'B-OK-1';
    payload.employees[1].id = 'B-BAD-1';
    payload.employees[1].fields['Work Email'] = 'not-an-email';
    const res = await postSigned(`${url}/bamboohr`, payload);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'API_INVALID_EVENT',
      issues: ['employees[1].employee.workEmail: invalid email address'],
    });
    expect(await workflowAbsent(env.client, 'employee-B-OK-1')).toBe(true);
    expect(await workflowAbsent(env.client, 'employee-B-BAD-1')).toBe(true);
  });
});

describe('rejections leave no workflow', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => Promise<{ status: number; body: unknown }>, number, Record<string, unknown>]> = [
    [
      'wrong secret',
      () => postSigned(url, canonicalEvent('E-REJ-1'), { secret: 'some-other-secret-0001' }),
      401,
      {
        code: 'API_SIGNATURE_INVALID',
        message: 'signature does not match the body with any configured secret',
      },
    ],
    [
      'stale timestamp',
      () => postSigned(url, canonicalEvent('E-REJ-2'), { timestampSec: now() - 301 }),
      401,
      {
        code: 'API_TIMESTAMP_OUT_OF_WINDOW',
        message: 'x-jml-timestamp is too old (outside the replay window); sign the request again with the current time',
      },
    ],
    [
      'future timestamp',
      () => postSigned(url, canonicalEvent('E-REJ-3'), { timestampSec: now() + 600 }),
      401,
      {
        code: 'API_TIMESTAMP_OUT_OF_WINDOW',
        message: "x-jml-timestamp is in the future beyond the replay window; check the sender's clock",
      },
    ],
    [
      'no signature',
      () =>
        send(url, {
          headers: { 'content-type': 'application/json', 'x-jml-timestamp': String(now()) },
          body: JSON.stringify(canonicalEvent('E-REJ-4')),
        }),
      401,
      {
        code: 'API_UNAUTHORIZED',
        message: 'missing x-jml-signature header (v1=<hex HMAC-SHA256 of "<timestamp>.<body>">)',
      },
    ],
    [
      'schema errors',
      () =>
        postSigned(
          url,
          canonicalEvent('E-REJ-5', {
            effectiveAt: '2026-12-07 09:00',
            employee: { workEmail: 'nope', status: 'hired' },
          }),
        ),
      400,
      {
        code: 'API_INVALID_EVENT',
        message: 'the event is invalid; fix the fields listed in "issues"',
        issues: [
          'effectiveAt: invalid date-time; use ISO 8601 with a time zone offset, e.g. 2026-12-04T09:00:00+01:00',
          'employee.workEmail: invalid email address',
          'employee.status: invalid option: expected one of "pending"|"active"|"leave"|"terminated"',
        ],
        fields: ['/effectiveAt', '/employee/workEmail', '/employee/status'],
      },
    ],
    [
      'wrong content type',
      () => send(url, { headers: { 'content-type': 'text/plain' }, body: JSON.stringify(canonicalEvent('E-REJ-6')) }),
      415,
      {
        code: 'API_UNSUPPORTED_MEDIA_TYPE',
        message: 'send the event as Content-Type: application/json (or application/scim+json)',
      },
    ],
    [
      'too large',
      () => postSigned(url, canonicalEvent('E-REJ-7', { initiator: 'x'.repeat(70 * 1024) })),
      413,
      {
        code: 'API_PAYLOAD_TOO_LARGE',
        message: 'the body is larger than the accepted limit',
      },
    ],
  ];

  test.each(cases.map((c, i) => [...c, `employee-E-REJ-${i + 1}`] as const))(
    '%s',
    async (_name, run, status, expected, workflowId) => {
      const res = await run();
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ status, requestId: expect.any(String), ...expected });
      expect(await workflowAbsent(env.client, workflowId)).toBe(true);
    },
  );

  test('invalid JSON is 400 (after the signature check)', async () => {
    const res = await postSigned(url, '{"eventId": ');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'API_INVALID_JSON' });
  });
});

describe('logs', () => {
  test('carry request ids and never the secret or the signature', () => {
    const logs = api.logLines().join('\n');
    expect(logs).toContain('"reqId":"req-test-1"');
    expect(logs).toContain('event accepted');
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain(OLD_SECRET);
    expect(logs).not.toMatch(/v1=[0-9a-f]{64}/);
    expect(logs).not.toContain('grace.hopper@example.com');
  });
});
