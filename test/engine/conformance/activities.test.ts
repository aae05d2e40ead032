/**
 * Conformance: activities — retries with backoff, non-retryable errors, nextRetryDelay,
 * schedule-to-close / start-to-close / heartbeat timeouts, heartbeat details across attempts,
 * cancellation delivered through heartbeats. Failure chains are asserted in full.
 */
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  RetryState,
  TimeoutFailure,
  TimeoutType,
} from '@temporalio/common';
import { deferred, eventually, startHarness, type Harness } from './harness';

jest.setTimeout(60_000);

const attempts = new Map<string, number[]>();
const record = (key: string): number => {
  const n = Context.current().info.attempt;
  attempts.set(key, [...(attempts.get(key) ?? []), n]);
  return n;
};
const released = deferred();
const started = new Map<string, ReturnType<typeof deferred<void>>>();
const startedGate = (key: string) => started.get(key) ?? started.set(key, deferred()).get(key)!;
const sawCancel = new Set<string>();

const activities = {
  async flaky(key: string, failures: number): Promise<number> {
    const n = record(key);
    if (n <= failures) throw ApplicationFailure.retryable(`attempt ${n} fails`, 'Flaky');
    return n;
  },
  async fatal(key: string, type: string, nonRetryable: boolean): Promise<never> {
    record(key);
    throw ApplicationFailure.create({ message: `fatal ${type}`, type, nonRetryable, details: ['why'] });
  },
  async delayed(key: string, delay: string): Promise<number> {
    const n = record(key);
    if (n === 1)
      throw ApplicationFailure.create({
        message: 'come back later',
        type: 'RateLimited',
        nextRetryDelay: delay as `${number}s`,
      });
    return n;
  },
  async resumable(key: string): Promise<unknown> {
    const n = record(key);
    if (n === 1) {
      Context.current().heartbeat({ progress: 5 });
      await Context.current().sleep(300);
      throw ApplicationFailure.retryable('interrupted', 'Interrupted');
    }
    return Context.current().info.heartbeatDetails;
  },
  /** Runs until the test ends or the activity is cancelled; `beat` heartbeats once first. */
  async hang(key: string, beat: boolean): Promise<string> {
    record(key);
    if (beat) Context.current().heartbeat('alive');
    await Promise.race([released.promise, Context.current().cancelled.catch(() => undefined)]);
    return 'released';
  },
  async heartbeater(key: string): Promise<string> {
    startedGate(key).resolve();
    const ctx = Context.current();
    const timer = setInterval(() => ctx.heartbeat(), 100);
    try {
      await Promise.race([ctx.cancelled, released.promise]);
      return 'released';
    } catch (err) {
      if (err instanceof CancelledFailure) sawCancel.add(key);
      throw err;
    } finally {
      clearInterval(timer);
    }
  },
};

