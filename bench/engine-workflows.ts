/**
 * Workflows for `npm run bench -- engine`: the shapes the product runs, without its
 * activities' I/O, so what is measured is the engine (or server) and the worker.
 */
import { condition, defineSignal, executeChild, proxyActivities, setHandler } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(label: string): Promise<string> }>({ startToCloseTimeout: '1 minute' });

export const eventSignal = defineSignal<[string]>('event');

/** One activity, then done: the engine's per-workflow floor. */
export async function oneActivity(): Promise<string> {
  return noop('only');
}

/**
 * The employee pattern: started by signal-with-start, records the event (an activity, as the
 * audit step is), runs a lifecycle child that calls one activity per app in parallel, records
 * the outcome, and completes.
 */
export async function employeeLike(apps: number): Promise<number> {
  let event: string | undefined;
  setHandler(eventSignal, (e) => void (event = e));
  await condition(() => event !== undefined);
  await noop(`received ${event}`);
  const done = await executeChild(lifecycleChild, { args: [apps] });
  await noop('outcome');
  return done;
}

export async function lifecycleChild(apps: number): Promise<number> {
  const results = await Promise.all(Array.from({ length: apps }, (_, i) => noop(`app ${i}`)));
  return results.length;
}
