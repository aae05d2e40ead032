/**
 * Start-up check that every secret reference in a loaded config can be resolved, without
 * reading any value into memory longer than needed and without printing one.
 */
import { access, constants } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { parseSecretRef } from './secrets';
import type { LoadedConfig } from './types';

/** A secret reference that would not resolve now. */
export interface SecretProblem {
  /** The file that holds the reference. */
  file: string;
  /** YAML path of the reference (`auth.token`). */
  path: string;
  ref: string;
  /** `env-unset` is expected on a developer machine; `file-unreadable` is always a problem. */
  kind: 'env-unset' | 'file-unreadable';
  message: string;
}

/** Where {@link checkSecrets} looks; tests inject `env`. */
export interface SecretCheckSources {
  /** @default process.env */
  env?: Record<string, string | undefined>;
  /** Base for relative `file:` paths. @default process.cwd() */
  baseDir?: string;
}

/** Every `env:`/`file:` reference in the config with where it is. */
export function secretReferences(config: LoadedConfig): { file: string; path: string; ref: string }[] {
  const refs: { file: string; path: string; ref: string }[] = [];
  for (const c of Object.values(config.connectors)) {
    const auth = c.auth;
    if (auth.type === 'bearer') refs.push({ file: c.sourceFile, path: 'auth.token', ref: auth.token });
    if (auth.type === 'basic') refs.push({ file: c.sourceFile, path: 'auth.password', ref: auth.password });
    if (auth.type === 'oauth2-client-credentials')
      refs.push({ file: c.sourceFile, path: 'auth.clientSecret', ref: auth.clientSecret });
  }
  const webhook = config.policy.notifications.webhookUrl;
  if (webhook && parseSecretRef(webhook))
    refs.push({ file: config.policy.sourceFile, path: 'notifications.webhookUrl', ref: webhook });
  return refs;
}

/** References that would not resolve right now. */
export async function checkSecrets(config: LoadedConfig, sources: SecretCheckSources = {}): Promise<SecretProblem[]> {
  const env = sources.env ?? process.env;
  const problems: SecretProblem[] = [];
  for (const { file, path, ref } of secretReferences(config)) {
    const parsed = parseSecretRef(ref);
    if (!parsed) continue;
    if (parsed.kind === 'env') {
      if (env[parsed.name] === undefined || env[parsed.name] === '') {
        problems.push({
          file,
          path,
          ref,
          kind: 'env-unset',
          message: `environment variable ${parsed.name} is not set (${ref})`,
        });
      }
      continue;
    }
    const full = isAbsolute(parsed.path) ? parsed.path : resolve(sources.baseDir ?? process.cwd(), parsed.path);
    try {
      await access(full, constants.R_OK);
    } catch (err) {
      problems.push({
        file,
        path,
        ref,
        kind: 'file-unreadable',
        message: `cannot read ${full} (${(err as NodeJS.ErrnoException).code ?? 'error'}) for ${ref}`,
      });
    }
  }
  return problems;
}
