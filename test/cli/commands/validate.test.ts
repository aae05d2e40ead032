/**
 * `jml validate` as a real process: exit code and output on the shipped config and on a
 * broken fixture directory.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '../../..');
const run = promisify(execFile);

async function jml(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = { ...process.env };
  for (const name of [
    'SLACK_SCIM_TOKEN',
    'GITHUB_SCIM_TOKEN',
    'CANVA_CLIENT_SECRET',
    'JML_ALERT_WEBHOOK_URL',
    'JML_CONFIG_DIR',
  ])
    delete base[name];
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin/jml.js'), 'validate', ...args], {
      cwd: ROOT,
      env: { ...base, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('the shipped config is valid; unset env secrets are warnings that name the variable', async () => {
  const { code, stdout } = await jml([]);
  expect(code).toBe(0);
  expect(stdout).toContain('apps (3):');
  expect(stdout).toMatch(/canva +Canva — PUT only \(no PATCH\), no groups, no DELETE/);
  expect(stdout).toContain('access rules (5): everyone-slack,');
  expect(stdout).toContain('SLAs: joiner 1h, mover 4h, leaver 15m');
  expect(stdout).toContain('retention: 30d (github 90d)');
  expect(stdout).toContain('config/connectors/github.yaml delete — "github" DELETE is irreversible');
  expect(stdout).toContain(
    'config/connectors/slack.yaml auth.token — environment variable SLACK_SCIM_TOKEN is not set',
  );
});

test('--strict-secrets fails on unset variables and lists only those', async () => {
  const { code, stderr } = await jml(['--strict-secrets', '--config', 'config'], {
    SLACK_SCIM_TOKEN: 't',
    GITHUB_SCIM_TOKEN: 't',
    JML_ALERT_WEBHOOK_URL: 'https://hooks.example.com/x',
  });
  expect(code).toBe(1);
  expect(stderr.trim().split('\n')).toEqual([
    'config/connectors/canva.yaml auth.clientSecret — secret reference does not resolve: environment variable CANVA_CLIENT_SECRET is not set (env:CANVA_CLIENT_SECRET)',
    '',
    `${join(ROOT, 'config')}: 1 secret cannot be resolved.`,
  ]);
});

test('a broken config prints every problem with its position and exits 1', async () => {
  const dir = 'test/lib/config/fixtures/broken';
  const { code, stdout, stderr } = await jml([], { JML_CONFIG_DIR: dir });
  expect(code).toBe(1);
  expect(stdout).toBe('');
  expect(stderr.trim().split('\n')).toEqual([
    `${dir}/connectors/github.yaml:9:1 deleet — unknown key "deleet"; did you mean "delete"?`,
    `${dir}/connectors/slack.yaml:5:12 scim.baseUrl — plain http to "slack.example.com" would send credentials unencrypted; use https: (or set scim.allowInsecureHttp: true for a trusted network)`,
    `${dir}/connectors/slack.yaml:8:10 auth.token — literal secrets are not allowed in config files; move the value into an environment variable and write "env:SLACK_SCIM_TOKEN" (or into a file: "file:/run/secrets/…")`,
    `${dir}/connectors/slack.yaml:20:13 mappings[2].target — unknown SCIM attribute "emials"; did you mean "emails"?`,
    `${dir}/policy.yaml:2:11 slas.joiner — "1 hour" is not a duration; write a duration such as 15m, 1h, 30d or ISO 8601 PT15M, P30D`,
    `${dir}/policy.yaml:9:16 access.rules[0].grant[0].app — unknown app "githb"; did you mean "github"?`,
    '',
    `${join(ROOT, dir)}: 6 problems; fix them and run jml validate again.`,
  ]);
  expect(stderr).not.toContain('literal-not-a-reference');
});

test('an unknown option is a usage error (exit 2)', async () => {
  const { code, stderr } = await jml(['--strict']);
  expect(code).toBe(2);
  expect(stderr).toContain("jml validate: Unknown option '--strict'");
});
