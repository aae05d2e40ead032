/** Workflows for the sticky-execution conformance tests. */
import { condition, defineQuery, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

const { echo } = proxyActivities<{ echo(value: string): Promise<string> }>({ startToCloseTimeout: '1 minute' });

export const addSignal = defineSignal<[string]>('add');
export const doneSignal = defineSignal('done');
export const itemsQuery = defineQuery<string[]>('items');

/** `steps` activities one after the other: one workflow task per step. */
export async function steps(count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(await echo(`step ${i}`));
  return out;
}

/** Collects signalled items (each echoed through an activity) until `done`; `items` answers what it has. */
export async function collect(): Promise<string[]> {
  const items: string[] = [];
  let done = false;
  let pending = 0;
  setHandler(addSignal, async (item) => {
    pending++;
    items.push(await echo(item));
    pending--;
  });
  setHandler(doneSignal, () => void (done = true));
  setHandler(itemsQuery, () => items);
  await condition(() => done && pending === 0);
  return items;
}
