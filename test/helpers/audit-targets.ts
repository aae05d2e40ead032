/**
 * The audit-store back ends a test runs on: PGlite always, PostgreSQL too when a server is
 * given. CI starts one (.ci/postgres-setup.sh) and sets JML_TEST_DATABASE_URL; a separate name
 * from DATABASE_URL so the dev-stack tests keep their own throw-away PGlite stores.
 */
import { createHash } from 'node:crypto';
import { AuditStore, auditKeyFromString } from '../../lib/audit';

export const TEST_DATABASE_URL = process.env.JML_TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

/**
 * The tests' audit key (what JML_AUDIT_KEY holds in production). Fixed, so a PostgreSQL test
 * database written by earlier runs still verifies; derived rather than a literal.
 */
export const TEST_AUDIT_KEY_TEXT = createHash('sha512').update('jml-orchestrator test audit key').digest('base64');
export const TEST_AUDIT_KEY = auditKeyFromString(TEST_AUDIT_KEY_TEXT);

export const auditTargets: [string, () => Promise<AuditStore>][] = [
  ['PGlite', () => AuditStore.open({ key: TEST_AUDIT_KEY })],
];
if (TEST_DATABASE_URL)
  auditTargets.push(['PostgreSQL', () => AuditStore.open({ databaseUrl: TEST_DATABASE_URL, key: TEST_AUDIT_KEY })]);

/** Employee ids unique per run: a PostgreSQL database outlives the test process. */
export function uniqueEmployeeId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * A database of its own on the test server, for tests that need the whole store to themselves
 * (checkpoints sign every chain). Dropped by the returned function.
 */
export async function freshDatabase(baseUrl: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { Client } = await import('pg');
  const name = `${prefix}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`.replace(
    /[^a-z0-9_]/g,
    '_',
  );
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
