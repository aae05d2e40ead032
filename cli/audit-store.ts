/** Opening the audit store from the CLI: the same DATABASE_URL / JML_AUDIT_DIR rules as the worker. */
import { existsSync } from 'node:fs';
import { AuditStore } from '../lib/audit';
import { auditDataDir } from '../lib/audit/location';

export async function openAuditStoreForCli(): Promise<AuditStore | undefined> {
  if (process.env.DATABASE_URL) return AuditStore.open({ databaseUrl: process.env.DATABASE_URL });
  const dir = auditDataDir();
  if (!existsSync(dir)) {
    console.error(`no audit store at ${dir}: set DATABASE_URL, or JML_AUDIT_DIR to the worker's data directory`);
    return undefined;
  }
  return AuditStore.open({ dataDir: dir });
}
