"""The worked example of INTERFACES.md (shared/examples), and a direct loader for it.

The loader puts the two spreadsheets into the database without the import commands, trusting
the files, so the balance can be checked against the expected JSON on its own; the
`import_people` / `import_sessions` commands are tested against the same files elsewhere.
"""

import csv
import datetime
import json
from pathlib import Path

from django.conf import settings

from people.models import Relationship, Team, User
from sessions_app.models import Attendance, Item, Session

EXAMPLES = Path(settings.BASE_DIR).parent / "shared" / "examples"
PEOPLE_CSV = EXAMPLES / "people.csv"
SESSIONS_CSV = EXAMPLES / "sessions.csv"
EXPECTED_JSON = EXAMPLES / "balance_2026-01-01_2026-03-31.json"


def expected_balance():
    return json.loads(EXPECTED_JSON.read_text(encoding="utf-8"))


def _rows(path):
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _keys(value):
    return [part.strip() for part in value.split(";") if part.strip()]


def load_directly():
    people = {}
    rows = _rows(PEOPLE_CSV)
    for row in rows:
        team, _ = Team.objects.get_or_create(name=row["team"])
        person = User.objects.create_user(
            row["email"],
            name=row["name"],
            team=team,
            start_date_in_post=datetime.date.fromisoformat(row["start_date"]),
        )
        if row["role"] == "manager":
            team.managers.add(person)
        people[person.email] = person
    for row in rows:
        if row["supervisor"]:
            Relationship.objects.create(
                supervisor=people[row["supervisor"]],
                supervisee=people[row["email"]],
                frequency=row["frequency"] or "monthly",
                start_date=datetime.date.fromisoformat(row["start_date"]),
            )
    sessions = {}
    for row in _rows(SESSIONS_CSV):
        session = sessions.get(row["session_ref"])
        if session is None:
            session = Session.objects.create(
                external_ref=row["session_ref"],
                supervisor=people[row["supervisor"]],
                date=datetime.date.fromisoformat(row["date"]),
                format=row["format"],
                group_type=row["group_type"],
                status=row["status"],
                duration_minutes=int(row["duration_minutes"]),
            )
            for email in _keys(row["supervisees"]):
                Attendance.objects.create(session=session, person=people[email], present=True)
            for email in _keys(row["absent"]):
                Attendance.objects.create(session=session, person=people[email], present=False)
            sessions[row["session_ref"]] = session
        if row["item_title"]:
            item = Item(session=session, title=row["item_title"], minutes=int(row["item_minutes"]))
            item.set_tags(
                functions=_keys(row["functions"]),
                stages=_keys(row["stages"]),
                stakeholders=_keys(row["stakeholders"]),
            )
            item.save()
