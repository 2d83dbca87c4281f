"""Benchmark: the sessions import on a big file, its speed and its memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fourfold_bench .venv/bin/python \\
        -m bench.imports --rows 383710

Writes a people file and a sessions file of `--rows` rows (bench.import_file: the same file
every time), imports the people, then imports the sessions twice, each time in a fresh process
so that its peak memory (resident set size, from getrusage) is the import's own: the first
import writes everything, the second finds nothing changed. Prints rows/s, seconds, peak
memory and queries; never passes or fails. `run(...)` does the same for `make bench` and
returns the figures.

The database should not hold the benchmark's sessions yet (the first import is then a
re-import and says so): use a new database, or one the previous run's rows are wanted in.
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIVE_YEARS = 383_710


def setup_django(migrate=True):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supervision.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def peak_rss_mb():
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_files(directory, rows, practitioners):
    from bench import import_file

    people = Path(directory) / "people.csv"
    with people.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["email", "name", "team", "role", "supervisor", "frequency", "start_date"])
        for email, name, supervisor in import_file.people(practitioners):
            n = int("".join(c for c in email.split("@")[0] if c.isdigit()))
            team = n if not supervisor else n // import_file.TEAM_SIZE
            role = "practitioner" if supervisor else "manager"
            writer.writerow(
                [email, name, f"Bench team {team}", role, supervisor, "monthly", "2014-06-01"]
            )
    sessions = Path(directory) / "sessions.csv"
    with sessions.open("w", newline="", encoding="utf-8") as out:
        import_file.write(out, rows, practitioners)
    return people, sessions


def child(path, what):
    """In its own process: import one file and print what it took, as JSON."""
    setup_django(migrate=False)
    from django.conf import settings
    from django.db import connection

    # As in production: with DEBUG on, Django keeps the text of every query (a bulk insert's
    # is megabytes), which is the development server's memory, not the import's.
    settings.DEBUG = False

    from imports.people import people_import
    from imports.sessions import sessions_import

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    before = peak_rss_mb()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        if what == "people":
            result = people_import(data=Path(path).read_bytes())
        else:
            result = sessions_import(path=path)
        seconds = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "peak_mb": peak_rss_mb(),
                "before_mb": before,
                "queries": queries,
                "ok": result.ok,
                "summary": result.summary or "; ".join(result.problems[:5]),
            }
        )
    )


def _in_child(path, what):
    output = subprocess.run(  # noqa: S603 (this interpreter, this module)
        [sys.executable, "-m", "bench.imports", "--child", str(path), "--what", what],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def run(rows=FIVE_YEARS, practitioners=1500, reimport=True, out=print):
    """Import a `rows`-row sessions file (and its people); print and return the figures.

    Returns a list of dicts, one per import: what, rows, seconds, rows_per_s, cpu_seconds,
    rows_per_cpu_s, peak_mb, before_mb (the process's memory before the import: Django and
    the app), queries (through Django's cursor; the bulk inserts' pages are not counted),
    summary.
    """
    setup_django()
    figures = []
    with tempfile.TemporaryDirectory(prefix="fourfold-bench-") as directory:
        started = time.perf_counter()
        people, sessions = write_files(directory, rows, practitioners)
        out(
            f"Wrote {rows:,} rows ({sessions.stat().st_size / 1e6:.0f} MB) for "
            f"{practitioners:,} practitioners in {time.perf_counter() - started:.1f} s"
        )
        runs = [("people", people, practitioners), ("sessions", sessions, rows)]
        if reimport:
            runs.append(("sessions again", sessions, rows))
        for what, path, count in runs:
            taken = _in_child(path, "people" if what == "people" else "sessions")
            taken.update(
                what=what,
                rows=count,
                rows_per_s=count / taken["seconds"],
                rows_per_cpu_s=count / max(taken["cpu_seconds"], 1e-6),
            )
            figures.append(taken)
    out(
        f"\n{'import':<16}{'rows':>9}{'seconds':>9}{'rows/s':>9}{'CPU s':>8}{'rows/CPU s':>11}"
        f"{'peak MB':>9}{'app MB':>8}"
    )
    for f in figures:
        out(
            f"{f['what']:<16}{f['rows']:>9,}{f['seconds']:>9.1f}{f['rows_per_s']:>9,.0f}"
            f"{f['cpu_seconds']:>8.1f}{f['rows_per_cpu_s']:>11,.0f}"
            f"{f['peak_mb']:>9.0f}{f['before_mb']:>8.0f}"
        )
    out(
        "(seconds: wall clock; CPU s: the import process's own CPU time, the database's not "
        "included; peak MB: the process's peak resident memory; app MB: before the import)"
    )
    for f in figures:
        out(f"  {f['what']}: {f['summary']}")
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=FIVE_YEARS)
    parser.add_argument("--practitioners", type=int, default=1500)
    parser.add_argument("--no-reimport", action="store_true")
    parser.add_argument("--json", action="store_true", help="the figures as JSON, last line")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--what", default="sessions", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.what)
        return
    if not os.environ.get("DATABASE_URL"):
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        print(f"No DATABASE_URL: on a throw-away SQLite file ({path})")
    figures = run(args.rows, args.practitioners, reimport=not args.no_reimport)
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
