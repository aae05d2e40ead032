/**
 * Where a config file's secret references may point. A connector file is often edited by
 * people who must not read the process's own credentials: without limits, `file:/etc/…`, the
 * audit key file or `env:DATABASE_URL` as an app's bearer token would be sent to whatever
 * `baseUrl` the file names. So `file:` paths stay inside the secrets directory, and `env:`
 * cannot name the variables that hold jml-orchestrator's own secrets.
 */
import { realpathSync } from 'node:fs';
import { delimiter, isAbsolute, relative, resolve } from 'node:path';
import { parseSecretRef } from './secret-ref';

/** Variables that hold the process's own secrets (and their `_FILE` forms). */
const OWN_SECRETS = [
  /^DATABASE_URL$/,
  /^PG(PASSWORD|PASSFILE|SERVICEFILE)$/,
  /^JML_API_[A-Z_]*(SECRETS?|TOKENS?|KEYS?)(_FILE)?$/,
  /^JML_AUDIT_KEY(_FILE)?$/,
  /^TEMPORAL_API_KEY(_FILE)?$/,
  /^TEMPORAL_TLS_(CERT|KEY)(_FILE)?$/,
  /^JML_SECRETS_DIR$/,
];

export function isOwnSecretEnv(name: string): boolean {
  return OWN_SECRETS.some((re) => re.test(name));
}

/**
 * The directories `file:` references may point into: `JML_SECRETS_DIR` (several, separated
 * like PATH) when set, else the config directory and `/run/secrets` (Docker and Compose secrets).
 */
export function secretsDirs(
  configRoot: string | undefined,
  env: Record<string, string | undefined> = process.env,
): string[] {
  const configured = env.JML_SECRETS_DIR?.split(delimiter).filter(Boolean);
  if (configured?.length) return configured.map((d) => resolve(d));
  return [...(configRoot ? [resolve(configRoot)] : []), '/run/secrets'];
}

/** Resolves symbolic links as far as the path exists, so a link cannot lead out of the directory. */
function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

export function isInside(path: string, dir: string): boolean {
  const rel = relative(real(dir), real(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** What is wrong with a reference under these rules, or undefined. `ref` is anchored (absolute `file:`). */
export function secretRefProblem(ref: string, dirs: string[]): string | undefined {
  const parsed = parseSecretRef(ref);
  if (!parsed) return undefined;
  if (parsed.kind === 'env') {
    return isOwnSecretEnv(parsed.name)
      ? `env:${parsed.name} is one of jml-orchestrator's own secrets and cannot be sent to an app; give the app a variable of its own`
      : undefined;
  }
  if (!isAbsolute(parsed.path)) return undefined;
  if (dirs.some((d) => isInside(parsed.path, d))) return undefined;
  return `file:${parsed.path} is outside the secrets directory (${dirs.join(', ')}); move the file there, or set JML_SECRETS_DIR to the directory that holds it`;
}
