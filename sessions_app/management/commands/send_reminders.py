"""Queue the day's reminder emails: `manage.py send_reminders [--dry-run] [--date YYYY-MM-DD]`.

The worker does this by itself every morning (sessions_app.tasks); run it by hand to catch up
on a day, or to see what would go. Safe to run again: a reminder already sent is never sent
again. The emails go through the outbox: the worker sends them, and retries if need be.
"""

from django.core.management.base import BaseCommand, CommandError

from core.clock import today
from core.dates import parse_iso_date
from sessions_app.models import ReminderKind
from sessions_app.reminders import queue_reminders


def _plural(n, one, many):
    return f"{n} {one if n == 1 else many}"


class Command(BaseCommand):
    help = (
        "Email reminders of supervision due in the next week, supervision overdue and actions "
        "past their due date, to people with reminder emails on. Each is sent once. The "
        "emails are queued in the outbox; the worker (manage.py run_worker) sends them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be sent; queue and record nothing.",
        )
        parser.add_argument(
            "--date",
            dest="day",
            help="Run as of this day (YYYY-MM-DD) instead of today, to test or catch up.",
        )

    def handle(self, *args, dry_run=False, day=None, **options):
        day = self.parse_day(day) if day else today()
        outcome = queue_reminders(day, dry_run=dry_run)
        detail = dry_run or options["verbosity"] > 1
        for person, reminders in outcome.queued:
            if options["verbosity"] > 0:
                count = _plural(len(reminders), "reminder", "reminders")
                self.stdout.write(f"{person} <{person.email}>: {count}")
            if detail:
                for r in reminders:
                    self.stdout.write(f"  - {ReminderKind(r.kind).label}: {r.text}")
        reminders = _plural(outcome.reminder_count, "reminder", "reminders")
        people = _plural(outcome.people_count, "person", "people")
        if dry_run:
            self.stdout.write(
                f"Dry run for {day.isoformat()}: would send {reminders} to {people}. "
                "Nothing was queued or recorded."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Queued {reminders} for {people}; the worker sends them from the outbox."
                )
            )

    def parse_day(self, raw):
        day = parse_iso_date(raw)
        if day is None:
            raise CommandError(f"--date must be a date as YYYY-MM-DD, not {raw!r}")
        return day
