"""A big sessions file, the same every time: a council's years of supervision as a spreadsheet.

    .venv/bin/python -m bench.import_file 383710 > sessions.csv

Teams of 15 practitioners, each with a supervisor. Every month, each practitioner has a
one-to-one of two to five items, and each team a group session of four items with one member
absent. Rows are written one at a time (nothing is held), each session's rows together, from
January 2015, so 383,710 rows are about five years and eight months of a 1,500-practitioner
council. Nothing here is random: the same `rows` give the same file, byte for byte.
"""

import csv
import os
import sys
from datetime import date

from core.vocabulary import FUNCTIONS, STAGES, STAKEHOLDERS

TEAM_SIZE = 15
TITLES = (
    "Caseload review",
    "Risk and safeguarding",
    "Training and development",
    "Wellbeing check-in",
    "Team and partner working",
)
START = date(2015, 1, 1)


def practitioner_email(n):
    return f"practitioner{n}@bench.example.org"


def supervisor_email(team):
    return f"supervisor{team}@bench.example.org"


def people(practitioners):
    """(email, name, supervisor email or "") for everyone the file names, supervisors first."""
    teams = (practitioners + TEAM_SIZE - 1) // TEAM_SIZE
    for team in range(teams):
        yield supervisor_email(team), f"Supervisor {team}", ""
    for n in range(practitioners):
        yield practitioner_email(n), f"Practitioner {n}", supervisor_email(n // TEAM_SIZE)


def _listed(values, n, count):
    return ";".join(values[(n + k) % len(values)] for k in range(count))


def _item(n, k, minutes):
    return {
        "item_title": TITLES[(n + k) % len(TITLES)],
        "item_minutes": str(minutes),
        "functions": _listed(FUNCTIONS, n + k, 1 + (n + k) % 3),
        "stages": _listed(STAGES, n * 3 + k, (n + k) % 4),
        "stakeholders": _listed(STAKEHOLDERS, n + 2 * k, 1 + (n * 7 + k) % 3),
        "case_ref": f"C-{(n * 31 + k) % 90000:05d}" if (n + k) % 2 else "",
        "risk": "yes" if (n + k) % 11 == 0 else "no",
        "notes": "Agreed actions, with dates" if (n + k) % 5 == 0 else "",
    }


def session_rows(rows, practitioners=1500):
    """Exactly `rows` rows as dicts (the last session may be cut short: its rows still agree)."""
    from imports.sessions import ITEM_COLUMNS  # Django must be set up: see __main__

    no_item = dict.fromkeys(ITEM_COLUMNS, "")  # a cancelled session's one row
    teams = (practitioners + TEAM_SIZE - 1) // TEAM_SIZE
    written = 0
    month = 0
    n = 0
    while True:
        year, month_index = divmod(START.month - 1 + month, 12)
        when = date(START.year + year, month_index + 1, 1)
        for person in range(practitioners):
            team = person // TEAM_SIZE
            n += 1
            common = {
                "session_ref": f"B{n:08d}",
                "date": when.replace(day=1 + (person * 7 + month) % 27).isoformat(),
                "format": "one_to_one",
                "group_type": "",
                "supervisor": supervisor_email(team),
                "supervisees": practitioner_email(person),
                "absent": "",
                "status": "cancelled_by_supervisee" if n % 23 == 0 else "held",
                "duration_minutes": "90",
            }
            count = 2 + (n % 4) if common["status"] == "held" else 0
            for k in range(max(count, 1)):
                if written == rows:
                    return
                item = _item(n, k, 12 + (n + k) % 3 * 3) if count else no_item
                yield {**common, **item}
                written += 1
        for team in range(teams):
            members = [
                practitioner_email(p)
                for p in range(team * TEAM_SIZE, min(practitioners, (team + 1) * TEAM_SIZE))
            ]
            n += 1
            absent = members[month % len(members)]
            common = {
                "session_ref": f"B{n:08d}",
                "date": when.replace(day=28).isoformat(),
                "format": "group",
                "group_type": "team",
                "supervisor": supervisor_email(team),
                "supervisees": ";".join(m for m in members if m != absent),
                "absent": absent,
                "status": "held",
                "duration_minutes": "120",
            }
            for k in range(4):
                if written == rows:
                    return
                yield {**common, **_item(n, k, 25)}
                written += 1
        month += 1


def write(out, rows, practitioners=1500):
    # The columns the importer reads, in its order (Django must be set up: see __main__).
    from imports.sessions import ITEM_COLUMNS, SESSION_COLUMNS

    header = ("session_ref", *SESSION_COLUMNS, *ITEM_COLUMNS)
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in session_rows(rows, practitioners):
        writer.writerow(row)


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supervision.settings")
    django.setup()
    write(sys.stdout, int(sys.argv[1]), *(int(arg) for arg in sys.argv[2:3]))
