/**
 * `jml scim check`: the library run against reference servers (RFC mode and a quirky app) with
 * the report's key lines compared, and the CLI as a process with a temporary config directory.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ConnectorConfig } from '../../../lib/config/types';
import { createLogger } from '../../../lib/logger';
import { formatCheckReport, runScimCheck } from '../../../lib/scim/check';
import { startScimServer, type ScimServerHandle, type ScimServerOptions } from '../../../scim-server';
import { shippedConnector } from './helpers';

const ROOT = join(__dirname, '../../..');
const exec = promisify(execFile);
let server: ScimServerHandle | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Report lines with ids, ports, latencies and column padding normalized, so they compare across runs. */
function normalized(lines: string[]): string[] {
  return lines.map((l) =>
    l
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
      .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
      .replace(/\d+ ms$/, 'N ms')
      // Keep the indentation, collapse the column padding.
      .replace(/(\S) {2,}/g, '$1 ')
      .trimEnd(),
  );
}

async function check(
  base: string,
  options: ScimServerOptions,
  keep = false,
  tweak: (c: ConnectorConfig) => void = () => {},
) {
  server = await startScimServer({ auth: { bearerToken: 't' }, rateLimit: null, ...options });
  const connector = await shippedConnector(base);
  connector.scim.baseUrl = server.url;
  connector.rateLimit = { requestsPerSecond: 500, burst: 500, maxConcurrency: 2 };
  tweak(connector);
  const report = await runScimCheck(connector, {
    logger: createLogger({ level: 'silent' }),
    resolveSecret: async () => 't',
    tag: 'abcd',
    keep,
  });
  return { report, lines: normalized(formatCheckReport(report)) };
}

const stepLines = (lines: string[]) => lines.filter((l) => /^ {2}(ok|FAIL) /.test(l));

test('an RFC-conformant app passes with no deviations and the account is deleted', async () => {
  const { report, lines } = await check('github', { profile: 'github-emu' });
  expect(report.ok).toBe(true);
  expect(stepLines(lines)).toEqual([
    '  ok discovery ResourceTypes served, Schemas served',
    '  ok create created <id>',
    '  ok find by externalId found <id>',
    '  ok find by userName found <id>',
    '  ok find by userName, other case found <id>',
    '  ok paging probe ok',
    '  ok update changed name.familyName, displayName',
    '  ok find group not found (expected)',
    '  ok deactivate ok',
    '  ok verify deactivate active=false',
    '  ok delete deleted (delete mode hard)',
    '  ok verify delete gone',
  ]);
  expect(lines).toContain('      PATCH /Users/<id> 200 N ms');
  expect(lines).toContain('Deviations: none');
  expect(lines.at(-1)).toBe('Result: OK (0 deviations)');
  expect(server!.users()).toHaveLength(0);
});

test('a quirky app: every deviation is named, the check still passes', async () => {
  const { report, lines } = await check('github', {
    profile: {
      base: 'github-emu',
      badPaging: true,
      patchReturns204: true,
      omitLocation: true,
      caseSensitiveFilters: true,
      ignoresExternalId: true,
    },
  });
  expect(report.ok).toBe(true);
  expect(lines.slice(lines.indexOf('Deviations:'))).toEqual([
    'Deviations:',
    '  - the created user has no meta.location (RFC 7644 §3.3 expects it, with a Location header)',
    '  - externalId eq … does not find the new user: the app ignores externalId (adoption then relies on an exact userName)',
    '  - userName filters are case-sensitive (RFC 7643 §4.1.1: userName is caseExact=false)',
    '  - paging ignores startIndex: page 2 repeats page 1 (the client stops on pages with nothing new)',
    '  - PATCH answered 204 without the resource (allowed by RFC 7644 §3.5.2; the client re-reads when it needs the result)',
    'Result: OK (5 deviations)',
  ]);
});

test('a connector that may create groups gets a throw-away group round trip, cleaned up', async () => {
  const { report, lines } = await check('github', { profile: 'github-emu' }, false, (c) => {
    c.groups.create = true;
  });
  expect(report.ok).toBe(true);
  expect(stepLines(lines).filter((l) => /group|member/.test(l))).toEqual([
    '  ok find group not found (expected)',
    '  ok create group created <id>',
    '  ok add member ok',
    '  ok remove member confirmed (read-back)',
    '  ok delete group deleted',
    '  ok unique group names enforced (a second create answered 409)',
  ]);
  expect(server!.groups()).toHaveLength(0);
  expect(report.deviations.some((d) => d.includes('not unique'))).toBe(false);
});

test('an app without unique group names: the probe says so and what it means for groups.create, and cleans up', async () => {
  const { report, lines } = await check(
    'github',
    { profile: { base: 'github-emu', uniqueGroupNames: false } },
    false,
    (c) => {
      c.groups.create = true;
    },
  );
  expect(report.ok).toBe(true);
  expect(stepLines(lines)).toContain('  ok unique group names NOT enforced (two groups with one name were created)');
  const probe = report.steps.find((s) => s.name === 'unique group names')!;
  expect(probe.requests.map((r) => `${r.method} ${r.status}`)).toEqual([
    'POST 201',
    'POST 201',
    'DELETE 204',
    'DELETE 204',
  ]);
  expect(lines).toContainEqual(
    expect.stringMatching(
      /^ {2}- group displayNames are not unique in this app .*groups\.create.*SCIM_GROUP_AMBIGUOUS/,
    ),
  );
  expect(server!.groups()).toHaveLength(0);
  expect(report.leftBehind).toEqual([]);
});

