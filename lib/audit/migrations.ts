/**
 * Versioned schema migrations. On PostgreSQL they are a separate step (`jml migrate`, as the
 * database owner): the worker and the API connect with insert-only roles that cannot run DDL,
 * and only check the schema version ({@link checkSchema}). PGlite (single process, single user)
 * migrates on open. A transaction-scoped advisory lock makes concurrent migrators take turns;
 * applied versions are recorded, so each runs once.
 */
import type { Database } from './db';

interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Only on real PostgreSQL (roles and grants are meaningless in single-user PGlite). */
  postgresOnly?: boolean;
}

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'audit records, account registry, append-only triggers',
    sql: `
      CREATE TABLE audit_records (
        seq bigserial PRIMARY KEY,
        idempotency_key text NOT NULL UNIQUE,
        chain text NOT NULL,
        chain_seq integer NOT NULL,
        kind text NOT NULL,
        employee_id text NOT NULL,
        workflow_id text,
        run_id text,
        occurred_at timestamptz NOT NULL,
        data jsonb NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (chain, chain_seq)
      );
      CREATE INDEX audit_records_employee ON audit_records (employee_id, occurred_at);
      CREATE INDEX audit_records_time ON audit_records (occurred_at);
      CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_records is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER audit_records_no_update BEFORE UPDATE OR DELETE ON audit_records
        FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
      CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
        FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();
      CREATE TABLE accounts (
        employee_id text NOT NULL,
        app text NOT NULL,
        scim_id text,
        state text NOT NULL,
        last_change_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (employee_id, app)
      );`,
  },
  {
    version: 2,
    name: 'insert-only writer role',
    postgresOnly: true,
    sql: `
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'jml_audit_writer') THEN
          CREATE ROLE jml_audit_writer NOLOGIN;
        END IF;
      END $$;
      GRANT SELECT, INSERT ON audit_records TO jml_audit_writer;
      GRANT USAGE ON SEQUENCE audit_records_seq_seq TO jml_audit_writer;
      GRANT SELECT, INSERT, UPDATE ON accounts TO jml_audit_writer;
      REVOKE UPDATE, DELETE, TRUNCATE ON audit_records FROM jml_audit_writer;`,
  },
  {
    version: 3,
    name: 'intake API idempotency records (shared by API replicas)',
    sql: `
      CREATE TABLE api_idempotency (
        event_id text PRIMARY KEY,
        body_hash text NOT NULL,
        answer jsonb NOT NULL,
        accepted_at timestamptz NOT NULL
      );
      CREATE INDEX api_idempotency_time ON api_idempotency (accepted_at);`,
  },
  {
    version: 4,
    name: 'API role may keep and prune idempotency records',
    postgresOnly: true,
    sql: `GRANT SELECT, INSERT, DELETE ON api_idempotency TO jml_audit_writer;`,
  },
  {
    version: 5,
    name: 'keyed chain (HMAC, version 2), server-set record time, legacy chain heads',
    sql: `
      ALTER TABLE audit_records ADD COLUMN chain_version smallint NOT NULL DEFAULT 1;
      ALTER TABLE audit_records ADD COLUMN key_id text;
      ALTER TABLE audit_records ALTER COLUMN recorded_at SET DEFAULT date_trunc('milliseconds', clock_timestamp());
      -- Each chain's length before the keyed chain: only those records may carry the unkeyed hash.
      CREATE TABLE audit_legacy_heads (chain text PRIMARY KEY, last_chain_seq integer NOT NULL);
      INSERT INTO audit_legacy_heads (chain, last_chain_seq) SELECT chain, max(chain_seq) FROM audit_records GROUP BY chain;
      -- The record time comes from the database server's clock, inside the writing transaction.
      CREATE FUNCTION audit_records_server_time() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.recorded_at IS NULL OR NEW.recorded_at < date_trunc('milliseconds', now()) OR NEW.recorded_at > clock_timestamp() THEN
          RAISE EXCEPTION 'audit_records.recorded_at must be the database server''s time (got %)', NEW.recorded_at
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER audit_records_server_time BEFORE INSERT ON audit_records
        FOR EACH ROW EXECUTE FUNCTION audit_records_server_time();`,
  },
  {
    version: 6,
    name: 'writer role reads legacy chain heads and the schema version',
    postgresOnly: true,
    sql: `GRANT SELECT ON audit_legacy_heads, schema_migrations TO jml_audit_writer;`,
  },
  {
    version: 7,
    name: 'people directory (display name, department, HR status) for the console',
    sql: `
      CREATE TABLE people (
        employee_id text PRIMARY KEY,
        display_name text NOT NULL,
        department text,
        status text,
        as_of timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX people_name ON people (lower(display_name));`,
  },
  {
    version: 8,
    name: 'writer role keeps the people directory',
    postgresOnly: true,
    sql: `GRANT SELECT, INSERT, UPDATE ON people TO jml_audit_writer;`,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Applies pending migrations (up to `upTo`, for tests of upgrades); returns the versions that ran. */
export async function migrate(db: Database, upTo = LATEST_VERSION): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('jml-audit-migrations'))`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    const ran: number[] = [];
    for (const m of MIGRATIONS) {
      if (m.version > upTo || applied.has(m.version) || (m.postgresOnly && db.kind !== 'postgres')) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      ran.push(m.version);
    }
    return ran;
  });
}

export class SchemaVersionError extends Error {
  override name = 'SchemaVersionError';
}

/**
 * For processes that must not run DDL: the store's schema must be exactly what this release
 * expects. Throws a {@link SchemaVersionError} that says what to run.
 */
export async function checkSchema(db: Database): Promise<void> {
  const expected = MIGRATIONS.filter((m) => !m.postgresOnly || db.kind === 'postgres').map((m) => m.version);
  let applied: number[];
  try {
    applied = (await db.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) =>
      Number(r.version),
    );
  } catch (err) {
    if ((err as { code?: string }).code !== '42P01') throw err;
    throw new SchemaVersionError(
      "the audit store has no schema yet: run `jml migrate` with the database owner's DATABASE_URL first",
    );
  }
  const missing = expected.filter((v) => !applied.includes(v));
  if (missing.length > 0) {
    throw new SchemaVersionError(
      `the audit store's schema lacks migration${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (it is at ` +
        `${Math.max(0, ...applied)}, this release needs ${LATEST_VERSION}): run \`jml migrate\` with the database owner's DATABASE_URL`,
    );
  }
  const newer = applied.filter((v) => v > LATEST_VERSION);
  if (newer.length > 0) {
    throw new SchemaVersionError(
      `the audit store's schema is at ${Math.max(...newer)}, newer than this release (${LATEST_VERSION}): upgrade jml-orchestrator`,
    );
  }
}
