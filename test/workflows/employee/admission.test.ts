import {
  appsToRevoke,
  invalidReason,
  isTermination,
  liveApps,
  waitingTermination,
} from '../../../workflows/employee/admission';
import { DEFAULT_ORDERING_LIMITS } from '../../../workflows/employee/ordering';
import { markPreempted, receiveEvent } from '../../../workflows/employee/state';
import { initialState, type EmployeeState } from '../../../workflows/employee/state';
import type { HrEvent } from '../../../lib/hr/event';

const employee = { employeeId: 'E1', givenName: 'A', familyName: 'B', status: 'active' as const };
const event = (over: Partial<HrEvent> = {}): HrEvent => ({
  eventId: 'e1',
  type: 'terminate',
  effectiveAt: '2026-11-30T12:00:00Z',
  employee,
  ...over,
});

function withAccounts(status: 'active' | 'terminated'): EmployeeState {
  return {
    ...initialState('E1'),
    snapshot: { ...employee, status },
    accounts: {
      slack: { app: 'slack', state: 'deactivated', groups: [], lastChangeAtMs: 1 },
      github: { app: 'github', state: 'failed', failedLifecycle: 'leaver', groups: [], lastChangeAtMs: 1 },
      canva: { app: 'canva', state: 'active', groups: [], lastChangeAtMs: 1 },
      box: { app: 'box', state: 'failed', failedLifecycle: 'deletion', groups: [], lastChangeAtMs: 1 },
    },
  };
}

describe('admission checks in the employee workflow', () => {
  it('names what makes an event unusable', () => {
    expect(invalidReason(event(), 'E1')).toBeUndefined();
    expect(invalidReason(event(), 'E2')).toBe('the event is for employee E1, not E2');
    expect(invalidReason(event({ effectiveAt: 'soon' }), 'E1')).toBe('effectiveAt "soon" is not a date-time');
    expect(invalidReason(event({ type: 'cancel' }), 'E1')).toBe('a cancel event needs cancelsEventId');
    expect(invalidReason({ ...event(), employee: undefined } as unknown as HrEvent, 'E1')).toBe(
      'the event has no employee record',
    );
  });

  it('recognises terminations by type or by a snapshot saying terminated', () => {
    expect(isTermination(event())).toBe(true);
    expect(isTermination(event({ type: undefined, employee: { ...employee, status: 'terminated' } }))).toBe(true);
    expect(isTermination(event({ type: 'update' }))).toBe(false);
  });

  it('revokes what may still grant access while HR says terminated, nothing while HR says active', () => {
    expect(liveApps(withAccounts('active'))).toEqual(['canva', 'github']);
    expect(appsToRevoke(withAccounts('terminated'))).toEqual(['canva', 'github']);
    expect(appsToRevoke(withAccounts('active'))).toEqual([]);
    expect(appsToRevoke(initialState('E1'))).toEqual([]);
  });
});

describe('preemption by a termination', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  const base = { ...initialState('E1'), seenEventIds: ['h1'], lastVersion: { sequence: 1 } };

  it('names an admissible termination due now, and nothing else', () => {
    expect(
      waitingTermination(receiveEvent(base, event({ eventId: 't1', sequence: 2 }), now), now, DEFAULT_ORDERING_LIMITS),
    ).toBe('t1');
    const later = event({ eventId: 't2', sequence: 2, effectiveAt: '2026-12-01T12:00:00Z' });
    expect(waitingTermination(receiveEvent(base, later, now), now, DEFAULT_ORDERING_LIMITS)).toBeUndefined();
    expect(
      waitingTermination(receiveEvent(base, event({ eventId: 't3', sequence: 0 }), now), now, DEFAULT_ORDERING_LIMITS),
    ).toBeUndefined();
    expect(
      waitingTermination(receiveEvent(base, event({ eventId: 'h1', sequence: 3 }), now), now, DEFAULT_ORDERING_LIMITS),
    ).toBeUndefined();
    expect(
      waitingTermination(
        receiveEvent(base, event({ eventId: 'u1', type: 'update', sequence: 3 }), now),
        now,
        DEFAULT_ORDERING_LIMITS,
      ),
    ).toBeUndefined();
  });

  it('marks every app the cut-short run may have touched, unless known active', () => {
    const s = markPreempted(withAccounts('active'), {
      kind: 'rehire',
      eventId: 'r1',
      apps: ['slack', 'canva', 'zoom'],
      byEventId: 't1',
      atMs: 9,
    });
    expect(s.accounts.slack).toMatchObject({
      state: 'failed',
      failedLifecycle: 'rehire',
      lastError: { type: 'Preempted' },
    });
    expect(s.accounts.zoom).toMatchObject({ app: 'zoom', state: 'failed', groups: [] });
    expect(s.accounts.canva!.state).toBe('active');
    expect(s.lastEventByApp).toEqual({ slack: 'r1', zoom: 'r1' });
    expect(s.timeline.at(-1)).toEqual({
      atMs: 9,
      kind: 'lifecycle-failed',
      eventId: 'r1',
      lifecycle: 'rehire',
      detail: 'cut short by termination t1',
    });
    expect(liveApps({ ...s, snapshot: { ...employee, status: 'terminated' } })).toEqual([
      'canva',
      'github',
      'slack',
      'zoom',
    ]);
  });

  it('adds the groups the cut-short run was to add, so the leaver removes them', () => {
    const plannedGroups = { slack: ['all-staff', 'dept-Sales'], zoom: ['webinar'], canva: ['brand'] };
    const s = markPreempted(withAccounts('active'), {
      kind: 'joiner',
      eventId: 'j1',
      apps: ['slack', 'canva', 'zoom'],
      byEventId: 't1',
      atMs: 9,
      plannedGroups,
    });
    expect(s.accounts.zoom).toMatchObject({ state: 'failed', groups: ['webinar'] });
    expect(s.accounts.slack!.groups).toEqual(expect.arrayContaining(['all-staff', 'dept-Sales']));
    expect(s.accounts.canva).toMatchObject({ state: 'active', groups: expect.arrayContaining(['brand']) });
  });
});
