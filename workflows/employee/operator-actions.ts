/**
 * The checks behind the operator Updates (legal hold, retry): pure functions of the workflow
 * state, used as the Updates' validators. A check that fails throws an ApplicationFailure of
 * type OperatorActionRejected whose message is the reason an operator reads; the Update is then
 * rejected before it changes anything.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import {
  OPERATOR_ACTION_REJECTED,
  type EnsureAccount,
  type LegalHold,
  type ReleaseLegalHold,
  type RetryApp,
} from '../../lib/temporal/contract';
import { isTermination, waitingTermination } from './admission';
import type { OrderingLimits } from './ordering';
import type { EmployeeState } from './state';

function reject(reason: string): never {
  throw ApplicationFailure.create({ type: OPERATOR_ACTION_REJECTED, message: reason, nonRetryable: true });
}

function requireText(value: unknown, field: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') reject(`${field} is required: ${what}`);
  return value.trim();
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One hold at a time: a second case is refused (with the case that holds) rather than silently
 * replacing the first, whose release would then fail. Placing the same case again is a no-op.
 */
export function checkPlaceHold(s: EmployeeState, hold: LegalHold): void {
  const caseId = requireText(hold?.caseId, 'caseId', 'the legal case or ticket the hold belongs to');
  const held = s.legalHold;
  if (held && held.caseId !== caseId) {
    reject(
      `${s.employeeId} is already under legal hold for case ${held.caseId} (since ${iso(held.placedAtMs)}); ` +
        'deletions stay paused. Release that case first to put the hold under another one.',
    );
  }
}

export function checkReleaseHold(s: EmployeeState, release: ReleaseLegalHold): void {
  const caseId = requireText(release?.caseId, 'caseId', 'the case the hold was placed for');
  const held = s.legalHold;
  if (!held) reject(`${s.employeeId} is not under legal hold; nothing to release`);
  if (held.caseId !== caseId) {
    reject(`${s.employeeId} is under legal hold for case ${held.caseId}, not ${caseId}; nothing released`);
  }
}

/** Only a step that failed can be retried, and only once at a time. */
export function checkRetry(s: EmployeeState, retry: RetryApp): void {
  const app = requireText(retry?.app, 'app', 'the app whose failed step should run again');
  const account = s.accounts[app];
  if (!account) {
    const known = Object.keys(s.accounts).sort();
    const apps = known.length > 0 ? `apps with an account: ${known.join(', ')}` : 'no app has an account yet';
    reject(`${s.employeeId} has no account in ${app}; nothing to retry (${apps})`);
  }
  if (account.state !== 'failed' || !account.failedLifecycle) {
    reject(`${app}: the last step for ${s.employeeId} did not fail (account ${account.state}); nothing to retry`);
  }
  if (s.retries.includes(app)) reject(`a retry of ${app} for ${s.employeeId} is already queued`);
}

/**
 * An account is ensured only for a person HR says is active and who is not on the way out: a
 * terminated person, or one whose termination is waiting or scheduled, never gets access back
 * this way. Whether the policy grants the app is checked by the handler (it needs the config).
 */
export function checkEnsureAccount(
  s: EmployeeState,
  request: EnsureAccount,
  nowMs: number,
  limits: OrderingLimits,
): void {
  const app = requireText(request?.app, 'app', 'the app the account should exist in');
  const status = s.snapshot?.status;
  if (!status) reject(`${s.employeeId} has no applied HR record yet; nothing to provision from`);
  if (status === 'terminated') reject(`${s.employeeId} is a leaver (HR says terminated); no account is created`);
  if (status !== 'active') reject(`${s.employeeId} is not active (HR says ${status}); no account is created`);
  const waiting = waitingTermination(s, nowMs, limits);
  if (waiting) reject(`a termination (${waiting}) for ${s.employeeId} is waiting to be applied; no account is created`);
  const scheduled = s.pending.find((p) => isTermination(p.event));
  if (scheduled) {
    reject(
      `${s.employeeId} is a leaver: termination ${scheduled.event.eventId} is scheduled for ${iso(scheduled.dueAtMs)}; no account is created`,
    );
  }
  if ((s.ensures ?? []).some((e) => e.app === app))
    reject(`an account request for ${app} is already queued for ${s.employeeId}`);
}
