/**
 * `jml api`: the HR intake API process. Credentials come from the environment or files only
 * (a secret on the command line would show in `ps`); Temporal settings from TEMPORAL_* like
 * every other process, with flags to override.
 */
import { Client, Connection } from '@temporalio/client';
import { createLogger, type Logger } from '../../lib/logger';
import { listAppHealth } from '../../lib/temporal/app-client';
import { connectClient, temporalSettingsFromEnv, type TemporalSettings } from '../../lib/temporal/connection';
import { AuditStore, SchemaVersionError } from '../../lib/audit';
import {
  apiSecretsFromEnv,
  auditReadSide,
  buildApiServer,
  DEFAULT_LIMITS,
  parseTrustedProxies,
  readTokensOf,
  TrustedProxiesError,
} from '../../workers/api';
import { SqlIdempotencyStore } from '../../workers/api/idempotency-sql';
import { isValidTimeZone } from '../../workers/api/adapters/dates';
import { UsageError, parseCommandArgs } from '../args';

/** One line for `jml --help`. */
export const summary = 'Run the HR intake API (signed webhooks → employee workflows)';

const HELP = `Usage: jml api [options]

  --port N               listen port (0 = any free port)  [$JML_API_PORT or 8080]
  --host H               listen address                   [$JML_API_HOST or 127.0.0.1]
  --temporal-address A   Temporal frontend host:port      [$TEMPORAL_ADDRESS or 127.0.0.1:7233]
  --namespace NS         Temporal namespace               [$TEMPORAL_NAMESPACE or default]
  --task-queue Q         lifecycle worker's task queue    [$TEMPORAL_TASK_QUEUE or jml-lifecycle]
  --body-limit BYTES     largest accepted body            [${DEFAULT_LIMITS.bodyBytes}]
  --rate N               requests/s per client address    [${DEFAULT_LIMITS.ratePerSec}]
  --burst N              burst per client address         [${DEFAULT_LIMITS.burst}]
  --replay-window S      accepted clock skew of X-JML-Timestamp  [${DEFAULT_LIMITS.replayWindowSec}]
  --time-zone TZ         zone of date-only HR values      [$JML_HR_TIME_ZONE or UTC]
  --clock-skew S         how far an event's occurredAt may be ahead of this clock
                                                          [$JML_HR_CLOCK_SKEW_SEC or ${DEFAULT_LIMITS.clockSkewSec}]
  --max-sequence N       largest accepted event sequence  [$JML_HR_MAX_SEQUENCE or ${DEFAULT_LIMITS.maxSequence}]
  --max-effective-days D how far ahead effectiveAt may be [$JML_HR_MAX_EFFECTIVE_DAYS or ${DEFAULT_LIMITS.maxEffectiveAheadDays}]
  --trusted-proxies LIST take the client address from X-Forwarded-For sent by these peers only:
                         addresses, CIDR ranges or loopback|linklocal|uniquelocal, comma-separated
                                                          [$JML_API_TRUSTED_PROXIES]
  --trust-proxy          trust X-Forwarded-For from any peer (only when nothing else can reach
                         the API; prefer --trusted-proxies)

Credentials (environment only; values may list several, comma- or newline-separated, for rotation;
each at least 32 random bytes — generate with: openssl rand -base64 48):
  JML_API_HMAC_SECRETS, JML_API_HMAC_SECRETS_FILE     HMAC secrets for X-JML-Signature (every POST)
  JML_API_BEARER_TOKENS, JML_API_BEARER_TOKENS_FILE   optional: also require Authorization: Bearer on POST
  JML_API_BAMBOOHR_KEYS, JML_API_BAMBOOHR_KEYS_FILE   optional: BambooHR webhook private keys
                                                      (X-BambooHR-Signature on /v1/hr/events/bamboohr)
  JML_API_READ_TOKENS, JML_API_READ_TOKENS_FILE       optional: bearer tokens for GET /v1/employees/*
Temporal Cloud: TEMPORAL_API_KEY[_FILE], TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY (see docs/deployment.md).
Audit store: with DATABASE_URL (the worker's PostgreSQL audit store) the timeline endpoint answers
from it, /console is served (guarded by the read tokens when set), and eventId idempotency
records are kept there for all replicas; without it the timeline comes from the workflow's query,
there is no console, and idempotency records are per process. TEMPORAL_UI_URL adds workflow links.
LOG_LEVEL sets the pino level [info]. Stop with SIGINT/SIGTERM (in-flight requests finish).`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'temporal-address': { type: 'string' },
  namespace: { type: 'string' },
  'task-queue': { type: 'string' },
  'body-limit': { type: 'string' },
  rate: { type: 'string' },
  burst: { type: 'string' },
  'replay-window': { type: 'string' },
  'time-zone': { type: 'string' },
  'clock-skew': { type: 'string' },
  'max-sequence': { type: 'string' },
  'max-effective-days': { type: 'string' },
  'trust-proxy': { type: 'boolean', default: false },
  'trusted-proxies': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function positive(name: string, raw: string | undefined, fallback: number, allowZero = false): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !allowZero))
    throw new UsageError(`--${name} must be a positive number, got "${raw}"`);
  return n;
}

