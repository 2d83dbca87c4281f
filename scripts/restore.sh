#!/usr/bin/env bash
# Restore a backup into the database at DATABASE_URL: scripts/restore.sh FILE [--replace]
#
# FILE is an archive from scripts/backup.sh. The database must exist (createdb NAME). It is
# restored in one transaction: on any error nothing is restored. A database that already has
# tables is refused unless --replace is given; then its tables are dropped and replaced by the
# backup's. Stop the app first, and run `manage.py migrate` after restoring an older backup.
set -euo pipefail

usage() {
  echo "usage: DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/NAME scripts/restore.sh FILE [--replace]" >&2
  exit 2
}

file="${1:-}"
replace="${2:-}"
[ -n "$file" ] || usage
if [ -n "$replace" ] && [ "$replace" != "--replace" ]; then usage; fi
if [ ! -f "$file" ]; then
  echo "restore.sh: no backup file at $file" >&2
  exit 2
fi
url="${DATABASE_URL:-}"
case "$url" in
  postgres://* | postgresql://*) ;;
  *)
    echo "restore.sh: DATABASE_URL must be set to a PostgreSQL URL." >&2
    usage
    ;;
esac

if ! pg_restore --list "$file" >/dev/null 2>&1; then
  echo "restore.sh: $file is not a pg_dump archive (make one with scripts/backup.sh)." >&2
  exit 2
fi

tables="$(psql "$url" -v ON_ERROR_STOP=1 -tAc \
  "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")"
if [ "$tables" != "0" ] && [ "$replace" != "--replace" ]; then
  echo "restore.sh: the database already has $tables tables. Restore into an empty database," >&2
  echo "or add --replace to drop them and put the backup's in their place." >&2
  exit 1
fi

pg_restore --no-owner --no-privileges --clean --if-exists --single-transaction --exit-on-error \
  --dbname="$url" "$file"
echo "Restored $file."
