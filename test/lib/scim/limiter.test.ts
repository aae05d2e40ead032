/** Token bucket and concurrency limit under jest's fake clock (no wall-clock assertions). */
import { Semaphore, TokenBucket } from '../../../lib/scim';

beforeEach(() => {
  jest.useFakeTimers({ now: 0 });
});
afterEach(() => {
  jest.useRealTimers();
});

function track(p: Promise<unknown>): { done: boolean; error?: unknown } {
  const state: { done: boolean; error?: unknown } = { done: false };
  p.then(
    () => (state.done = true),
    (e: unknown) => {
      state.done = true;
      state.error = e;
    },
  );
  return state;
}

test('the burst is granted at once, then one token per 1/rate seconds', async () => {
  const bucket = new TokenBucket(2, 3, () => Date.now());
  const grants = Array.from({ length: 5 }, () => track(bucket.acquire()));
  await jest.advanceTimersByTimeAsync(0);
  expect(grants.map((g) => g.done)).toEqual([true, true, true, false, false]);
  await jest.advanceTimersByTimeAsync(499);
  expect(grants[3]!.done).toBe(false);
  await jest.advanceTimersByTimeAsync(1);
  expect(grants.map((g) => g.done)).toEqual([true, true, true, true, false]);
  await jest.advanceTimersByTimeAsync(500);
  expect(grants[4]!.done).toBe(true);
});

test('waiters are served first come, first served', async () => {
  const bucket = new TokenBucket(1, 1, () => Date.now());
  const order: number[] = [];
  await bucket.acquire();
  const all = [1, 2, 3].map((n) => bucket.acquire().then(() => order.push(n)));
  await jest.advanceTimersByTimeAsync(3000);
  await Promise.all(all);
  expect(order).toEqual([1, 2, 3]);
});

test('an aborted wait leaves the queue and the next waiter gets its token', async () => {
  const bucket = new TokenBucket(1, 1, () => Date.now());
  await bucket.acquire();
  const ac = new AbortController();
  const cancelled = track(bucket.acquire(ac.signal));
  const next = track(bucket.acquire());
  ac.abort(new Error('activity cancelled'));
  await jest.advanceTimersByTimeAsync(0);
  expect(cancelled).toMatchObject({ done: true, error: new Error('activity cancelled') });
  await jest.advanceTimersByTimeAsync(1000);
  expect(next).toEqual({ done: true });
});

test('an already aborted signal rejects without taking a token', async () => {
  const bucket = new TokenBucket(1, 1, () => Date.now());
  await expect(bucket.acquire(AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  const granted = track(bucket.acquire());
  await jest.advanceTimersByTimeAsync(0);
  expect(granted.done).toBe(true);
});

test('the semaphore never runs more than max at once and frees slots on failure', async () => {
  const sem = new Semaphore(2);
  let running = 0;
  let peak = 0;
  const task = (fail: boolean) =>
    sem.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      if (fail) throw new Error('boom');
    });
  const settled = Promise.allSettled([task(true), task(false), task(true), task(false), task(false)]);
  await jest.advanceTimersByTimeAsync(100);
  const results = await settled;
  expect(peak).toBe(2);
  expect(results.filter((r) => r.status === 'rejected')).toHaveLength(2);
});

test('a released slot goes to the waiter, not to a newcomer arriving at the same moment', async () => {
  const sem = new Semaphore(1);
  let running = 0;
  let peak = 0;
  const order: string[] = [];
  const task = (name: string) =>
    sem.run(async () => {
      running++;
      peak = Math.max(peak, running);
      order.push(name);
      await Promise.resolve();
      running--;
    });
  const first = task('first');
  const waiter = task('waiter');
  await first;
  const newcomer = task('newcomer');
  await Promise.all([waiter, newcomer]);
  expect(peak).toBe(1);
  expect(order).toEqual(['first', 'waiter', 'newcomer']);
});

test('an urgent waiter (a request taking access away) gets the next token before earlier ones', async () => {
  const bucket = new TokenBucket(1, 1, () => Date.now());
  const order: string[] = [];
  await bucket.acquire();
  const all = [
    bucket.acquire().then(() => order.push('create-1')),
    bucket.acquire().then(() => order.push('create-2')),
    bucket.acquire(undefined, true).then(() => order.push('deactivate')),
    bucket.acquire().then(() => order.push('create-3')),
  ];
  // Still one token a second: urgency changes the order, never the rate.
  await jest.advanceTimersByTimeAsync(1000);
  expect(order).toEqual(['deactivate']);
  await jest.advanceTimersByTimeAsync(3000);
  await Promise.all(all);
  expect(order).toEqual(['deactivate', 'create-1', 'create-2', 'create-3']);
});

test('an aborted urgent wait leaves its line and the others are served in order', async () => {
  const bucket = new TokenBucket(1, 1, () => Date.now());
  await bucket.acquire();
  const ac = new AbortController();
  const order: string[] = [];
  const cancelled = track(bucket.acquire(ac.signal, true));
  const normal = bucket.acquire().then(() => order.push('create'));
  const urgent = bucket.acquire(undefined, true).then(() => order.push('deactivate'));
  ac.abort(new Error('activity cancelled'));
  await jest.advanceTimersByTimeAsync(2000);
  await Promise.all([normal, urgent]);
  expect(cancelled).toMatchObject({ done: true, error: new Error('activity cancelled') });
  expect(order).toEqual(['deactivate', 'create']);
});

test('a freed concurrency slot goes to an urgent waiter before earlier ones', async () => {
  const sem = new Semaphore(1);
  const order: string[] = [];
  let release: () => void = () => undefined;
  const first = sem.run(() => new Promise<void>((r) => (release = r)));
  const waiters = [
    sem.run(async () => void order.push('create-1')),
    sem.run(async () => void order.push('create-2')),
    sem.run(async () => void order.push('deactivate'), undefined, true),
  ];
  await jest.advanceTimersByTimeAsync(0);
  release();
  await Promise.all([first, ...waiters]);
  expect(order).toEqual(['deactivate', 'create-1', 'create-2']);
});
