/** Workflows for the client-API conformance tests (start, signal, query, describe, cancel, visibility). */
import {
  condition,
  continueAsNew,
  executeChild,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  ApplicationFailure,
} from '@temporalio/workflow';

type Duration = Parameters<typeof sleep>[0];

export const addSignal = defineSignal<[string]>('add');
export const finishSignal = defineSignal('finish');
export const itemsQuery = defineQuery<string[]>('items');

const acts = proxyActivities<{ block(key: string): Promise<string> }>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10s',
});

/** Collects `add` signals until it has `count` of them; `items` answers while open and after close. */
export async function collect(count: number): Promise<string[]> {
  const items: string[] = [];
  setHandler(addSignal, (s) => void items.push(s));
  setHandler(itemsQuery, () => items);
  await condition(() => items.length >= count);
  return items;
}

export async function echo(value: unknown): Promise<unknown> {
  return value;
}

export async function sleeper(duration: Duration): Promise<string> {
  await sleep(duration);
  return 'slept';
}

export async function failWith(type: string): Promise<never> {
  throw ApplicationFailure.nonRetryable(`failing as asked: ${type}`, type, { detail: 42 });
}

/** Returns what the workflow sees of its own start options. */
export async function selfInfo(): Promise<{ memo: unknown; searchAttributes: unknown; runTimeoutMs?: number }> {
  const info = workflowInfo();
  return { memo: info.memo, searchAttributes: info.searchAttributes, runTimeoutMs: info.runTimeoutMs };
}

/** Continues as new `remaining` times, carrying the run ids it went through. */
export async function chain(remaining: number, seen: string[] = []): Promise<{ runs: string[] }> {
  const runs = [...seen, workflowInfo().runId];
  if (remaining > 0) await continueAsNew<typeof chain>(remaining - 1, runs);
  return { runs };
}

/** Upserts search attributes, waits, then removes one, and waits for `finish`. */
export async function upserter(tag: string, n: number): Promise<string> {
  let phase = 'initial';
  let finish = false;
  setHandler(itemsQuery, () => [phase]);
  setHandler(finishSignal, () => void (finish = true));
  setHandler(addSignal, () => {
    upsertSearchAttributes({ CustomIntField: [] });
    phase = 'removed';
  });
  upsertSearchAttributes({ CustomKeywordField: [tag], CustomIntField: [n] });
  phase = 'upserted';
  await condition(() => finish);
  return phase;
}

/** Runs an activity that blocks until the test releases it (pending activity in describe). */
export async function runsBlockingActivity(key: string): Promise<string> {
  return acts.block(key);
}

/** Produces a long history: `n` timers, each its own workflow task. */
export async function manyTimers(n: number): Promise<number> {
  for (let i = 0; i < n; i++) await sleep(1);
  return n;
}

/** Sleeps and continues as new forever (only an execution timeout or a terminate ends it). */
export async function sleepAndContinue(duration: Duration, generation = 0): Promise<never> {
  await sleep(duration);
  return continueAsNew<typeof sleepAndContinue>(duration, generation + 1);
}

/** Runs `echo` as a child workflow (visibility: ParentWorkflowId). */
export async function parentOfEcho(value: unknown): Promise<unknown> {
  return executeChild(echo, { args: [value], workflowId: `${workflowInfo().workflowId}-child` });
}

/** Typed upserts (the form the project's workflows use): Keyword, Bool and Datetime keys. */
export async function typedUpserter(tag: string, deadlineIso: string): Promise<number> {
  upsertSearchAttributes([
    { key: { name: 'CustomKeywordField', type: 'KEYWORD' }, value: tag },
    { key: { name: 'CustomBoolField', type: 'BOOL' }, value: true },
    { key: { name: 'CustomDatetimeField', type: 'DATETIME' }, value: new Date(deadlineIso) },
  ]);
  await sleep(1);
  return workflowInfo().historyLength;
}
