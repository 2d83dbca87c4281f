"""Load the demo organisation: `manage.py seed_demo [--if-empty] [--today YYYY-MM-DD]`.

With `--practitioners N --years Y`, a large organisation instead, in bulk, for benchmarks
(`demo/bulk.py`): N practitioners in teams of 8 to 15, with Y years of records ending today.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from core import clock
from core.dates import parse_iso_date
from demo import data
from demo.builder import Outcome, demo_load
from demo.bulk import bulk_load
from people.models import User


class Command(BaseCommand):
    help = (
        "Load a demo council's adult and children's social care: teams, people, supervision "
        "relationships and six months of sessions ending today. Never on a live database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only if the database has no users at all; otherwise skip.",
        )
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="The day the six months of history end on (default: today in TIME_ZONE).",
        )
        parser.add_argument(
            "--practitioners",
            type=int,
            metavar="N",
            help="Instead of the demo, a large organisation of N practitioners (with --years), "
            "written in bulk into an empty database, for benchmarks.",
        )
        parser.add_argument(
            "--years",
            type=int,
            metavar="Y",
            help="With --practitioners: how many years of records, ending today.",
        )

    def handle(self, *args, if_empty=False, today=None, practitioners=None, years=None, **opts):
        day = None
        if today:
            day = parse_iso_date(today)
            if day is None:
                raise CommandError(f"--today must be a date as YYYY-MM-DD, not {today!r}")
            if day > clock.today():
                # The demo's sessions are held up to the day before; none is held in the future.
                raise CommandError(
                    f"--today may not be after today ({clock.today():%Y-%m-%d}): Fourfold "
                    "records no held session in the future."
                )
        if practitioners is not None or years is not None:
            verbose = opts.get("verbosity", 1) > 1
            return self.bulk(practitioners, years, day or clock.today(), if_empty, verbose)
        result = demo_load(if_empty=if_empty, today=day)
        if result.outcome == Outcome.LOADED:
            counts = ", ".join(f"{n} {what}" for what, n in result.counts.items())
            self.stdout.write(self.style.SUCCESS(f"Loaded the demo organisation: {counts}."))
        elif result.outcome == Outcome.ALREADY_LOADED:
            self.stdout.write("Demo organisation already loaded; nothing changed.")
        else:
            self.stdout.write(
                "Skipped the demo organisation: the database already has users (--if-empty)."
            )
        demo_present = result.outcome != Outcome.SKIPPED
        if demo_present:
            self.stdout.write("")
            self.stdout.write(f"{data.ORGANISATION}: look first at")
            for name, email, why in data.HIGHLIGHTS:
                self.stdout.write(self.style.WARNING(f"  {name} ({email}): {why}"))
        self.write_logins(demo_present=demo_present)

    def bulk(self, practitioners, years, day, if_empty, verbose):
        if practitioners is None or years is None:
            raise CommandError("--practitioners and --years go together")
        if practitioners < 1 or years < 1:
            raise CommandError("--practitioners and --years must be at least 1")
        if User.objects.exists():
            if if_empty:
                self.stdout.write("Skipped: the database already has users (--if-empty).")
                return
            raise CommandError("The bulk organisation is loaded into an empty database only.")
        started = time.monotonic()
        counts = bulk_load(
            practitioners=practitioners,
            years=years,
            today=day,
            log=self.stdout.write if verbose else None,
        )
        written = ", ".join(f"{n} {what}" for what, n in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {practitioners} practitioners with {years} years of records to "
                f"{day:%Y-%m-%d}: {written} ({time.monotonic() - started:.0f} s)."
            )
        )
        self.stdout.write(
            f"Administrator: admin@scale.example; everyone's password is {data.DEMO_PASSWORD} "
            "(demo credentials: never on a live database)."
        )

    def write_logins(self, *, demo_present):
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for everyone: {data.DEMO_PASSWORD})")
        rows = data.demo_logins()
        width = max(len(email) for email, _role in rows)
        for email, role in rows:
            self.stdout.write(f"  {email:<{width}}  {role}")
        if not demo_present:
            self.stdout.write("  (the demo organisation is not in this database)")
        self.stdout.write(
            self.style.WARNING(
                "These are demo credentials, known to anyone who reads this: "
                "never load the demo into a live database."
            )
        )
        self.stdout.write("Open http://127.0.0.1:8000")
