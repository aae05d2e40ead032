/**
 * `jml dev` (= `npm start`): the whole system in one process on a fresh offline machine — the
 * embedded engine in real time (or the Temporal server in TEMPORAL_ADDRESS), reference SCIM
 * servers standing in for the configured apps, the audit store (PGlite in .data/), the
 * lifecycle worker and the intake API — then prints where everything is and how to try it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommandArgs, UsageError } from '../args';
import { loadConfigForStartup, untilSignal } from '../startup';
import { startEngine, type EngineHandle } from '../../engine';
import { createLogger } from '../../lib/logger';
import { trackPendingDeletions, untrackPendingDeletions } from '../../lib/metrics';
import { installSdkRuntime } from '../../lib/temporal/runtime';
import { listAppHealth } from '../../lib/temporal/app-client';
import { connectClient, connectWorker, temporalSettingsFromEnv } from '../../lib/temporal/connection';
import { apiSecretsFromEnv, auditReadSide, buildApiServer, createSignedRequest, readTokensOf } from '../../workers/api';
import { parseSecretRef } from '../../lib/config';
import type { ConnectorConfig, LoadedConfig } from '../../lib/config/types';
import { isLocalHost, startReferenceApps, type ReferenceApps } from '../../workers/dev';
import { portProblems, type PlannedPort } from '../ports';
import { openAuditForProcess, startWorkerRuntime } from '../../workers/lifecycle';
import { buildUi, isUiBuilt, serveTemporalUi, type ServedUi } from '../temporal-ui';

/** One line for `jml --help`. */
export const summary = 'Run the all-in-one dev stack (engine, reference apps, worker, API, audit store)';

const HELP = `Usage: jml dev [--config DIR] [--api-port 8080] [--engine-port 7233] [--ui-port 8233]
               [--no-ui-build] [--data-dir .data]

Starts everything in one process. With TEMPORAL_ADDRESS set, uses that Temporal server
instead of the embedded engine. With the embedded engine, the Temporal UI is served on
--ui-port (0 = any free port); it is built once on first use (npx jml ui build does it
ahead), unless --no-ui-build. The reference SCIM servers listen where the connectors'
baseUrls point (config/connectors/*.yaml). Stop with Ctrl-C.`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    {
      config: { type: 'string' },
      'api-port': { type: 'string', default: process.env.JML_API_PORT ?? '8080' },
      'engine-port': { type: 'string', default: '7233' },
      'ui-port': { type: 'string', default: process.env.JML_UI_PORT ?? '8233' },
      'no-ui-build': { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: '.data' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    false,
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const apiPort = Number(values['api-port']);
  const enginePort = Number(values['engine-port']);
  const uiPort = Number(values['ui-port']);
  if (!Number.isInteger(apiPort) || !Number.isInteger(enginePort) || !Number.isInteger(uiPort)) {
    throw new UsageError('--api-port, --engine-port and --ui-port must be port numbers');
  }
  // Dev credentials when none are configured: generated per run, printed, never written to config.
  // A secret the user supplied is theirs: checked like `jml api` does (before anything starts), never printed.
  const generatedSecret = !process.env.JML_API_HMAC_SECRETS;
  if (generatedSecret) process.env.JML_API_HMAC_SECRETS = randomBytes(32).toString('base64url');
  const hmacSecret = process.env.JML_API_HMAC_SECRETS!.split(/[,\n]/)[0]!.trim();
  try {
    apiSecretsFromEnv();
  } catch (err) {
    console.error(`jml dev: ${(err as Error).message}`);
    return 1;
  }
  const config = await loadConfigForStartup(values.config, 'dev');
  if (!config) return 1;
  const external = process.env.TEMPORAL_ADDRESS;
  // Every port this stack listens on, checked before anything starts.
  const planned = plannedPorts(config, { external, enginePort, uiPort, apiPort });
  if (await reportPortProblems(planned)) return 1;
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', base: { component: 'dev' } });
  installSdkRuntime(logger);
  const dataDir = path.resolve(values['data-dir']);

  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    let engine: EngineHandle | undefined;
    let ui: ServedUi | undefined;
    if (!external) {
      if (!values['no-ui-build']) await buildUiOnce();
      engine = await startEngine({ port: enginePort, timeSkipping: false });
      stops.push(() => engine!.stop());
      ui = await serveTemporalUi({
        engine: engine.engine,
        host: '127.0.0.1',
        port: uiPort,
        namespace: engine.namespace,
        option: '--ui-port',
      });
      stops.push(() => ui!.close());
    }
    // Timeline and console links open the workflow in the UI served here unless one is configured.
    const temporalUiUrl = process.env.TEMPORAL_UI_URL || (ui?.withUi ? ui.url : undefined);
    const settings = { ...temporalSettingsFromEnv(), ...(engine ? { address: engine.address } : {}) };
    const apps = await startReferenceApps(config, { ports: 'config' });
    stops.push(() => apps.stop());
    // One command: migrations run on open here (also with DATABASE_URL), unlike jml worker.
    const audit = await openAuditForProcess({ logger, dataDir: path.join(dataDir, 'audit'), migrateOnOpen: true });
    if (audit.generatedKeyFile)
      console.log(`Generated the audit key ${audit.generatedKeyFile} (mode 0600): jml audit verify reads it.`);
    stops.push(() => audit.close());
    trackPendingDeletions(audit.store, Object.keys(config.connectors));
    stops.push(async () => untrackPendingDeletions());
    const connection = await connectWorker(settings);
    stops.push(() => connection.close());
    const runtime = await startWorkerRuntime({
      config: apps.config,
      connection,
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
      logger,
      audit: audit.port,
      temporal: settings,
    });
    stops.push(() => runtime.stop());
    const { client, connection: clientConnection } = await connectClient(settings);
    stops.push(() => clientConnection.close());
    const secrets = apiSecretsFromEnv();
    const api = buildApiServer({
      temporal: { client, taskQueue: settings.taskQueue },
      secrets,
      logger,
      ...auditReadSide(audit.store, {
        temporalUiUrl,
        namespace: settings.namespace,
        readTokens: readTokensOf(secrets),
        apps: () => listAppHealth(client),
        temporal: () => client,
      }),
    });
    const apiUrl = await api.listen({ port: apiPort, host: '127.0.0.1' });
    stops.push(() => api.close());
    const samples = writeSampleEvents(path.join(dataDir, 'dev'));
    const uiLine = !ui
      ? (temporalUiUrl ?? 'the UI of the server in TEMPORAL_ADDRESS (set TEMPORAL_UI_URL to link to it)')
      : ui.withUi
        ? ui.url
        : `not built (npx jml ui build); Temporal HTTP API at ${ui.url}/api/v1`;
    const temporal = external
      ? `${external} (TEMPORAL_ADDRESS)`
      : `${settings.address} (embedded engine, real time; in-memory)`;
    const appLines = appsInUse(config, apps);
    const audited = audit.description;
    console.log(
      banner({ apiUrl, temporal, ui: uiLine, apps: appLines, audit: audited, samples, hmacSecret, generatedSecret }),
    );
    await Promise.race([untilSignal(), runtime.done]);
    return 0;
  } catch (err) {
    // A port taken between the check and the listen: the same one-line answer, after a clean stop.
    await stopAll();
    if (await reportPortProblems(planned)) return 1;
    throw err;
  } finally {
    await stopAll();
  }
}

