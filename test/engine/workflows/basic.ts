/** Test workflows for the engine's own tests (they import only @temporalio/workflow). */
import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  executeChild,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';

const acts = proxyActivities<{ echo(s: string): Promise<string>; flaky(n: number): Promise<number> }>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', maximumAttempts: 5 },
});

export const bump = defineSignal<[number]>('bump');
export const total = defineQuery<number>('total');

export async function echoWorkflow(s: string): Promise<string> {
  return acts.echo(s);
}

export async function longTimer(days: number): Promise<string> {
  await sleep(`${days} days`);
  return 'woke';
}

export async function signalsAndQuery(expected: number): Promise<number> {
  let sum = 0;
  let count = 0;
  setHandler(bump, (n) => {
    sum += n;
    count++;
  });
  setHandler(total, () => sum);
  await condition(() => count >= expected);
  return sum;
}

export async function retrying(): Promise<number> {
  return acts.flaky(3);
}

export async function parent(): Promise<string> {
  const child = await executeChild(echoWorkflow, {
    args: ['from child'],
    workflowId: `${workflowInfo().workflowId}-child`,
  });
  return `parent got ${child}`;
}

export async function looping(n: number): Promise<string> {
  if (n > 0) await continueAsNew<typeof looping>(n - 1);
  return `done after ${workflowInfo().continuedFromExecutionRunId ? 'continue-as-new' : 'first run'}`;
}
