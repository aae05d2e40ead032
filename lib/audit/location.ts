/** Where the embedded (PGlite) audit store lives when `DATABASE_URL` is not set. */
import path from 'node:path';

export function auditDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.JML_AUDIT_DIR || path.join('.data', 'audit'));
}
