#!/usr/bin/env bash
# Run a command with a throw-away PostgreSQL server on 127.0.0.1 (for the tests that need a real
# one): KNOWLEDGE_TEST_POSTGRES_URL points at it; the server and its files are gone afterwards.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
  echo "PostgreSQL introuvable : apt-get install postgresql" >&2
  exit 1
fi
port=${PGTEST_PORT:-54329}
dir=$(mktemp -d /tmp/spro-pg.XXXXXX)
chmod 755 "$dir"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$dir"
as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -o "-h 127.0.0.1 -p $port -k $dir" -l "$dir/log" -w start >/dev/null
cleanup() { as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres spro_test
export KNOWLEDGE_TEST_POSTGRES_URL="postgresql+psycopg2://postgres@127.0.0.1:$port/spro_test"
"$@"
