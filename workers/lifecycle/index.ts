/** The lifecycle worker process: the Temporal worker, its runtime (activities, SCIM clients) and audit wiring. */
export {
  createLifecycleWorker,
  lifecycleWorkflowBundle,
  DEFAULT_TASK_QUEUE,
  WORKFLOWS_PATH,
  type LifecycleWorkerOptions,
} from './worker';
export { startWorkerRuntime } from './runtime';
export {
  applyHeapSettings,
  heapGrowingPercent,
  semiSpaceMb,
  DEFAULT_HEAP_GROWING_PERCENT,
  DEFAULT_SEMI_SPACE_MB,
} from './heap';
export { openAuditForProcess, type ProcessAudit } from './audit';
