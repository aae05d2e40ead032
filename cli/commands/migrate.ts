/**
 * `jml migrate`: brings the audit store's schema up to date. On PostgreSQL this is the only
 * step that runs DDL, with the database owner's credentials; the worker and the API connect as
 * insert-only roles and refuse to start on an outdated schema.
 */
import { parseCommandArgs } from '../args';
import { DirectoryLockedError, LATEST_VERSION } from '../../lib/audit';
import { openDatabase } from '../../lib/audit/db';
import { auditDataDir } from '../../lib/audit/location';
import { migrate } from '../../lib/audit/migrations';

/** One line for `jml --help`. */
export const summary = 'Create or upgrade the audit store schema (run as the database owner)';

const HELP = `Usage: jml migrate

Applies the audit store's pending schema migrations and prints which ran.

Environment:
  DATABASE_URL   PostgreSQL, as the owner of the audit tables (not the worker's insert-only role)
  JML_AUDIT_DIR  else the embedded PGlite store [.data/audit] (migrated on open anyway)`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, { help: { type: 'boolean', short: 'h', default: false } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const databaseUrl = process.env.DATABASE_URL || undefined;
  let db;
  try {
    db = await openDatabase(
      databaseUrl ? { databaseUrl, applicationName: 'jml-migrate' } : { dataDir: auditDataDir() },
    );
  } catch (err) {
    if (!(err instanceof DirectoryLockedError)) throw err;
    console.error(`jml migrate: ${err.message}`);
    return 1;
  }
  try {
    const ran = await migrate(db);
    console.log(
      ran.length
        ? `applied migrations ${ran.join(', ')}; the schema is at ${LATEST_VERSION}`
        : `nothing to do: the schema is at ${LATEST_VERSION}`,
    );
    return 0;
  } catch (err) {
    const e = err as { code?: string; message: string };
    // 42501 insufficient_privilege: typically run with the worker's role instead of the owner's.
    if (e.code === '42501') {
      console.error(
        `jml migrate: ${e.message}: run it with the database owner's DATABASE_URL, not the worker's or the API's`,
      );
      return 1;
    }
    throw err;
  } finally {
    await db.close();
  }
}
