/** Pure pieces: filter quoting, error bodies, Retry-After, status classification. */
import { classifyStatus, formatEq, parseErrorBody, parseRetryAfter } from '../../../lib/scim';

describe('formatEq', () => {
  test.each([
    ['ada@example.com', 'userName eq "ada@example.com"'],
    ['say "hi"', 'userName eq "say \\"hi\\""'],
    ['back\\slash', 'userName eq "back\\\\slash"'],
    ['x" or userName pr or "', 'userName eq "x\\" or userName pr or \\""'],
  ])('%s', (value, expected) => {
    expect(formatEq({ attribute: 'userName', value })).toBe(expected);
  });
});

describe('parseErrorBody', () => {
  test('a SCIM error (RFC 7644 §3.12)', () => {
    const body = JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
      detail: 'userName taken',
    });
    expect(parseErrorBody(body)).toEqual({ scimType: 'uniqueness', detail: 'userName taken' });
  });
  test('a JSON error from a non-SCIM gateway', () => {
    expect(parseErrorBody('{"message":"Too Many Requests"}')).toEqual({
      scimType: undefined,
      detail: 'Too Many Requests',
    });
  });
  test('JSON that is not an object is read as text', () => {
    expect(parseErrorBody('null')).toEqual({ detail: 'null' });
    expect(parseErrorBody('"quota exceeded"')).toEqual({ detail: 'quota exceeded' });
    expect(parseErrorBody('{"error":"invalid_client","error_description":"bad secret"}')).toEqual({
      scimType: undefined,
      detail: 'bad secret',
    });
  });
  test('HTML or plain text is cut to a readable detail', () => {
    expect(parseErrorBody(`<html>${'x'.repeat(500)}</html>`).detail).toHaveLength(200);
    expect(parseErrorBody('')).toEqual({ detail: undefined });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  test.each([
    ['120', 120_000],
    [' 3 ', 3_000],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('%s → %s', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
  test('the first of repeated headers wins', () => {
    expect(parseRetryAfter(['2', '9'], now)).toBe(2000);
  });
});

describe('classifyStatus', () => {
  test.each([
    [429, 'SCIM_RATE_LIMITED', true],
    [500, 'SCIM_SERVER_ERROR', true],
    [503, 'SCIM_SERVER_ERROR', true],
    [400, 'SCIM_BAD_REQUEST', false],
    [401, 'SCIM_UNAUTHORIZED', false],
    [403, 'SCIM_FORBIDDEN', false],
    [404, 'SCIM_NOT_FOUND', false],
    [409, 'SCIM_CONFLICT', false],
    [412, 'SCIM_PRECONDITION_FAILED', true],
    [405, 'SCIM_BAD_REQUEST', false],
  ])('%d → %s', (status, code, retryable) => {
    expect(classifyStatus(status)).toEqual({ code, retryable });
  });
});
