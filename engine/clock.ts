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

/**
 * Pending timers ordered by (atMs, id) in a binary min-heap that knows each timer's position, so
 * the earliest is O(1) and arming, cancelling and firing are O(log n): a busy engine holds
 * thousands of timers (SLA deadlines, activity and workflow-task timeouts) and re-reads the
 * earliest after every change.
 */
export class TimerHeap {
  private readonly heap: ClockTimer[] = [];
  private readonly position = new Map<number, number>();

  get size(): number {
    return this.heap.length;
  }

  peek(): ClockTimer | undefined {
    return this.heap[0];
  }

  push(timer: ClockTimer): void {
    this.heap.push(timer);
    this.position.set(timer.id, this.heap.length - 1);
    this.up(this.heap.length - 1);
  }

  /** Removes the timer with this id; false when there is none (fired or cancelled already). */
  remove(id: number): boolean {
    const i = this.position.get(id);
    if (i === undefined) return false;
    this.position.delete(id);
    const last = this.heap.pop()!;
    if (i < this.heap.length) {
      this.heap[i] = last;
      this.position.set(last.id, i);
      this.down(i);
      this.up(i);
    }
    return true;
  }

  pop(): ClockTimer | undefined {
    const top = this.heap[0];
    if (top) this.remove(top.id);
    return top;
  }

  clear(): void {
    this.heap.length = 0;
    this.position.clear();
  }

  private less(a: ClockTimer, b: ClockTimer): boolean {
    return a.atMs < b.atMs || (a.atMs === b.atMs && a.id < b.id);
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i];
    const b = this.heap[j];
    this.heap[i] = b;
    this.heap[j] = a;
    this.position.set(b.id, i);
    this.position.set(a.id, j);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.heap[i], this.heap[parent])) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(this.heap[l], this.heap[m])) m = l;
      if (r < n && this.less(this.heap[r], this.heap[m])) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}

export class EngineClock {
  private skippedMs = 0;
  private readonly timers = new TimerHeap();
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
    this.timers.push({ id, atMs, fire });
    this.poke();
    return id;
  }

  cancel(id: number | undefined): void {
    if (id === undefined) return;
    this.timers.remove(id);
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
    return this.timers.peek();
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
      this.timers.pop();
      try {
        next.fire();
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
