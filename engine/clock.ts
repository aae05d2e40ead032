/**
 * The engine's one clock. Real-time mode follows the wall clock. Time-skipping mode follows it
 * too, plus jumps: whenever skipping is unlocked and nothing is in flight (no workflow task
 * outstanding, no activity scheduled or running), time jumps to the next timer — the semantics
 * of Temporal's Java test server, which the SDK's time-skipping client and `env.sleep` expect.
 */
export interface ClockTimer {
  id: number;
  atMs: number;
  fire: () => void;
}

export class EngineClock {
  private skippedMs = 0;
  private readonly timers = new Map<number, ClockTimer>();
  private nextId = 1;
  private wallTimer: NodeJS.Timeout | undefined;
  private wallTimerAt = Infinity;
  /** Starts locked, like the Java test server: only an explicit unlock lets time jump. */
  private locks: number;
  private inFlightCount = 0;
  private skipScheduled = false;
  private pokeScheduled = false;
  /** A timer callback that throws is reported here instead of crashing the process. */
  onError: (err: unknown) => void = (err) => console.error('engine timer failed:', err);
  private stopped = false;

  constructor(readonly timeSkipping: boolean) {
    this.locks = timeSkipping ? 1 : 0;
  }

  now(): number {
    return Date.now() + this.skippedMs;
  }

  /** Arms a timer. Never fires anything synchronously: callers register state after this returns. */
  schedule(atMs: number, fire: () => void): number {
    const id = this.nextId++;
    this.timers.set(id, { id, atMs, fire });
    this.poke();
    return id;
  }

  cancel(id: number | undefined): void {
    if (id === undefined) return;
    this.timers.delete(id);
  }

  lock(): void {
    this.locks++;
  }

  /** @returns false when time skipping was not locked (the caller reports the misuse). */
  unlock(): boolean {
    if (this.locks === 0) return false;
    this.locks--;
    this.poke();
    return true;
  }

  /** Work in flight holds time still (a workflow task, a scheduled or running activity). */
  setInFlight(count: number): void {
    this.inFlightCount = count;
    if (count === 0) this.poke();
  }

  /**
   * Re-evaluates timers on a fresh macrotask: firing from inside schedule()/unlock() would run
   * engine callbacks re-entrantly, in the middle of the engine code that armed them.
   */
  private poke(): void {
    if (this.pokeScheduled || this.stopped) return;
    this.pokeScheduled = true;
    setImmediate(() => {
      this.pokeScheduled = false;
      this.reschedule();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.wallTimer) clearTimeout(this.wallTimer);
    this.timers.clear();
  }

  private earliest(): ClockTimer | undefined {
    let best: ClockTimer | undefined;
    for (const t of this.timers.values())
      if (!best || t.atMs < best.atMs || (t.atMs === best.atMs && t.id < best.id)) best = t;
    return best;
  }

  /** Fires what is due, then arms a wall-clock wake-up or (when allowed) a jump. */
  private reschedule(): void {
    if (this.stopped) return;
    this.fireDue();
    const next = this.earliest();
    if (!next) return;
    if (this.canSkip()) {
      if (!this.skipScheduled) {
        this.skipScheduled = true;
        // A macrotask later, so work triggered by the last event can register as in flight first.
        setImmediate(() => {
          this.skipScheduled = false;
          const target = this.earliest();
          if (!target || !this.canSkip()) return this.reschedule();
          const delta = target.atMs - this.now();
          if (delta > 0) this.skippedMs += delta;
          this.reschedule();
        });
      }
      return;
    }
    if (this.wallTimer && this.wallTimerAt <= next.atMs) return;
    if (this.wallTimer) clearTimeout(this.wallTimer);
    this.wallTimerAt = next.atMs;
    this.wallTimer = setTimeout(
      () => {
        this.wallTimer = undefined;
        this.wallTimerAt = Infinity;
        this.reschedule();
      },
      Math.max(0, Math.min(next.atMs - this.now(), 2_147_000_000)),
    );
    this.wallTimer.unref?.();
  }

  private canSkip(): boolean {
    return this.timeSkipping && this.locks === 0 && this.inFlightCount === 0;
  }

  private fireDue(): void {
    for (;;) {
      const next = this.earliest();
      if (!next || next.atMs > this.now()) return;
      this.timers.delete(next.id);
      try {
        next.fire();
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
