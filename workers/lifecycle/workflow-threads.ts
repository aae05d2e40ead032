/**
 * The worker's workflow threads: the SDK's, without the promise hook it installs for workflow
 * stack traces.
 *
 * For every promise a workflow creates (each activity, timer, condition and child, and every
 * `await` in between), that hook captures a stack trace and maps it through the bundle's source
 * map, so that the `__stack_trace` query (the Temporal UI's "Stack Trace" tab) can show where a
 * run is waiting. In the onboarding benchmark it was about a fifth of the workflow thread's
 * busy time, spent on every workflow task for a query nobody sent. Without it that query
 * answers that stack traces are not enabled on this worker; `workflowStackTraces: true`
 * (`jml worker --workflow-stack-traces`) brings them back. Everything else is the SDK's own
 * thread pool, deadlock detection (`isolateExecutionTimeout`) included — except that the call
 * which only collects a task's commands runs without it (untimed-calls.js says why).
 */
import path from 'node:path';
import { Worker as NodeWorker } from 'node:worker_threads';
import type { Logger } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { CompiledWorkerOptions } from '@temporalio/worker/lib/worker-options';
import type { WorkflowCreator } from '@temporalio/worker/lib/workflow/interface';
import { ThreadedVMWorkflowCreator, WorkerThreadClient } from '@temporalio/worker/lib/workflow/threaded-vm';
import type { WorkflowBundleWithSourceMapAndFilename } from '@temporalio/worker/lib/workflow/workflow-worker-thread/input';

/** Plain JavaScript: worker threads do not have the TypeScript hook. */
export const WORKFLOW_THREAD_ENTRY = path.join(__dirname, 'workflow-thread.js');

/** The SDK's Worker whose workflow threads run without the stack-trace promise hook. */
export class WorkerWithoutStackTraces extends Worker {
  protected static override async createWorkflowCreator(
    workflowBundle: WorkflowBundleWithSourceMapAndFilename,
    compiledOptions: CompiledWorkerOptions,
    logger: Logger,
  ): Promise<WorkflowCreator> {
    // Debug mode runs workflows in this thread, where the hook is the SDK's business.
    if (compiledOptions.debugMode) return super.createWorkflowCreator(workflowBundle, compiledOptions, logger);
    // As ThreadedVMWorkflowCreator.create does, but each thread starts from our entry.
    const patch = compiledOptions.patchActivationCallback;
    const threads = Array.from(
      { length: compiledOptions.workflowThreadPoolSize },
      () => new WorkerThreadClient(new NodeWorker(WORKFLOW_THREAD_ENTRY), logger, patch),
    );
    await Promise.all(
      threads.map((thread) =>
        thread.send({
          type: 'init',
          workflowBundle,
          isolateExecutionTimeoutMs: compiledOptions.isolateExecutionTimeoutMs,
          reuseV8Context: compiledOptions.reuseV8Context ?? true,
          registeredActivityNames: new Set(compiledOptions.activities.keys()),
          hasPatchActivationCallback: patch !== undefined,
        }),
      ),
    );
    return new ThreadedVMWorkflowCreator(threads);
  }
}
