/**
 * `jml worker`: the lifecycle worker process — runs the workflows and the SCIM activities for
 * every configured app against the Temporal server in `TEMPORAL_ADDRESS`, writing the audit
 * trail to `DATABASE_URL` (PostgreSQL) or the embedded PGlite store in `JML_AUDIT_DIR`.
 */
import { parseCommandArgs } from '../args';
import { loadConfigForStartup, untilSignal } from '../startup';
import { createLogger } from '../../lib/logger';
import { installSdkRuntime } from '../../lib/temporal/runtime';
import { connectWorker, temporalSettingsFromEnv } from '../../lib/temporal/connection';
import { openAuditForProcess, startWorkerRuntime } from '../../workers/lifecycle';

/** One line for `jml --help`. */
export const summary = 'Run the lifecycle worker (workflows + SCIM activities) against Temporal';

const HELP = `Usage: jml worker [--config DIR] [--task-queue Q] [--max-activities N]

Environment:
  TEMPORAL_ADDRESS      Temporal frontend host:port        [127.0.0.1:7233]
  TEMPORAL_NAMESPACE    namespace                          [default]
  TEMPORAL_TASK_QUEUE   task queue                         [jml-lifecycle]
  TEMPORAL_API_KEY[_FILE], TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY   Temporal Cloud credentials
  DATABASE_URL          PostgreSQL audit store (else embedded PGlite in JML_AUDIT_DIR [.data/audit])
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
      help: { type: 'boolean', short: 'h', default: false },
    },
    false,
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const config = await loadConfigForStartup(values.config, 'worker');
  if (!config) return 1;
  const logger = createLogger({ base: { component: 'worker' } });
  installSdkRuntime(logger);
  const settings = temporalSettingsFromEnv();
  const audit = await openAuditForProcess({ logger });
  const connection = await connectWorker(settings);
  const runtime = await startWorkerRuntime({
    config,
    connection,
    namespace: settings.namespace,
    taskQueue: values['task-queue'] ?? settings.taskQueue,
    logger,
    audit: audit.port,
    maxConcurrentActivityTaskExecutions: values['max-activities'] ? Number(values['max-activities']) : undefined,
  });
  logger.info({ address: settings.address, audit: audit.description }, 'connected');
  const stopped = await Promise.race([untilSignal(), runtime.done.then(() => 'worker-stopped' as const)]);
  logger.info({ reason: stopped }, 'shutting down');
  await runtime.stop();
  await connection.close();
  await audit.close();
  return 0;
}
