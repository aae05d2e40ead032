/**
 * The checks behind the operator Updates: each refusal is an ApplicationFailure of type
 * OperatorActionRejected whose message names the person, the case or app, and what is wrong.
 */
import { ApplicationFailure } from '@temporalio/common';
import { OPERATOR_ACTION_REJECTED } from '../../../lib/temporal/contract';
import {
  checkEnsureAccount,
  checkPlaceHold,
  checkReleaseHold,
  checkRetry,
} from '../../../workflows/employee/operator-actions';
import { DEFAULT_ORDERING_LIMITS } from '../../../workflows/employee/ordering';
import { initialState, requestEnsure, type EmployeeState } from '../../../workflows/employee/state';
import type { EmployeeRecord } from '../../../lib/hr/employee';
import type { HrEvent } from '../../../lib/hr/event';

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

describe('account request checks (ensureAccount)', () => {
  const NOW = Date.UTC(2026, 5, 1);
  const record = (status: EmployeeRecord['status']): EmployeeRecord => ({
    employeeId: 'E1',
    givenName: 'Ada',
    familyName: 'Lovelace',
    status,
  });
  const termination = (effectiveAt: string): HrEvent => ({
    eventId: 'E1-term',
    type: 'terminate',
    effectiveAt,
    sequence: 9,
    employee: record('terminated'),
  });
  const check = (s: EmployeeState, app = 'github') => checkEnsureAccount(s, { app }, NOW, DEFAULT_ORDERING_LIMITS);
  const active = person({ snapshot: record('active') });

  it('accepts an account for an active person', () => {
    expect(() => check(active)).not.toThrow();
  });

  it('refuses a leaver, a person not active, one without an HR record, and a missing app', () => {
    expect(refusal(() => check(person({ snapshot: record('terminated') })))).toBe(
      'E1 is a leaver (HR says terminated); no account is created',
    );
    expect(refusal(() => check(person({ snapshot: record('pending') })))).toBe(
      'E1 is not active (HR says pending); no account is created',
    );
    expect(refusal(() => check(person()))).toBe('E1 has no applied HR record yet; nothing to provision from');
    expect(refusal(() => check(active, ' '))).toContain('app is required');
  });

  it('refuses while a termination waits in the inbox or is scheduled', () => {
    const waiting = { ...active, inbox: [{ event: termination('2026-05-31T00:00:00Z'), receivedAtMs: NOW }] };
    expect(refusal(() => check(waiting))).toBe(
      'a termination (E1-term) for E1 is waiting to be applied; no account is created',
    );
    const dueAtMs = Date.UTC(2026, 6, 1);
    const scheduled = {
      ...active,
      pending: [{ event: termination('2026-07-01T00:00:00Z'), dueAtMs, receivedAtMs: NOW }],
    };
    expect(refusal(() => check(scheduled))).toBe(
      'E1 is a leaver: termination E1-term is scheduled for 2026-07-01T00:00:00.000Z; no account is created',
    );
  });

  it('refuses a second request for the same app while one is queued, and numbers requests', () => {
    const first = requestEnsure(active, 'github', NOW, { requestedBy: 'ops', reason: 'missing' });
    expect(first.request).toEqual({
      app: 'github',
      requestId: 'ensure-github-1',
      requestedAtMs: NOW,
      requestedBy: 'ops',
    });
    expect(first.state.timeline.at(-1)).toMatchObject({
      kind: 'account-requested',
      app: 'github',
      detail: 'missing; by ops',
    });
    expect(refusal(() => check(first.state))).toBe('an account request for github is already queued for E1');
    expect(() => check(first.state, 'slack')).not.toThrow();
    expect(requestEnsure(first.state, 'slack', NOW).request.requestId).toBe('ensure-slack-2');
  });
});
