#!/usr/bin/env bash
# CI: a backup restores whole. Loads the demo into a fresh PostgreSQL database, backs it up with
# scripts/backup.sh, restores it with scripts/restore.sh into another fresh database, and
# compares the row counts of every table. Both databases are dropped afterwards, pass or fail.
#
# PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432) is a server where we may create and
# drop databases.
set -euo pipefail
cd "$(dirname "$0")/.."

admin="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432}"
source_db="fourfold_backup_src_$$"
restored_db="fourfold_backup_dst_$$"
work="$(mktemp -d)"
psql_admin() { psql "$admin/postgres" -v ON_ERROR_STOP=1 -q "$@"; }
cleanup() {
  psql_admin -c "DROP DATABASE IF EXISTS $source_db" -c "DROP DATABASE IF EXISTS $restored_db" || true
  rm -rf "$work"
}
trap cleanup EXIT

psql_admin -c "CREATE DATABASE $source_db" -c "CREATE DATABASE $restored_db"
export DATABASE_URL="$admin/$source_db"
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py seed_demo --today 2026-11-25 >/dev/null
scripts/backup.sh "$work/demo.dump" >/dev/null
DATABASE_URL="$admin/$restored_db" scripts/restore.sh "$work/demo.dump"
.venv/bin/python scripts/compare_row_counts.py "$admin/$source_db" "$admin/$restored_db"
