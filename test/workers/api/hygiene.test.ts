/**
 * Input hygiene at the edge, over real HTTP against the embedded engine: characters that break
 * the audit store or logs, bodies that are not UTF-8 and ordering values from the future are
 * refused with a 400 naming the field, and nothing reaches Temporal. A refused termination is
 * logged at error level with its ids only.
 */
import { createTestEnv, type TemporalTestEnv } from '../../helpers/temporal-env';
import { computeSignature } from '../../../workers/api';
import {
  canonicalEvent,
  fixture,
  postSigned,
  SECRET,
  workflowAbsent,
  type Answer,
  type RunningApi,
  startApi,
} from './helpers';

jest.setTimeout(30_000);

let env: TemporalTestEnv;
let api: RunningApi;
let url: string;

beforeAll(async () => {
  env = await createTestEnv({ timeSkipping: false });
  api = await startApi(env.client);
  url = `${api.url}/v1/hr/events`;
});

afterAll(async () => {
  await api?.app.close();
  await env?.teardown();
});

/** Signs and posts the exact bytes given (fetch would re-encode a string as UTF-8). */
async function postBytes(target: string, bytes: Buffer): Promise<Answer> {
  const ts = Math.floor(Date.now() / 1000);
  const res = await fetch(target, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-jml-timestamp': String(ts),
      'x-jml-signature': `v1=${computeSignature(SECRET, ts, bytes)}`,
    },
    body: bytes,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
}

interface ErrorBody {
  code: string;
  issues: string[];
  fields: string[];
}

describe('bad characters in HR strings', () => {
  test('U+0000 in initiator: 400 naming the field; no workflow', async () => {
    const res = await postSigned(url, canonicalEvent('E-HYG-NUL', { initiator: 'hr:jane\u0000doe' }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'API_INVALID_EVENT',
      issues: [
        'initiator: holds the control character U+0000 at character 8; remove it (HR values are plain text without control characters)',
      ],
      fields: ['/initiator'],
    });
    expect(await workflowAbsent(env.client, 'employee-E-HYG-NUL')).toBe(true);
  });

  test('a lone surrogate sent as the \\ud800 escape: 400 naming the field; no workflow', async () => {
    const body = JSON.stringify(canonicalEvent('E-HYG-SUR', { employee: { givenName: 'PLACEHOLDER' } })).replace(
      'PLACEHOLDER',
      'Ad\\ud800a',
    );
    expect(body).toContain('\\ud800');
    const res = await postSigned(url, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'API_INVALID_EVENT',
      issues: [
        'employee.givenName: holds an unpaired UTF-16 surrogate (U+D800) at character 3; send well-formed Unicode text',
      ],
      fields: ['/employee/givenName'],
    });
    expect(await workflowAbsent(env.client, 'employee-E-HYG-SUR')).toBe(true);
  });

  test('raw invalid UTF-8 bytes are refused, not repaired: 400 naming the field; no workflow', async () => {
    const [before, after] = JSON.stringify(canonicalEvent('E-HYG-UTF', { employee: { familyName: 'MARK' } })).split(
      'MARK',
    );
    const bytes = Buffer.concat([Buffer.from(before), Buffer.from([0x4c, 0xff, 0xc3, 0x28]), Buffer.from(after)]);
    const res = await postBytes(url, bytes);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'API_INVALID_ENCODING',
      issues: ['employee.familyName: not valid UTF-8; send the value UTF-8 encoded (it is not repaired)'],
      fields: ['/employee/familyName'],
    });
    expect(await workflowAbsent(env.client, 'employee-E-HYG-UTF')).toBe(true);
  });

  test('other control characters (TAB, newline, DEL, C1) and bad member names are refused too', async () => {
    const event = canonicalEvent('E-HYG-CTL', {
      employee: { title: 'Lead\tEngineer', department: 'R&D\n', custom: { 'badge\u0085': '1', ok: 'x\u007f' } },
    });
    const res = await postSigned(url, event);
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).fields.sort()).toEqual([
      '/employee/custom',
      '/employee/custom/ok',
      '/employee/department',
      '/employee/title',
    ]);
    expect(await workflowAbsent(env.client, 'employee-E-HYG-CTL')).toBe(true);
  });

  test('employeeId follows the eventId character rule', async () => {
    const res = await postSigned(url, {
      ...canonicalEvent('E-HYG-ID'),
      employee: { ...(canonicalEvent('x').employee as object), employeeId: 'E 1/../2' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      issues: ['employee.employeeId: use letters, digits and . _ : - only'],
      fields: ['/employee/employeeId'],
    });
  });

  test('accented names, CJK and emoji are ordinary text and accepted', async () => {
    const res = await postSigned(
      url,
      canonicalEvent('E-HYG-OK', { employee: { givenName: 'Zoë 李', familyName: 'Ó Súilleabháin 🙂' } }),
    );
    expect(res.status).toBe(202);
  });
});

