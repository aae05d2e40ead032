/** Workflows for the timer conformance tests. */
import { CancellationScope, condition, defineSignal, setHandler, sleep } from '@temporalio/workflow';

export const wakeSignal = defineSignal('wake');

/**
 * Starts a 1 s timer, waits for `wake`, then cancels the timer and says whether it had fired.
 * Its commands: StartTimer "1"; on the signal, CancelTimer "1" (unless the timer fired in an
 * earlier task) and CompleteWorkflowExecution.
 */
export async function cancelTimerOnWake(): Promise<string> {
  let woken = false;
  setHandler(wakeSignal, () => void (woken = true));
  const scope = new CancellationScope();
  const timer = scope
    .run(() => sleep(1000))
    .then(
      () => 'fired',
      () => 'cancelled',
    );
  await condition(() => woken);
  scope.cancel();
  return await timer;
}
