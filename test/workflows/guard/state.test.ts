/** The mass-change guard's pure decisions: counting in the window, limits, hold episodes, approval. */
import type { GuardPolicy } from '../../../lib/config/types';
import type { PermitRequest } from '../../../lib/temporal/contract';
import {
  appLimit,
  approve,
  checkApprove,
  describeGuard,
  initialGuardState,
  prune,
  reportChanges,
  requestPermit,
  totalLimit,
  withdraw,
  type GuardSettingsState,
  type GuardState,
} from '../../../workflows/guard/state';

const HOUR = 3_600_000;
const policy = (p: Partial<GuardPolicy> = {}): GuardPolicy => ({
  windowMs: HOUR,
  maxCount: 3,
  holdHrTerminations: false,
  allApps: {},
  apps: {},
  ...p,
});
const settings = (p: Partial<GuardPolicy> = {}, accounts: Record<string, number> = {}): GuardSettingsState => ({
  policy: policy(p),
  apps: ['github', 'slack'],
  accounts,
});
const req = (n: number, app = 'slack'): PermitRequest => ({
  requestId: `leaver-E${n}/${app}/deactivate`,
  requesterWorkflowId: `leaver-E${n}`,
  app,
  action: 'deactivate',
  employeeId: `E${n}`,
  eventId: `roster-R1-E${n}`,
  cause: 'inferred-termination',
  rosterId: 'R1',
});

function ask(s: GuardState, set: GuardSettingsState, n: number, at: number, app = 'slack') {
  return requestPermit(s, set, req(n, app), at);
}

describe('limits', () => {
  test('the lower of maxCount and maxPercent of the known accounts, never under 1; unknown accounts: count only', () => {
    expect(appLimit(settings({ maxCount: 50, maxPercent: 10 }, { slack: 200 }), 'slack')).toBe(20);
    expect(appLimit(settings({ maxCount: 5, maxPercent: 10 }, { slack: 200 }), 'slack')).toBe(5);
    expect(appLimit(settings({ maxCount: 5, maxPercent: 10 }), 'slack')).toBe(5);
    expect(appLimit(settings({ maxCount: undefined, maxPercent: 10 }), 'slack')).toBeUndefined();
    expect(appLimit(settings({ maxPercent: 10 }, { slack: 3 }), 'slack')).toBe(1);
    expect(appLimit(settings({ apps: { slack: { maxCount: 1 } } }), 'slack')).toBe(1);
    expect(appLimit(settings({ apps: { slack: { maxCount: 1 } } }), 'github')).toBe(3);
    expect(totalLimit(settings({ allApps: { maxPercent: 50 } }, { slack: 10, github: 10 }))).toBe(10);
    expect(totalLimit(settings())).toBeUndefined();
  });
});