describe('implausible ordering values', () => {
  test('occurredAt 9999-12-31: 400 naming the field; no workflow', async () => {
    const res = await postSigned(
      url,
      canonicalEvent('E-HYG-FUT', { sequence: undefined, occurredAt: '9999-12-31T00:00:00Z' }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'API_INVALID_EVENT', fields: ['/occurredAt'] });
    expect((res.body as ErrorBody).issues[0]).toMatch(
      /^occurredAt: is later than now plus the accepted clock skew \(300 s\)/,
    );
    expect(await workflowAbsent(env.client, 'employee-E-HYG-FUT')).toBe(true);
  });

  test('occurredAt within the clock skew is accepted', async () => {
    const soon = new Date(Date.now() + 60_000).toISOString();
    const res = await postSigned(url, canonicalEvent('E-HYG-SKEW', { sequence: undefined, occurredAt: soon }));
    expect(res.status).toBe(202);
  });

  test('sequence 2^53-1: 400 naming the field; no workflow', async () => {
    const res = await postSigned(url, canonicalEvent('E-HYG-SEQ', { sequence: 2 ** 53 - 1 }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'API_INVALID_EVENT', fields: ['/sequence'] });
    expect((res.body as ErrorBody).issues[0]).toMatch(
      /^sequence: is larger than the accepted maximum \(1000000000000000\)/,
    );
    expect(await workflowAbsent(env.client, 'employee-E-HYG-SEQ')).toBe(true);
  });

  test.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['beyond 2^53', 2 ** 60],
  ])('sequence %s is refused', async (_name, sequence) => {
    const res = await postSigned(url, canonicalEvent('E-HYG-SQ2', { sequence }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ fields: ['/sequence'] });
  });

  test('a future-dated termination is legitimate; an effectiveAt of 9999-12-31 is not', async () => {
    const later = new Date(Date.now() + 90 * 86_400_000).toISOString();
    const ok = await postSigned(
      url,
      canonicalEvent('E-HYG-EFF', { type: 'terminate', effectiveAt: later, employee: { status: 'terminated' } }),
    );
    expect(ok.status).toBe(202);
    const bad = await postSigned(url, canonicalEvent('E-HYG-EF2', { effectiveAt: '9999-12-31T00:00:00Z' }));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ fields: ['/effectiveAt'] });
  });

  test('the skew and the sequence bound are configurable', async () => {
    const strict = await startApi(env.client, { limits: { clockSkewSec: 0, maxSequence: 1000 } });
    try {
      const soon = new Date(Date.now() + 60_000).toISOString();
      const early = await postSigned(
        `${strict.url}/v1/hr/events`,
        canonicalEvent('E-HYG-CF1', { sequence: undefined, occurredAt: soon }),
      );
      expect(early.status).toBe(400);
      const big = await postSigned(`${strict.url}/v1/hr/events`, canonicalEvent('E-HYG-CF2', { sequence: 1001 }));
      expect(big.body).toMatchObject({ fields: ['/sequence'] });
    } finally {
      await strict.app.close();
    }
  });
});

