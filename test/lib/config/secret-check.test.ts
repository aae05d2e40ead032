import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../lib/config';
import { checkSecrets, secretReferences } from '../../../lib/config/secret-check';
import { configNotices } from '../../../lib/config/summary';

const ROOT = join(__dirname, '../../../config');

test('every secret reference of the shipped config is found with its file and path', async () => {
  const config = await loadConfig(ROOT);
  expect(secretReferences(config).map((r) => `${r.file} ${r.path} ${r.ref}`)).toEqual([
    'config/connectors/canva.yaml auth.clientSecret env:CANVA_CLIENT_SECRET',
    'config/connectors/github.yaml auth.token env:GITHUB_SCIM_TOKEN',
    'config/connectors/slack.yaml auth.token env:SLACK_SCIM_TOKEN',
    'config/policy.yaml notifications.webhookUrl env:JML_ALERT_WEBHOOK_URL',
  ]);
});

test('unset variables and unreadable files are reported by kind; values are never read into the report', async () => {
  const config = await loadConfig(ROOT);
  const dir = await mkdtemp(join(tmpdir(), 'jml-secret-check-'));
  await writeFile(join(dir, 'token'), 'value-that-must-not-appear');
  config.connectors.slack.auth = { type: 'bearer', token: `file:${join(dir, 'token')}` };
  config.connectors.github.auth = { type: 'bearer', token: `file:${join(dir, 'missing')}` };
  const problems = await checkSecrets(config, { env: { CANVA_CLIENT_SECRET: 's' } });
  expect(problems.map((p) => [p.kind, p.path, p.message])).toEqual([
    ['file-unreadable', 'auth.token', `cannot read ${join(dir, 'missing')} (ENOENT) for file:${join(dir, 'missing')}`],
    [
      'env-unset',
      'notifications.webhookUrl',
      'environment variable JML_ALERT_WEBHOOK_URL is not set (env:JML_ALERT_WEBHOOK_URL)',
    ],
  ]);
  expect(JSON.stringify(problems)).not.toContain('value-that-must-not-appear');
  await rm(dir, { recursive: true, force: true });
});

test('a leaver recheck due after an app deletes the account is noticed, naming the field and the fix', async () => {
  const config = await loadConfig(ROOT);
  expect(configNotices(config).filter((n) => n.includes('recheckAfter'))).toEqual([]);
  config.policy.leaver.recheckAfterMs = 2 * 86_400_000;
  config.policy.retention.perAppMs.github = 86_400_000;
  expect(configNotices(config).filter((n) => n.includes('recheckAfter'))).toEqual([
    'config/policy.yaml leaver.recheckAfter — the leaver\'s recheck (2d) is due after "github" deletes the account (retention 1d): an account a late create made would be deactivated by the recheck but never deleted; set leaver.recheckAfter shorter than the retention',
  ]);
  // Turned off, or apps that never delete: nothing to notice.
  config.policy.leaver.recheckAfterMs = 0;
  expect(configNotices(config).filter((n) => n.includes('recheckAfter'))).toEqual([]);
});

test('irreversible deletes and destructive deactivation are noticed', async () => {
  const config = await loadConfig(ROOT);
  config.connectors.canva.delete.deactivateIsDestructive = true;
  expect(configNotices(config)).toEqual([
    'config/connectors/canva.yaml delete.deactivateIsDestructive — "canva" destroys the account on active=false: deactivation itself is irreversible there',
    'config/connectors/github.yaml delete — "github" DELETE is irreversible: it runs only 90d after deactivation (retention) and never under legal hold',
  ]);
});
