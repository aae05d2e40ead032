/**
 * Secret references. Config files never hold secret values, only `env:NAME` or `file:/path`
 * references; the value is read at the moment it is needed (an HTTP request header, a token
 * request), so it never reaches a config object, a workflow history or a log line.
 */
import { readFile as fsReadFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ERROR_CODES, JmlError } from '../errors';
import { parseSecretRef, type ParsedSecretRef } from './secret-ref';
import { isOwnSecretEnv, secretRefProblem, secretsDirs } from './secret-policy';
import type { SecretRef } from './types';

export { parseSecretRef, type ParsedSecretRef };

/**
 * Makes a relative `file:` reference absolute against `baseDir` (the loader uses the config
 * directory, so `file:secrets/slack` means the same wherever the process starts). Other
 * references are returned unchanged.
 */
export function anchorSecretRef(ref: string, baseDir: string): string {
  const parsed = parseSecretRef(ref);
  if (parsed?.kind !== 'file' || isAbsolute(parsed.path)) return ref;
  return `file:${resolve(baseDir, parsed.path)}`;
}

/** True when `ref` is a well-formed `env:`/`file:` reference. */
export function isSecretRef(ref: string): boolean {
  return parseSecretRef(ref) !== undefined;
}

/** Where `resolveSecret` reads from; tests inject both. */
export interface SecretSources {
  /** @default process.env */
  env?: Record<string, string | undefined>;
  /** @default fs.promises.readFile(path, 'utf8') */
  readFile?: (path: string) => Promise<string> | string;
  /** Base for relative `file:` paths. @default process.cwd() */
  baseDir?: string;
}

/**
 * Reads the value a reference points to. A file's single trailing newline (`\n` or `\r\n`)
 * is dropped because `echo token > file` and Kubernetes secret mounts commonly add one and
 * it would otherwise end up in an `Authorization` header.
 *
 * @throws JmlError `SECRET_UNRESOLVED` naming the reference (never a value) when the
 *   reference is malformed, the variable is unset or empty, or the file cannot be read.
 */
export async function resolveSecret(ref: SecretRef, sources: SecretSources = {}): Promise<string> {
  const parsed = parseSecretRef(ref);
  if (!parsed) {
    throw unresolved(`"${describeRef(ref)}" is not a secret reference; write env:NAME or file:/path`);
  }
  if (parsed.kind === 'env') {
    // Checked at load time with file:line too; here so no other path can read them either.
    if (isOwnSecretEnv(parsed.name))
      throw unresolved(`secret reference "${ref}": ${parsed.name} is one of jml-orchestrator's own secrets`);
    const value = (sources.env ?? process.env)[parsed.name];
    if (value === undefined || value === '') {
      throw unresolved(`secret reference "${ref}": environment variable ${parsed.name} is not set`);
    }
    return value;
  }
  const path = isAbsolute(parsed.path) ? parsed.path : resolve(sources.baseDir ?? process.cwd(), parsed.path);
  const env = sources.env ?? process.env;
  if (env.JML_SECRETS_DIR) {
    const problem = secretRefProblem(`file:${path}`, secretsDirs(undefined, env));
    if (problem) throw unresolved(`secret reference "${ref}": ${problem}`);
  }
  let text: string;
  try {
    text = await (sources.readFile ?? ((p: string) => fsReadFile(p, 'utf8')))(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw unresolved(`secret reference "${ref}": cannot read ${path} (${reason})`, err);
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw unresolved(`secret reference "${ref}": file ${path} is empty`);
  return value;
}

function unresolved(message: string, cause?: unknown): JmlError {
  return new JmlError(ERROR_CODES.SECRET_UNRESOLVED, message, { cause });
}

/** Something malformed might be a pasted secret: show only its shape, never its content. */
function describeRef(ref: string): string {
  const prefix = /^[a-z]+:/i.exec(ref)?.[0];
  return prefix ? `${prefix}…` : `<literal of ${ref.length} characters>`;
}
