/**
 * `jml scim-server`: runs the reference SCIM 2.0 server as a standalone process. The first
 * line on stdout is the base URL, so scripts can read it; with `--log-requests` one pino JSON
 * line per request follows. SIGINT/SIGTERM stop it cleanly (exit code 0).
 */
import { readFileSync } from 'node:fs';
import { createLogger } from '../../lib/logger';
import { UsageError, parseCommandArgs } from '../args';
import {
  QUIRK_PROFILES,
  startScimServer,
  type FaultOptions,
  type FaultTiming,
  type QuirkProfileInput,
  type RecordedRequest,
  type ScimServerOptions,
  type ServerOAuth2,
} from '../../scim-server';

/** One line for `jml --help`. */
export const summary = 'Run the reference SCIM 2.0 server (stand-in app with faults and quirks)';

const OPTIONS = {
  port: { type: 'string', default: '0' },
  host: { type: 'string', default: '127.0.0.1' },
  'base-path': { type: 'string', default: '/scim/v2' },
  token: { type: 'string' },
  'token-env': { type: 'string' },
  'basic-user': { type: 'string' },
  'basic-password-env': { type: 'string' },
  'public-discovery': { type: 'boolean', default: false },
  'oauth-client-id': { type: 'string' },
  'oauth-client-secret-env': { type: 'string' },
  'oauth-token-path': { type: 'string' },
  'oauth-token-ttl': { type: 'string' },
  profile: { type: 'string', default: 'rfc' },
  quirk: { type: 'string', multiple: true },
  'filter-operators': { type: 'string' },
  latency: { type: 'string' },
  'rate-429': { type: 'string' },
  'rate-5xx': { type: 'string' },
  'status-5xx': { type: 'string' },
  'rate-hang': { type: 'string' },
  'hang-ms': { type: 'string' },
  'rate-reset': { type: 'string' },
  'fault-timing': { type: 'string' },
  'fault-methods': { type: 'string' },
  'retry-after': { type: 'string' },
  'retry-after-format': { type: 'string' },
  'rate-limit': { type: 'string' },
  'rate-limit-methods': { type: 'string' },
  'max-page-size': { type: 'string' },
  seed: { type: 'string' },
  'seed-file': { type: 'string' },
  'log-requests': { type: 'boolean', default: false },
  'max-recorded-requests': { type: 'string', default: '10000' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const HELP = `Usage: jml scim-server [options]

  --port N                 listen port (0 = any free port)              [0]
  --host H                 listen address                                [127.0.0.1]
  --base-path P            URL prefix                                    [/scim/v2]
  --token T | --token-env NAME            require this bearer token
  --basic-user U --basic-password-env NAME  require HTTP Basic
  --public-discovery       serve /ServiceProviderConfig, /ResourceTypes, /Schemas without credentials
  --oauth-client-id ID --oauth-client-secret-env NAME
                           serve an OAuth2 client-credentials token endpoint and accept its tokens
  --oauth-token-path P     token endpoint path                           [/oauth/token]
  --oauth-token-ttl S      lifetime of issued tokens in seconds          [3600]
  --profile NAME           rfc, slack, github-emu, no-patch, canva, no-delete, no-groups, minimal,
                           lax-groups, sloppy
  --quirk FLAG[=VALUE]     override a profile flag (repeatable), e.g. --quirk patchReturns204,
                           --quirk unfilterableAttributes=externalId (lists: comma-separated)
  --filter-operators LIST  accepted filter operators, e.g. eq,and
  --latency MS|MIN-MAX     added latency
  --rate-429 P --rate-5xx P --rate-hang P --rate-reset P   fault probabilities (0..1)
  --status-5xx N --hang-ms MS --retry-after S --retry-after-format seconds|http-date
  --fault-timing before|after   inject faults before or after the write takes effect
  --fault-methods LIST     only these methods get faults, e.g. POST,PATCH
  --rate-limit RPS[:BURST] server-side token bucket (429 + Retry-After); off = none,
                           even if the profile has one (slack)
  --rate-limit-methods LIST  only these methods count against it, e.g. POST,PUT,PATCH,DELETE
  --max-page-size N        largest page                                  [100]
  --seed N                 deterministic fault injection
  --seed-file FILE         JSON {"users": [...], "groups": [...]} loaded at start
  --log-requests           one JSON log line (pino) per request on stdout
  --max-recorded-requests N  request records kept in memory              [10000]

Prints the base URL on the first line of stdout when ready. Stop with Ctrl-C (SIGINT) or SIGTERM.`;

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

function number(
  value: string | undefined,
  name: string,
  check: (n: number) => boolean = Number.isFinite,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !check(n)) throw new UsageError(`--${name} must be a valid number, got "${value}"`);
  return n;
}

const rate = (value: string | undefined, name: string) => number(value, name, (n) => n >= 0 && n <= 1);

function parseQuirkValue(raw: string): unknown {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (raw !== '' && !Number.isNaN(Number(raw))) return Number(raw);
  return raw;
}

function profileOf(values: Values): QuirkProfileInput {
  const profile: Record<string, unknown> = { base: values.profile };
  for (const quirk of values.quirk ?? []) {
    const [key = '', ...rest] = quirk.split('=');
    const listFlag = Array.isArray((QUIRK_PROFILES.rfc as unknown as Record<string, unknown>)[key]);
    if (listFlag)
      profile[key] = rest
        .join('=')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else profile[key] = rest.length ? parseQuirkValue(rest.join('=')) : true;
  }
  if (values['filter-operators']) profile.filterOperators = values['filter-operators'].split(',').map((s) => s.trim());
  return profile as QuirkProfileInput;
}

function latencyOf(value: string | undefined): FaultOptions['latencyMs'] {
  if (value === undefined) return undefined;
  const range = /^(\d+)-(\d+)$/.exec(value);
  if (range) return { min: Number(range[1]), max: Number(range[2]) };
  return number(value, 'latency', (n) => n >= 0);
}

function retryAfterFormatOf(value: string | undefined): FaultOptions['retryAfterFormat'] {
  if (value !== undefined && value !== 'seconds' && value !== 'http-date')
    throw new UsageError('--retry-after-format must be "seconds" or "http-date"');
  return value;
}

function faultsOf(values: Values): FaultOptions {
  const timing = values['fault-timing'];
  if (timing !== undefined && timing !== 'before' && timing !== 'after')
    throw new UsageError('--fault-timing must be "before" or "after"');
  const faults: FaultOptions = {
    latencyMs: latencyOf(values.latency),
    rate429: rate(values['rate-429'], 'rate-429'),
    rate5xx: rate(values['rate-5xx'], 'rate-5xx'),
    status5xx: number(values['status-5xx'], 'status-5xx'),
    rateHang: rate(values['rate-hang'], 'rate-hang'),
    hangMs: number(values['hang-ms'], 'hang-ms', (n) => n >= 0),
    rateReset: rate(values['rate-reset'], 'rate-reset'),
    retryAfterSeconds: number(values['retry-after'], 'retry-after', (n) => n >= 0),
    faultTiming: timing as FaultTiming | undefined,
    retryAfterFormat: retryAfterFormatOf(values['retry-after-format']),
    methods: values['fault-methods']?.split(',').map((m) => m.trim().toUpperCase()),
  };
  return Object.fromEntries(Object.entries(faults).filter(([, v]) => v !== undefined)) as FaultOptions;
}

function secretFromEnv(name: string | undefined, flag: string): string | undefined {
  if (name === undefined) return undefined;
  const value = process.env[name];
  if (!value) throw new UsageError(`--${flag}: environment variable ${name} is not set`);
  return value;
}

function oauthOf(values: Values): ServerOAuth2 | undefined {
  const clientId = values['oauth-client-id'];
  const clientSecret = secretFromEnv(values['oauth-client-secret-env'], 'oauth-client-secret-env');
  if ((clientId === undefined) !== (clientSecret === undefined))
    throw new UsageError('--oauth-client-id and --oauth-client-secret-env go together');
  if (clientId === undefined || clientSecret === undefined) return undefined;
  const tokenTtlSeconds = number(values['oauth-token-ttl'], 'oauth-token-ttl', (n) => n >= 0);
  return { clientId, clientSecret, tokenPath: values['oauth-token-path'], tokenTtlSeconds };
}

function authOf(values: Values): ScimServerOptions['auth'] {
  if (values.token !== undefined && values['token-env'] !== undefined)
    throw new UsageError('use either --token or --token-env');
  const bearerToken = values.token ?? secretFromEnv(values['token-env'], 'token-env');
  const password = secretFromEnv(values['basic-password-env'], 'basic-password-env');
  if ((values['basic-user'] === undefined) !== (password === undefined))
    throw new UsageError('--basic-user and --basic-password-env go together');
  const basic =
    values['basic-user'] !== undefined && password !== undefined
      ? { username: values['basic-user'], password }
      : undefined;
  const oauth2 = oauthOf(values);
  if (bearerToken === undefined && !basic && !oauth2) return undefined;
  const publicDiscovery = values['public-discovery'] || undefined;
  return Object.fromEntries(
    Object.entries({ bearerToken, basic, oauth2, publicDiscovery }).filter(([, v]) => v !== undefined),
  ) as ScimServerOptions['auth'];
}

function rateLimitOf(value: string | undefined, methods: string | undefined): ScimServerOptions['rateLimit'] {
  if (value === undefined) {
    if (methods !== undefined) throw new UsageError('--rate-limit-methods needs --rate-limit');
    return undefined;
  }
  if (value === 'off') return null;
  const match = /^(\d+(?:\.\d+)?)(?::(\d+))?$/.exec(value);
  if (!match) throw new UsageError('--rate-limit must look like RPS or RPS:BURST, e.g. 3:20');
  const requestsPerSecond = Number(match[1]);
  const burst = match[2] ? Number(match[2]) : Math.max(1, Math.ceil(requestsPerSecond));
  return {
    requestsPerSecond,
    burst,
    ...(methods ? { methods: methods.split(',').map((m) => m.trim().toUpperCase()) } : {}),
  };
}

/** Builds the server options from the command line (exported for tests). */
export function optionsFromArgs(args: string[]): ScimServerOptions | undefined {
  const { values } = parseCommandArgs(args, OPTIONS, false);
  if (values.help) return undefined;
  return {
    port: number(values.port, 'port', (n) => Number.isInteger(n) && n >= 0 && n < 65536),
    host: values.host,
    basePath: values['base-path'],
    auth: authOf(values),
    profile: profileOf(values),
    faults: faultsOf(values),
    rateLimit: rateLimitOf(values['rate-limit'], values['rate-limit-methods']),
    maxPageSize: number(values['max-page-size'], 'max-page-size', (n) => Number.isInteger(n) && n > 0),
    seed: number(values.seed, 'seed', Number.isInteger),
    maxRecordedRequests: number(
      values['max-recorded-requests'],
      'max-recorded-requests',
      (n) => Number.isInteger(n) && n >= 0,
    ),
  };
}

/** One pino line per request (lib/logger redacts credentials); bodies are left out of the log. */
function requestLogger(): (record: RecordedRequest) => void {
  const logger = createLogger({ base: { component: 'scim-server' } });
  return ({ method, path, query, status, durationMs, faults, headers }) =>
    logger.info({ method, path, query, status, durationMs, faults, userAgent: headers['user-agent'] }, 'scim request');
}

function loadSeedFile(path: string): { users: Record<string, unknown>[]; groups: Record<string, unknown>[] } {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { users?: unknown; groups?: unknown };
  const list = (v: unknown) => (Array.isArray(v) ? (v as Record<string, unknown>[]) : []);
  return { users: list(parsed.users), groups: list(parsed.groups) };
}

/** Starts the server and resolves with exit code 0 once SIGINT/SIGTERM stopped it. */
export async function run(args: string[]): Promise<number> {
  const options = optionsFromArgs(args);
  if (!options) {
    console.log(HELP);
    return 0;
  }
  const { values } = parseCommandArgs(args, OPTIONS, false);
  const log = values['log-requests'] ? requestLogger() : undefined;
  let server;
  try {
    server = await startScimServer({ ...options, onRequest: log });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values['seed-file']) {
    const seed = loadSeedFile(values['seed-file']);
    for (const user of seed.users) server.seedUser(user);
    for (const group of seed.groups) server.seedGroup(group);
  }
  console.log(server.url);
  const stopping = new Promise<void>((resolve) => {
    const stop = () => void server.stop().then(resolve, resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await stopping;
  return 0;
}