describe('vendor adapters get the same rules', () => {
  test('BambooHR: a NUL in a posted field (even one the adapter would drop) and a timestamp from the future', async () => {
    const payload = fixture('bamboohr-global.json') as {
      employees: { id: string; timestamp: string; fields: Record<string, string> }[];
    };
    payload.employees[0].id = 'B-HYG-1';
    payload.employees[0].fields['Shirt Size'] = 'M\u0000';
    payload.employees[1].id = 'B-HYG-2';
    const nul = await postSigned(`${url}/bamboohr`, payload);
    expect(nul.status).toBe(400);
    expect(nul.body).toMatchObject({ fields: ['/employees/0/fields/Shirt Size'] });
    expect((nul.body as ErrorBody).issues[0]).toMatch(
      /^employees\[0\]\.fields\.Shirt Size: holds the control character U\+0000/,
    );

    payload.employees[0].fields['Shirt Size'] = 'M';
    payload.employees[1].timestamp = '9999-12-31T00:00:00+00:00';
    const future = await postSigned(`${url}/bamboohr`, payload);
    expect(future.status).toBe(400);
    // The snapshot takes effect when HR recorded it, so effectiveAt carries the same date.
    expect((future.body as ErrorBody).issues).toEqual([
      expect.stringMatching(/^employees\[1\]\.occurredAt: is later than now/),
      expect.stringMatching(/^employees\[1\]\.effectiveAt: is more than 36525 days ahead/),
    ]);
    expect(await workflowAbsent(env.client, 'employee-B-HYG-1')).toBe(true);
    expect(await workflowAbsent(env.client, 'employee-B-HYG-2')).toBe(true);
  });

  test('SCIM bulk: a lone surrogate in a name', async () => {
    const payload = fixture('entra-bulk.json') as {
      Operations: { data: { externalId: string; name: { givenName: string } } }[];
    };
    payload.Operations[0].data.externalId = 'S-HYG-1';
    payload.Operations[0].data.name.givenName = 'A\udc00';
    const res = await postSigned(`${url}/scim-bulk`, payload, { headers: { 'content-type': 'application/scim+json' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ fields: ['/Operations/0/data/name/givenName'] });
    expect(await workflowAbsent(env.client, 'employee-S-HYG-1')).toBe(true);
  });
});

describe('a refused termination is loud', () => {
  test("error-level log line with eventId and employeeId, without the person's data", async () => {
    const event = canonicalEvent('E-HYG-TERM', {
      type: 'terminate',
      initiator: 'hr:\u0000',
      employee: { status: 'terminated', givenName: 'Wilhelmina' },
    });
    const res = await postSigned(url, event);
    expect(res.status).toBe(400);
    const lines = api.logLines().map((l) => JSON.parse(l) as Record<string, unknown>);
    const loud = lines.filter((l) => l.level === 50 && l.eventId === 'ev-E-HYG-TERM');
    expect(loud).toHaveLength(1);
    expect(loud[0]).toMatchObject({ employeeId: 'E-HYG-TERM', fields: ['/initiator'] });
    expect(String(loud[0].msg)).toMatch(/^termination rejected \(400\)/);
    const all = api.logLines().join('\n');
    expect(all).not.toContain('Wilhelmina');
    expect(all).not.toContain('ada.lovelace@example.com');
  });

  test('a refused hire is not logged at error level', async () => {
    await postSigned(url, canonicalEvent('E-HYG-HIRE', { initiator: 'x\u0000' }));
    const lines = api.logLines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.level === 50 && l.eventId === 'ev-E-HYG-HIRE')).toEqual([]);
  });
});

test('the raw body helper signs bytes, so a clean body sent the same way is accepted', async () => {
  const res = await postBytes(url, Buffer.from(JSON.stringify(canonicalEvent('E-HYG-RAW'))));
  expect(res.status).toBe(202);
});
