"""Benchmarks: print figures and ratios; never pass or fail on time.

    .venv/bin/python -m bench.run            # on a throw-away SQLite file
    DATABASE_URL=postgres://... .venv/bin/python -m bench.run

What they show: the sessions import and the balance computation grow linearly with the size of
the data (the ratio of time to size stays near 1 as size grows tenfold), and their query
counts stay flat.
"""

import csv
import io
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path


def setup_django():
    if not os.environ.get("DATABASE_URL"):
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supervision.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


FUNCTIONS = ["management", "development", "support", "mediation"]


def sessions_csv(rows_wanted, people, supervisors, rng, prefix):
    from imports.sessions import ITEM_COLUMNS, SESSION_COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, ("session_ref", *SESSION_COLUMNS, *ITEM_COLUMNS))
    writer.writeheader()
    rows, n = 0, 0
    start = date(2025, 1, 1)
    while rows < rows_wanted:
        supervisor = supervisors[n % len(supervisors)]
        supervisee = people[n % len(people)]
        for item in range(3):
            writer.writerow(
                {
                    "session_ref": f"{prefix}{n}",
                    "date": (start + timedelta(days=n % 600)).isoformat(),
                    "format": "one_to_one",
                    "group_type": "",
                    "supervisor": supervisor,
                    "supervisees": supervisee,
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


def timed(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    return elapsed, len(queries), result


def people_file(n_people, n_supervisors):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "name", "team", "role", "supervisor", "frequency", "start_date"])
    for s in range(n_supervisors):
        writer.writerow(
            [
                f"sup{s}@bench.example",
                f"Supervisor {s}",
                f"Team {s % 5}",
                "manager",
                "",
                "",
                "2015-01-01",
            ]
        )
    for p in range(n_people):
        writer.writerow(
            [
                f"p{p}@bench.example",
                f"Person {p}",
                f"Team {p % 5}",
                "practitioner",
                f"sup{p % n_supervisors}@bench.example",
                "monthly",
                "2020-01-01",
            ]
        )
    return out.getvalue().encode()


def bench_import(rng):
    from imports.people import people_import
    from imports.sessions import sessions_import
    from sessions_app.models import Session

    print("\nImport of sessions (held one-to-ones, three items each)")
    result = people_import(data=people_file(200, 20))
    assert not result.problems, result.problems
    people = [f"p{p}@bench.example" for p in range(200)]
    supervisors = [f"sup{s}@bench.example" for s in range(20)]
    header = ("rows", "import s", "rows/s", "queries", "reimport s", "s per 1k rows")
    print("{:>7} {:>9} {:>8} {:>8} {:>11} {:>14}".format(*header))
    baseline = None
    for size in (500, 2000, 5000):
        data = sessions_csv(size, people, supervisors, rng, prefix=f"B{size}-")
        elapsed, queries, result = timed(lambda data=data: sessions_import(data=data))
        assert not result.problems, result.problems[:3]
        again, _, _ = timed(lambda data=data: sessions_import(data=data))
        per_k = elapsed / size * 1000
        baseline = baseline or per_k
        print(
            f"{size:>7} {elapsed:>9.2f} {size / elapsed:>8.0f} {queries:>8} {again:>11.2f} "
            f"{per_k:>9.3f} ({per_k / baseline:.2f}x)"
        )
    print(f"sessions in the database: {Session.objects.count()}")


def bench_balance():
    from audit import selectors
    from audit.balance import totals_of
    from audit.models import AuditPolicy

    print("\nThe organisation page's figures over the whole imported period")
    start, end = date(2025, 1, 1), date(2026, 12, 31)
    policy = AuditPolicy.current()
    ids = list(selectors.supervisees_in_window(start, end).values_list("pk", flat=True))

    def balances():
        return selectors.balances_of(ids, start, end, policy=policy)

    elapsed, queries, results = timed(balances)
    print(f"balances of {len(results)} supervisees: {elapsed:.3f} s, {queries} queries")

    def organisation_page():
        # What `audit.views.organisation` computes, in the same calls, without the template.
        results = balances()
        totals = totals_of(results, start=start, end=end)
        daily = selectors.daily_minutes(ids, start, end)
        months = selectors.monthly_minutes(daily, ids, start, end)
        selectors.cancellation_rates(start, end)
        selectors.compliance(start, end, policy=policy)
        return totals, months

    elapsed_page, queries_page, (totals, months) = timed(organisation_page)
    print(
        f"balances, totals, {len(months)} months, cancellations and compliance for "
        f"{totals.people} people: {elapsed_page:.3f} s, {queries_page} queries"
    )


def main():
    setup_django()
    rng = random.Random(20261128)
    bench_import(rng)
    bench_balance()


if __name__ == "__main__":
    main()
