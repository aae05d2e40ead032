/**
 * `jml worker`: the lifecycle worker process — runs the workflows and the SCIM activities for
 * every configured app against the Temporal server in `TEMPORAL_ADDRESS`, writing the audit
 * trail to `DATABASE_URL` (PostgreSQL) or the embedded PGlite store in `JML_AUDIT_DIR`.
 */
import { parseCommandArgs, UsageError } from '../args';
import { loadConfigForStartup, untilSignal } from '../startup';
import { createLogger } from '../../lib/logger';
import {
  startMetricsServer,
  trackPendingDeletions,
  untrackPendingDeletions,
  type MetricsServer,
} from '../../lib/metrics';
import { installSdkRuntime } from '../../lib/temporal/runtime';
import { connectWorker, temporalSettingsFromEnv } from '../../lib/temporal/connection';
import {
  applyHeapSettings,
  DEFAULT_HEAP_GROWING_PERCENT,
  DEFAULT_SEMI_SPACE_MB,
  openAuditForProcess,
  startWorkerRuntime,
} from '../../workers/lifecycle';
import { isAuditStartupError } from '../audit-store';

/** One line for `jml --help`. */
export const summary = 'Run the lifecycle worker (workflows + SCIM activities) against Temporal';

const HELP = `Usage: jml worker [--config DIR] [--task-queue Q] [--max-activities N] [--max-cached-workflows N]
                  [--heap-growing-percent N] [--semi-space-mb N] [--workflow-stack-traces]
                  [--metrics-port N] [--metrics-host H]

  --max-cached-workflows N  workflow runs kept in memory between tasks (sticky cache); an evicted run
                        replays its history on its next task  [$JML_MAX_CACHED_WORKFLOWS or the SDK's,
                        ~60 % of the V8 heap limit in MiB]
  --heap-growing-percent N  let the V8 heaps grow N % past their live size before a full collection
                        (more: less GC CPU, more memory)  [$JML_WORKER_HEAP_GROWING_PERCENT or ${DEFAULT_HEAP_GROWING_PERCENT};
                        0 = V8's own, up to 4× on a large host]
  --semi-space-mb N     the young generation of the worker's threads' V8 heaps: two semi-spaces of N MiB
                        (more: fewer scavenges, more memory)  [$JML_WORKER_SEMI_SPACE_MB or ${DEFAULT_SEMI_SPACE_MB};
                        0 = V8's own, 16; the main thread's: node's --max-semi-space-size]
  --workflow-stack-traces  answer the __stack_trace query (the Temporal UI's "Stack Trace" tab); costs
                        a stack trace for every promise a workflow creates  [$JML_WORKER_WORKFLOW_STACK_TRACES=true]

  --metrics-port N      /metrics, /healthz, /readyz (0 = any free port)  [$JML_WORKER_METRICS_PORT or 9464]
  --metrics-host H      their listen address       [$JML_WORKER_METRICS_HOST or 127.0.0.1; 0.0.0.0 in a container]

Environment:
  TEMPORAL_ADDRESS      Temporal frontend host:port        [127.0.0.1:7233]
  TEMPORAL_NAMESPACE    namespace                          [default]
  TEMPORAL_TASK_QUEUE   task queue                         [jml-lifecycle]
  TEMPORAL_API_KEY[_FILE], TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY   Temporal Cloud credentials
  DATABASE_URL          PostgreSQL audit store, migrated by \`jml migrate\` (else embedded PGlite in
                        JML_AUDIT_DIR [.data/audit], migrated on open)
  JML_AUDIT_KEY[_FILE]  audit chain key, 32+ random bytes (PGlite only: generated beside the store)
  JML_CONFIG_DIR        config directory                   [./config]
  LOG_LEVEL             pino level                         [info]
  <connector secrets>   the env: references of config/connectors/*.yaml (jml validate lists them)`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    {
      config: { type: 'string' },
      'task-queue': { type: 'string' },
      'max-activities': { type: 'string' },
      'max-cached-workflows': { type: 'string' },
      'heap-growing-percent': { type: 'string' },
      'semi-space-mb': { type: 'string' },
      'workflow-stack-traces': { type: 'boolean', default: false },
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    false,
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const metricsPort = portOption(values['metrics-port'] ?? process.env.JML_WORKER_METRICS_PORT, DEFAULT_METRICS_PORT);
  const metricsHost = values['metrics-host'] ?? process.env.JML_WORKER_METRICS_HOST ?? '127.0.0.1';
  const maxCachedWorkflows = countOption(
    '--max-cached-workflows',
    values['max-cached-workflows'] ?? process.env.JML_MAX_CACHED_WORKFLOWS,
  );
  const requestedGrowth = percentOption(values['heap-growing-percent'] ?? process.env.JML_WORKER_HEAP_GROWING_PERCENT);
  const requestedSemiSpace = semiSpaceOption(values['semi-space-mb'] ?? process.env.JML_WORKER_SEMI_SPACE_MB);
  const config = await loadConfigForStartup(values.config, 'worker');
  if (!config) return 1;
  const logger = createLogger({ base: { component: 'worker' } });
  // Before the audit store's and the SDK's threads start: their heaps take the settings when created.
  const heap = applyHeapSettings({ growingPercent: requestedGrowth, semiSpaceMb: requestedSemiSpace });
  const settings = temporalSettingsFromEnv();
  // The audit store first: a missing key or an unmigrated schema stops the start at once.
  let audit: Awaited<ReturnType<typeof openAuditForProcess>>;
  try {
    audit = await openAuditForProcess({ logger });
  } catch (err) {
    if (!isAuditStartupError(err)) throw err;
    console.error(`jml worker: ${(err as Error).message}`);
    return 1;
  }
  // Filled in once connected: /readyz says "not ready" until then, /healthz answers at once.
  const running: { current?: { connection: Awaited<ReturnType<typeof connectWorker>>; state: () => string } } = {};
  let metrics: MetricsServer;
  try {
    metrics = await startMetricsServer({
      port: metricsPort,
      host: metricsHost,
      checks: {
        temporal: async () => {
          const { current } = running;
          if (!current || current.state() !== 'RUNNING') return false;
          await current.connection.workflowService.getSystemInfo({});
          return true;
        },
        auditStore: async () => {
          await audit.store.db.query('SELECT 1');
          return true;
        },
      },
    });
  } catch (err) {
    await audit.close();
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    console.error(
      `jml worker: metrics port ${metricsHost}:${metricsPort} is in use; choose another with --metrics-port N or JML_WORKER_METRICS_PORT (0 = any free port)`,
    );
    return 1;
  }
  trackPendingDeletions(audit.store, Object.keys(config.connectors));
  logger.info({ url: metrics.url, endpoints: ['/metrics', '/healthz', '/readyz'] }, 'metrics listening');
  // After the checks above: the SDK's runtime, once installed, keeps the process alive until a connection closes.
  installSdkRuntime(logger);
  const release = async () => {
    await metrics.close();
    untrackPendingDeletions();
    await audit.close();
  };
  let connection: Awaited<ReturnType<typeof connectWorker>>;
  let runtime: Awaited<ReturnType<typeof startWorkerRuntime>>;
  try {
    connection = await connectWorker(settings);
    runtime = await startWorkerRuntime({
      config,
      connection,
      namespace: settings.namespace,
      taskQueue: values['task-queue'] ?? settings.taskQueue,
      logger,
      audit: audit.port,
      temporal: settings,
      maxConcurrentActivityTaskExecutions: values['max-activities'] ? Number(values['max-activities']) : undefined,
      maxCachedWorkflows,
      workflowStackTraces:
        values['workflow-stack-traces'] || process.env.JML_WORKER_WORKFLOW_STACK_TRACES?.toLowerCase() === 'true',
    });
  } catch (err) {
    // An open metrics server or store would keep the process alive after the error is reported.
    await release();
    throw err;
  }
  running.current = { connection, state: () => runtime.worker.getState() };
  logger.info(
    {
      address: settings.address,
      audit: audit.description,
      heapGrowingPercent: heap.growingPercent ?? 'V8 default',
      semiSpaceMb: heap.semiSpaceMb ?? 'V8 default',
    },
    'connected',
  );
  const stopped = await Promise.race([untilSignal(), runtime.done.then(() => 'worker-stopped' as const)]);
  logger.info({ reason: stopped }, 'shutting down');
  await runtime.stop();
  await connection.close();
  await release();
  return 0;
}

/** Prometheus' conventional port range; 9464 is also the OpenTelemetry Prometheus exporter's default. */
const DEFAULT_METRICS_PORT = 9464;

function portOption(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--metrics-port (or JML_WORKER_METRICS_PORT) must be a port number 0-65535, got "${raw}"`);
  return n;
}

/** A whole number 0..max from a flag or its environment variable; undefined when unset. */
function wholeNumberOption(raw: string | undefined, max: number, mustBe: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`${mustBe}, got "${raw}"`);
  return n;
}

const percentOption = (raw: string | undefined) =>
  wholeNumberOption(
    raw,
    1000,
    `--heap-growing-percent (or JML_WORKER_HEAP_GROWING_PERCENT) must be a whole number 0-1000 (0 = V8's own)`,
  );

const semiSpaceOption = (raw: string | undefined) =>
  wholeNumberOption(
    raw,
    256,
    `--semi-space-mb (or JML_WORKER_SEMI_SPACE_MB) must be a whole number of MiB 0-256 (0 = V8's own)`,
  );

function countOption(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 2)
    throw new UsageError(`${flag} (or JML_MAX_CACHED_WORKFLOWS) must be a whole number of at least 2, got "${raw}"`);
  return n;
}
