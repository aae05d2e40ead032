import {
  ALERT_MAX_ROUNDS,
  alertDelivered,
  alertFailed,
  appendTimeline,
  applyRecheckRemovals,
  applyResult,
  auditFailed,
  auditHealth,
  auditSucceeded,
  cancelScheduledRemovals,
  dueAlert,
  enqueueAlert,
  initialState,
  markRunFailed,
  nextWakeUpMs,
  placeHold,
  receiveEvent,
  recordVerdict,
  RECENT_EVENTS_LIMIT,
  releaseHold,
  requestRetry,
  takeDueDeletions,
  takeInbox,
  TIMELINE_LIMIT,
  upgradeState,
  type EmployeeState,
} from '../../../workflows/employee/state';
import type { AlertInput, AppOutcome, TimelineEntry } from '../../../lib/lifecycle/types';
import type { HrEvent } from '../../../lib/hr/event';
import type { LifecycleResult } from '../../../lib/lifecycle/types';

function result(overrides: Partial<LifecycleResult>): LifecycleResult {
  return {
    kind: 'joiner',
    eventId: 'evt-1',
    outcomes: [],
    slaDeadlineMs: 0,
    slaBreached: false,
    completedAtMs: 0,
    timeline: [],
    ...overrides,
  };
}

describe('employee state transitions', () => {
  it('registers created accounts with their SCIM id and groups, and marks the person provisioned', () => {
    const s = applyResult(
      initialState('E1'),
      result({
        outcomes: [
          { app: 'slack', action: 'created', scimId: 'U1', groups: ['all-staff'], atMs: 10 },
          {
            app: 'github',
            action: 'failed',
            atMs: 11,
            error: { type: 'SCIM_SERVER_ERROR', message: '503', nonRetryable: false },
          },
        ],
      }),
    );
    expect(s.everProvisioned).toBe(true);
    expect(s.accounts.slack).toEqual({
      app: 'slack',
      state: 'active',
      scimId: 'U1',
      groups: ['all-staff'],
      lastChangeAtMs: 10,
    });
    expect(s.accounts.github).toMatchObject({
      state: 'failed',
      failedLifecycle: 'joiner',
      lastError: { type: 'SCIM_SERVER_ERROR' },
    });
  });

  it('keeps SCIM id and groups when a later step does not report them, and clears a past failure', () => {
    let s = applyResult(
      initialState('E1'),
      result({
        outcomes: [
          {
            app: 'slack',
            action: 'failed',
            atMs: 1,
            scimId: 'U1',
            error: { type: 'X', message: 'm', nonRetryable: true },
          },
        ],
      }),
    );
    s = applyResult(s, result({ kind: 'leaver', outcomes: [{ app: 'slack', action: 'deactivated', atMs: 5 }] }));
    expect(s.accounts.slack).toEqual({
      app: 'slack',
      state: 'deactivated',
      scimId: 'U1',
      groups: [],
      lastChangeAtMs: 5,
      deactivatedAtMs: 5,
    });
  });

  it("replaces an app's deletion schedule and drops it once the deletion ran", () => {
    let s = applyResult(
      initialState('E1'),
      result({ kind: 'leaver', deletion: [{ app: 'github', deleteAtMs: 100, reversible: false, eventId: 'evt-1' }] }),
    );
    s = applyResult(
      s,
      result({
        kind: 'leaver',
        eventId: 'evt-2',
        deletion: [{ app: 'github', deleteAtMs: 200, reversible: false, eventId: 'evt-2' }],
      }),
    );
    expect(s.deletions).toEqual([{ app: 'github', deleteAtMs: 200, reversible: false, eventId: 'evt-2' }]);
    s = applyResult(s, result({ kind: 'deletion', outcomes: [{ app: 'github', action: 'deleted', atMs: 201 }] }));
    expect(s.deletions).toEqual([]);
    expect(s.accounts.github).toMatchObject({ state: 'deleted', deletedAtMs: 201 });
  });

  it("records a mover's deferred revocations under the mover's event", () => {
    const s = applyResult(
      initialState('E1'),
      result({ kind: 'mover', eventId: 'evt-9', revokeLater: [{ app: 'canva', revokeAtMs: 50 }] }),
    );
    expect(s.revocations).toEqual([{ app: 'canva', revokeAtMs: 50, eventId: 'evt-9' }]);
  });

  describe('settling deferred revocations (patch regrant-settles-revocations-v1)', () => {
    const settle = { settleRevocations: true };
    const movedAway = applyResult(
      initialState('E1'),
      result({
        kind: 'mover',
        eventId: 'm1',
        granted: ['slack', 'canva'],
        revokeLater: [{ app: 'github', revokeAtMs: 100 }],
      }),
      settle,
    );

    it('withdraws the revocation of an app a later move grants again', () => {
      const back = applyResult(
        movedAway,
        result({
          kind: 'mover',
          eventId: 'm2',
          granted: ['slack', 'github'],
          outcomes: [{ app: 'github', action: 'failed', atMs: 5 }],
          revokeLater: [{ app: 'canva', revokeAtMs: 200 }],
        }),
        settle,
      );
      // Granted by HR's latest record even though its update failed: retried, never revoked.
      expect(back.revocations).toEqual([{ app: 'canva', revokeAtMs: 200, eventId: 'm2' }]);
    });

    it('derives what a run grants from its outcomes when the result does not say', () => {
      const back = applyResult(
        movedAway,
        result({ kind: 'mover', eventId: 'm2', outcomes: [{ app: 'github', action: 'updated', atMs: 5 }] }),
        settle,
      );
      expect(back.revocations).toEqual([]);
    });

    it('keeps the first due time when a later move loses the same app again', () => {
      const onward = applyResult(
        movedAway,
        result({
          kind: 'mover',
          eventId: 'm2',
          granted: ['slack'],
          revokeLater: [
            { app: 'github', revokeAtMs: 300 },
            { app: 'canva', revokeAtMs: 300 },
          ],
        }),
        settle,
      );
      expect(onward.revocations).toEqual([
        { app: 'github', revokeAtMs: 100, eventId: 'm1' },
        { app: 'canva', revokeAtMs: 300, eventId: 'm2' },
      ]);
    });

    it('drops what a termination deactivated and keeps what it failed to', () => {
      const both = {
        ...movedAway,
        revocations: [...movedAway.revocations, { app: 'canva', revokeAtMs: 150, eventId: 'm1' }],
      };
      const left = applyResult(
        both,
        result({
          kind: 'leaver',
          eventId: 't1',
          outcomes: [
            { app: 'github', action: 'deactivated', atMs: 9 },
            { app: 'canva', action: 'failed', atMs: 9 },
          ],
        }),
        settle,
      );
      expect(left.revocations).toEqual([{ app: 'canva', revokeAtMs: 150, eventId: 'm1' }]);
    });

    it('leaves the old path as it was', () => {
      const back = applyResult(
        movedAway,
        result({ kind: 'mover', eventId: 'm2', granted: ['github'], revokeLater: [{ app: 'github', revokeAtMs: 9 }] }),
      );
      expect(back.revocations.map((r) => r.eventId)).toEqual(['m1', 'm2']);
    });
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
      {
        ...initialState('E1'),
        deletions: [{ app: 'github', deleteAtMs: Date.UTC(2027, 0, 1), reversible: false, eventId: 'e' }],
        revocations: [{ app: 'x', revokeAtMs: 1, eventId: 'e' }],
      },
      99,
      'evt-rehire',
    );
    expect(s.deletions).toEqual([]);
    expect(s.revocations).toEqual([]);
    expect(s.timeline).toEqual([
      // On the termination it belonged to, naming the re-hire: "why there was no deletion".
      {
        atMs: 99,
        kind: 'deletion-cancelled',
        eventId: 'e',
        app: 'github',
        detail: 'cancelled by re-hire evt-rehire (deletion was due 2027-01-01T00:00:00.000Z)',
      },
    ]);
  });
});

