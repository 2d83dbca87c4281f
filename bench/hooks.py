"""Benchmarks run on each seeded data set: a hook list that `bench.pages` runs (imports).

`BENCHMARKS` is a list of functions. `bench.pages` calls each one after the page timings, on
the seeded database, with the clock set to the data set's day, inside a transaction that it
rolls back afterwards (so an import never changes the data the next run measures). Each
returns a list of rows for the table in docs/performance.md:

    {"name": "import_sessions, 5,000 rows", "seconds": 1.9, "queries": 42,
     "note": "2,600 rows/s, peak 80 MB"}

Add a benchmark by appending a function to `BENCHMARKS`.
"""

import csv
import io
import random
import time
from datetime import timedelta

FUNCTIONS = ["management", "development", "support", "mediation"]


def _timed(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    return elapsed, len(queries), result


def _people_file(n_people, n_supervisors, start):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "name", "team", "role", "supervisor", "frequency", "start_date"])
    for s in range(n_supervisors):
        writer.writerow(
            [f"sup{s}@bench.example", f"Supervisor {s}", f"Bench {s % 5}", "manager", "", "", ""]
        )
    for p in range(n_people):
        writer.writerow(
            [
                f"p{p}@bench.example",
                f"Person {p}",
                f"Bench {p % 5}",
                "practitioner",
                f"sup{p % n_supervisors}@bench.example",
                "monthly",
                start.isoformat(),
            ]
        )
    return out.getvalue().encode()


def _sessions_file(rows_wanted, people, supervisors, rng, start):
    from imports.sessions import ITEM_COLUMNS, SESSION_COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, ("session_ref", *SESSION_COLUMNS, *ITEM_COLUMNS))
    writer.writeheader()
    rows, n = 0, 0
    while rows < rows_wanted:
        for item in range(3):
            writer.writerow(
                {
                    "session_ref": f"BENCH-{n}",
                    "date": (start + timedelta(days=n % 300)).isoformat(),
                    "format": "one_to_one",
                    "group_type": "",
                    "supervisor": supervisors[n % len(supervisors)],
                    "supervisees": people[n % len(people)],
                    "absent": "",
                    "status": "held",
                    "duration_minutes": "90",
                    "item_title": f"Item {item}",
                    "item_minutes": str(rng.randint(5, 30)),
                    "functions": ";".join(rng.sample(FUNCTIONS, rng.randint(1, 3))),
                    "stages": "experience;reflection",
                    "stakeholders": "supervisee",
                    "case_ref": "",
                    "risk": "no",
                    "notes": "",
                }
            )
            rows += 1
        n += 1
    return out.getvalue().encode()


def small_sessions_import():
    """import_people then import_sessions of 5,000 rows (held one-to-ones, 3 items each)."""
    from core import clock
    from imports.people import people_import
    from imports.sessions import sessions_import

    start = clock.today() - timedelta(days=365)
    result = people_import(data=_people_file(200, 20, start))
    assert not result.problems, result.problems[:3]
    people = [f"p{p}@bench.example" for p in range(200)]
    supervisors = [f"sup{s}@bench.example" for s in range(20)]
    data = _sessions_file(5000, people, supervisors, random.Random(20261128), start)
    elapsed, queries, result = _timed(lambda: sessions_import(data=data))
    assert not result.problems, result.problems[:3]
    return [
        {
            "name": "import_sessions, 5,000 rows",
            "seconds": elapsed,
            "queries": queries,
            "note": f"{5000 / elapsed:,.0f} rows/s",
        }
    ]


BENCHMARKS = [small_sessions_import]
