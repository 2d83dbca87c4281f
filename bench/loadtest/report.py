"""Write the load test's figures (locust's CSV) into docs/performance.md, in a section of its own.

    python -m bench.loadtest.report STATS_CSV SECONDS USERS WORKERS DATA

Only the text between LOADTEST_START and LOADTEST_END changes (the markers are added at the end
of the file the first time); the rest of docs/performance.md belongs to `make bench`.
"""

import csv
import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DOC = ROOT / "docs" / "performance.md"
START = "<!-- loadtest:start -->"
END = "<!-- loadtest:end -->"


def figures(stats_csv):
    with open(stats_csv, encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    return [row for row in rows if row["Name"] != "Aggregated"], next(
        row for row in rows if row["Name"] == "Aggregated"
    )


def postgres_version():
    try:
        from bench.imports import setup_django

        setup_django(migrate=False)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    except Exception:  # noqa: BLE001 - the report says unknown rather than fail
        return "unknown"


def section(stats_csv, seconds, users, workers, data):
    pages, total = figures(stats_csv)
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    verdict = "**0 errors**" if failures == 0 else f"**{failures} errors** (of {requests})"
    # Measured by scripts/loadtest.sh before the users started: at the end, the load average
    # counts the load test's own processes.
    load = os.environ.get("LOADTEST_LOAD_BEFORE", "unknown")
    day = datetime.datetime.now(datetime.UTC).date().isoformat()
    lines = [
        START,
        "## Load test (`make loadtest`)",
        "",
        f"{day}, {platform.node() or 'this machine'} "
        f"({platform.machine()}, {_cores()} cores, load average {load} before it started), "
        f"PostgreSQL {postgres_version()}. gunicorn with {workers} workers (`DEBUG=false`); "
        f"locust {_locust_version()}, {users} users for {seconds} s against 127.0.0.1, each "
        "pausing 1-3 s between pages: supervisors (home, my supervisees, the session list, a "
        "record, a supervisee's balance), supervisees (home, my balance, the session list) and "
        "team managers (the team's balance, months, feedback and checks, home, the session "
        f"list). Data: {data}.",
        "",
        f"{verdict}; {requests:,} requests, {float(total['Requests/s']):.1f} requests/s; "
        f"p50 {_ms(total['50%'])}, p95 {_ms(total['95%'])}, p99 {_ms(total['99%'])}.",
        "",
        *(_busy_note(load) + [""]),
        "| page | requests | errors | p50 | p95 | p99 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in sorted(pages, key=lambda r: r["Name"]):
        lines.append(
            f"| `{row['Name']}` | {int(row['Request Count']):,} | {row['Failure Count']} "
            f"| {_ms(row['50%'])} | {_ms(row['95%'])} | {_ms(row['99%'])} |"
        )
    lines.append(END)
    return "\n".join(lines) + "\n", failures


def _busy_note(load):
    """A warning when the machine had other work: then the figures are the queue's."""
    try:
        busy = float(load.split()[0]) > (_cores() or 1)
    except (ValueError, IndexError):
        return []
    shared = (
        "The load generator, the app server and PostgreSQL share the machine's cores: when the "
        "requests asked for come faster than two workers serve them, the users wait in the "
        "queue, and p50 and p95 grow with the queue."
    )
    if not busy:
        return [shared]
    return [
        "The machine was busy with other work before the test began (its load average above "
        "its number of cores), so the app server's two processes had a fraction of a core "
        "between them: these times say more about the machine than about the pages. Run it "
        "again on a quiet machine to compare with the target (p95 under 500 ms). " + shared
    ]


def _ms(value):
    return f"{float(value):,.0f} ms" if value not in ("", "N/A") else "-"


def _cores():
    import os

    return os.cpu_count()


def _locust_version():
    venv = ROOT / ".venv-load" / "bin" / "locust"
    try:
        out = subprocess.run(  # noqa: S603 (our own venv's locust)
            [str(venv), "--version"], capture_output=True, text=True, check=False
        ).stdout
        return out.split()[1] if out.split() else "?"
    except OSError:
        return "?"


def write(text):
    old = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    if START in old and END in old:
        before, rest = old.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        new = before + text + ("\n" + after if after else "")
    else:
        new = old.rstrip("\n") + "\n\n" + text
    DOC.write_text(new, encoding="utf-8")


def main(stats_csv, seconds, users, workers, data):
    text, failures = section(stats_csv, seconds, users, workers, data)
    write(text)
    print(text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
