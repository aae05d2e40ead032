import { EngineClock } from '../../engine/clock';

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
