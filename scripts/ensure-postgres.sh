#!/usr/bin/env bash
# Make sure the PostgreSQL used by the tests answers; start the local cluster if it is installed but stopped.
set -euo pipefail
url=${QBR_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}

answers() { .venv/bin/python - "$url" <<'PY'
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1].replace("+psycopg", ""), connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc}", file=sys.stderr)
    sys.exit(1)
PY
}

# The fault and read-replica tests start servers of their own (initdb, pg_ctl, pg_basebackup): CI installs the
# server binaries when they are missing; elsewhere those tests are skipped with a reason.
pg_bin=${QBR_TEST_PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$pg_bin/pg_basebackup" ] || [ ! -x "$pg_bin/initdb" ]; then
    if [ -n "${CI:-}" ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing the PostgreSQL server binaries for the throwaway-server tests"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
    else
        echo "warning: no PostgreSQL server binaries in $pg_bin; the fault and replica tests will be skipped" >&2
    fi
fi

if answers; then exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "starting the local PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    for _ in $(seq 1 30); do answers 2>/dev/null && exit 0; sleep 1; done
fi
if [ -n "${CI:-}" ]; then
    echo "PostgreSQL is required in CI and is not reachable at $url" >&2
    exit 1
fi
echo "warning: PostgreSQL is not reachable; its tests will be skipped (set QBR_TEST_DATABASE_URL)" >&2
