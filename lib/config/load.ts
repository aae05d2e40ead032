/**
 * Loads and validates a config directory (`connectors/*.yaml` + `policy.yaml`) once, at
 * start-up. Every problem in every file is collected before failing, so one run of
 * `jml validate` shows the whole list.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ENTERPRISE_USER_SCHEMA } from '../mapping/types';
import { reconcileBudgets, type BudgetMember } from './budgets';
import { checkConnector, type Report } from './connector-rules';
import { resolveConnector } from './connector-resolve';
import { connectorFileSchema, type ConnectorFile } from './connector-schema';
import { ConfigError, sortIssues, type ConfigIssue } from './issues';
import { checkPolicy } from './policy-rules';
import { policyFileSchema, resolvePolicy, type PolicyFile } from './policy-schema';
import { salvage } from './salvage';
import { secretRefProblem, secretsDirs } from './secret-policy';
import { anchorSecretRef } from './secrets';
import type { ConnectorConfig, LoadedConfig, PolicyConfig } from './types';
import { displayPath, issueAt, parseYamlSource, type YamlSource } from './yaml-source';
import { zodIssuesToConfig } from './zod-issues';

/** Sections without which the rules pass cannot run. */
const REQUIRED_CONNECTOR_KEYS = ['id', 'scim', 'auth', 'mappings'];

/** Options of {@link loadConfig}. */
export interface LoadOptions {
  /** File paths in messages are shown relative to this directory. @default process.cwd() */
  cwd?: string;
}

/** The outcome of checking a directory: the config when valid, and every issue. */
export interface ConfigCheck {
  config?: LoadedConfig;
  issues: ConfigIssue[];
}

/**
 * The config directory every entry point uses unless told otherwise: `$JML_CONFIG_DIR`, else
 * `./config`, as an absolute path.
 */
export function defaultConfigDir(env: Record<string, string | undefined> = process.env): string {
  return resolve(env.JML_CONFIG_DIR || 'config');
}

/**
 * Reads, validates and resolves the configuration in `dir`.
 * @throws ConfigError (`CONFIG_INVALID`) with every issue found.
 */
export async function loadConfig(dir: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const { config, issues } = await checkConfigDir(dir, options);
  if (!config) throw new ConfigError(issues);
  return config;
}

/** Like {@link loadConfig} but returns the issues instead of throwing. */
export async function checkConfigDir(dir: string, options: LoadOptions = {}): Promise<ConfigCheck> {
  const root = resolve(dir);
  const show = (path: string) => displayPath(path, options.cwd);
  const issues: ConfigIssue[] = [];
  const connectorFiles = await listYaml(join(root, 'connectors'));
  if (!connectorFiles) {
    issues.push(
      fileIssue(show(join(root, 'connectors')), 'directory not found; put one <id>.yaml per application there'),
    );
  } else if (connectorFiles.length === 0) {
    issues.push(fileIssue(show(join(root, 'connectors')), 'no connector files (*.yaml)'));
  }
  const members: BudgetMember[] = [];
  const declared = new Set<string>();
  for (const path of connectorFiles ?? []) {
    const member = await loadConnectorFile(path, show(path), declared, issues);
    if (member) members.push(member);
  }
  reconcileBudgets(members);
  const connectors: Record<string, ConnectorConfig> = {};
  for (const m of members) connectors[m.resolved.id] = anchorAuthSecrets(m.resolved, root);
  const policy = await loadPolicyFile(root, show, connectors, declared, issues);
  const webhook = policy?.notifications.webhookUrl;
  if (policy && webhook) policy.notifications.webhookUrl = anchorSecretRef(webhook, root);
  const valid = issues.length === 0 && policy !== undefined;
  return { config: valid ? { connectors, policy, dir: root } : undefined, issues: sortIssues(issues) };
}

/** `file:` inside the secrets directory, `env:` not one of the process's own (lib/config/secret-policy.ts). */
function checkAuthSecretRefs(c: ConnectorConfig, root: string, report: Report): void {
  const dirs = secretsDirs(root);
  const auth = c.auth;
  const [key, ref] =
    auth.type === 'bearer'
      ? ['token', auth.token]
      : auth.type === 'basic'
        ? ['password', auth.password]
        : ['clientSecret', auth.clientSecret];
  const problem = secretRefProblem(anchorSecretRef(ref, root), dirs);
  if (problem) report(['auth', key], problem);
}

/** Relative `file:` secrets are relative to the config directory, not to the process's cwd. */
function anchorAuthSecrets(c: ConnectorConfig, root: string): ConnectorConfig {
  const auth = c.auth;
  if (auth.type === 'bearer') auth.token = anchorSecretRef(auth.token, root);
  else if (auth.type === 'basic') auth.password = anchorSecretRef(auth.password, root);
  else auth.clientSecret = anchorSecretRef(auth.clientSecret, root);
  return c;
}

