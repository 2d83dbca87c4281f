"""Work the kept figures out again from the records, or check that they agree: the minutes by
person and month and the organisation's by day, the sessions counted by supervisor and month
(sessions_app.kept), and what each session inherited from the one before it
(sessions_app.brought_forward)."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sessions_app import brought_forward, kept


class Command(BaseCommand):
    help = (
        "Work the kept figures out again from the records: every person's minutes by month, "
        "the organisation's by day, every supervisor's sessions by month, and what each held "
        "session inherited from the one before it (brought-forward actions); or with --check "
        "only say whether they agree."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Change nothing; fail if any month disagrees."
        )

    def handle(self, *args, check=False, **options):
        if check:
            kinds = Counter(difference[0] for difference in kept.differences())
            inherited = brought_forward.differences()
            checks = sum(1 for difference in inherited if difference[0] == "checks")
            sessions = len(inherited) - checks
            if kinds or inherited:
                raise CommandError(
                    f"{kinds['month']} kept month(s), {kinds['day']} kept day(s), "
                    f"{kinds['sessions']} supervisor's month(s) of sessions, {checks} row(s) "
                    f"of checks and {sessions} session(s) disagree with the records; run "
                    "manage.py keep_minutes to work them out again."
                )
            self.stdout.write("The kept figures agree with the records.")
            return
        with transaction.atomic():
            brought_forward.hold(everything=True)  # the order every write holds them in
            kept.rebuild()
            brought_forward.rebuild()
        self.stdout.write("The kept figures were worked out again from the records.")
