#!/usr/bin/env bash
# Installs Debian's PostgreSQL (if missing), starts a throw-away cluster on loopback and prints
# its URL on stdout, for the audit-store tests that also run on PostgreSQL in CI. The cluster
# lives under /tmp and dies with the machine; trust auth is fine on 127.0.0.1 of a CI box.
set -euo pipefail
# A free loopback port, so a cluster left running by an earlier run does not stand in the way.
port="${JML_CI_PG_PORT:-$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}"
find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bin="$(find_bin)"
if [ -z "$bin" ] || [ ! -x "$bin/postgres" ]; then
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends postgresql >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    apt-get install -y --no-install-recommends postgresql >/dev/null
  fi
  bin="$(find_bin)"
fi
id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
dir="$(mktemp -d /tmp/jml-ci-pg.XXXXXX)"
chown postgres "$dir"
# From /: the tools chdir back to the caller's directory, which postgres may not read.
as_pg() { (cd / && runuser -u postgres -- "$@"); }
as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres jml_test
echo "postgres://postgres@127.0.0.1:$port/jml_test"
