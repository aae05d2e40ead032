/** The lifecycle worker process: the Temporal worker, its runtime (activities, SCIM clients) and audit wiring. */
export {
  createLifecycleWorker,
  lifecycleWorkflowBundle,
  DEFAULT_TASK_QUEUE,
  WORKFLOWS_PATH,
  type LifecycleWorkerOptions,
} from './worker';
export { startWorkerRuntime } from './runtime';
export { applyHeapGrowingPercent, heapGrowingPercent, DEFAULT_HEAP_GROWING_PERCENT } from './heap';
export { openAuditForProcess, type ProcessAudit } from './audit';
