/**
 * "Version 1" of the recovery workflows: `buggy` throws a plain Error (a workflow-task failure,
 * not a workflow failure, in the TypeScript SDK), `versioned` runs an activity then waits.
 * recovery-v2.ts holds the fixed `buggy` and a non-deterministic `versioned`.
 */
import {
  condition,
  defineQuery,
  defineSignal,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';

export const addSignal = defineSignal<[string]>('add');
export const goSignal = defineSignal('go');
export const gotQuery = defineQuery<string[]>('got');

const acts = proxyActivities<{ step(name: string): Promise<string> }>({ startToCloseTimeout: '10s' });
const local = proxyLocalActivities<{ slowLocal(key: string): Promise<string> }>({ startToCloseTimeout: '30s' });

export async function buggy(): Promise<string> {
  throw new Error('bug in workflow code');
}

export async function versioned(): Promise<string> {
  let go = false;
  setHandler(goSignal, () => void (go = true));
  const first = await acts.step('a');
  await condition(() => go);
  return `v1 after ${first}`;
}

/** A local activity keeps the first workflow task in flight while the test signals. */
export async function signalDuringTask(key: string): Promise<string[]> {
  const got: string[] = [];
  setHandler(addSignal, (s) => void got.push(s));
  setHandler(gotQuery, () => got);
  got.push(await local.slowLocal(key));
  await condition(() => got.length >= 2);
  return got;
}
