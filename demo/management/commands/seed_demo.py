"""Load the demo organisation: `manage.py seed_demo [--if-empty] [--today YYYY-MM-DD]`."""

from django.core.management.base import BaseCommand, CommandError

from core import clock
from core.dates import parse_iso_date
from demo import data
from demo.builder import Outcome, demo_load


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

    def handle(self, *args, if_empty=False, today=None, **options):
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
