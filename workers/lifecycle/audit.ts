/**
 * Opens the audit store for the worker (and the dev stack): `DATABASE_URL` (PostgreSQL) when
 * set, else PGlite in `JML_AUDIT_DIR` (default `.data/audit`), with the activities' write port.
 */
import { createAuditPort, type StoreAuditPort } from '../../activities/audit';
import { AuditStore } from '../../lib/audit';
import { auditDataDir } from '../../lib/audit/location';
import type { Logger } from '../../lib/logger';

export interface ProcessAudit {
  store: AuditStore;
  port: StoreAuditPort;
  /** For the start-up log line (never the URL: it may carry a password). */
  description: string;
  close(): Promise<void>;
}

export async function openAuditForProcess(options: { logger: Logger; env?: NodeJS.ProcessEnv; dataDir?: string }): Promise<ProcessAudit> {
  const env = options.env ?? process.env;
  const databaseUrl = env.DATABASE_URL || undefined;
  const dataDir = databaseUrl ? undefined : (options.dataDir ?? auditDataDir(env));
  const store = await AuditStore.open({ databaseUrl, dataDir });
  const port = createAuditPort(store, (err) => options.logger.error({ err }, 'audit write failed'));
  return {
    store,
    port,
    description: databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${dataDir}`,
    close: () => store.close(),
  };
}
