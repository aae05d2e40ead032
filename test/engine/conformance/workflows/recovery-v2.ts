/** "Version 2": `buggy` is fixed; `versioned` replaced its activity by a timer (non-deterministic for v1 histories). */
import { condition, defineSignal, setHandler, sleep } from '@temporalio/workflow';

export const goSignal = defineSignal('go');

export async function buggy(): Promise<string> {
  return 'fixed';
}

export async function versioned(): Promise<string> {
  let go = false;
  setHandler(goSignal, () => void (go = true));
  await sleep('1s');
  await condition(() => go);
  return 'v2';
}
