/**
 * Workflows for timers, child workflows, external signal/cancel, markers and the three ways a
 * workflow closes itself (complete, fail, cancelled).
 */
import {
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  condition,
  defineQuery,
  defineSignal,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';

type Duration = Parameters<typeof sleep>[0];

export const addSignal = defineSignal<[string]>('add');
export const goSignal = defineSignal('go');
export const stateQuery = defineQuery<string>('state');

export async function longTimer(duration: Duration): Promise<string> {
  await sleep(duration);
  return 'woke';
}

/** Starts a one-hour timer and cancels it before it fires. */
export async function cancelledTimer(): Promise<string> {
  const scope = new CancellationScope();
  const timer = scope.run(() => sleep('1 hour'));
  await sleep(10);
  scope.cancel();
  try {
    await timer;
    return 'fired';
  } catch (err) {
    return isCancellation(err) ? 'timer cancelled' : 'unexpected';
  }
}

/** condition() with a timeout is a timer racing a predicate. */
export async function conditionTimeout(): Promise<boolean> {
  return condition(() => false, '1 day');
}

/** Waits for `add` signals until `count` arrived; a child or an external signaller sends them. */
export async function waiter(count: number): Promise<string[]> {
  const got: string[] = [];
  setHandler(addSignal, (s) => void got.push(s));
  setHandler(stateQuery, () => 'waiting');
  await condition(() => got.length >= count);
  return got;
}

export async function child(mode: 'return' | 'fail', value: string): Promise<string> {
  if (mode === 'fail') throw ApplicationFailure.nonRetryable(`child failed: ${value}`, 'ChildBroke');
  return `child got ${value}`;
}

export async function parentOf(mode: 'return' | 'fail', value: string): Promise<string> {
  return executeChild(child, { args: [mode, value], workflowId: `${workflowInfo().workflowId}-child` });
}

/** Starts a long-sleeping child, waits for `go`, cancels it and reports how the child ended. */
export async function parentCancelsChild(): Promise<string> {
  let go = false;
  setHandler(goSignal, () => void (go = true));
  const scope = new CancellationScope();
  const childDone = scope.run(() =>
    executeChild(longTimer, { args: ['30 days'], workflowId: `${workflowInfo().workflowId}-child` }),
  );
  await condition(() => go);
  scope.cancel();
  try {
    await childDone;
    return 'child completed';
  } catch (err) {
    return isCancellation(err) ? `child cancelled: ${(err as Error).name}` : `unexpected: ${String(err)}`;
  }
}

/** Starts a child with `policy`, waits until it started, then completes and so applies the policy. */
export async function parentWithPolicy(policy: keyof typeof ParentClosePolicy): Promise<string> {
  const handle = await startChild(waiter, {
    args: [1],
    workflowId: `${workflowInfo().workflowId}-child`,
    parentClosePolicy: ParentClosePolicy[policy],
  });
  return handle.workflowId;
}

export async function signalExternal(targetId: string, value: string): Promise<void> {
  await getExternalWorkflowHandle(targetId).signal(addSignal, value);
}

/**
 * Signals a workflow that may not exist and reports what happened instead of failing: the
 * mass-change guard's requesters rely on a signal to a missing workflow rejecting (then start it).
 */
export async function signalMaybeMissing(targetId: string, value: string): Promise<string> {
  try {
    await getExternalWorkflowHandle(targetId).signal(addSignal, value);
    return 'delivered';
  } catch (err) {
    return `rejected: ${(err as Error).name}`;
  }
}

/** Starts an abandoned child under a fixed id; a second start of the same running id is refused. */
export async function startNamedChildTwice(childId: string): Promise<string[]> {
  const outcomes: string[] = [];
  for (let i = 0; i < 2; i++) {
    try {
      await startChild(waiter, { args: [1], workflowId: childId, parentClosePolicy: ParentClosePolicy.ABANDON });
      outcomes.push('started');
    } catch (err) {
      outcomes.push(`refused: ${(err as Error).name}`);
    }
  }
  return outcomes;
}

export async function cancelExternal(targetId: string): Promise<void> {
  await getExternalWorkflowHandle(targetId).cancel();
}

/** A patch writes a marker in the history the first time it runs. */
export async function patchedWorkflow(): Promise<string> {
  return patched('conformance-v2') ? 'new path' : 'old path';
}

/** Catches its own cancellation, cleans up in a non-cancellable scope, then closes as cancelled. */
export async function cleansUpOnCancel(): Promise<string> {
  let cleaned = 'no';
  setHandler(stateQuery, () => cleaned);
  try {
    await sleep('30 days');
    return 'slept';
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(() => sleep(5));
    cleaned = 'yes';
    throw err;
  }
}
