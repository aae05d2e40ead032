/**
 * Where secret references may point: `file:` inside the secrets directory (symbolic links
 * followed), `env:` never one of the process's own secrets — checked when the config loads
 * (with file:line, see test/faults/broken-config.test.ts) and again when a secret is read.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveSecret } from '../../../lib/config';
import { isOwnSecretEnv, secretRefProblem, secretsDirs } from '../../../lib/config/secret-policy';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'jml-secrets-'));
  mkdirSync(path.join(dir, 'secrets'));
  writeFileSync(path.join(dir, 'secrets', 'slack'), 'xoxp-test\n');
  writeFileSync(path.join(dir, 'outside'), 'not for apps\n');
  symlinkSync(path.join(dir, 'outside'), path.join(dir, 'secrets', 'link-out'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the process's own secrets cannot be named by env:", () => {
  for (const name of [
    'DATABASE_URL',
    'JML_API_HMAC_SECRETS',
    'JML_API_HMAC_SECRETS_FILE',
    'JML_API_READ_TOKENS',
    'JML_API_BEARER_TOKENS',
    'JML_API_BAMBOOHR_KEYS',
    'JML_AUDIT_KEY',
    'JML_AUDIT_KEY_FILE',
    'TEMPORAL_API_KEY',
    'TEMPORAL_TLS_KEY',
    'PGPASSWORD',
  ]) {
    expect({ name, own: isOwnSecretEnv(name) }).toEqual({ name, own: true });
  }
  for (const name of ['SLACK_SCIM_TOKEN', 'CANVA_CLIENT_SECRET', 'JML_ALERT_WEBHOOK_URL'])
    expect({ name, own: isOwnSecretEnv(name) }).toEqual({ name, own: false });
  expect(secretRefProblem('env:JML_AUDIT_KEY', [])).toMatch(/own secrets/);
});

test("resolveSecret refuses env: references to the process's own secrets", async () => {
  await expect(resolveSecret('env:DATABASE_URL', { env: { DATABASE_URL: 'postgres://u:p@h/db' } })).rejects.toThrow(
    /DATABASE_URL is one of jml-orchestrator's own secrets/,
  );
  await expect(resolveSecret('env:SLACK_SCIM_TOKEN', { env: { SLACK_SCIM_TOKEN: 's' } })).resolves.toBe('s');
});

test('file: stays inside the secrets directory, symbolic links included', async () => {
  const env = { JML_SECRETS_DIR: path.join(dir, 'secrets') };
  await expect(resolveSecret(`file:${path.join(dir, 'secrets', 'slack')}`, { env })).resolves.toBe('xoxp-test');
  await expect(resolveSecret(`file:${path.join(dir, 'outside')}`, { env })).rejects.toThrow(
    /is outside the secrets directory .*JML_SECRETS_DIR/,
  );
  await expect(resolveSecret(`file:${path.join(dir, 'secrets', 'link-out')}`, { env })).rejects.toThrow(
    /outside the secrets directory/,
  );
  await expect(resolveSecret(`file:${path.join(dir, 'secrets', '..', 'outside')}`, { env })).rejects.toThrow(
    /outside the secrets directory/,
  );
});

test('without JML_SECRETS_DIR, the config directory and /run/secrets are the secrets directories', () => {
  expect(secretsDirs('/etc/jml', {})).toEqual(['/etc/jml', '/run/secrets']);
  expect(secretsDirs('/etc/jml', { JML_SECRETS_DIR: `/a${path.delimiter}/b` })).toEqual(['/a', '/b']);
  expect(secretRefProblem('file:/run/secrets/slack', secretsDirs('/etc/jml', {}))).toBeUndefined();
  expect(secretRefProblem('file:/etc/jml/secrets/slack', secretsDirs('/etc/jml', {}))).toBeUndefined();
  expect(secretRefProblem('file:/home/me/.ssh/id_rsa', secretsDirs('/etc/jml', {}))).toMatch(
    /outside the secrets directory \(\/etc\/jml, \/run\/secrets\)/,
  );
});
