"""Each prepared statement of the pages, under one plan for any values and planned each run:
`python -m bench.plans [PAGE ...]` (DATABASE_URL set to a seeded database).

`core.prepared` prepares the pages' repeated queries on the PostgreSQL connection, and
PostgreSQL then plans such a statement once for any values (a generic plan: the connection's
`plan_cache_mode`, supervision/settings.py), not at each run with its values (a custom plan,
what PostgreSQL chose for some statements when left to choose). This fetches the pages (their
indices in `bench.pages.page_list`, all of them by default) a dozen times with
`plan_cache_mode` forced to each, and prints every statement's median time both ways, named by
the selector it belongs to, marking those the one plan makes slower: a query to keep off the
server (`server=False`) or to write so that one plan suits every value. It measures; it never
passes or fails.
"""

import argparse
import statistics
import sys
import time
from collections import defaultdict
from datetime import datetime
from datetime import time as clock_time

from bench import pages as bench_pages

MODES = ("force_generic_plan", "force_custom_plan")
FETCHES, WARM_UPS = 12, 2


def statement_names():
    """{statement name: the selector it belongs to} for every plan made so far."""
    import audit.models
    import audit.selectors
    import audit.views
    import sessions_app.history
    import sessions_app.home_lists
    import sessions_app.selectors
    import sessions_app.views
    from core.prepared import Prepared

    names = {}
    for module in (
        audit.models,
        audit.selectors,
        audit.views,
        sessions_app.selectors,
        sessions_app.views,
        sessions_app.home_lists,
    ):
        for attribute, value in vars(module).items():
            if isinstance(value, Prepared):
                for plan in value._plans.values():
                    names[plan.name] = f"{module.__name__}.{attribute}"
    for model, prepared in sessions_app.history._HISTORY.items():
        for plan in prepared._plans.values():
            names[plan.name] = f"history of {model.__name__}"
    return names


def measure(indices):
    from django.db import connection
    from django.test import Client

    listed = bench_pages.page_list()
    clients = {}
    times = {mode: defaultdict(list) for mode in MODES}
    page_of = {}
    for mode in MODES:
        with connection.cursor() as cursor:
            cursor.execute(f"SET plan_cache_mode = {mode}")  # one of two constants
        for index in indices:
            _name, user, url = listed[index]
            client = clients.setdefault(user.pk, Client())
            client.force_login(user)
            for fetch in range(FETCHES):
                log = []

                def timed(execute, sql, params, many, context, log=log):
                    started = time.perf_counter()
                    try:
                        return execute(sql, params, many, context)
                    finally:
                        log.append((time.perf_counter() - started, sql))

                with connection.execute_wrapper(timed):
                    client.get(url)
                if fetch < WARM_UPS:
                    continue
                for seconds, sql in log:
                    if sql.startswith("EXECUTE "):
                        statement = sql[len("EXECUTE ") :].split("(")[0]
                        times[mode][statement].append(seconds)
                        page_of.setdefault(statement, index)
    with connection.cursor() as cursor:
        cursor.execute("RESET plan_cache_mode")
    return times, page_of


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pages", nargs="*", type=int, help="page indices (default: all)")
    args = parser.parse_args(argv)
    bench_pages.setup()
    import time_machine
    from django.utils import timezone

    today = bench_pages.seeded_today()
    moment = datetime.combine(today, clock_time(12), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(moment, tick=True):
        indices = args.pages or list(range(len(bench_pages.page_list())))
        times, page_of = measure(indices)
    names = statement_names()
    generic, custom = (times[mode] for mode in MODES)
    print("statement         page  one plan  each run  selector")
    for statement in sorted(custom, key=lambda name: int(name.rsplit("_", 1)[1])):
        one = statistics.median(generic[statement]) * 1000
        each = statistics.median(custom[statement]) * 1000
        worse = "  <- slower with one plan" if one > each * 1.15 and one - each > 0.15 else ""
        print(
            f"{statement:16s} {page_of[statement]:5d} {one:7.2f} ms {each:7.2f} ms  "
            f"{names.get(statement, '?')}{worse}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