const filler = (n: number): TimelineEntry[] =>
  Array.from({ length: n }, (_, i) => ({ atMs: i, kind: 'event-duplicate', eventId: `noise-${i}` }));
const hire = (eventId: string): HrEvent => ({
  eventId,
  type: 'hire',
  effectiveAt: '2026-01-01T00:00:00Z',
  employee: { employeeId: 'E1', givenName: 'A', familyName: 'B', status: 'active' },
});

describe('state discipline: decisions live in state, not in the capped timeline', () => {
  it('keeps the last event per app and the retry attempt count past the timeline cap', () => {
    let s = applyResult(
      initialState('E1'),
      result({
        kind: 'leaver',
        eventId: 'term-1',
        outcomes: [
          { app: 'github', action: 'failed', atMs: 1, error: { type: 'X', message: 'm', nonRetryable: true } },
        ],
      }),
    );
    s = requestRetry(s, 'github', 2, 'ops');
    s = appendTimeline(s, filler(TIMELINE_LIMIT + 10));
    expect(s.timeline).toHaveLength(TIMELINE_LIMIT);
    expect(s.timeline.some((t) => t.app === 'github')).toBe(false);
    expect(s.lastEventByApp.github).toBe('term-1');
    s = requestRetry(s, 'github', 3);
    expect(s.retryAttempts.github).toBe(2);
    expect(s.retries).toEqual(['github', 'github']);
  });

  it('keeps when an event was received with the event itself, whatever the timeline holds', () => {
    let s = receiveEvent(initialState('E1'), hire('h1'), 1234);
    s = appendTimeline(s, filler(TIMELINE_LIMIT + 1));
    const taken = takeInbox(s);
    expect(taken.item).toEqual({ event: hire('h1'), receivedAtMs: 1234 });
    expect(taken.state.inbox).toEqual([]);
    expect(takeInbox(taken.state).item).toBeUndefined();
  });

  it('never changes the state it is given', () => {
    const s = receiveEvent(initialState('E1'), hire('h1'), 1);
    const frozen = JSON.stringify(s);
    applyResult(s, result({ outcomes: [{ app: 'slack', action: 'created', atMs: 2 }] }));
    requestRetry(s, 'slack', 3);
    placeHold(s, { caseId: 'C1' }, 4);
    recordVerdict(s, { eventId: 'h1', verdict: 'accepted', atMs: 5 });
    enqueueAlert(s, alertOf('x'), 6);
    auditFailed(s, 'boom', 7);
    takeInbox(s);
    expect(JSON.stringify(s)).toBe(frozen);
  });

  it('upgrades state written by an older build, deriving the decision fields once from its timeline', () => {
    const legacy = {
      ...initialState('E1'),
      inbox: [hire('h2')],
      pending: [{ event: hire('h3'), dueAtMs: 50 }],
      timeline: [
        { atMs: 7, kind: 'event-received', eventId: 'h3' },
        { atMs: 8, kind: 'app-failed', eventId: 'term-1', app: 'github' },
        { atMs: 9, kind: 'retry-requested', app: 'github' },
      ] as TimelineEntry[],
    } as unknown as EmployeeState;
    for (const key of ['lastEventByApp', 'retryAttempts', 'recentEvents', 'attention', 'outbox', 'audit'] as const)
      delete (legacy as Partial<EmployeeState>)[key];
    const s = upgradeState(legacy, 100);
    expect(s.inbox).toEqual([{ event: hire('h2'), receivedAtMs: 100 }]);
    expect(s.pending[0]!.receivedAtMs).toBe(7);
    expect(s.lastEventByApp).toEqual({ github: 'term-1' });
    expect(s.retryAttempts).toEqual({ github: 1 });
    expect(s.audit).toEqual({ failedRounds: 0 });
    expect(upgradeState(s, 200)).toEqual(s);
  });
});

