#!/bin/sh
# Runs once, when the audit-db volume is first initialised (docker-entrypoint-initdb.d), as the
# bootstrap superuser. Creates the roles of docs/deployment.md:
#   jml_owner            owns the database and its tables; used only by `jml migrate`
#   jml_audit_writer     NOLOGIN; migrations grant it SELECT/INSERT on the audit tables, never
#                        UPDATE, DELETE, TRUNCATE or DDL
#   jml_worker, jml_api  the logins of the worker and the API, members of jml_audit_writer
# Idempotent: for a volume initialised before this script existed, run it by hand with the same
# variables (POSTGRES_USER, POSTGRES_DB and the three passwords).
set -eu
: "${AUDIT_DB_OWNER_PASSWORD:?set AUDIT_DB_OWNER_PASSWORD}"
: "${AUDIT_DB_WORKER_PASSWORD:?set AUDIT_DB_WORKER_PASSWORD}"
: "${AUDIT_DB_API_PASSWORD:?set AUDIT_DB_API_PASSWORD}"
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_pw="$AUDIT_DB_OWNER_PASSWORD" -v worker_pw="$AUDIT_DB_WORKER_PASSWORD" -v api_pw="$AUDIT_DB_API_PASSWORD" \
  -v db="$POSTGRES_DB" <<'SQL'
SELECT format('CREATE ROLE %I NOLOGIN', r) FROM unnest(ARRAY['jml_owner', 'jml_audit_writer', 'jml_worker', 'jml_api']) AS r
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) \gexec
ALTER ROLE jml_owner LOGIN PASSWORD :'owner_pw';
ALTER ROLE jml_worker LOGIN PASSWORD :'worker_pw';
ALTER ROLE jml_api LOGIN PASSWORD :'api_pw';
GRANT jml_audit_writer TO jml_worker, jml_api;
-- The owner creates the tables (the database owner may CREATE in public); nobody else may.
ALTER DATABASE :"db" OWNER TO jml_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO jml_owner, jml_worker, jml_api;
SQL
