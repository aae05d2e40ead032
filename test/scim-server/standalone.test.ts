import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { optionsFromArgs } from '../../cli/commands/scim-server';
import { UsageError } from '../../cli/args';

const ROOT = join(__dirname, '..', '..');

function startProcess(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcessWithoutNullStreams; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'jml.js'), 'scim-server', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return { child, lines };
}

describe('jml scim-server (standalone process)', () => {
  it('prints its URL, serves with the token from the environment, logs requests, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-seed-'));
    const seedFile = join(dir, 'seed.json');
    writeFileSync(seedFile, JSON.stringify({ users: [{ userName: 'seeded@example.com', externalId: 'E-1' }] }));
    const { child, lines } = startProcess(
      [
        '--port',
        '0',
        '--token-env',
        'SCIM_TEST_TOKEN',
        '--profile',
        'slack',
        '--quirk',
        'patchReturns204',
        '--seed-file',
        seedFile,
        '--log-requests',
      ],
      {
        SCIM_TEST_TOKEN: 'from-env',
      },
    );
    try {
      const first = await lines.next();
      const url = String(first.value);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/);
      const denied = await fetch(`${url}/Users`);
      expect(denied.status).toBe(401);
      await denied.arrayBuffer();
      const listed = await fetch(`${url}/Users?filter=${encodeURIComponent('externalId eq "E-1"')}`, {
        headers: { authorization: 'Bearer from-env' },
      });
      expect(listed.status).toBe(200);
      expect(((await listed.json()) as { totalResults: number }).totalResults).toBe(1);
      const logged = JSON.parse(String((await lines.next()).value)) as Record<string, unknown>;
      expect(logged).toMatchObject({
        component: 'scim-server',
        msg: 'scim request',
        method: 'GET',
        path: '/scim/v2/Users',
        status: 401,
      });
      const second = JSON.parse(String((await lines.next()).value)) as Record<string, unknown>;
      expect(second).toMatchObject({ status: 200, query: { filter: 'externalId eq "E-1"' } });
      expect(JSON.stringify(second)).not.toContain('from-env');
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it.each([
    [['--rate-429', '2'], '--rate-429'],
    [['--quirk', 'omitLocaton'], 'omitLocaton'],
  ])('exits with code 2 and a message on a bad option %p', async (args, mention) => {
    const { child } = startProcess(args);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain(mention);
  });
});

describe('optionsFromArgs', () => {
  it('reads list quirks as comma-separated lists', () => {
    const options = optionsFromArgs([
      '--profile',
      'lax-groups',
      '--quirk',
      'unfilterableAttributes=externalId, emails',
      '--quirk',
      'duplicateMembers=false',
    ]);
    expect(options?.profile).toEqual({
      base: 'lax-groups',
      unfilterableAttributes: ['externalId', 'emails'],
      duplicateMembers: false,
    });
  });

  it('maps every flag onto the server options', () => {
    const options = optionsFromArgs([
      '--port',
      '9001',
      '--token',
      'x',
      '--profile',
      'github-emu',
      '--quirk',
      'omitLocation',
      '--quirk',
      'userDelete=deactivate',
      '--filter-operators',
      'eq,and',
      '--latency',
      '10-20',
      '--rate-429',
      '0.05',
      '--rate-5xx',
      '0.05',
      '--status-5xx',
      '502',
      '--rate-hang',
      '0.05',
      '--hang-ms',
      '100',
      '--rate-reset',
      '0.05',
      '--fault-timing',
      'after',
      '--fault-methods',
      'post,patch',
      '--retry-after',
      '2',
      '--rate-limit',
      '3:20',
      '--max-page-size',
      '50',
      '--seed',
      '42',
    ]);
    expect(options).toEqual({
      port: 9001,
      host: '127.0.0.1',
      basePath: '/scim/v2',
      auth: { bearerToken: 'x' },
      profile: { base: 'github-emu', omitLocation: true, userDelete: 'deactivate', filterOperators: ['eq', 'and'] },
      faults: {
        latencyMs: { min: 10, max: 20 },
        rate429: 0.05,
        rate5xx: 0.05,
        status5xx: 502,
        rateHang: 0.05,
        hangMs: 100,
        rateReset: 0.05,
        retryAfterSeconds: 2,
        faultTiming: 'after',
        methods: ['POST', 'PATCH'],
      },
      rateLimit: { requestsPerSecond: 3, burst: 20 },
      maxPageSize: 50,
      seed: 42,
      maxRecordedRequests: 10000,
    });
  });

  it('configures the OAuth token endpoint and method-scoped rate limits', () => {
    process.env.SCIM_TEST_OAUTH_SECRET = 'sec';
    const options = optionsFromArgs([
      '--oauth-client-id',
      'jml',
      '--oauth-client-secret-env',
      'SCIM_TEST_OAUTH_SECRET',
      '--oauth-token-ttl',
      '60',
      '--rate-limit',
      '2',
      '--rate-limit-methods',
      'post,delete',
    ]);
    expect(options?.auth).toEqual({
      oauth2: { clientId: 'jml', clientSecret: 'sec', tokenPath: undefined, tokenTtlSeconds: 60 },
    });
    expect(options?.rateLimit).toEqual({ requestsPerSecond: 2, burst: 2, methods: ['POST', 'DELETE'] });
    expect(optionsFromArgs(['--rate-limit', 'off'])?.rateLimit).toBeNull();
  });

  it('refuses contradictory or malformed flags', () => {
    expect(() => optionsFromArgs(['--oauth-client-id', 'only-id'])).toThrow(UsageError);
    expect(() => optionsFromArgs(['--rate-limit-methods', 'POST'])).toThrow(UsageError);
    expect(() => optionsFromArgs(['--token', 'a', '--token-env', 'B'])).toThrow(UsageError);
    expect(() => optionsFromArgs(['--fault-timing', 'later'])).toThrow(UsageError);
    expect(() => optionsFromArgs(['--rate-limit', 'fast'])).toThrow(UsageError);
    expect(() => optionsFromArgs(['--token-env', 'SCIM_UNSET_VARIABLE_FOR_TEST'])).toThrow(/not set/);
    expect(optionsFromArgs(['--help'])).toBeUndefined();
  });
});
