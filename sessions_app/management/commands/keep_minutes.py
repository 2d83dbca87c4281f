"""Sum the kept month minutes again from the records, or check that they agree."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sessions_app import kept


class Command(BaseCommand):
    help = (
        "Sum every person's kept minutes by month again from the records (sessions_app.kept), "
        "or with --check only say whether they agree."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Change nothing; fail if any month disagrees."
        )

    def handle(self, *args, check=False, **options):
        if check:
            wrong = kept.differences()
            if wrong:
                raise CommandError(
                    f"{len(wrong)} kept month(s) disagree with the records; "
                    "run manage.py keep_minutes to sum them again."
                )
            self.stdout.write("The kept minutes agree with the records.")
            return
        with transaction.atomic():
            kept.rebuild()
        self.stdout.write("The kept minutes were summed again from the records.")
