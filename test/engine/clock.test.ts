import { EngineClock, TimerHeap, type ClockTimer } from '../../engine/clock';

const tick = () => new Promise((r) => setImmediate(r));

describe('EngineClock', () => {
  it('never fires a due timer from inside schedule() (callers register state after it returns)', async () => {
    const clock = new EngineClock(false);
    const fired: string[] = [];
    clock.schedule(clock.now() - 1, () => fired.push('a'));
    expect(fired).toEqual([]);
    await tick();
    expect(fired).toEqual(['a']);
    clock.stop();
  });

  it('in time-skipping mode jumps to the next timer only when unlocked and nothing is in flight', async () => {
    const clock = new EngineClock(true);
    const start = clock.now();
    let fired = false;
    clock.schedule(start + 30 * 24 * 3600_000, () => (fired = true));
    await tick();
    await tick();
    expect(fired).toBe(false); // starts locked
    clock.setInFlight(1);
    expect(clock.unlock()).toBe(true);
    await tick();
    await tick();
    expect(fired).toBe(false); // work in flight holds time
    clock.setInFlight(0);
    for (let i = 0; i < 5 && !fired; i++) await tick();
    expect(fired).toBe(true);
    expect(clock.now() - start).toBeGreaterThanOrEqual(30 * 24 * 3600_000);
    expect(clock.unlock()).toBe(false);
    clock.stop();
  });

  it('reports a throwing timer callback instead of crashing', async () => {
    const clock = new EngineClock(false);
    const errors: unknown[] = [];
    clock.onError = (err) => errors.push(err);
    clock.schedule(clock.now(), () => {
      throw new Error('boom');
    });
    await tick();
    await tick();
    expect(errors).toEqual([new Error('boom')]);
    clock.stop();
  });
});

describe('TimerHeap', () => {
  /** A small deterministic generator, so a failure reproduces. */
  function lcg(seed: number): () => number {
    let x = seed;
    return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  }

  it('always yields the earliest pending timer (ties by id) through random arming, cancelling and firing', () => {
    const rnd = lcg(42);
    const heap = new TimerHeap();
    const reference = new Map<number, ClockTimer>();
    const earliest = () =>
      [...reference.values()].sort((a, b) => a.atMs - b.atMs || a.id - b.id)[0] as ClockTimer | undefined;
    let nextId = 1;
    for (let step = 0; step < 5000; step++) {
      const r = rnd();
      if (r < 0.5) {
        // Few distinct times, so ties are common.
        const timer = { id: nextId++, atMs: Math.floor(rnd() * 50), fire: () => undefined };
        heap.push(timer);
        reference.set(timer.id, timer);
      } else if (r < 0.8) {
        const id = 1 + Math.floor(rnd() * nextId);
        expect(heap.remove(id)).toBe(reference.delete(id));
      } else {
        const expected = earliest();
        expect(heap.pop()?.id).toBe(expected?.id);
        if (expected) reference.delete(expected.id);
      }
      expect(heap.size).toBe(reference.size);
      expect(heap.peek()?.id).toBe(earliest()?.id);
    }
  });

  it('removing an id twice, or one never armed, is a no-op', () => {
    const heap = new TimerHeap();
    heap.push({ id: 1, atMs: 10, fire: () => undefined });
    heap.push({ id: 2, atMs: 5, fire: () => undefined });
    expect(heap.remove(2)).toBe(true);
    expect(heap.remove(2)).toBe(false);
    expect(heap.remove(99)).toBe(false);
    expect(heap.pop()?.id).toBe(1);
    expect(heap.pop()).toBeUndefined();
  });
});

describe('EngineClock timer order', () => {
  it('fires due timers earliest first, ties in arming order, and never a cancelled one', async () => {
    const clock = new EngineClock(false);
    const now = clock.now();
    const fired: string[] = [];
    clock.schedule(now - 1, () => fired.push('c1'));
    const cancelled = clock.schedule(now - 5, () => fired.push('cancelled'));
    clock.schedule(now - 5, () => fired.push('a1'));
    clock.schedule(now - 5, () => fired.push('a2'));
    clock.schedule(now - 3, () => fired.push('b'));
    clock.schedule(now + 3_600_000, () => fired.push('later'));
    clock.cancel(cancelled);
    clock.cancel(cancelled);
    await tick();
    expect(fired).toEqual(['a1', 'a2', 'b', 'c1']);
    clock.stop();
  });
});
