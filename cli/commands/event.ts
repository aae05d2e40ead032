/**
 * `jml event send <file>`: signs an event file the way an HR system must and posts it to the
 * intake API, printing the status and the answer, so an admin can test an integration (and
 * see the exact validation messages) before pointing the HR system at it.
 */
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { splitSecretList } from '../../workers/api/secrets';
import { createSignedRequest } from '../../workers/api/signature';
import { VENDOR_ADAPTERS } from '../../workers/api/adapters';
import { UsageError, parseCommandArgs } from '../args';

/** One line for `jml --help`. */
export const summary = 'Sign and send an HR event file to the intake API (integration testing)';

const FORMATS = ['canonical', ...VENDOR_ADAPTERS.map((a) => a.name)];

const HELP = `Usage: jml event send <file> [options]

  --url URL            API base URL                    [$JML_API_URL or http://127.0.0.1:8080]
  --format F           ${FORMATS.join(' | ')}   [canonical]
                       (canonical posts to /v1/hr/events, others to /v1/hr/events/<format>)
  --secret-env NAME    env variable holding the HMAC secret (first value)  [JML_API_HMAC_SECRETS]
  --secret-file PATH   file holding the HMAC secret (first line) instead
  --bearer-env NAME    also send Authorization: Bearer $NAME
  --dry-run            print the signed request (headers and body) instead of sending it

The file's bytes are sent unchanged (the signature covers them). Exit code 0 on 2xx, 1 otherwise.`;

const OPTIONS = {
  url: { type: 'string' },
  format: { type: 'string', default: 'canonical' },
  'secret-env': { type: 'string', default: 'JML_API_HMAC_SECRETS' },
  'secret-file': { type: 'string' },
  'bearer-env': { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function readSecret(values: { 'secret-env': string; 'secret-file'?: string }): string {
  const text = values['secret-file'] ? readFileSync(values['secret-file'], 'utf8') : process.env[values['secret-env']];
  const secret = text ? splitSecretList(text)[0] : undefined;
  if (!secret)
    throw new UsageError(
      values['secret-file']
        ? `no secret in ${values['secret-file']}`
        : `set ${values['secret-env']} (or use --secret-file)`,
    );
  return secret;
}

function targetUrl(base: string, format: string): string {
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  return `${base.replace(/\/+$/, '')}/v1/hr/events${format === 'canonical' ? '' : `/${format}`}`;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (values.help || positionals.length === 0) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const [verb, file, ...extra] = positionals;
  if (verb !== 'send' || !file || extra.length > 0) throw new UsageError('expected: jml event send <file>');
  const url = targetUrl(values.url ?? process.env.JML_API_URL ?? 'http://127.0.0.1:8080', values.format);
  const body = readFileSync(file, 'utf8');
  const signed = createSignedRequest({
    body,
    secret: readSecret(values),
    contentType: values.format === 'scim-bulk' ? 'application/scim+json' : 'application/json',
  });
  const headers: Record<string, string> = { ...signed.headers };
  if (values['bearer-env']) {
    const token = process.env[values['bearer-env']];
    if (!token) throw new UsageError(`${values['bearer-env']} is not set`);
    headers.authorization = `Bearer ${splitSecretList(token)[0]}`;
  }
  if (values['dry-run']) {
    console.log(`POST ${url}`);
    for (const [k, v] of Object.entries(headers))
      console.log(`${k}: ${k === 'authorization' ? 'Bearer [REDACTED]' : v}`);
    console.log(`\n${signed.body}`);
    return 0;
  }
  return post(url, headers, signed.body);
}

async function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
  let res;
  try {
    res = await request(url, { method: 'POST', headers, body });
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    const hint = 'check that jml api (or jml dev) runs there, or set --url / JML_API_URL';
    console.error(`jml event send: cannot reach ${url} (${reason}); ${hint}`);
    return 1;
  }
  const text = await res.body.text();
  let pretty = text;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON (a proxy's error page): print it as it came.
  }
  const out = res.statusCode < 300 ? console.log : console.error;
  out(
    `HTTP ${res.statusCode}${res.headers['retry-after'] ? ` (Retry-After: ${String(res.headers['retry-after'])} s)` : ''}`,
  );
  out(pretty);
  return res.statusCode >= 200 && res.statusCode < 300 ? 0 : 1;
}
