/**
 * The steps of `jml scim check`: each runs one client call and records the HTTP exchanges it
 * caused (from the registry's `onRequest`), so the report shows status and latency per request.
 */
import type { ScimRequestInfo } from '../transport';

/** One step of the check. */
export interface CheckStep {
  name: string;
  ok: boolean;
  /** What the step found ("found u-123", "PUT fallback"), or the error message. */
  outcome: string;
  requests: ScimRequestInfo[];
}

/** Collects exchanges per step; the check runs its steps one after another. */
export class StepRecorder {
  readonly steps: CheckStep[] = [];
  private current: ScimRequestInfo[] = [];

  /** Give this to `ScimClients({ onRequest })`. */
  readonly onRequest = (info: ScimRequestInfo): void => {
    this.current.push(info);
  };

  /** Runs `fn`; a thrown error marks the step failed and is returned as `undefined`. */
  async step<T>(
    name: string,
    fn: () => Promise<T>,
    describe: (value: T) => string = () => 'ok',
  ): Promise<{ ok: true; value: T } | { ok: false }> {
    this.current = [];
    try {
      const value = await fn();
      this.steps.push({ name, ok: true, outcome: describe(value), requests: this.current });
      return { ok: true, value };
    } catch (err) {
      this.steps.push({ name, ok: false, outcome: (err as Error).message, requests: this.current });
      return { ok: false };
    }
  }

  /** True when any step failed. */
  get failed(): boolean {
    return this.steps.some((s) => !s.ok);
  }
}