describe('event verdicts', () => {
  it('keeps a bounded list of the newest verdicts', () => {
    let s = initialState('E1');
    for (let i = 0; i < RECENT_EVENTS_LIMIT + 5; i++)
      s = recordVerdict(s, { eventId: `e${i}`, verdict: i % 2 ? 'stale' : 'accepted', atMs: i });
    expect(s.recentEvents).toHaveLength(RECENT_EVENTS_LIMIT);
    expect(s.recentEvents[0]!.eventId).toBe('e5');
    expect(s.recentEvents.at(-1)).toEqual({
      eventId: `e${RECENT_EVENTS_LIMIT + 4}`,
      verdict: 'accepted',
      atMs: RECENT_EVENTS_LIMIT + 4,
    });
  });
});

describe('why no deletion', () => {
  it('notes each waiting deletion as held on its termination when a hold is placed, and none on release', () => {
    let s = applyResult(
      initialState('E1'),
      result({
        kind: 'leaver',
        eventId: 'term-1',
        deletion: [{ app: 'github', deleteAtMs: 100, reversible: false, eventId: 'term-1' }],
      }),
    );
    s = placeHold(s, { caseId: 'LIT-7', reason: 'litigation' }, 10);
    expect(s.timeline.slice(-2)).toEqual([
      { atMs: 10, kind: 'legal-hold-placed', detail: 'case LIT-7: litigation' },
      { atMs: 10, kind: 'deletion-held', eventId: 'term-1', app: 'github', detail: 'held: case LIT-7' },
    ]);
    expect(takeDueDeletions(s, 1000).due).toEqual([]);
    expect(releaseHold(s, 'OTHER', 11)).toBe(s);
    s = releaseHold(s, 'LIT-7', 12);
    expect(s.legalHold).toBeUndefined();
    expect(takeDueDeletions(s, 1000).due.map((d) => d.app)).toEqual(['github']);
  });

  it('notes deletions scheduled while a hold is already on', () => {
    let s = placeHold(initialState('E1'), { caseId: 'LIT-8' }, 1);
    s = applyResult(
      s,
      result({
        kind: 'leaver',
        eventId: 'term-2',
        completedAtMs: 5,
        deletion: [{ app: 'github', deleteAtMs: 100, reversible: false, eventId: 'term-2' }],
      }),
    );
    expect(s.timeline.at(-1)).toEqual({
      atMs: 5,
      kind: 'deletion-held',
      eventId: 'term-2',
      app: 'github',
      detail: 'held: case LIT-8',
    });
  });
});

