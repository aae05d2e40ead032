/**
 * The lifecycle worker: bundles `workflows/index.ts` (the only workflowsPath) and serves the
 * activities built by `createActivities`. The CLI (`jml worker`), the dev stack and the tests
 * all go through `createLifecycleWorker`, so they run the same workflow code the same way.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Duration } from '@temporalio/common';
import type { LifecycleActivities } from '../../activities/contract';

import { DEFAULT_TASK_QUEUE } from '../../lib/temporal/connection';
import { WorkerWithoutStackTraces } from './workflow-threads';

export { DEFAULT_TASK_QUEUE };

export const WORKFLOWS_PATH = path.join(__dirname, '..', '..', 'workflows', 'index.ts');

let cachedBundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/**
 * Bundling costs seconds: done once per process and shared by every worker it creates. It runs
 * in a short-lived child process (bundle-workflows.js): webpack and its caches, once loaded,
 * stay in a process's heap for good (~35 MiB live in the worker's main thread), and the worker
 * only needs the code.
 *
 * The bundle preloads the workflow modules: they are evaluated once per workflow thread and
 * shared by every run, instead of once per run (the SDK's default in a reused V8 context),
 * where each cached run held its own copy of every module (~80 KiB of the ~140 KiB a cached
 * employee workflow kept in the workflow thread's heap) and paid for evaluating them whenever
 * it started or replayed. Safe because these modules keep no state of their own: nothing at
 * module scope is assigned after load (the SDK freezes what they export; a test checks that
 * no module declares a module-scope `let`/`var`), and everything a run owns lives in its
 * workflow function.
 */
export function lifecycleWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  cachedBundle ??= bundleInChild(WORKFLOWS_PATH);
  cachedBundle.catch(() => (cachedBundle = undefined));
  return cachedBundle;
}

/** Bundles `workflowsPath` in a child process; a failed build rejects with webpack's own report. */
export function bundleInChild(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  return new Promise((resolve, reject) => {
    const stderr: Buffer[] = [];
    let bundle: WorkflowBundleWithSourceMap | undefined;
    // No inherited node flags (an --inspect port, a heap-snapshot signal): a plain build.
    const child = fork(path.join(__dirname, 'bundle-workflows.js'), [workflowsPath], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      process.stderr.write(chunk);
    });
    child.on('message', (message: WorkflowBundleWithSourceMap) => (bundle = message));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (bundle && code === 0) return resolve(bundle);
      const detail = Buffer.concat(stderr).toString().trim() || `exit ${signal ?? code}`;
      reject(new Error(`bundling the workflows (${workflowsPath}) failed: ${detail}`));
    });
  });
}

export interface LifecycleWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** @default DEFAULT_TASK_QUEUE */
  taskQueue?: string;
  activities: LifecycleActivities;
  /** Concurrent activity executions; SCIM per-app limits apply underneath. @default 100 */
  maxConcurrentActivityTaskExecutions?: number;
  /**
   * Workflow runs kept in memory between their tasks (the sticky cache). The SDK's default is
   * sized from the V8 heap limit (~2,300 runs on a 4 GiB heap) and each cached run holds its
   * workflow state in the workflow thread's heap: with one long-lived employee workflow per
   * person, the cache fills with people waiting on timers and the worker's memory grows with
   * the head count. A run evicted from the cache replays its history on its next task (a
   * full-history task from the server), so a smaller cache trades memory for CPU only on runs
   * that wake up after others have displaced them. @default the SDK's
   */
  maxCachedWorkflows?: number;
  /**
   * Workflow tasks the worker holds at once. Each is a history to replay or an activation to run
   * on the one workflow thread, and its reply goes through the main thread, which the
   * activities keep busy: a worker that takes more tasks than it can run at once makes every one
   * of them long (started → completed), which a server times out after 10 s by default. Taking
   * fewer leaves the rest waiting in the server's task queue, in the server's priority order.
   * @default 10 (the SDK's is 40)
   */
  maxConcurrentWorkflowTaskExecutions?: number;
  /**
   * On shutdown, how long running activities may finish before they are cancelled: a SCIM
   * request already sent is better completed and reported than retried by another worker.
   * @default '30s'
   */
  shutdownGraceTime?: Duration;
  /** @default '45s' */
  shutdownForceTime?: Duration;
  /**
   * Answer the `__stack_trace` query (the Temporal UI's "Stack Trace" tab): costs a stack trace
   * for every promise every workflow creates (see workflow-threads.ts). @default false
   */
  workflowStackTraces?: boolean;
}

export async function createLifecycleWorker(options: LifecycleWorkerOptions): Promise<Worker> {
  return (options.workflowStackTraces ? Worker : WorkerWithoutStackTraces).create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowBundle: await lifecycleWorkflowBundle(),
    activities: options.activities,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 100,
    // The SDK refuses more than the cache holds.
    maxConcurrentWorkflowTaskExecutions:
      options.maxConcurrentWorkflowTaskExecutions ?? Math.min(10, options.maxCachedWorkflows || Infinity),
    // The SDK's poll ratio (a fifth of the polls on the normal queue) stays: with half of them
    // there, a run's next task waited on the sticky queue past its 10 s schedule-to-start
    // timeout under load and was replayed from its full history (~350 times in a 1,000-hire
    // onboarding), which cost more CPU than the slots saved.
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    shutdownGraceTime: options.shutdownGraceTime ?? '30s',
    // A shutdown never hangs past this: in-flight tasks are failed and Temporal retries them
    // on another worker (a stop that waited forever kept `jml dev` and `jml worker` from exiting).
    shutdownForceTime: options.shutdownForceTime ?? '45s',
  });
}
