/**
 * What DescribeWorkflowExecution adds to the list's execution info on a real server: history
 * size in bytes, the state-transition count and the root execution. The Temporal UI shows them
 * in a workflow's summary.
 */
import type { temporal } from '@temporalio/proto';
import { eventBytes, type Plain } from './proto';
import type { Namespace, Run } from './state';
import { rootOf } from './visibility-service';

export function describeExtras(ns: Namespace, run: Run): Plain<temporal.api.workflow.v1.IWorkflowExecutionInfo> {
  // From the events' cached bytes: re-encoding the whole history on every describe was O(history).
  let bytes = 0;
  for (const event of run.events) bytes += eventBytes(event).length;
  return {
    historySizeBytes: bytes,
    // The engine changes a run's state once per event it appends (a server batches some
    // events into one transition, so its count is lower for the same history).
    stateTransitionCount: run.events.length,
    rootExecution: rootOf(ns, run),
  };
}