test('a connector declaring groups for an app without /Groups fails', async () => {
  const { report, lines } = await check('github', { profile: 'no-groups' });
  expect(report.ok).toBe(false);
  expect(lines).toContain('  Groups resource type no yes ✗ connector promises more than the app offers');
  expect(stepLines(lines)).toContainEqual(expect.stringMatching(/^ {2}FAIL find group .*HTTP 404/));
});

test('slack (deactivate-only) leaves the account deactivated and says so', async () => {
  const { report, lines } = await check('slack', { profile: 'slack' });
  expect(report.ok).toBe(true);
  expect(stepLines(lines)).toContain('  ok delete deactivated (delete mode deactivate-only)');
  expect(lines).toContain('Left in the app: <id> (deactivated)');
  expect(server!.users()[0]).toMatchObject({ active: false });
});

test('canva over OAuth (no PATCH, no DELETE): updates by PUT, the account is left deactivated', async () => {
  const { report, lines } = await check(
    'canva',
    { profile: 'canva', auth: { oauth2: { clientId: 'jml', clientSecret: 't' } } },
    false,
    (c) => {
      c.auth = {
        type: 'oauth2-client-credentials',
        tokenUrl: `${new URL(c.scim.baseUrl).origin}/oauth/token`,
        clientId: 'jml',
        clientSecret: 'env:UNUSED',
      };
    },
  );
  expect(report.ok).toBe(true);
  expect(stepLines(lines).slice(-5)).toEqual([
    '  ok update changed name.familyName',
    '  ok deactivate ok',
    '  ok verify deactivate active=false',
    '  ok delete deactivated (delete mode none)',
    '  ok verify delete still readable, active=false',
  ]);
  expect(lines.filter((l) => /^ {6}(PATCH|DELETE) /.test(l))).toEqual([]);
  expect(lines).toContain('Left in the app: <id> (deactivated)');
  expect(server!.requests.filter((r) => r.path.endsWith('/oauth/token'))).toHaveLength(1);
  expect(lines).toContain('      POST /oauth/token 200 N ms');
});

test('--keep skips the delete', async () => {
  const { report } = await check('github', { profile: 'rfc' }, true);
  expect(report.steps.map((s) => s.name)).not.toContain('delete');
  expect(report.leftBehind).toEqual([expect.stringMatching(/\(kept: --keep\)$/)]);
  expect(server!.users()).toHaveLength(1);
});

test('a connector declaring PATCH for an app without it fails, naming the mismatch and the failed steps', async () => {
  const { report, lines } = await check('github', { profile: 'no-patch' });
  expect(report.ok).toBe(false);
  expect(lines).toContain('  PATCH no yes ✗ connector promises more than the app offers');
  expect(lines.at(-1)).toBe('Result: FAILED — failed: update, deactivate — capability mismatch: PATCH');
  expect(report.deviations).toEqual(
    expect.arrayContaining([expect.stringMatching(/^PATCH \/Users\/\S+ answered 501: the app does not support it/)]),
  );
});

describe('the jml scim check command', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jml-scim-check-'));
    await cp(join(ROOT, 'config'), dir, { recursive: true });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function jml(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await exec(process.execPath, [join(ROOT, 'bin/jml.js'), ...args], {
        cwd: ROOT,
        env: { ...process.env, GITHUB_SCIM_TOKEN: 'cli-token', LOG_LEVEL: 'silent' },
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  async function pointGithubAt(url: string): Promise<void> {
    const file = join(dir, 'connectors/github.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/baseUrl: .*/, `baseUrl: ${url}`));
  }

  test('passes against a reference app and prints the report', async () => {
    server = await startScimServer({ auth: { bearerToken: 'cli-token' }, profile: 'github-emu', rateLimit: null });
    await pointGithubAt(server.url);
    const { code, stdout } = await jml(['scim', 'check', 'github', '--config', dir]);
    expect(stdout).toMatch(/^jml scim check github → http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/m);
    expect(stdout).toMatch(/^ {2}ok +delete +deleted \(delete mode hard\)$/m);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('Result: OK (0 deviations)');
    expect(stdout).not.toContain('cli-token');
    expect(code).toBe(0);
    const json = await jml(['scim', 'check', 'github', '--config', dir, '--json', '--keep']);
    const report = JSON.parse(json.stdout) as { ok: boolean; steps: { name: string }[]; leftBehind: string[] };
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => s.name)).not.toContain('delete');
    expect(report.leftBehind).toHaveLength(1);
  });

  test('exit 1 when the app rejects the credentials', async () => {
    server = await startScimServer({ auth: { bearerToken: 'another-token' }, profile: 'github-emu', rateLimit: null });
    await pointGithubAt(server.url);
    const { code, stdout } = await jml(['scim', 'check', 'github', '--config', dir]);
    expect(stdout).toMatch(/^ {2}FAIL discovery .*HTTP 401/m);
    expect(code).toBe(1);
  });

  test('unknown app → 1, bad usage → 2', async () => {
    const unknown = await jml(['scim', 'check', 'nope', '--config', dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no connector "nope"');
    expect((await jml(['scim', 'frobnicate'])).code).toBe(2);
  });
});
