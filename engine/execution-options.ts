/**
 * UpdateWorkflowExecutionOptions, as the server answers it for the one option the engine has:
 * the run's task priority. The new priority replaces the old one whole (the server's rule for
 * this field), is recorded as WorkflowExecutionOptionsUpdated — an event the worker may ignore,
 * which schedules no workflow task — and orders every task queued for the run after it (a task
 * already waiting keeps the key it was queued with). Continue-as-new carries it on.
 */
import type { temporal } from '@temporalio/proto';
import { invalidArgument, notFound } from './errors';
import { checkPriority } from './priority';
import type { Plain } from './proto';
import {
  appendEvent,
  bufferQuiet,
  isOpen,
  persistSpeculativeTask,
  type EngineCore,
  type EventBuilder,
  type Run,
} from './state';

type Request = Plain<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionOptionsRequest>;
type Response = Plain<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionOptionsResponse>;

export function updateExecutionOptions(core: EngineCore, run: Run, req: Request): Response {
  if (!isOpen(run)) throw notFound('workflow execution already completed');
  const paths = req.updateMask?.paths ?? [];
  if (paths.length === 0) throw invalidArgument('UpdateMask is required');
  for (const p of paths) {
    if (p === 'versioning_override' || p === 'versioningOverride')
      throw invalidArgument('versioning_override needs Worker Versioning, which the jml embedded engine does not have');
    if (p !== 'priority') throw invalidArgument(`error parsing UpdateMask: path ${p} not supported`);
  }
  const priority = checkPriority(req.workflowExecutionOptions?.priority, 'WorkflowExecutionOptions.priority') ?? {};
  run.priority = priority;
  const build: EventBuilder = () => ({
    eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED',
    workerMayIgnore: true,
    workflowExecutionOptionsUpdatedEventAttributes: { priority, identity: req.identity ?? '' },
  });
  if (run.wt.state === 'started') {
    // After the task in flight, like a signal, but without asking for another task.
    bufferQuiet(run, build);
  } else {
    persistSpeculativeTask(core, run);
    appendEvent(core, run, build);
  }
  return { workflowExecutionOptions: { priority } };
}
