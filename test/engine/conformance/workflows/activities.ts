/** Workflows for the activity conformance tests: each calls an activity with options the test chooses. */
import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  defineSignal,
  isCancellation,
  proxyActivities,
  setHandler,
  type ActivityFailure,
  type ActivityOptions,
} from '@temporalio/workflow';

export const cancelSignal = defineSignal('cancel');

/** Calls activity `name` with `options`; an activity failure fails the workflow with the full chain. */
export async function callActivity(name: string, options: ActivityOptions, args: unknown[]): Promise<unknown> {
  const acts = proxyActivities<Record<string, (...a: unknown[]) => Promise<unknown>>>(options);
  return acts[name]!(...args);
}

/** Starts a heartbeating activity, cancels it on the `cancel` signal, and reports how it ended. */
export async function cancelActivity(key: string): Promise<string> {
  const acts = proxyActivities<{ heartbeater(key: string): Promise<string> }>({
    startToCloseTimeout: '1 minute',
    heartbeatTimeout: '5s',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  let cancel = false;
  setHandler(cancelSignal, () => void (cancel = true));
  const scope = new CancellationScope();
  const running = scope.run(() => acts.heartbeater(key));
  await condition(() => cancel);
  scope.cancel();
  try {
    return `completed: ${await running}`;
  } catch (err) {
    if (!isCancellation(err)) throw err;
    return `cancelled: ${(err as ActivityFailure).cause?.name}`;
  }
}
