"""Time the pages on one seeded database: `python -m bench.pages` (DATABASE_URL set).

`bench.run` starts this a few times per data set, alternating the data sets, and reads the
JSON it prints last: each row's `times` as well as their median, so that it can take the median
of every round together. In process, through
Django's test client (the whole middleware stack, views and templates; no HTTP server), with
the clock set to the day the data set was seeded for (so that a database seeded on another day
still reads as "today"), and DEBUG off at run time (no query log, as in production).

Each page is fetched twice to warm up, then `--repeat` times in interleaved rounds (every page
once per round, in an order shuffled each round; `balance_report --all` in rounds of its own
after them), and its median is reported; its query
count comes from one more fetch, counted separately so that counting costs nothing in the
timings.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from io import StringIO
from pathlib import Path

ORDER_SEED = 8  # the pages' order in each round: shuffled, the same in every run


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supervision.settings")
    os.environ.setdefault("MFA_REQUIRED_FOR", "nobody")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    # As the workers are (supervision.wsgi): the garbage collector set for a loaded app.
    from core import collector

    collector.settle()


def seeded_today():
    """The day the data set was seeded for: `seed_demo` books the next sessions the day before
    (at noon), so the day after the latest booking; else the day after the last held session."""
    from django.db.models import Max
    from django.utils import timezone

    from sessions_app.models import Session, Status

    booked = Session.objects.filter(status=Status.PLANNED).aggregate(last=Max("created_at"))
    if booked["last"] is not None:
        return timezone.localtime(booked["last"]).date() + timedelta(days=1)
    last = Session.objects.filter(status=Status.HELD).aggregate(last=Max("date"))["last"]
    return last + timedelta(days=1)


def actors():
    """Who reads which page: the administrator, a manager of a team of 15 and one of its
    practitioners, the hub's manager (60 people), a record of the team's manager."""
    from django.db.models import Count, Exists, OuterRef, Q

    from demo.bulk import ADMIN_EMAIL, HUB_NAME
    from people.models import FocusAgreement, Team, TeamMembership, User
    from sessions_app.models import Format, RecordState, Session

    admin = User.objects.get(email=ADMIN_EMAIL)
    today = seeded_today()
    # The same kind of team, manager and practitioner on every data set, so that the doubled
    # history's growth compares like with like. Of the teams of 15, one whose feedback page
    # has a focus follow-up in its year (one more query and a table), the heavier case; the
    # first by pk of those otherwise. Chosen by size alone, the 5- and 10-year sets had each
    # their own first team of 15, one with a follow-up and one without: 1.3x "growth" that was
    # not history's.
    year_ago = today - timedelta(days=365)
    recent = FocusAgreement.objects.filter(agreed_on__gte=year_ago)
    focused = recent.filter(
        relationship__supervisee__memberships__team=OuterRef("pk"),
        relationship__supervisee__memberships__end_date__isnull=True,
    )
    teams = Team.objects.annotate(
        current=Count("memberships", filter=Q(memberships__end_date__isnull=True)),
        focused=Exists(focused),
    ).order_by("-current", "-focused", "pk")
    hub = teams.filter(name=HUB_NAME).first()
    # A team of 15 (or the largest below it): members counted with their manager. Of those,
    # one whose manager supervises as many people as the team has: "my supervisees" lists the
    # manager's supervisees, who may be more or fewer (17 on one data set and 15 on the other
    # made 1.13x more rows, not history).
    candidates = list(teams.exclude(name=HUB_NAME)[:40])
    biggest = [t for t in candidates if t.current == candidates[0].current]
    team = next(
        (t for t in biggest if _supervised_by(_manager_of(t), today) == t.current - 1),
        candidates[0],
    )
    manager = _manager_of(team)
    hub_manager = _manager_of(hub) if hub else None
    # One of its practitioners with a focus agreed in the last year if there is one: their page
    # reads and shows its follow-up (one on one data set and none on the other, again, is not
    # history's growth).
    members = (
        User.objects.filter(
            pk__in=TeamMembership.objects.filter(
                team=team, end_date__isnull=True, start_date__isnull=True
            ).values("person")
        )
        .exclude(pk=manager.pk)
        .annotate(
            agreed=Exists(recent.filter(relationship__supervisee=OuterRef("pk"))),
        )
    )
    supervisee = members.order_by("-agreed", "pk").first()
    record = (
        Session.objects.filter(
            supervisor=manager, format=Format.ONE_TO_ONE, record_state=RecordState.SIGNED_OFF
        )
        .order_by("-date", "-pk")
        .first()
    )
    size = team.current - 1
    return admin, team, size, manager, hub, hub_manager, supervisee, record


def _manager_of(team):
    return team.managers.order_by("pk").first()


def _supervised_by(manager, today):
    """How many people `manager` supervises on `today` (the rows of "my supervisees")."""
    from people.selectors import current_supervisees

    return None if manager is None else current_supervisees(manager, today).count()


# The team's pages besides its balance: (address under /audit/teams/, name in the table).
TEAM_PARTS = [
    ("months", "month by month"),
    ("feedback", "feedback and focus"),
    ("checks", "cancellations and checks"),
]


def page_list():
    """(name, user, url) for every page measured; the floor first."""
    admin, team, size, manager, hub, hub_manager, supervisee, record = actors()
    pages = [
        ("floor (settings page)", manager, "/people/settings/"),
        ("supervisor home", manager, "/"),
        ("supervisee balance, 12 months", supervisee, "/audit/?window=12"),
        ("my supervisees, 12 months", manager, "/audit/supervisees/?window=12"),
        (f"team balance, {size} people, 3 months", manager, f"/audit/teams/?team={team.pk}"),
        (
            f"team balance, {size} people, 12 months",
            manager,
            f"/audit/teams/?team={team.pk}&window=12",
        ),
    ]
    if hub is not None:
        pages.append(("team balance, 60 people, 3 months", admin, f"/audit/teams/?team={hub.pk}"))
    # The team's other pages (audit.views.TEAM_PARTS): its year for a team of 15, and the hub's
    # three months.
    for part, title in TEAM_PARTS:
        pages.append(
            (
                f"team {title}, {size} people, 12 months",
                manager,
                f"/audit/teams/{part}/?team={team.pk}&window=12",
            )
        )
        if hub is not None:
            pages.append(
                (f"team {title}, 60 people, 3 months", admin, f"/audit/teams/{part}/?team={hub.pk}")
            )
    pages += [
        ("organisation, 3 months", admin, "/audit/organisation/"),
        ("organisation, 12 months", admin, "/audit/organisation/?window=12"),
        ("a record page", manager, f"/sessions/{record.pk}/"),
        ("session list", manager, "/sessions/"),
    ]
    return pages


def run(repeat):
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import bench.hooks

    pages = page_list()
    clients = {}
    for _name, user, _url in pages:
        if user.pk not in clients:
            clients[user.pk] = Client()
            clients[user.pk].force_login(user)

    def fetch(index):
        name, user, url = pages[index]
        response = clients[user.pk].get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {url} answered {response.status_code}")
        return len(response.content)

    def report():
        call_command("balance_report", "--all", stdout=StringIO())

    jobs = [*range(len(pages)), "report"]

    def do(job):
        return report() if job == "report" else fetch(job)

    times = {job: [] for job in jobs}
    sizes = {}
    for _ in range(2):
        for job in jobs:
            sizes[job] = do(job)
    # The pages in a new order each round (shuffled, the same every run), so that no page is
    # always timed after the same one; the report in its own rounds after them. In one turning
    # order, every page always followed the same page: the floor followed `balance_report --all`
    # in every round, and a request just after the report took 8.5 ms instead of 5.9 at council
    # scale (25-30 ms at the national tier), which made every ratio to the floor look smaller.
    # A command runs in its own process in production; its aftermath is no page's cost.
    pages_only = [job for job in jobs if job != "report"]
    shuffle = random.Random(ORDER_SEED).shuffle
    for _ in range(repeat):
        order = list(pages_only)
        shuffle(order)
        for job in order:
            started = time.perf_counter()
            do(job)
            times[job].append(time.perf_counter() - started)
    for _ in range(repeat):
        started = time.perf_counter()
        do("report")
        times["report"].append(time.perf_counter() - started)
    queries = {}
    for job in jobs:
        with CaptureQueriesContext(connection) as captured:
            do(job)
        queries[job] = len(captured)
    rows = []
    for job in jobs:
        name = "balance_report --all (90 days)" if job == "report" else pages[job][0]
        rows.append(
            {
                "name": name,
                "median": statistics.median(times[job]),
                "times": times[job],
                "queries": queries[job],
                "bytes": sizes[job] or 0,
                "n": len(times[job]),
            }
        )
    # Imports and anything else registered (bench/hooks.py), each rolled back after.
    extra = []
    hooks = bench.hooks.BENCHMARKS if os.environ.get("BENCH_IMPORTS", "1") != "0" else []
    for benchmark in hooks:
        with transaction.atomic():
            extra += benchmark()
            transaction.set_rollback(True)
    return rows, extra


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    setup()
    import time_machine
    from django.db import connection
    from django.utils import timezone

    from people.models import User
    from sessions_app.models import Attendance, Item, Session

    today = seeded_today()
    moment = datetime.combine(today, clock_time(12), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(moment, tick=True):
        rows, extra = run(args.repeat)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
    meta = {
        "today": today.isoformat(),
        "postgresql": server,
        "jit": jit,
        "practitioners": User.objects.filter(is_active=True).count(),
        "sessions": Session.objects.count(),
        "items": Item.objects.count(),
        "attendances": Attendance.objects.count(),
    }
    print(json.dumps({"meta": meta, "rows": rows, "extra": extra}))


if __name__ == "__main__":
    main()
