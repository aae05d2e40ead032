/**
 * The audit-store back ends a test runs on: PGlite always, PostgreSQL too when a server is
 * given. CI starts one (.ci/postgres-setup.sh) and sets JML_TEST_DATABASE_URL; a separate name
 * from DATABASE_URL so the dev-stack tests keep their own throw-away PGlite stores.
 */
import { AuditStore } from '../../lib/audit';

export const TEST_DATABASE_URL = process.env.JML_TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

export const auditTargets: [string, () => Promise<AuditStore>][] = [['PGlite', () => AuditStore.open()]];
if (TEST_DATABASE_URL) auditTargets.push(['PostgreSQL', () => AuditStore.open({ databaseUrl: TEST_DATABASE_URL })]);

/** Employee ids unique per run: a PostgreSQL database outlives the test process. */
export function uniqueEmployeeId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