/** `--trusted-proxies` names the peers whose X-Forwarded-For counts; `--trust-proxy` trusts any. */
function trustProxyOption(any: boolean, list: string | undefined): boolean | string[] {
  if (list === undefined || list.trim() === '') return any;
  if (any) throw new UsageError('--trust-proxy and --trusted-proxies exclude each other: keep --trusted-proxies');
  try {
    return parseTrustedProxies(list);
  } catch (err) {
    if (err instanceof TrustedProxiesError) throw new UsageError(err.message);
    throw err;
  }
}

/** A sequence bound must stay where doubles still count every integer. */
function safeInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || n >= Number.MAX_SAFE_INTEGER) {
    throw new UsageError(`--${name} must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER - 1}, got "${raw}"`);
  }
  return n;
}

/** Connects, retrying while Temporal starts (compose starts both at once). */
async function connectWithRetry(
  settings: TemporalSettings,
  logger: Logger,
  stopped: () => boolean,
  stop: Promise<void>,
): Promise<Client | undefined> {
  for (let attempt = 1; !stopped(); attempt++) {
    try {
      return (await connectClient(settings)).client;
    } catch (err) {
      // One line per attempt that says what was tried and what to check; no stack for an expected condition.
      const reason = err instanceof Error ? err.message : String(err);
      logger.warn({ address: settings.address, attempt, reason }, 'Temporal not reachable yet; retrying');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise((r) => (timer = setTimeout(r, Math.min(10_000, 500 * attempt)))), stop]);
      clearTimeout(timer);
    }
  }
  return undefined;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, OPTIONS, false);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const env = process.env;
  const timeZone = values['time-zone'] ?? env.JML_HR_TIME_ZONE ?? 'UTC';
  if (!isValidTimeZone(timeZone))
    throw new UsageError(`unknown time zone "${timeZone}" (use an IANA name such as Europe/Berlin)`);
  const limits = {
    bodyBytes: positive('body-limit', values['body-limit'], DEFAULT_LIMITS.bodyBytes),
    rosterBodyBytes: DEFAULT_LIMITS.rosterBodyBytes,
    ratePerSec: positive('rate', values.rate, DEFAULT_LIMITS.ratePerSec),
    burst: positive('burst', values.burst, DEFAULT_LIMITS.burst),
    replayWindowSec: positive('replay-window', values['replay-window'], DEFAULT_LIMITS.replayWindowSec),
    clockSkewSec: positive(
      'clock-skew',
      values['clock-skew'] ?? env.JML_HR_CLOCK_SKEW_SEC,
      DEFAULT_LIMITS.clockSkewSec,
      true,
    ),
    maxSequence: safeInteger(
      'max-sequence',
      values['max-sequence'] ?? env.JML_HR_MAX_SEQUENCE,
      DEFAULT_LIMITS.maxSequence,
    ),
    maxEffectiveAheadDays: positive(
      'max-effective-days',
      values['max-effective-days'] ?? env.JML_HR_MAX_EFFECTIVE_DAYS,
      DEFAULT_LIMITS.maxEffectiveAheadDays,
    ),
  };
  // Port 0 picks a free port (tests; the address is in the 'listening' log line).
  const port = positive('port', values.port ?? env.JML_API_PORT, 8080, true);
  const host = values.host ?? env.JML_API_HOST ?? '127.0.0.1';
  let secrets;
  try {
    secrets = apiSecretsFromEnv(env);
  } catch (err) {
    console.error(`jml api: ${(err as Error).message}`);
    return 1;
  }
  const base = temporalSettingsFromEnv(env);
  const settings: TemporalSettings = {
    ...base,
    address: values['temporal-address'] ?? base.address,
    namespace: values.namespace ?? base.namespace,
    taskQueue: values['task-queue'] ?? base.taskQueue,
  };
  return serve({
    settings,
    secrets,
    limits,
    timeZone,
    port,
    host,
    trustProxy: trustProxyOption(values['trust-proxy'], values['trusted-proxies'] ?? env.JML_API_TRUSTED_PROXIES),
    databaseUrl: env.DATABASE_URL || undefined,
    temporalUiUrl: env.TEMPORAL_UI_URL || undefined,
  });
}

