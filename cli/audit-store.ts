/**
 * Opening the audit store from the CLI: the same DATABASE_URL / JML_AUDIT_DIR rules as the
 * worker. On PostgreSQL the CLI runs no DDL (it checks the schema version); a PGlite directory
 * in use by a running stack is refused with how to read it instead.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  AuditKeyError,
  AuditStore,
  DirectoryLockedError,
  SchemaVersionError,
  auditKeyFromEnv,
  auditKeyFromFile,
  type AuditKey,
} from '../lib/audit';
import { auditDataDir } from '../lib/audit/location';

/** Errors that are the operator's to fix (key, schema, lock): printed as one line, not a stack. */
export function isAuditStartupError(err: unknown): boolean {
  return err instanceof AuditKeyError || err instanceof SchemaVersionError || err instanceof DirectoryLockedError;
}

/** The key for reading: JML_AUDIT_KEY[_FILE], else the PGlite store's generated key file if there is one. */
function cliKey(dataDir: string | undefined): AuditKey | undefined {
  const fromEnv = auditKeyFromEnv();
  if (fromEnv || !dataDir) return fromEnv;
  const local = path.join(path.dirname(dataDir), 'audit.key');
  return existsSync(local) ? auditKeyFromFile(local) : undefined;
}

export async function openAuditStoreForCli(command = 'jml'): Promise<AuditStore | undefined> {
  try {
    if (process.env.DATABASE_URL)
      return await AuditStore.open({ databaseUrl: process.env.DATABASE_URL, key: cliKey(undefined), migrate: false });
    const dir = auditDataDir();
    if (!existsSync(dir)) {
      console.error(
        `${command}: no audit store at ${dir}: set DATABASE_URL, or JML_AUDIT_DIR to the worker's data directory`,
      );
      return undefined;
    }
    return await AuditStore.open({ dataDir: dir, key: cliKey(dir) });
  } catch (err) {
    if (!isAuditStartupError(err)) throw err;
    console.error(`${command}: ${(err as Error).message}`);
    return undefined;
  }
}
