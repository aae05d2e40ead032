/**
 * Opens the audit store for a process (worker, API, CLI): `DATABASE_URL` (PostgreSQL) when
 * set, else PGlite in `JML_AUDIT_DIR` (default `.data/audit`).
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createAuditPort, type StoreAuditPort } from '../activities/audit';
import { AuditStore, buildLeaverTimeline } from '../lib/audit';
import type { Logger } from '../lib/logger';
import type { TimelineSource } from './api/routes/employees';
import { registerConsole } from './console';

export interface ProcessAudit {
  store: AuditStore;
  port: StoreAuditPort;
  /** For the start-up log line (never the URL: it may carry a password). */
  description: string;
  close(): Promise<void>;
}

export function auditDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.JML_AUDIT_DIR || path.join('.data', 'audit'));
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

/**
 * The API's read side over the audit store: `GET /v1/employees/:id/timeline` answers from the
 * store (complete after Temporal's history retention has passed) and `/console` is mounted.
 */
export function auditReadSide(
  store: AuditStore,
  options: { temporalUiUrl?: string; namespace?: string; readTokens?: readonly string[] },
): { timelineSource: TimelineSource; routes: Array<(app: FastifyInstance) => void> } {
  return {
    timelineSource: async (employeeId) => {
      const records = await store.records({ employeeId });
      return records.length === 0 ? null : buildLeaverTimeline(employeeId, records, { temporalUiUrl: options.temporalUiUrl, namespace: options.namespace });
    },
    routes: [(app) => registerConsole(app, { store, temporalUiUrl: options.temporalUiUrl, namespace: options.namespace, readTokens: options.readTokens })],
  };
}