async function serve(opts: {
  settings: TemporalSettings;
  secrets: ReturnType<typeof apiSecretsFromEnv>;
  limits: typeof DEFAULT_LIMITS;
  timeZone: string;
  port: number;
  host: string;
  trustProxy: boolean | string[];
  databaseUrl?: string;
  temporalUiUrl?: string;
}): Promise<number> {
  const logger = createLogger({ base: { component: 'api' } });
  let signalled = false;
  const stop = new Promise<void>((resolve) => {
    const on = () => {
      signalled = true;
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve();
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  // Listen first, connect in the background: a probe gets 503 from /readyz (and a sender a 503
  // with Retry-After) while Temporal starts, instead of a refused connection.
  let client: Client | undefined;
  // PGlite is single-process (the worker owns it), so only a shared PostgreSQL store is read here.
  // No DDL here: `jml migrate` (as the owner) keeps the schema; an outdated one stops the start.
  let audit: AuditStore | undefined;
  try {
    audit = opts.databaseUrl
      ? await AuditStore.open({
          databaseUrl: opts.databaseUrl,
          migrate: false,
          onConnectionError: (err) => logger.warn({ err }, 'audit store connection lost; reconnecting'),
        })
      : undefined;
  } catch (err) {
    if (!(err instanceof SchemaVersionError)) throw err;
    console.error(`jml api: ${err.message}`);
    return 1;
  }
  const app = buildApiServer({
    // Idempotency records shared by every replica (a repeat reaching another one gets the same answer), the durable timeline and the console.
    ...(audit
      ? {
          idempotency: new SqlIdempotencyStore(audit.db),
          ...auditReadSide(audit, {
            temporalUiUrl: opts.temporalUiUrl,
            namespace: opts.settings.namespace,
            readTokens: readTokensOf(opts.secrets),
            apps: async () => {
              if (!client) throw new Error('not connected to Temporal yet');
              return listAppHealth(client);
            },
            temporal: () => client,
          }),
        }
      : {}),
    temporal: { client: () => client, taskQueue: opts.settings.taskQueue },
    secrets: opts.secrets,
    limits: opts.limits,
    logger,
    timeZone: opts.timeZone,
    trustProxy: opts.trustProxy,
  });
  const address = await app.listen({ port: opts.port, host: opts.host });
  if (opts.trustProxy === true) {
    logger.warn('--trust-proxy: X-Forwarded-For is trusted from any peer; list your proxy with --trusted-proxies');
  }
  logger.info(
    { address, temporal: opts.settings.address },
    'HTTP port open; connecting to Temporal (/readyz answers 503 until connected)',
  );
  const connecting = connectWithRetry(opts.settings, logger, () => signalled, stop).then((connected) => {
    client = connected;
    if (!connected) return undefined;
    // Logged once the API can deliver: scripts and tests wait for this line.
    logger.info(
      {
        address,
        temporal: opts.settings.address,
        namespace: opts.settings.namespace,
        taskQueue: opts.settings.taskQueue,
        timeline: audit
          ? 'audit store (PostgreSQL, DATABASE_URL); console at /console'
          : 'workflow query (no DATABASE_URL; no console)',
        idempotency: audit ? 'PostgreSQL (shared by replicas)' : 'in memory (this process)',
        // Counts only: how many credentials are configured, never their values.
        credentialCounts: {
          hmac: opts.secrets.hmacSecrets.length,
          bearer: opts.secrets.bearerTokens.length,
          bamboohr: opts.secrets.bambooHrKeys?.length ?? 0,
          read: opts.secrets.readTokens?.length ?? 0,
        },
      },
      'intake API listening',
    );
    return connected;
  });
  await stop;
  logger.info('shutting down');
  await app.close();
  await audit?.close();
  const connected = await connecting;
  await (connected?.connection as Connection | undefined)?.close();
  return 0;
}
