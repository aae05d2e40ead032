/**
 * Where the API's credentials come from: environment variables or files (Docker/Kubernetes
 * secrets), never YAML and never a log line. Each source may hold several values, one per line
 * or comma-separated, so the old and the new secret are both valid during a rotation.
 */
import { readFileSync } from 'node:fs';
import { GENERATE_HINT, secretWeakness } from './secret-strength';

export interface ApiSecrets {
  /** HMAC secrets for `X-JML-Signature`; any one of them verifies a request. */
  hmacSecrets: string[];
  /**
   * Bearer tokens; when set, `Authorization: Bearer <token>` is required on `POST` routes in
   * addition to the signature (never instead of it), and they open the read endpoints unless
   * `readTokens` are set.
   */
  bearerTokens: string[];
  /**
   * BambooHR webhook private keys: with these, `/v1/hr/events/bamboohr` also accepts BambooHR's
   * own `X-BambooHR-Signature`, so BambooHR can post directly without a signing relay.
   */
  bambooHrKeys?: string[];
  /**
   * Bearer tokens for the read endpoints (`/v1/employees/...`). When empty, the intake bearer
   * tokens are accepted there; when both are empty, reads are open (a warning is logged).
   */
  readTokens?: string[];
}

/** Splits a secret list (newline- or comma-separated), dropping blanks and `#` comments. */
export function splitSecretList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
}

function fromEnvOrFile(env: Record<string, string | undefined>, name: string): string[] {
  const values = env[name] ? splitSecretList(env[name]) : [];
  const file = env[`${name}_FILE`];
  if (file) values.push(...splitSecretList(readFileSync(file, 'utf8')));
  return values;
}

/**
 * Reads `JML_API_HMAC_SECRETS` / `JML_API_HMAC_SECRETS_FILE`, `JML_API_BEARER_TOKENS` /
 * `JML_API_BEARER_TOKENS_FILE`, `JML_API_BAMBOOHR_KEYS` / `JML_API_BAMBOOHR_KEYS_FILE` and
 * `JML_API_READ_TOKENS` / `JML_API_READ_TOKENS_FILE`, as a process starts.
 * @throws Error when no HMAC secret is configured, or one of the values is a placeholder or weak.
 */
export function apiSecretsFromEnv(env: Record<string, string | undefined> = process.env): ApiSecrets {
  const secrets = {
    hmacSecrets: fromEnvOrFile(env, 'JML_API_HMAC_SECRETS'),
    bearerTokens: fromEnvOrFile(env, 'JML_API_BEARER_TOKENS'),
    bambooHrKeys: fromEnvOrFile(env, 'JML_API_BAMBOOHR_KEYS'),
    readTokens: fromEnvOrFile(env, 'JML_API_READ_TOKENS'),
  };
  assertUsableSecrets(secrets);
  assertStrongSecrets(secrets);
  return secrets;
}

/**
 * Refuses configurations that would leave the intake open: every state-changing request needs
 * an HMAC signature, so at least one HMAC secret is required (bearer tokens alone are for reads).
 */
export function assertUsableSecrets(secrets: ApiSecrets): void {
  if (secrets.hmacSecrets.length === 0) {
    throw new Error(
      'no API credentials: set JML_API_HMAC_SECRETS (or JML_API_HMAC_SECRETS_FILE); every POST needs an ' +
        `HMAC signature, bearer tokens only open the read endpoints. ${GENERATE_HINT}`,
    );
  }
  const all = [
    ...secrets.hmacSecrets,
    ...secrets.bearerTokens,
    ...(secrets.bambooHrKeys ?? []),
    ...(secrets.readTokens ?? []),
  ];
  const short = all.some((s) => s.length < 16);
  if (short) throw new Error('API secrets and tokens must be at least 16 characters long');
}

/**
 * Refuses shipped placeholders and values weaker than 32 random bytes, naming the variable and
 * the position of the value (never the value). BambooHR generates its own webhook keys, so those
 * are only checked for placeholders and a 128-bit floor.
 */
export function assertStrongSecrets(secrets: ApiSecrets): void {
  const problems: string[] = [];
  const check = (name: string, values: readonly string[] | undefined, minBits?: number) =>
    (values ?? []).forEach((value, i) => {
      const weakness = secretWeakness(value, minBits);
      if (weakness) problems.push(`${name} value ${i + 1} ${weakness}`);
    });
  check('JML_API_HMAC_SECRETS', secrets.hmacSecrets);
  check('JML_API_BEARER_TOKENS', secrets.bearerTokens);
  check('JML_API_READ_TOKENS', secrets.readTokens);
  check('JML_API_BAMBOOHR_KEYS', secrets.bambooHrKeys, 128);
  if (problems.length > 0) throw new Error(`weak API credentials: ${problems.join('; ')}; ${GENERATE_HINT}`);
}

/** The tokens that open the read endpoints; empty means reads are unauthenticated. */
export function readTokensOf(secrets: ApiSecrets): string[] {
  return secrets.readTokens && secrets.readTokens.length > 0 ? secrets.readTokens : secrets.bearerTokens;
}
