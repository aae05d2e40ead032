/**
 * Opens the audit store for the worker (and the dev stack): `DATABASE_URL` (PostgreSQL) when
 * set, else PGlite in `JML_AUDIT_DIR` (default `.data/audit`), with the activities' write port.
 *
 * On PostgreSQL the worker connects as an insert-only role: it runs no DDL and refuses to start
 * on a schema that `jml migrate` has not brought up to date. The audit key comes from
 * `JML_AUDIT_KEY[_FILE]`; only the single-box PGlite store may fall back to a key generated
 * next to its directory (said in the log), because there the database and the key share a disk
 * anyway.
 */
import path from 'node:path';
import { createAuditPort, type StoreAuditPort } from '../../activities/audit';
import { AuditKeyError, AuditStore, auditKeyFromEnv, ensureLocalAuditKey, type AuditKey } from '../../lib/audit';
import { MISSING_KEY_MESSAGE } from '../../lib/audit/key';
import { auditDataDir } from '../../lib/audit/location';
import type { Logger } from '../../lib/logger';

export interface ProcessAudit {
  store: AuditStore;
  port: StoreAuditPort;
  /** For the start-up log line (never the URL: it may carry a password). */
  description: string;
  /** Set when this start generated the PGlite store's key file (say so to the operator). */
  generatedKeyFile?: string;
  close(): Promise<void>;
}

export async function openAuditForProcess(options: {
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  dataDir?: string;
  /** Run migrations on a PostgreSQL store too (the dev stack's one-command experience). */
  migrateOnOpen?: boolean;
}): Promise<ProcessAudit> {
  const env = options.env ?? process.env;
  const databaseUrl = env.DATABASE_URL || undefined;
  const dataDir = databaseUrl ? undefined : (options.dataDir ?? auditDataDir(env));
  let key: AuditKey | undefined = auditKeyFromEnv(env);
  let generatedKeyFile: string | undefined;
  let keyFile: string | undefined;
  if (!key && dataDir) {
    const local = ensureLocalAuditKey(path.dirname(dataDir));
    key = local.key;
    keyFile = local.file;
    if (local.generated) generatedKeyFile = local.file;
  }
  if (!key) throw new AuditKeyError(`${MISSING_KEY_MESSAGE}; the PostgreSQL audit store is never written without one`);
  const store = await AuditStore.open({
    databaseUrl,
    dataDir,
    key,
    migrate: !databaseUrl || options.migrateOnOpen === true,
    onConnectionError: (err) => options.logger.warn({ err }, 'audit store connection lost; reconnecting'),
  });
  if (generatedKeyFile) {
    options.logger.warn(
      { keyFile: generatedKeyFile },
      'generated an audit key for the local store (mode 0600); keep a copy to verify the chain',
    );
  }
  const port = createAuditPort(store, (err) => options.logger.error({ err }, 'audit write failed'));
  const keyNote = keyFile ? `key ${store.keyId} in ${keyFile}` : `key ${store.keyId}`;
  return {
    store,
    port,
    description: databaseUrl ? `PostgreSQL (DATABASE_URL), ${keyNote}` : `PGlite in ${dataDir}, ${keyNote}`,
    generatedKeyFile,
    close: () => store.close(),
  };
}
