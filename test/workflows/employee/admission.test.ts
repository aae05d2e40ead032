import { appsToRevoke, invalidReason, isTermination, liveApps } from '../../../workflows/employee/admission';
import { initialState, type EmployeeState } from '../../../workflows/employee/state';
import type { HrEvent } from '../../../lib/hr/event';

const employee = { employeeId: 'E1', givenName: 'A', familyName: 'B', status: 'active' as const };
const event = (over: Partial<HrEvent> = {}): HrEvent => ({ eventId: 'e1', type: 'terminate', effectiveAt: '2026-11-30T12:00:00Z', employee, ...over });

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
    expect(invalidReason({ ...event(), employee: undefined } as unknown as HrEvent, 'E1')).toBe('the event has no employee record');
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
