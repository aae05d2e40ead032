/**
 * One lifecycle worker process, composed: SCIM clients (one pool and rate limiter per app,
 * shared by every activity in the process), the audit port, the activities and the Temporal
 * worker. `jml worker` and `jml dev` both start exactly this.
 */
import type { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { AuditPort } from '../../activities/audit-port';
import type { LoadedConfig } from '../../lib/config/types';
import type { Logger } from '../../lib/logger';
import { collectProcessMetrics, observeScimRequest } from '../../lib/metrics';
import { ScimClients } from '../../lib/scim';
import { connectClient, type TemporalSettings } from '../../lib/temporal/connection';
import { startMassChangeGuard } from '../../lib/temporal/guard-client';
import { startReconciliationWorkflows } from '../../lib/temporal/reconciliation-client';
import { startAppHealthWorkflows } from '../../lib/temporal/app-client';
import { createLifecycleWorker } from './worker';

export interface WorkerRuntimeOptions {
  config: LoadedConfig;
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  logger: Logger;
  audit?: AuditPort;
  maxConcurrentActivityTaskExecutions?: number;
  /** Workflow runs kept in the worker's sticky cache (see createLifecycleWorker). */
  maxCachedWorkflows?: number;
  /** Answer the `__stack_trace` query (see createLifecycleWorker). @default false */
  workflowStackTraces?: boolean;
  /**
   * The settings the worker connected with: a client over them lists the people for
   * reconciliation and starts each app's `reconcile-<app>` schedule. Without it, neither.
   */
  temporal?: TemporalSettings;
}

export interface WorkerRuntime {
  worker: Worker;
  /** Settles when the worker has stopped (after `stop()` or a fatal error). */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startWorkerRuntime(options: WorkerRuntimeOptions): Promise<WorkerRuntime> {
  const { config, logger, audit } = options;
  collectProcessMetrics();
  // Every request the apps see goes into the metrics (the audit trail has its per-attempt recorder).
  const scim = new ScimClients({ logger: logger.child({ module: 'scim' }), onRequest: observeScimRequest });
  const client = options.temporal
    ? await connectClient({ ...options.temporal, namespace: options.namespace })
    : undefined;
  const activities = createActivities({ config: () => config, scim, audit, logger, temporal: client?.client });
  let worker: Worker;
  try {
    worker = await createLifecycleWorker({
      connection: options.connection,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      activities,
      maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions,
      maxCachedWorkflows: options.maxCachedWorkflows,
      workflowStackTraces: options.workflowStackTraces,
    });
  } catch (err) {
    await client?.connection.close();
    throw err;
  }
  const done = worker.run().finally(async () => {
    await scim.close();
    await client?.connection.close();
  });
  if (client) {
    // Idempotent: a schedule already running (started by this or another worker) is left alone.
    const apps = Object.keys(config.connectors).sort();
    startReconciliationWorkflows(client.client, {
      taskQueue: options.taskQueue,
      apps,
      everyMs: config.policy.reconciliation.everyMs,
    })
      .then(({ started }) => logger.info({ started, apps }, 'reconciliation schedules running'))
      .catch((err: unknown) =>
        logger.error({ err }, 'reconciliation schedules not started; the next worker start tries again'),
      );
    // Each app's health (pause, quarantine): also idempotent. A gate's report starts a missing one too.
    startAppHealthWorkflows(client.client, {
      taskQueue: options.taskQueue,
      apps,
      probeEveryMs: config.policy.quarantine.probeEveryMs,
    })
      .then(({ started }) => logger.info({ started, apps }, 'app health workflows running'))
      .catch((err: unknown) =>
        logger.error({ err }, 'app health workflows not started; the next worker start tries again'),
      );
    // Idempotent too; a lifecycle run that needs a permit also starts it when it is not running.
    startMassChangeGuard(client.client, options.taskQueue)
      .then((started) => logger.info({ started }, 'mass-change guard running'))
      .catch((err: unknown) =>
        logger.error({ err }, 'mass-change guard not started; the next worker start tries again'),
      );
  }
  logger.info(
    { taskQueue: options.taskQueue, namespace: options.namespace, apps: Object.keys(config.connectors) },
    'lifecycle worker running',
  );
  return {
    worker,
    done,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