describe('permits', () => {
  test('granted under the limit, then held as one episode with one alert; a resent request is not counted twice', () => {
    const set = settings();
    let s = initialGuardState();
    for (const n of [1, 2, 3]) {
      const o = ask(s, set, n, 1000 + n);
      expect(o.answers).toEqual([{ to: `leaver-E${n}`, answer: expect.objectContaining({ decision: 'granted' }) }]);
      s = o.state;
    }
    expect(ask(s, set, 1, 2000).state.entries.slack).toHaveLength(3);
    const fourth = ask(s, set, 4, 2000);
    expect(fourth.answers[0]!.answer).toEqual(
      expect.objectContaining({ decision: 'held', reason: expect.stringContaining('jml app approve slack') }),
    );
    expect(fourth.alerts).toEqual([expect.objectContaining({ app: 'slack', kind: 'mass-change-held' })]);
    const fifth = ask(fourth.state, set, 5, 2001);
    expect(fifth.alerts).toEqual([]);
    expect(fifth.state.held.slack!.requests.map((r) => r.employeeId)).toEqual(['E4', 'E5']);
    // Another app is judged on its own.
    expect(ask(fifth.state, set, 6, 2002, 'github').answers[0]!.answer.decision).toBe('granted');
    // While held, requests join the episode even after the window has slid on.
    expect(ask(fifth.state, set, 7, 2 * HOUR + 10).answers[0]!.answer.decision).toBe('held');
  });

  test('the window slides: old changes stop counting', () => {
    const set = settings({ maxCount: 1 });
    const first = ask(initialGuardState(), set, 1, 0);
    expect(ask(first.state, set, 2, HOUR - 1).answers[0]!.answer.decision).toBe('held');
    expect(ask(first.state, set, 2, HOUR + 1).answers[0]!.answer.decision).toBe('granted');
    expect(prune(first.state, set, HOUR + 1).entries).toEqual({});
  });

  test('the total across apps holds too', () => {
    const set = settings({ maxCount: 10, allApps: { maxCount: 2 } });
    let s = ask(initialGuardState(), set, 1, 1).state;
    s = ask(s, set, 2, 2, 'github').state;
    const third = ask(s, set, 3, 3);
    expect(third.answers[0]!.answer).toEqual(
      expect.objectContaining({ decision: 'held', reason: expect.stringContaining('across all apps') }),
    );
  });

  test('reports count, are never held, and passing a limit is alerted once', () => {
    const set = settings({ maxCount: 2 });
    const change = (n: number) => ({ app: 'slack', action: 'deactivate' as const, employeeId: `E${n}`, eventId: 'x' });
    const a = reportChanges(initialGuardState(), set, [change(1), change(2)], 1);
    expect(a.alerts).toEqual([]);
    const b = reportChanges(a.state, set, [change(3)], 2);
    expect(b.alerts).toEqual([expect.objectContaining({ kind: 'mass-change-threshold', app: 'slack' })]);
    expect(reportChanges(b.state, set, [change(4)], 3).alerts).toEqual([]);
    expect(ask(b.state, set, 5, 4).answers[0]!.answer.decision).toBe('held');
  });
});

describe('approval', () => {
  const set = settings({ maxCount: 1 });
  const held = () => ask(ask(ask(initialGuardState(), set, 1, 1).state, set, 2, 2).state, set, 3, 3).state;

  test('is refused when nothing is held for the app, naming what is held', () => {
    expect(checkApprove(initialGuardState(), 'slack')).toBe('nothing is held for slack');
    expect(checkApprove(held(), 'github')).toBe('nothing is held for github (held: slack)');
    expect(checkApprove(held(), 'slack')).toBeUndefined();
  });

  test('releases every held request, starts the window afresh and remembers who approved', () => {
    const done = approve(held(), 'slack', 10, 'ops');
    expect(done.result).toEqual({ app: 'slack', released: 2, heldSinceMs: 2, approvedAtMs: 10, approvedBy: 'ops' });
    expect(done.answers.map((a) => [a.to, a.answer.decision, a.answer.approvedBy])).toEqual([
      ['leaver-E2', 'granted', 'ops'],
      ['leaver-E3', 'granted', 'ops'],
    ]);
    expect(done.state.held).toEqual({});
    // A resent request of a released one is granted again; a new one starts a fresh count.
    expect(ask(done.state, set, 2, 11).answers[0]!.answer.decision).toBe('granted');
    const next = ask(done.state, set, 4, 11);
    expect(next.answers[0]!.answer.decision).toBe('granted');
    expect(ask(next.state, set, 5, 12).answers[0]!.answer.decision).toBe('held');
    expect(describeGuard(done.state, set, 10).apps.find((a) => a.app === 'slack')!.lastApproval).toEqual({
      atMs: 10,
      by: 'ops',
      released: 2,
    });
  });

  test('a withdrawn request leaves the episode; the last one ends it', () => {
    const s = withdraw(held(), 'leaver-E2/slack/deactivate');
    expect(s.held.slack!.requests.map((r) => r.employeeId)).toEqual(['E3']);
    expect(withdraw(s, 'leaver-E3/slack/deactivate').held).toEqual({});
  });
});
