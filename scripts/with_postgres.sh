#!/usr/bin/env bash
# Run a command with a throw-away PostgreSQL server (for the tests that need a real one):
# KNOWLEDGE_TEST_POSTGRES_URL points at it, and the server is stopped and its files deleted when the
# command ends, fails or is interrupted. It listens on 127.0.0.1 only, its socket in its own
# temporary directory, on the first free port from 54329 (or PGTEST_PORT).
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
  echo "PostgreSQL introuvable : apt-get install postgresql (make test l'installe en root)" >&2
  exit 1
fi
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
dir=$(mktemp -d /tmp/spro-pg.XXXXXX)
cleanup() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM  # through the EXIT trap
chmod 755 "$dir"
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
port=
for p in ${PGTEST_PORT:-$(seq 54329 54348)}; do
  if as_pg "$bin/pg_ctl" -D "$dir/data" -o "-h 127.0.0.1 -p $p -k $dir" -l "$dir/log" -w start >/dev/null 2>&1
  then port=$p; break; fi
done
if [ -z "$port" ]; then
  echo "Le serveur PostgreSQL de test n'a pas démarré :" >&2
  tail -n 20 "$dir/log" >&2
  exit 1
fi
as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres spro_test
export KNOWLEDGE_TEST_POSTGRES_URL="postgresql+psycopg2://postgres@127.0.0.1:$port/spro_test"
"$@"