describe('a run that failed as a whole', () => {
  it('marks its apps failed under its event and asks for an operator; a later success settles it', () => {
    let s = markRunFailed(initialState('E1'), {
      kind: 'leaver',
      eventId: 'term-1',
      apps: ['slack'],
      error: { type: 'LifecycleFailed', message: 'boom', nonRetryable: true },
      atMs: 3,
    });
    expect(s.accounts.slack).toMatchObject({ state: 'failed', failedLifecycle: 'leaver' });
    expect(s.lastEventByApp.slack).toBe('term-1');
    expect(s.attention).toEqual([
      { atMs: 3, reason: 'leaver run failed as a whole: boom', eventId: 'term-1', lifecycle: 'leaver' },
    ]);
    s = { ...s, attention: [{ atMs: 4, reason: 'x', app: 'slack' }, ...s.attention] };
    const partly = applyResult(
      s,
      result({
        kind: 'leaver',
        eventId: 'term-1',
        outcomes: [
          { app: 'slack', action: 'deactivated', atMs: 5 },
          { app: 'github', action: 'failed', atMs: 5 },
        ],
      }),
    );
    expect(partly.attention.map((a) => a.reason)).toEqual(['leaver run failed as a whole: boom']);
    s = applyResult(
      s,
      result({ kind: 'leaver', eventId: 'term-1', outcomes: [{ app: 'slack', action: 'deactivated', atMs: 5 }] }),
    );
    expect(s.attention).toEqual([]);
  });
});

function alertOf(message: string): AlertInput {
  return {
    kind: 'app-failed',
    employeeId: 'E1',
    workflowId: 'employee-E1',
    eventId: 'term-1',
    app: 'github',
    message,
    atMs: 1,
  };
}

describe('alerts are best effort', () => {
  it('keeps an undelivered alert with a growing back-off, records each failed round, and drops it once delivered', () => {
    let s = enqueueAlert(initialState('E1'), alertOf('github failed'), 0);
    const first = dueAlert(s, 0)!;
    s = alertFailed(s, first, 'alert webhook answered HTTP 404', 0);
    expect(s.outbox).toEqual([
      {
        alert: alertOf('github failed'),
        attempts: 1,
        nextAttemptAtMs: 60_000,
        lastError: 'alert webhook answered HTTP 404',
      },
    ]);
    expect(s.timeline.at(-1)).toMatchObject({ kind: 'alert-failed', eventId: 'term-1', app: 'github' });
    expect(dueAlert(s, 59_999)).toBeUndefined();
    const second = dueAlert(s, 60_000)!;
    s = alertFailed(s, second, 'HTTP 500', 60_000);
    expect(s.outbox[0]).toMatchObject({ attempts: 2, nextAttemptAtMs: 60_000 + 5 * 60_000 });
    s = alertDelivered(s, dueAlert(s, 10 * 60_000)!);
    expect(s.outbox).toEqual([]);
  });

  it('gives an alert up after the last round, recording that and asking for an operator', () => {
    let s = enqueueAlert(initialState('E1'), alertOf('x'), 0);
    for (let round = 0; round < ALERT_MAX_ROUNDS; round++) s = alertFailed(s, s.outbox[0]!, 'HTTP 500', round);
    expect(s.outbox).toEqual([]);
    expect(s.timeline.at(-1)!.detail).toMatch(/given up after 12 delivery rounds/);
    expect(s.attention).toHaveLength(1);
  });
});

