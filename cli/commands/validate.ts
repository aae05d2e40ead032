/**
 * `jml validate [--config DIR] [--strict-secrets]`: checks connectors and policy the way the
 * worker does at start-up, printing every problem (exit 1) or a summary (exit 0).
 */
import { resolve } from 'node:path';
import { parseCommandArgs } from '../args';
import { checkConfigDir, defaultConfigDir, formatConfigIssue } from '../../lib/config';
import { checkSecrets } from '../../lib/config/secret-check';
import { configNotices, summarizeConfig } from '../../lib/config/summary';

/** One line for `jml --help`. */
export const summary = 'Check config/connectors/*.yaml and config/policy.yaml; print every problem';

const HELP = `Usage: jml validate [--config DIR] [--strict-secrets]

Validates every connector file and the policy file and prints all problems with
file:line:column, or a summary of the apps, capabilities and access rules.

Options:
  --config DIR       config directory (default: $JML_CONFIG_DIR or ./config)
  --strict-secrets   fail when an env: secret reference is unset (default: warn)
  -h, --help         show this help

Exit codes: 0 valid, 1 invalid, 2 usage error.`;

/** Runs the command; resolves to the exit code (0 valid, 1 invalid; usage errors throw `UsageError` → 2). */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    {
      config: { type: 'string' },
      'strict-secrets': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    false,
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const dir = values.config !== undefined ? resolve(values.config) : defaultConfigDir();
  const { config, issues } = await checkConfigDir(dir);
  if (!config) {
    for (const issue of issues) console.error(formatConfigIssue(issue));
    console.error(
      `\n${dir}: ${issues.length === 1 ? '1 problem' : `${issues.length} problems`}; fix them and run jml validate again.`,
    );
    return 1;
  }
  const secrets = await checkSecrets(config);
  const fatal = secrets.filter((s) => s.kind === 'file-unreadable' || values['strict-secrets']);
  const lines = [`${dir}: valid`, ...summarizeConfig(config)];
  const notices = configNotices(config);
  if (notices.length > 0) lines.push('notices:', ...notices.map((n) => `  ${n}`));
  const warnings = secrets.filter((s) => !fatal.includes(s));
  if (warnings.length > 0)
    lines.push('warnings:', ...warnings.map((w) => `  ${w.file} ${w.path} — ${w.message}; needed at run time`));
  if (fatal.length === 0) {
    console.log(lines.join('\n'));
    return 0;
  }
  for (const f of fatal) console.error(`${f.file} ${f.path} — secret reference does not resolve: ${f.message}`);
  console.error(`\n${dir}: ${fatal.length === 1 ? '1 secret' : `${fatal.length} secrets`} cannot be resolved.`);
  return 1;
}
