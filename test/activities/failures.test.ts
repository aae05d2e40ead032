import { ApplicationFailure } from '@temporalio/common';
import { toApplicationFailure } from '../../activities/failures';
import { ScimError } from '../../lib/scim';

describe('toApplicationFailure', () => {
  const info = {
    app: 'slack',
    operation: 'create-user',
    method: 'POST',
    path: '/Users',
    status: 429,
    detail: 'slow down',
  };
  test('retryable with Retry-After → nextRetryDelay, type = code, details', () => {
    const f = toApplicationFailure(
      new ScimError('SCIM_RATE_LIMITED', { ...info, retryAfterMs: 30_000 }, { retryable: true }),
    );
    expect(f).toBeInstanceOf(ApplicationFailure);
    expect(f.type).toBe('SCIM_RATE_LIMITED');
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBe(30_000);
    expect(f.details).toEqual([
      { app: 'slack', operation: 'create-user', status: 429, scimType: undefined, detail: 'slow down' },
    ]);
  });
  test('non-retryable carries no delay', () => {
    const f = toApplicationFailure(
      new ScimError('SCIM_ACCOUNT_OWNED_BY_OTHER', { ...info, status: 409, retryAfterMs: 5000 }, { retryable: false }),
    );
    expect(f.nonRetryable).toBe(true);
    expect(f.nextRetryDelay).toBeUndefined();
  });
  test('a floor under Retry-After', () => {
    const f = toApplicationFailure(
      new ScimError('SCIM_SERVER_ERROR', { ...info, status: 503, retryAfterMs: 1000 }, { retryable: true }),
      { minRetryDelayMs: 4000 },
    );
    expect(f.nextRetryDelay).toBe(4000);
  });
});