interface PortOptions {
  external: string | undefined;
  enginePort: number;
  uiPort: number;
  apiPort: number;
}

function plannedPorts(config: LoadedConfig, o: PortOptions): PlannedPort[] {
  const host = '127.0.0.1';
  const planned: PlannedPort[] = [];
  if (!o.external) {
    const engineChange = 'choose another with --engine-port <port>';
    planned.push({ host, port: o.enginePort, what: 'the embedded Temporal engine', change: engineChange });
    const uiChange = 'choose another with --ui-port <port> (0 = any free port)';
    planned.push({ host, port: o.uiPort, what: 'the Temporal UI', change: uiChange });
  }
  const apiChange = 'choose another with --api-port <port> (or JML_API_PORT)';
  planned.push({ host, port: o.apiPort, what: 'the intake API', change: apiChange });
  for (const connector of Object.values(config.connectors)) {
    const base = new URL(connector.scim.baseUrl);
    if (!isLocalHost(base.hostname)) continue;
    planned.push({
      host,
      port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
      what: `the stand-in SCIM server for ${connector.id}`,
      change: `change the port of scim.baseUrl in ${path.relative(process.cwd(), connector.sourceFile)}`,
    });
  }
  return planned;
}

/** Prints one line per port that cannot be listened on; true when there was any. */
async function reportPortProblems(planned: PlannedPort[]): Promise<boolean> {
  const problems = await portProblems(planned);
  for (const problem of problems) console.error(`jml dev: ${problem}`);
  return problems.length > 0;
}

/**
 * One banner line per app saying what the worker talks to: a stand-in on this machine, or —
 * when the connector's baseUrl is a remote host — the real app, with where its credential
 * comes from (and whether it is set).
 */
function appsInUse(config: LoadedConfig, apps: ReferenceApps): string[] {
  const lines = Object.values(apps.apps).map(
    (a) => `${a.id.padEnd(8)} ${a.url}   (stand-in: reference SCIM server on this machine)`,
  );
  for (const r of apps.remote) {
    const ref = credentialRef(config.connectors[r.id]!);
    const credential = `credential ${ref}${secretIsSet(ref) ? '' : ', NOT SET'}`;
    lines.push(`${r.id.padEnd(8)} ${r.baseUrl}   (the real app: its baseUrl is a remote host; ${credential})`);
  }
  return lines;
}

