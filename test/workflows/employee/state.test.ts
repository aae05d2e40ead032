import { applyResult, cancelScheduledRemovals, initialState, nextWakeUpMs } from '../../../workflows/employee/state';
import type { LifecycleResult } from '../../../lib/lifecycle/types';

function result(overrides: Partial<LifecycleResult>): LifecycleResult {
  return { kind: 'joiner', eventId: 'evt-1', outcomes: [], slaDeadlineMs: 0, slaBreached: false, completedAtMs: 0, timeline: [], ...overrides };
}

describe('employee state transitions', () => {
  it('registers created accounts with their SCIM id and groups, and marks the person provisioned', () => {
    const s = applyResult(initialState('E1'), result({
      outcomes: [
        { app: 'slack', action: 'created', scimId: 'U1', groups: ['all-staff'], atMs: 10 },
        { app: 'github', action: 'failed', atMs: 11, error: { type: 'SCIM_SERVER_ERROR', message: '503', nonRetryable: false } },
      ],
    }));
    expect(s.everProvisioned).toBe(true);
    expect(s.accounts.slack).toEqual({ app: 'slack', state: 'active', scimId: 'U1', groups: ['all-staff'], lastChangeAtMs: 10 });
    expect(s.accounts.github).toMatchObject({ state: 'failed', failedLifecycle: 'joiner', lastError: { type: 'SCIM_SERVER_ERROR' } });
  });

  it('keeps SCIM id and groups when a later step does not report them, and clears a past failure', () => {
    let s = applyResult(initialState('E1'), result({ outcomes: [{ app: 'slack', action: 'failed', atMs: 1, scimId: 'U1', error: { type: 'X', message: 'm', nonRetryable: true } }] }));
    s = applyResult(s, result({ kind: 'leaver', outcomes: [{ app: 'slack', action: 'deactivated', atMs: 5 }] }));
    expect(s.accounts.slack).toEqual({ app: 'slack', state: 'deactivated', scimId: 'U1', groups: [], lastChangeAtMs: 5, deactivatedAtMs: 5 });
  });

  it('replaces an app\'s deletion schedule and drops it once the deletion ran', () => {
    let s = applyResult(initialState('E1'), result({ kind: 'leaver', deletion: [{ app: 'github', deleteAtMs: 100, reversible: false, eventId: 'evt-1' }] }));
    s = applyResult(s, result({ kind: 'leaver', eventId: 'evt-2', deletion: [{ app: 'github', deleteAtMs: 200, reversible: false, eventId: 'evt-2' }] }));
    expect(s.deletions).toEqual([{ app: 'github', deleteAtMs: 200, reversible: false, eventId: 'evt-2' }]);
    s = applyResult(s, result({ kind: 'deletion', outcomes: [{ app: 'github', action: 'deleted', atMs: 201 }] }));
    expect(s.deletions).toEqual([]);
    expect(s.accounts.github).toMatchObject({ state: 'deleted', deletedAtMs: 201 });
  });

  it('records a mover\'s deferred revocations under the mover\'s event', () => {
    const s = applyResult(initialState('E1'), result({ kind: 'mover', eventId: 'evt-9', revokeLater: [{ app: 'canva', revokeAtMs: 50 }] }));
    expect(s.revocations).toEqual([{ app: 'canva', revokeAtMs: 50, eventId: 'evt-9' }]);
  });

  it('wakes for the earliest timed work, ignoring deletions while a legal hold is on', () => {
    const s = {
      ...initialState('E1'),
      deletions: [{ app: 'github', deleteAtMs: 10, reversible: false, eventId: 'e' }],
      revocations: [{ app: 'canva', revokeAtMs: 30, eventId: 'e' }],
    };
    expect(nextWakeUpMs(s)).toBe(10);
    expect(nextWakeUpMs({ ...s, legalHold: { caseId: 'C1', placedAtMs: 0 } })).toBe(30);
    expect(nextWakeUpMs(initialState('E1'))).toBeUndefined();
  });

  it('cancels every scheduled deletion and revocation on re-hire, noting each in the timeline', () => {
    const s = cancelScheduledRemovals(
      { ...initialState('E1'), deletions: [{ app: 'github', deleteAtMs: Date.UTC(2027, 0, 1), reversible: false, eventId: 'e' }], revocations: [{ app: 'x', revokeAtMs: 1, eventId: 'e' }] },
      99,
      'evt-rehire',
    );
    expect(s.deletions).toEqual([]);
    expect(s.revocations).toEqual([]);
    expect(s.timeline).toEqual([
      { atMs: 99, kind: 'deletion-cancelled', eventId: 'evt-rehire', app: 'github', detail: 're-hire cancelled deletion scheduled for 2027-01-01T00:00:00.000Z' },
    ]);
  });
});
