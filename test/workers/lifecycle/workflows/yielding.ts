/**
 * Workflows for the deadlock-detection test of the worker's workflow threads: one that never
 * yields (a bug the SDK's deadlock detection must contain) and one that behaves.
 */
import { sleep } from '@temporalio/workflow';

/** Loops without ever awaiting: its workflow task can only end by being interrupted. */
export async function neverYields(): Promise<void> {
  for (;;) {
    // Nothing here awaits.
  }
}

/** Waits on a timer and answers: runs on the same threads while `neverYields` is retried. */
export async function yieldsAndAnswers(): Promise<string> {
  await sleep(50);
  return 'answered';
}
