/** The syntax of a secret reference (`env:NAME`, `file:PATH`), shared by the reader and the policy on references. */

/** A parsed reference. */
export type ParsedSecretRef = { kind: 'env'; name: string } | { kind: 'file'; path: string };

/** POSIX-style environment variable names (IEEE Std 1003.1 §8.1, upper or lower case). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses `env:NAME` or `file:PATH`; returns `undefined` for anything else (a literal value,
 * which the config loader rejects).
 */
export function parseSecretRef(ref: string): ParsedSecretRef | undefined {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    return ENV_NAME.test(name) ? { kind: 'env', name } : undefined;
  }
  if (ref.startsWith('file:')) {
    const path = ref.slice(5);
    return path.length > 0 ? { kind: 'file', path } : undefined;
  }
  return undefined;
}