function fileIssue(file: string, message: string): ConfigIssue {
  return { file, line: 0, column: 0, path: '', message };
}

async function listYaml(dir: string): Promise<string[] | undefined> {
  try {
    const names = await readdir(dir);
    return names
      .filter((n) => /\.ya?ml$/i.test(n))
      .sort()
      .map((n) => join(dir, n));
  } catch {
    return undefined;
  }
}

/** Reads and parses one YAML file; `undefined` (with issues) when unreadable, invalid YAML, or not a mapping. */
async function readSource(path: string, file: string, issues: ConfigIssue[]): Promise<YamlSource | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    issues.push(fileIssue(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`));
    return undefined;
  }
  const parsed = parseYamlSource(file, text);
  issues.push(...parsed.issues);
  if (parsed.issues.length > 0) return undefined;
  const data = parsed.source.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    issues.push(
      issueAt(parsed.source, [], data == null ? 'the file is empty' : 'the top level must be a mapping (key: value)'),
    );
    return undefined;
  }
  return parsed.source;
}

/**
 * `declared` collects the ids of all connector files, valid or not (an id must equal its file
 * name), so the policy check does not add "unknown app" on top of the file's own issues.
 */
async function loadConnectorFile(
  path: string,
  file: string,
  declared: Set<string>,
  issues: ConfigIssue[],
): Promise<BudgetMember | undefined> {
  const fileId = basename(path, extname(path));
  const seen = declared.has(fileId);
  declared.add(fileId);
  const source = await readSource(path, file, issues);
  if (!source) return undefined;
  const schema = connectorFileSchema(fileId.toUpperCase().replace(/[^A-Z0-9]+/g, '_'));
  if (seen) {
    issues.push(
      issueAt(source, ['id'], `duplicate connector id "${fileId}" (another file in connectors/ has the same name)`),
    );
    return undefined;
  }
  const parsed = schema.safeParse(source.data);
  const before = issues.length;
  if (!parsed.success) issues.push(...zodIssuesToConfig(source, schema, parsed.error.issues));
  const data = parsed.success
    ? parsed.data
    : (salvage(source.data, parsed.error.issues, REQUIRED_CONNECTOR_KEYS, [['mappings']]) as ConnectorFile | undefined);
  if (!data) return undefined;
  const resolved = resolveConnector(data, file);
  const report: Report = (p, message, at) => issues.push(issueAt(source, p, message, at));
  checkConnector(data, resolved, fileId, report);
  checkAuthSecretRefs(resolved, dirname(dirname(path)), report);
  if (issues.length > before) return undefined;
  addUsedEnterpriseSchema(resolved);
  return { file: data, resolved, report };
}

/** The enterprise extension is known without declaring it, but the SCIM client needs it listed. */
function addUsedEnterpriseSchema(c: ConnectorConfig): void {
  const uses = c.mappings.some((m) => m.target.toLowerCase().startsWith(`${ENTERPRISE_USER_SCHEMA.toLowerCase()}:`));
  if (uses && !c.scim.userSchemaExtensions.includes(ENTERPRISE_USER_SCHEMA))
    c.scim.userSchemaExtensions.push(ENTERPRISE_USER_SCHEMA);
}

async function loadPolicyFile(
  root: string,
  show: (p: string) => string,
  connectors: Record<string, ConnectorConfig>,
  declared: ReadonlySet<string>,
  issues: ConfigIssue[],
): Promise<PolicyConfig | undefined> {
  const candidates = (await readdir(root).catch(() => [] as string[])).filter((n) => /^policy\.ya?ml$/i.test(n));
  if (candidates.length === 0) {
    issues.push(
      fileIssue(show(join(root, 'policy.yaml')), 'not found; the policy file holds SLAs, retention and access rules'),
    );
    return undefined;
  }
  const path = join(root, candidates.sort()[0]);
  const file = show(path);
  const source = await readSource(path, file, issues);
  if (!source) return undefined;
  const parsed = policyFileSchema.safeParse(source.data);
  const before = issues.length;
  if (!parsed.success) issues.push(...zodIssuesToConfig(source, policyFileSchema, parsed.error.issues));
  const data = parsed.success
    ? parsed.data
    : (salvage(source.data, parsed.error.issues, ['access'], [['access', 'rules']]) as PolicyFile | undefined);
  if (!data) return undefined;
  checkPolicy(data, connectors, declared, (p, message, at) => issues.push(issueAt(source, p, message, at)));
  const webhook = data.notifications?.webhookUrl;
  const webhookProblem = webhook ? secretRefProblem(anchorSecretRef(webhook, root), secretsDirs(root)) : undefined;
  if (webhookProblem) issues.push(issueAt(source, ['notifications', 'webhookUrl'], webhookProblem));
  return issues.length > before ? undefined : resolvePolicy(data, file);
}
