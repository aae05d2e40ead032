/**
 * Workflows for the Update conformance tests: a counter whose `add` Update has a validator, an
 * Update handler that throws, one that waits for a signal (accepted long before it completes),
 * and a workflow whose first task is held open by a local activity.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';

export const addUpdate = defineUpdate<number, [number]>('add');
export const refuseUpdate = defineUpdate<void, [string]>('refuse');
export const waitForReleaseUpdate = defineUpdate<string, [string]>('waitForRelease');
export const noteSignal = defineSignal<[string]>('note');
export const releaseSignal = defineSignal<[string]>('release');
export const finishSignal = defineSignal('finish');
export const logQuery = defineQuery<string[]>('log');

const local = proxyLocalActivities<{ slowLocal(key: string): Promise<string> }>({ startToCloseTimeout: '30s' });

export interface CounterResult {
  total: number;
  log: string[];
}

export async function counter(): Promise<CounterResult> {
  let total = 0;
  let finished = false;
  const log: string[] = [];
  const released = new Set<string>();
  setHandler(
    addUpdate,
    (n) => {
      total += n;
      log.push(`add ${n}`);
      return total;
    },
    {
      validator: (n) => {
        if (n < 0) throw new Error(`cannot add ${n}: the counter only goes up`);
      },
    },
  );
  setHandler(refuseUpdate, (reason) => {
    throw ApplicationFailure.create({ message: reason, type: 'Refused', nonRetryable: true });
  });
  setHandler(waitForReleaseUpdate, async (key) => {
    await condition(() => released.has(key));
    log.push(`released ${key}`);
    return `released ${key}`;
  });
  setHandler(noteSignal, (note) => void log.push(`signal ${note}`));
  setHandler(releaseSignal, (key) => void released.add(key));
  setHandler(finishSignal, () => void (finished = true));
  setHandler(logQuery, () => log);
  await condition(() => finished);
  await condition(allHandlersFinished);
  return { total, log };
}

/** The first workflow task is held open by a local activity while the test sends an Update. */
export async function heldFirstTask(key: string): Promise<CounterResult> {
  let total = 0;
  const log: string[] = [];
  setHandler(addUpdate, (n) => {
    total += n;
    log.push(`add ${n}`);
    return total;
  });
  log.push(await local.slowLocal(key));
  await condition(() => total >= 10);
  return { total, log };
}

/**
 * Holds its first task open, then continues as new: an Update admitted meanwhile was never seen
 * by this run and must land on the next one.
 */
export async function continuing(key: string, carried = 0): Promise<number> {
  let total = carried;
  setHandler(addUpdate, (n) => (total += n));
  if (key) {
    await local.slowLocal(key);
    await continueAsNew<typeof continuing>('', total + 1);
  }
  await condition(() => total >= 10);
  return total;
}
