/**
 * Malformed and hostile webhook deliveries for the fault campaign, each with the answer it must
 * get: the status, the stable error code, and the words (field paths) the message must contain
 * so the sender can fix it. Every case names a person of its own; none may ever get a workflow.
 */
import { computeSignature, createSignedRequest, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../workers/api';

export interface BadDelivery {
  name: string;
  employeeId: string;
  headers: Record<string, string>;
  /** A Buffer when the bytes themselves are the fault (invalid UTF-8). */
  body: string | Buffer;
  status: number;
  code: string;
  /** Substrings the error body (message or issues) must contain. */
  mentions: string[];
}

export function webhookCorpus(runId: string, secret: string): BadDelivery[] {
  const id = (k: string) => `BAD${runId}-${k}`;
  const valid = (k: string) => ({
    eventId: `${id(k)}-hire`,
    type: 'hire',
    effectiveAt: new Date().toISOString(),
    sequence: 1,
    employee: {
      employeeId: id(k),
      givenName: 'Bad',
      familyName: 'Input',
      workEmail: `${id(k).toLowerCase()}@example.com`,
      department: 'Sales',
      status: 'active',
    },
  });
  const signed = (body: unknown, opts: { timestampSec?: number; secret?: string; contentType?: string } = {}) =>
    createSignedRequest({
      body,
      secret: opts.secret ?? secret,
      timestampSec: opts.timestampSec,
      contentType: opts.contentType,
    });
  const cases: BadDelivery[] = [];
  const add = (
    name: string,
    k: string,
    req: { headers: Record<string, string>; body: string | Buffer },
    status: number,
    code: string,
    mentions: string[] = [],
  ) => cases.push({ name, employeeId: id(k), headers: req.headers, body: req.body, status, code, mentions });

  add('bad JSON', 'json', signed(`{"eventId": "${id('json')}-hire", "type": "hire",`), 400, 'API_INVALID_JSON');
  add(
    'wrong types',
    'types',
    signed({ ...valid('types'), sequence: 'first', employee: { ...valid('types').employee, workEmail: 42 } }),
    400,
    'API_INVALID_EVENT',
    ['sequence', 'employee.workEmail'],
  );
  const { effectiveAt: _dropped, ...noDate } = valid('missing');
  add(
    'missing fields',
    'missing',
    signed({ ...noDate, employee: { ...noDate.employee, givenName: undefined } }),
    400,
    'API_INVALID_EVENT',
    ['effectiveAt', 'employee.givenName'],
  );
  add('unknown event type', 'type', signed({ ...valid('type'), type: 'promote' }), 400, 'API_INVALID_EVENT', ['type']);
  add('unknown field', 'extra', signed({ ...valid('extra'), salary: 100000 }), 400, 'API_INVALID_EVENT', ['salary']);
  add(
    'date without time zone',
    'tz',
    signed({ ...valid('tz'), effectiveAt: '2026-12-01T09:00:00' }),
    400,
    'API_INVALID_EVENT',
    ['effectiveAt'],
  );
  const huge = valid('huge') as Record<string, unknown>;
  huge.padding = 'x'.repeat(2 * 1024 * 1024);
  add('huge body', 'huge', signed(huge), 413, 'API_PAYLOAD_TOO_LARGE');
  add(
    'wrong signature',
    'sig',
    signed(valid('sig'), { secret: 'not-the-secret-0123456789abcdef' }),
    401,
    'API_SIGNATURE_INVALID',
  );
  const replayed = signed(valid('replay'), { timestampSec: Math.floor(Date.now() / 1000) - 3600 });
  add('replayed (stale) timestamp', 'replay', replayed, 401, 'API_TIMESTAMP_OUT_OF_WINDOW');
  const unsigned = signed(valid('unsigned'));
  delete unsigned.headers[SIGNATURE_HEADER];
  add('no signature', 'unsigned', unsigned, 401, 'API_UNAUTHORIZED', ['x-jml-signature']);
  // A valid signature over one body, sent with another: the signature covers the raw bytes.
  const swapped = signed(valid('swap'));
  add(
    'body swapped after signing',
    'swap',
    { headers: swapped.headers, body: JSON.stringify({ ...valid('swap'), type: 'terminate' }) },
    401,
    'API_SIGNATURE_INVALID',
  );
  add(
    'wrong content type',
    'ctype',
    signed(valid('ctype'), { contentType: 'text/plain' }),
    415,
    'API_UNSUPPORTED_MEDIA_TYPE',
  );

  // Text the audit store or logs cannot hold, and ordering values from the future: refused at the
  // edge (a 202 would block that person's evidence, or make every later termination stale).
  const terminate = (k: string) => ({
    ...valid(k),
    eventId: `${id(k)}-term`,
    type: 'terminate',
    employee: { ...valid(k).employee, status: 'terminated' },
  });
  add(
    'U+0000 in initiator (a termination)',
    'nul',
    signed({ ...terminate('nul'), initiator: 'hr:\u0000' }),
    400,
    'API_INVALID_EVENT',
    ['initiator', 'U+0000'],
  );
  const surrogate = JSON.stringify({
    ...valid('sur'),
    employee: { ...valid('sur').employee, givenName: 'SURROGATE' },
  }).replace('SURROGATE', 'B\\ud800d');
  add('lone surrogate (\\ud800 escape)', 'sur', signed(surrogate), 400, 'API_INVALID_EVENT', [
    'employee.givenName',
    '/employee/givenName',
  ]);
  const [before, after] = JSON.stringify({
    ...valid('utf8'),
    employee: { ...valid('utf8').employee, familyName: 'BYTES' },
  }).split('BYTES');
  const bytes = Buffer.concat([Buffer.from(before), Buffer.from([0x49, 0xff, 0xfe]), Buffer.from(after)]);
  const ts = Math.floor(Date.now() / 1000);
  add(
    'raw invalid UTF-8',
    'utf8',
    {
      headers: {
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: String(ts),
        [SIGNATURE_HEADER]: `v1=${computeSignature(secret, ts, bytes)}`,
      },
      body: bytes,
    },
    400,
    'API_INVALID_ENCODING',
    ['employee.familyName'],
  );
  const { sequence: _seq, ...unsequenced } = valid('future');
  add(
    'occurredAt 9999-12-31',
    'future',
    signed({ ...unsequenced, occurredAt: '9999-12-31T00:00:00Z' }),
    400,
    'API_INVALID_EVENT',
    ['occurredAt'],
  );
  add(
    'sequence 2^53-1',
    'seq',
    signed({ ...valid('seq'), sequence: Number.MAX_SAFE_INTEGER }),
    400,
    'API_INVALID_EVENT',
    ['sequence'],
  );
  return cases;
}
