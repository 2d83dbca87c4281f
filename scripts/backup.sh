#!/usr/bin/env bash
# Back up Fourfold's PostgreSQL database: scripts/backup.sh [FILE]
#
# Reads DATABASE_URL (postgres://USER:PASSWORD@HOST:PORT/NAME), as the app does, and writes a
# pg_dump archive in custom format (compressed; restore it with scripts/restore.sh) to FILE,
# by default fourfold-YYYYMMDDTHHMMSSZ.dump in the current directory. Prints the file's name.
#
# The archive holds special-category personal data (supervision records): it is written
# readable by its owner only. Keep it encrypted, off the database server, and no longer than
# the records themselves (docs/privacy.md). An SQLite database is backed up with
# `sqlite3 db.sqlite3 ".backup FILE"` (it runs in WAL mode: never copy the file while it is in use).
set -euo pipefail

url="${DATABASE_URL:-}"
if [ -z "$url" ]; then
  echo "backup.sh: DATABASE_URL is not set (postgres://USER:PASSWORD@HOST:PORT/NAME)." >&2
  exit 2
fi
case "$url" in
  postgres://* | postgresql://*) ;;
  *)
    echo "backup.sh: DATABASE_URL is not a PostgreSQL URL; for SQLite, use: sqlite3 db.sqlite3 \".backup FILE\"" >&2
    exit 2
    ;;
esac

out="${1:-fourfold-$(date -u +%Y%m%dT%H%M%SZ).dump}"
umask 077
# Written under a temporary name first: a dump cut short never looks like a finished one.
partial="$out.partial"
trap 'rm -f "$partial"' EXIT
pg_dump --format=custom --no-owner --no-privileges --file="$partial" --dbname="$url"
# A dump that pg_restore cannot list is no backup.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$out"
echo "$out"
