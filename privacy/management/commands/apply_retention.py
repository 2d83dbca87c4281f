"""Delete supervision records past the retention period: `manage.py apply_retention [--apply]`.

A dry run unless `--apply`: it prints what would be deleted and writes nothing. Run it from
cron once a month with `--apply`, after a backup (scripts/backup.sh).
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from core.clock import today
from privacy.retention import retention_apply, retention_plan


class Command(BaseCommand):
    help = (
        "Delete sessions older than RETENTION_YEARS (from the session's date), with their "
        "items, actions, feedback, acknowledgements, addenda, access log and history rows. "
        "Prints what it would delete unless --apply is given."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--dry-run",
            action="store_true",
            default=True,
            help="Print what would be deleted; delete and write nothing (the default).",
        )
        mode.add_argument(
            "--apply",
            action="store_true",
            help="Delete, in one transaction, and record the run in the data-rights log.",
        )

    def handle(self, *args, apply=False, **options):
        years = settings.RETENTION_YEARS
        day = today()
        if apply:
            plan = retention_apply(day=day, years=years, by="manage.py apply_retention --apply")
            verb = "Deleted"
        else:
            plan = retention_plan(day=day, years=years)
            verb = "Would delete"
        self.stdout.write(
            f"Retention period: {years} years. Today is {day.isoformat()}, so sessions dated "
            f"before {plan.cutoff.isoformat()} are past it."
        )
        if not plan.total:
            self.stdout.write("Nothing is past the retention period.")
            return
        self.stdout.write(f"{verb}:")
        for label, n in plan.counts.items():
            self.stdout.write(f"  {n:>7}  {label}")
        if apply:
            self.stdout.write(self.style.SUCCESS("Done, and recorded in the data-rights log."))
        else:
            self.stdout.write("Dry run: nothing was deleted. Run with --apply to delete.")
