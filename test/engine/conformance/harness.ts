/**
 * Shared set-up for the conformance suite: one environment, one workflow bundle and one worker
 * per test file, a random task queue, and replay of every tracked workflow's history with the
 * SDK's own replayer. Only the SDK is used (client, worker, raw WorkflowService calls), so the
 * suite runs unchanged against a real server when TEMPORAL_ADDRESS is set.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId, WorkflowStartOptions } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createTestEnv, type TemporalTestEnv } from '../../helpers/temporal-env';

const SILENT = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** True when the suite runs against a real server rather than the embedded engine. */
export const AGAINST_REAL_SERVER = Boolean(process.env.TEMPORAL_ADDRESS);

/** Bundles a workflow module of this suite (once per test file: bundling takes seconds). */
export function bundle(file: string): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'workflows', file), logger: SILENT });
}

export interface Harness {
  env: TemporalTestEnv;
  taskQueue: string;
  workflowBundle: WorkflowBundleWithSourceMap;
  /** Starts a workflow on this file's task queue with a random id; the handle is replayed at the end. */
  start<T = unknown>(
    type: string,
    options?: Partial<WorkflowStartOptions> & { args?: unknown[] },
  ): Promise<WorkflowHandleWithFirstExecutionRunId & { result(): Promise<T> }>;
  /** Adds a handle to the replay set (for handles obtained otherwise). */
  track(handle: WorkflowHandle): void;
  /** Stops this file's main worker (to deploy another version on its task queue). */
  stopWorker(): Promise<void>;
  /** Creates and runs another worker, by default on this file's task queue and bundle; stopped at teardown. */
  runWorker(options?: Partial<WorkerOptions>): Promise<{ worker: Worker; stop(): Promise<void> }>;
  /**
   * Plays a worker's poll with a raw WorkflowService call until a workflow task comes (a long
   * poll may come back empty). A queue name is a normal queue; a sticky one names its normal one.
   */
  pollWorkflowTask(
    queue: string | temporal.api.taskqueue.v1.ITaskQueue,
    identity: string,
  ): Promise<temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse>;
  /** Replays the history of every tracked workflow; resolves to the failures, keyed by workflow id. */
  replayTracked(): Promise<Record<string, string>>;
  teardown(): Promise<void>;
}

export interface HarnessOptions {
  workflowsFile: string;
  activities?: object;
  timeSkipping?: boolean;
  worker?: Partial<WorkerOptions>;
}

function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** Starts the environment and this file's worker. Call in `beforeAll`, tear down in `afterAll`. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const env = await createTestEnv({ timeSkipping: options.timeSkipping ?? true });
  const workflowBundle = await bundle(options.workflowsFile);
  const taskQueue = uniqueId('conformance');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue,
    workflowBundle,
    activities: options.activities ?? {},
    ...options.worker,
  });
  const running = worker.run();
  const tracked: WorkflowHandle[] = [];
  const extra: { worker: Worker; run: Promise<void> }[] = [];
  return {
    env,
    taskQueue,
    workflowBundle,
    async start(type, opts = {}) {
      const handle = await env.client.workflow.start(type, {
        taskQueue,
        workflowId: uniqueId(type),
        ...opts,
      } as WorkflowStartOptions);
      tracked.push(handle);
      return handle;
    },
    track: (handle) => void tracked.push(handle),
    async stopWorker() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
    async runWorker(opts = {}) {
      const w = await Worker.create({
        connection: env.nativeConnection,
        namespace: env.namespace,
        taskQueue,
        workflowBundle,
        activities: options.activities ?? {},
        ...opts,
      });
      const run = w.run();
      extra.push({ worker: w, run });
      return {
        worker: w,
        stop: async () => {
          if (w.getState() === 'RUNNING') w.shutdown();
          await run;
        },
      };
    },
    async pollWorkflowTask(queue, identity) {
      const taskQueue =
        typeof queue === 'string'
          ? { name: queue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL }
          : queue;
      for (;;) {
        const task = await env.client.workflowService.pollWorkflowTaskQueue({
          namespace: env.namespace,
          taskQueue,
          identity,
        });
        if (task.taskToken && task.taskToken.length > 0) return task;
      }
    },
    async replayTracked() {
      const histories = await Promise.all(
        tracked.map(async (h) => ({ workflowId: h.workflowId, history: await h.fetchHistory() })),
      );
      const failures: Record<string, string> = {};
      for await (const result of Worker.runReplayHistories(
        { workflowBundle, replayName: uniqueId('replay') },
        histories,
      )) {
        if (result.error) failures[result.workflowId] = String(result.error);
      }
      return failures;
    },
    async teardown() {
      for (const e of extra) if (e.worker.getState() === 'RUNNING') e.worker.shutdown();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await Promise.all([running, ...extra.map((e) => e.run)]);
      await env.teardown();
    },
  };
}

/** Polls `probe` until it returns a value `accept` takes (visibility is eventually consistent on a real server). */
export async function eventually<T>(probe: () => Promise<T>, accept: (v: T) => boolean, attempts = 100): Promise<T> {
  let last = await probe();
  for (let i = 1; i < attempts && !accept(last); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await probe();
  }
  return last;
}

/** A promise with its resolver, for activities that wait for the test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve(...v: T extends void ? [] : [T]): void } {
  let settle!: (v: T) => void;
  const promise = new Promise<T>((r) => (settle = r));
  return { promise, resolve: (...v) => settle(v[0] as T) };
}

export { uniqueId };