function credentialRef(connector: ConnectorConfig): string {
  const { auth } = connector;
  if (auth.type === 'bearer') return auth.token;
  if (auth.type === 'basic') return auth.password;
  return auth.clientSecret;
}

function secretIsSet(ref: string): boolean {
  const parsed = parseSecretRef(ref);
  if (parsed?.kind === 'env') return Boolean(process.env[parsed.name]);
  if (parsed?.kind === 'file') return existsSync(parsed.path);
  return false;
}

function writeSampleEvents(dir: string): { hire: string; terminate: string; hireBody: string } {
  mkdirSync(dir, { recursive: true });
  const now = new Date().toISOString();
  const employee = {
    employeeId: 'E1001',
    givenName: 'Ada',
    familyName: 'Lovelace',
    workEmail: 'ada.lovelace@example.com',
    title: 'Software Engineer',
    department: 'Engineering',
    location: 'Berlin',
    employmentType: 'FULL_TIME',
    status: 'active',
  };
  const hire = {
    eventId: `evt-E1001-hire-${Date.now()}`,
    type: 'hire',
    effectiveAt: now,
    sequence: 1,
    initiator: 'dev',
    employee,
  };
  const terminate = {
    eventId: `evt-E1001-terminate-${Date.now()}`,
    type: 'terminate',
    effectiveAt: now,
    sequence: 2,
    initiator: 'dev',
    employee: { ...employee, status: 'terminated' },
  };
  const files = { hire: path.join(dir, 'hire.json'), terminate: path.join(dir, 'terminate.json') };
  writeFileSync(files.hire, JSON.stringify(hire, null, 2));
  writeFileSync(files.terminate, JSON.stringify(terminate, null, 2));
  return { ...files, hireBody: JSON.stringify(hire) };
}

/** First start: build the UI, with progress; a failed build leaves the stack running without it. */
async function buildUiOnce(): Promise<void> {
  if (isUiBuilt()) return;
  console.log('Temporal UI is not built yet: building it once (about 280 MB of dependencies in ui/, a minute or two).');
  console.log('  (npx jml ui build does the same ahead of time; --no-ui-build skips it)');
  try {
    await buildUi(process.stdout);
  } catch (err) {
    console.error(`Temporal UI build failed, continuing without it: ${(err as Error).message}`);
  }
}

function banner(b: {
  apiUrl: string;
  temporal: string;
  ui: string;
  apps: string[];
  audit: string;
  samples: { hire: string; terminate: string; hireBody: string };
  hmacSecret: string;
  generatedSecret: boolean;
}): string {
  const signed = createSignedRequest({ body: b.samples.hireBody, secret: b.hmacSecret });
  const curl = [
    `curl -sS -X POST ${b.apiUrl}/v1/hr/events`,
    ...Object.entries(signed.headers).map(([k, v]) => `  -H '${k}: ${v}'`),
    `  --data '${signed.body.replace(/'/g, "'\\''")}'`,
  ].join(' \\\n');
  const rel = (p: string) => path.relative(process.cwd(), p);
  // Only a secret generated for this run is shown; a configured one stays in the environment.
  const secretEnv = b.generatedSecret ? `JML_API_HMAC_SECRETS=${b.hmacSecret}` : '';
  return [
    'jml dev stack ready',
    '',
    `  API        ${b.apiUrl}   (OpenAPI: ${b.apiUrl}/openapi.json, health: ${b.apiUrl}/healthz)`,
    `  Metrics    ${b.apiUrl}/metrics   (Prometheus: the API's and the worker's, one process)`,
    `  Console    ${b.apiUrl}/console   (recent lifecycle runs with SLA badges, leaver timelines)`,
    `  Temporal   ${b.temporal}`,
    `  Temporal UI  ${b.ui}`,
    `  Apps       ${b.apps.join('\n             ')}`,
    `  Audit      ${b.audit}`,
    `  Webhook    HMAC secret from ${b.generatedSecret ? 'a generated dev value (set JML_API_HMAC_SECRETS to choose one)' : 'JML_API_HMAC_SECRETS'}`,
    '',
    'Try it (in another terminal):',
    `  JML_API_URL=${b.apiUrl} ${secretEnv} npx jml event send ${rel(b.samples.hire)}`,
    `  curl -s ${b.apiUrl}/v1/employees/E1001            # status: accounts per app`,
    `  JML_API_URL=${b.apiUrl} ${secretEnv} npx jml event send ${rel(b.samples.terminate)}`,
    `  curl -s ${b.apiUrl}/v1/employees/E1001/timeline   # the leaver timeline, from the audit store`,
    '  (after Ctrl-C: npx jml timeline E1001 — PGlite allows one process at a time)',
    '',
    'Or a ready-to-paste signed hire (the signature is valid for 5 minutes):',
    curl,
    '',
    'Stop with Ctrl-C.',
  ].join('\n');
}
