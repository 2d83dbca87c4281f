"""`balance_report`: the four-function balance as JSON or CSV (a public contract, INTERFACES.md)."""

import csv
import io
import json
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from audit import selectors
from core import clock, collector
from core.dates import ISO_DATE, parse_iso_date
from core.numbers import number_text, round_minutes, round_share
from core.vocabulary import FUNCTIONS, STAGES, STAKEHOLDERS
from people.models import Team, User
from sessions_app.access import feedback_private

CSV_COLUMNS = [
    "supervisee",
    "from",
    "to",
    "sessions_held",
    "tagged_minutes",
    *(f"minutes_{key}" for key in FUNCTIONS),
    *(f"share_{key}" for key in FUNCTIONS),
    "short_circuit_minutes",
    "flags",
    # Additions to the contract (INTERFACES.md), after the columns it had.
    *(f"stage_minutes_{key}" for key in STAGES),
    *(f"stakeholder_minutes_{key}" for key in STAKEHOLDERS),
]


def parse_date(value, option):
    if not ISO_DATE.fullmatch(value or ""):
        raise CommandError(f"{option} must be a date written YYYY-MM-DD, not {value!r}")
    day = parse_iso_date(value)
    if day is None:
        raise CommandError(f"{option} is not a real date: {value!r}")
    return day


def csv_row(balance):
    minutes = balance.minutes
    shares = minutes.shares
    return [
        balance.supervisee,
        balance.start.isoformat(),
        balance.end.isoformat(),
        minutes.sessions_held,
        number_text(round_minutes(minutes.tagged)),
        *(number_text(round_minutes(minutes.by_function[key])) for key in FUNCTIONS),
        *("" if shares is None else number_text(round_share(shares[key])) for key in FUNCTIONS),
        number_text(round_minutes(minutes.short_circuit)),
        ";".join(balance.flag_codes),
        *(number_text(round_minutes(minutes.by_stage[key])) for key in STAGES),
        *(number_text(round_minutes(minutes.by_stakeholder[key])) for key in STAKEHOLDERS),
    ]


class Command(BaseCommand):
    help = (
        "Print the four-function balance of supervisees in a window (default: the 90 days "
        "ending today), with the audit policy in force."
    )

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--supervisee", metavar="EMAIL", help="one supervisee")
        scope.add_argument("--team", metavar="NAME", help="the supervisees in one team")
        scope.add_argument("--all", action="store_true", help="every supervisee")
        parser.add_argument("--from", dest="start", metavar="DATE", help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", metavar="DATE", help="YYYY-MM-DD; default today")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def run_from_argv(self, argv):
        # Run from the command line (not through call_command, which tests use): the garbage
        # collector set as the web workers set it. A national body's report makes millions of
        # small objects (the exact fractions of 37,000 balances), and CPython's default
        # thresholds walk all of them again and again (docs/performance.md).
        collector.settle()
        super().run_from_argv(argv)

    def handle(self, *args, **options):
        if options["end"] is not None:
            end = parse_date(options["end"], "--to")
        else:
            end = clock.today()
        if options["start"] is not None:
            start = parse_date(options["start"], "--from")
        else:
            start = end - timedelta(days=89)
        if start > end:
            raise CommandError(f"--from ({start}) is after --to ({end})")

        # With feedback kept between supervisee and supervisor, nobody else learns what a
        # supervisee said dominated: not even this report's reader.
        feedback = {"reported_feedback": not feedback_private()}
        if options["supervisee"]:
            person = User.objects.with_email(options["supervisee"]).first()
            if person is None:
                raise CommandError(f"No person with the email {options['supervisee']!r}")
            results = selectors.balances(start, end, people=[person.pk], **feedback)
            if not results:
                self.stderr.write(
                    f"{person.email} is not a supervisee between {start} and {end}: "
                    "no supervision relationship of theirs is active in the window."
                )
        elif options["team"]:
            team = Team.objects.filter(name__iexact=options["team"].strip()).first()
            if team is None:
                raise CommandError(f"No team called {options['team']!r}")
            results = selectors.balances(start, end, team=team, **feedback)
        else:
            results = selectors.balances(start, end, **feedback)

        if options["format"] == "csv":
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(CSV_COLUMNS)
            writer.writerows(csv_row(balance) for balance in results)
            self.stdout.write(out.getvalue(), ending="")
        else:
            # One supervisee a line: readable, and written by json's C encoder (`indent` takes
            # its pure-Python one: 2-3 s of a national body's 37,000 supervisees).
            lines = ",\n".join(json.dumps(balance.as_report()) for balance in results)
            self.stdout.write(f"[\n{lines}\n]" if lines else "[]")