describe('conformance: activities', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ workflowsFile: 'activities.ts', activities });
  });

  afterAll(async () => {
    released.resolve();
    await h?.teardown();
  });

  const call = (name: string, options: object, args: unknown[]) =>
    h.start('callActivity', { args: [name, options, args] });
  const failureOf = async (
    promise: Promise<unknown>,
  ): Promise<{ activity: ActivityFailure; cause: Error | undefined }> => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const activity = (err as WorkflowFailedError).cause;
    expect(activity).toBeInstanceOf(ActivityFailure);
    return { activity: activity as ActivityFailure, cause: (activity as ActivityFailure).cause };
  };

  it('retries with exponential backoff until an attempt succeeds', async () => {
    const key = randomUUID();
    const before = await h.env.currentTimeMs();
    const handle = await call(
      'flaky',
      { startToCloseTimeout: '10s', retry: { initialInterval: '1s', backoffCoefficient: 2 } },
      [key, 2],
    );
    await expect(handle.result()).resolves.toBe(3);
    expect(attempts.get(key)).toEqual([1, 2, 3]);
    // 1 s, then 2 s of backoff at least (virtual time with time skipping).
    expect((await h.env.currentTimeMs()) - before).toBeGreaterThanOrEqual(3000);
  });

  it('stops at maximumAttempts with the last failure in the chain', async () => {
    const key = randomUUID();
    const handle = await call(
      'flaky',
      { startToCloseTimeout: '10s', retry: { initialInterval: '10ms', maximumAttempts: 2 } },
      [key, 5],
    );
    const { activity, cause } = await failureOf(handle.result());
    expect(activity.activityType).toBe('flaky');
    expect(activity.retryState).toBe(RetryState.MAXIMUM_ATTEMPTS_REACHED);
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('Flaky');
    expect(cause?.message).toBe('attempt 2 fails');
    expect(attempts.get(key)).toEqual([1, 2]);
  });

  it('does not retry a non-retryable ApplicationFailure', async () => {
    const key = randomUUID();
    const handle = await call('fatal', { startToCloseTimeout: '10s', retry: { initialInterval: '10ms' } }, [
      key,
      'BadInput',
      true,
    ]);
    const { activity, cause } = await failureOf(handle.result());
    expect(activity.retryState).toBe(RetryState.NON_RETRYABLE_FAILURE);
    expect((cause as ApplicationFailure).type).toBe('BadInput');
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
    expect((cause as ApplicationFailure).details).toEqual(['why']);
    expect(attempts.get(key)).toEqual([1]);
  });

  it('does not retry an error type listed in nonRetryableErrorTypes', async () => {
    const key = randomUUID();
    const handle = await call(
      'fatal',
      { startToCloseTimeout: '10s', retry: { initialInterval: '10ms', nonRetryableErrorTypes: ['Fatal'] } },
      [key, 'Fatal', false],
    );
    const { activity, cause } = await failureOf(handle.result());
    expect(activity.retryState).toBe(RetryState.NON_RETRYABLE_FAILURE);
    expect((cause as ApplicationFailure).type).toBe('Fatal');
    expect(attempts.get(key)).toEqual([1]);
  });

  it('waits nextRetryDelay instead of the retry policy interval', async () => {
    const key = randomUUID();
    const delay = h.env.supportsTimeSkipping ? '10 minutes' : '1s';
    const before = await h.env.currentTimeMs();
    const handle = await call('delayed', { startToCloseTimeout: '10s', retry: { initialInterval: '10ms' } }, [
      key,
      delay,
    ]);
    await expect(handle.result()).resolves.toBe(2);
    expect((await h.env.currentTimeMs()) - before).toBeGreaterThanOrEqual(h.env.supportsTimeSkipping ? 600_000 : 1000);
  });

  it('hands the last heartbeat details to the next attempt', async () => {
    const key = randomUUID();
    const handle = await call('resumable', { startToCloseTimeout: '10s', retry: { initialInterval: '10ms' } }, [key]);
    await expect(handle.result()).resolves.toEqual({ progress: 5 });
  });

  it.each([
    [
      'START_TO_CLOSE',
      { startToCloseTimeout: '1s', retry: { maximumAttempts: 2, initialInterval: '10ms' } },
      false,
      2,
      'MAXIMUM_ATTEMPTS_REACHED',
    ],
    ['SCHEDULE_TO_CLOSE', { scheduleToCloseTimeout: '1s' }, false, 1, 'TIMEOUT'],
    [
      'HEARTBEAT',
      { startToCloseTimeout: '1 minute', heartbeatTimeout: '1s', retry: { maximumAttempts: 1 } },
      true,
      1,
      'MAXIMUM_ATTEMPTS_REACHED',
    ],
  ] as const)('fails with a %s timeout', async (timeoutName, options, beat, tries, retryState) => {
    const key = randomUUID();
    const handle = await call('hang', options, [key, beat]);
    const { activity, cause } = await failureOf(handle.result());
    expect(cause).toBeInstanceOf(TimeoutFailure);
    expect((cause as TimeoutFailure).timeoutType).toBe(TimeoutType[timeoutName]);
    expect(activity.retryState).toBe(RetryState[retryState]);
    await eventually(
      async () => attempts.get(key)?.length ?? 0,
      (n) => n >= tries,
    );
    expect(attempts.get(key)).toHaveLength(tries);
  });

  it('delivers cancellation to a heartbeating activity and waits for it', async () => {
    const key = randomUUID();
    const handle = await h.start('cancelActivity', { args: [key] });
    await startedGate(key).promise;
    await handle.signal('cancel');
    await expect(handle.result()).resolves.toBe('cancelled: CancelledFailure');
    expect(sawCancel.has(key)).toBe(true);
  });

  it('histories of these workflows replay', async () => {
    await expect(h.replayTracked()).resolves.toEqual({});
  });
});
