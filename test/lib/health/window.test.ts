import { OutcomeWindow, type QuarantineThresholds } from '../../../lib/health/window';

const T: QuarantineThresholds = { enabled: true, windowMs: 60_000, authFailures: 3, failureRatio: 0.8, minRequests: 5 };

describe('OutcomeWindow', () => {
  it('trips on the Nth authentication refusal within the window, and names it', () => {
    const w = new OutcomeWindow();
    expect(w.record('auth', 0, T, 'HTTP 401 a')).toBeUndefined();
    expect(w.record('ok', 1_000, T)).toBeUndefined();
    expect(w.record('auth', 2_000, T, 'HTTP 401 b')).toBeUndefined();
    expect(w.record('auth', 3_000, T, 'HTTP 401 c')).toEqual({
      cause: 'auth',
      reason: '3 authentication refusals (401/403) in 1 min (last: HTTP 401 c)',
    });
    // Emptied after a trip: the next refusal starts counting again.
    expect(w.counts()).toEqual({ total: 0, failed: 0, auth: 0 });
    expect(w.record('auth', 4_000, T)).toBeUndefined();
  });

  it('forgets outcomes older than the window', () => {
    const w = new OutcomeWindow();
    w.record('auth', 0, T);
    w.record('auth', 30_000, T);
    // The first refusal is 60 s old now: out of the window.
    expect(w.record('auth', 60_000, T)).toBeUndefined();
    expect(w.counts().auth).toBe(2);
    expect(w.record('auth', 61_000, T)?.cause).toBe('auth');
  });

  it('trips on the failure ratio only once enough requests were made', () => {
    const w = new OutcomeWindow();
    for (let i = 0; i < 4; i++) expect(w.record('failure', i, T, 'HTTP 503')).toBeUndefined();
    // 5 requests, 5 failed (100 % ≥ 80 %): now there are enough to judge.
    expect(w.record('failure', 10, T, 'HTTP 503')).toEqual({
      cause: 'failure-ratio',
      reason: '5 of 5 requests failed in 1 min (last: HTTP 503)',
    });
  });

  it('does not trip while most requests succeed', () => {
    const w = new OutcomeWindow();
    for (let i = 0; i < 50; i++) expect(w.record(i % 2 === 0 ? 'failure' : 'ok', i, T)).toBeUndefined();
    expect(w.counts()).toEqual({ total: 50, failed: 25, auth: 0 });
  });

  it('counts refusals toward the ratio too, but never trips when disabled', () => {
    const off = { ...T, enabled: false };
    const w = new OutcomeWindow();
    for (let i = 0; i < 10; i++) expect(w.record('auth', i, off)).toBeUndefined();
    expect(w.counts()).toEqual({ total: 10, failed: 10, auth: 10 });
    const mixed = new OutcomeWindow();
    const noAuthTrip = { ...T, authFailures: 100 };
    for (let i = 0; i < 4; i++) mixed.record(i % 2 ? 'auth' : 'failure', i, noAuthTrip);
    expect(mixed.record('failure', 5, noAuthTrip)?.cause).toBe('failure-ratio');
  });

  it('keeps memory bounded under a flood of outcomes', () => {
    const w = new OutcomeWindow();
    const wide = { ...T, windowMs: 10 ** 9, minRequests: 10 ** 9 };
    for (let i = 0; i < 25_000; i++) w.record('ok', i, wide);
    expect(w.counts().total).toBe(10_000);
  });
});
