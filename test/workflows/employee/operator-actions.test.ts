/**
 * The checks behind the operator Updates: each refusal is an ApplicationFailure of type
 * OperatorActionRejected whose message names the person, the case or app, and what is wrong.
 */
import { ApplicationFailure } from '@temporalio/common';
import { OPERATOR_ACTION_REJECTED } from '../../../lib/temporal/contract';
import { checkPlaceHold, checkReleaseHold, checkRetry } from '../../../workflows/employee/operator-actions';
import { initialState, type EmployeeState } from '../../../workflows/employee/state';

function refusal(check: () => void): string {
  try {
    check();
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe(OPERATOR_ACTION_REJECTED);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    return (err as Error).message;
  }
  throw new Error('the check accepted the action');
}

function person(patch: Partial<EmployeeState> = {}): EmployeeState {
  return { ...initialState('E1'), ...patch };
}

const held = person({ legalHold: { caseId: 'LIT-42', placedAtMs: Date.UTC(2026, 0, 2), placedBy: 'legal' } });

describe('legal hold checks', () => {
  it('places a hold on a person without one, and accepts the same case again', () => {
    expect(() => checkPlaceHold(person(), { caseId: 'LIT-42' })).not.toThrow();
    expect(() => checkPlaceHold(held, { caseId: 'LIT-42' })).not.toThrow();
    expect(() => checkPlaceHold(held, { caseId: ' LIT-42 ' })).not.toThrow();
  });

  it('refuses a second case rather than replacing the first, and a hold without a case', () => {
    expect(refusal(() => checkPlaceHold(held, { caseId: 'LIT-7' }))).toBe(
      'E1 is already under legal hold for case LIT-42 (since 2026-01-02T00:00:00.000Z); deletions stay paused. ' +
        'Release that case first to put the hold under another one.',
    );
    expect(refusal(() => checkPlaceHold(person(), { caseId: '  ' }))).toBe(
      'caseId is required: the legal case or ticket the hold belongs to',
    );
  });

  it('releases only the case that holds', () => {
    expect(() => checkReleaseHold(held, { caseId: 'LIT-42' })).not.toThrow();
    expect(refusal(() => checkReleaseHold(held, { caseId: 'WRONG' }))).toBe(
      'E1 is under legal hold for case LIT-42, not WRONG; nothing released',
    );
    expect(refusal(() => checkReleaseHold(person(), { caseId: 'LIT-42' }))).toBe(
      'E1 is not under legal hold; nothing to release',
    );
  });
});

describe('retry checks', () => {
  const failed = person({
    accounts: {
      github: {
        app: 'github',
        state: 'failed',
        groups: [],
        lastChangeAtMs: 1,
        failedLifecycle: 'leaver',
        lastError: { type: 'SCIM_NOT_FOUND', message: 'gone', nonRetryable: true },
      },
      slack: { app: 'slack', state: 'deactivated', groups: [], lastChangeAtMs: 1 },
    },
  });

  it('accepts the retry of a failed step', () => {
    expect(() => checkRetry(failed, { app: 'github' })).not.toThrow();
  });

  it('refuses an app the person never had, naming the apps they have', () => {
    expect(refusal(() => checkRetry(failed, { app: 'canva' }))).toBe(
      'E1 has no account in canva; nothing to retry (apps with an account: github, slack)',
    );
    expect(refusal(() => checkRetry(person(), { app: 'canva' }))).toBe(
      'E1 has no account in canva; nothing to retry (no app has an account yet)',
    );
  });

  it('refuses a step that did not fail, and a retry already queued', () => {
    expect(refusal(() => checkRetry(failed, { app: 'slack' }))).toBe(
      'slack: the last step for E1 did not fail (account deactivated); nothing to retry',
    );
    expect(refusal(() => checkRetry({ ...failed, retries: ['github'] }, { app: 'github' }))).toBe(
      'a retry of github for E1 is already queued',
    );
    expect(refusal(() => checkRetry(failed, { app: '' }))).toBe(
      'app is required: the app whose failed step should run again',
    );
  });
});
