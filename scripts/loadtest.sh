#!/usr/bin/env bash
# make loadtest: gunicorn (2 workers) on a PostgreSQL database of its own, seeded, under
# locust (its own environment, .venv-load, pinned in requirements-load.txt): 50 users for 60 s
# against 127.0.0.1 only. Writes its section of docs/performance.md; exits non-zero on errors.
#
# LOADTEST_ADMIN_URL  a PostgreSQL URL to create the database with (default: postgres on
#                     127.0.0.1:5432, user postgres)
# LOADTEST_DB         the database, dropped and made anew (default: fourfold_loadtest; its name
#                     must contain "loadtest")
# LOADTEST_PORT       where gunicorn listens on 127.0.0.1 (default 8765)
# LOADTEST_USERS, LOADTEST_SECONDS, LOADTEST_WORKERS (defaults 50, 60, 2)
# LOADTEST_SEED       extra arguments for seed_demo, e.g. "--practitioners 1500 --years 5"
#                     (used only if this seed_demo has --practitioners)
# LOADTEST_FROM       a database already seeded (e.g. make bench's
#                     fourfold_scale_bench_p1500_y10) to copy instead of seeding: the copy is
#                     made with CREATE DATABASE ... TEMPLATE, which needs no one connected to it
set -euo pipefail
cd "$(dirname "$0")/.."

admin_url=${LOADTEST_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
db=${LOADTEST_DB:-fourfold_loadtest}
port=${LOADTEST_PORT:-8765}
users=${LOADTEST_USERS:-50}
seconds=${LOADTEST_SECONDS:-60}
workers=${LOADTEST_WORKERS:-2}
case "$db" in *loadtest*) ;; *) echo "LOADTEST_DB must contain 'loadtest' (it is dropped)"; exit 2 ;; esac
case "$db" in *[!a-z0-9_]*) echo "LOADTEST_DB: lower-case letters, digits and _ only"; exit 2 ;; esac
from=${LOADTEST_FROM:-}
case "$from" in *[!a-z0-9_]*) echo "LOADTEST_FROM: lower-case letters, digits and _ only"; exit 2 ;; esac

if [ ! -x .venv-load/bin/locust ] || [ requirements-load.txt -nt .venv-load/.installed ]; then
  for python_bin in python3.12 python3.13 python3.11 python3; do
    if "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then break; fi
  done
  "$python_bin" -m venv .venv-load
  .venv-load/bin/python -m pip install --quiet -r requirements-load.txt
  touch .venv-load/.installed
fi

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "Database $db: made anew${from:+ as a copy of $from}"
.venv/bin/python - "$admin_url" "$db" "$from" <<'PY'
import sys
import psycopg2
conn = psycopg2.connect(sys.argv[1])
conn.autocommit = True
# Both names are checked above: lower-case letters, digits and _.
template = f' TEMPLATE "{sys.argv[3]}"' if sys.argv[3] else ""
with conn.cursor() as cursor:
    cursor.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
    cursor.execute(f'CREATE DATABASE "{sys.argv[2]}"{template}')
PY
export DATABASE_URL="${admin_url%/*}/$db"
# Production settings, on plain HTTP at 127.0.0.1: no proxy in front to terminate TLS.
export DEBUG=false SECRET_KEY="loadtest-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false MFA_REQUIRED_FOR=nobody
# Static files gathered for this run only, not into the checkout (where tests read them).
export STATIC_ROOT="$work/static"

.venv/bin/python manage.py migrate --noinput -v 0
if [ -n "$from" ]; then
  data="a copy of $from"
elif .venv/bin/python manage.py seed_demo --help | grep -q -- --practitioners && [ -n "${LOADTEST_SEED:-}" ]; then
  data="seed_demo $LOADTEST_SEED"
  # shellcheck disable=SC2086
  .venv/bin/python manage.py seed_demo $LOADTEST_SEED
else
  data="the demo organisation (seed_demo)"
  .venv/bin/python manage.py seed_demo
fi
.venv/bin/python manage.py collectstatic --noinput -v 0
.venv/bin/python -m bench.loadtest.sessions "$work/people.json"

GUNICORN_BIND="127.0.0.1:$port" WEB_CONCURRENCY="$workers" GUNICORN_ACCESS_LOG=/dev/null \
  .venv/bin/gunicorn supervision.wsgi --config gunicorn.conf.py &
server=$!
for _ in $(seq 60); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then break; fi
  sleep 1
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null

echo "locust: $users users for ${seconds}s on http://127.0.0.1:$port"
# The machine's load before the users start: what else was running (at the end, the load
# average counts locust, gunicorn and PostgreSQL themselves).
LOADTEST_LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
export LOADTEST_LOAD_BEFORE
LOADTEST_PEOPLE="$work/people.json" .venv-load/bin/locust -f bench/loadtest/locustfile.py \
  --headless --users "$users" --spawn-rate 10 --run-time "${seconds}s" \
  --host "http://127.0.0.1:$port" --csv "$work/locust" --only-summary --exit-code-on-error 0 \
  --loglevel WARNING

.venv/bin/python -m bench.loadtest.report "$work/locust_stats.csv" "$seconds" "$users" "$workers" "$data"