describe('audit hand-off after the fact', () => {
  it('records the first failure of a streak once, backs off, and notes the recovery', () => {
    let s = appendTimeline(initialState('E1'), filler(3));
    let r = auditFailed(s, '22P05 unsupported Unicode escape sequence', 100);
    expect(r.startedFailing).toBe(true);
    s = r.state;
    expect(s.timeline.at(-1)).toMatchObject({ kind: 'audit-failed' });
    expect(auditHealth(s)).toEqual({
      state: 'failing',
      unaudited: 4,
      failingSinceMs: 100,
      lastError: '22P05 unsupported Unicode escape sequence',
      nextAttemptAtMs: 30_100,
    });
    r = auditFailed(s, 'again', 30_100);
    expect(r.startedFailing).toBe(false);
    expect(r.state.timeline).toHaveLength(s.timeline.length);
    expect(r.state.audit.nextAttemptAtMs).toBe(30_100 + 60_000);
    s = auditSucceeded(r.state, r.state.timelineSeq, 90_000);
    expect(s.timeline.at(-1)).toMatchObject({ kind: 'audit-recovered' });
    expect(auditHealth(s)).toEqual({ state: 'ok', unaudited: 1 });
  });
});

describe("a leaver's recheck trying its memberships again", () => {
  const leftBehind = (): EmployeeState => {
    const base = initialState('E1');
    return {
      ...base,
      accounts: {
        slack: {
          app: 'slack',
          state: 'deactivated',
          scimId: 'U1',
          groups: ['all-staff', 'dept-Sales'],
          groupIds: { 'all-staff': 'G1', 'dept-Sales': 'G2' },
          lastChangeAtMs: 1,
        },
      },
      attention: [
        {
          atMs: 1,
          reason: 'slack still lists E1',
          eventId: 'T1',
          lifecycle: 'leaver',
          app: 'slack',
          kind: 'groups-not-removed',
        },
        { atMs: 1, reason: 'slack failed', eventId: 'T0', lifecycle: 'joiner', app: 'slack' },
        {
          atMs: 1,
          reason: 'github still lists E1',
          eventId: 'T1',
          lifecycle: 'leaver',
          app: 'github',
          kind: 'groups-not-removed',
        },
      ],
    };
  };
  const recheck = (groupRemovals: AppOutcome['groupRemovals']): AppOutcome => ({
    app: 'slack',
    action: 'deactivated',
    scimId: 'U1',
    atMs: 5,
    groupRemovals,
  });

  it('all removed: the account lists none, and only the entry about those memberships is settled', () => {
    const s = applyRecheckRemovals(
      leftBehind(),
      recheck([
        { group: 'all-staff', groupId: 'G1', removed: true, proof: 'read-back' },
        { group: 'dept-Sales', groupId: 'G2', removed: true, proof: 'response' },
      ]),
      'T1',
    );
    expect(s.accounts.slack).toMatchObject({ groups: [], groupIds: {}, state: 'deactivated' });
    expect(s.attention.map((a) => a.reason)).toEqual(['slack failed', 'github still lists E1']);
    expect(s.timeline.map((t) => [t.kind, t.group, t.eventId, t.lifecycle])).toEqual([
      ['group-removed', 'all-staff', 'T1', 'leaver'],
      ['group-removed', 'dept-Sales', 'T1', 'leaver'],
    ]);
  });

  it('some still not removed: the account lists them and the operator entry stays', () => {
    const error = { type: 'SCIM_RATE_LIMITED', message: 'HTTP 429', nonRetryable: false };
    const s = applyRecheckRemovals(
      leftBehind(),
      recheck([
        { group: 'all-staff', groupId: 'G1', removed: true, proof: 'read-back' },
        { group: 'dept-Sales', groupId: 'G2', removed: false, error },
      ]),
      'T1',
    );
    expect(s.accounts.slack).toMatchObject({ groups: ['dept-Sales'], groupIds: { 'dept-Sales': 'G2' } });
    expect(s.attention).toEqual(leftBehind().attention);
    expect(s.timeline.map((t) => t.kind)).toEqual(['group-removed', 'group-removal-failed']);
  });

  it('nothing tried (the policy keeps memberships, or none were left): the state is unchanged', () => {
    const before = leftBehind();
    expect(applyRecheckRemovals(before, recheck(undefined), 'T1')).toBe(before);
    expect(applyRecheckRemovals(before, recheck([]), 'T1')).toBe(before);
  });
});
