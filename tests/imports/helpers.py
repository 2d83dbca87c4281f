"""Helpers for the import tests: build CSV rows, run a command, take a census."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from people.models import Relationship, Team, User
from sessions_app.models import Attendance, Item, Session

PEOPLE_HEADER = ["email", "name", "team", "role", "supervisor", "frequency", "start_date"]
SESSIONS_HEADER = [
    "session_ref",
    "date",
    "format",
    "group_type",
    "supervisor",
    "supervisees",
    "absent",
    "status",
    "duration_minutes",
    "item_title",
    "item_minutes",
    "functions",
    "stages",
    "stakeholders",
    "case_ref",
    "risk",
    "notes",
]
NO_ITEM = {
    "item_title": "",
    "item_minutes": "",
    "functions": "",
    "stages": "",
    "stakeholders": "",
    "case_ref": "",
    "risk": "",
    "notes": "",
}


def person_row(**values):
    row = {
        "email": "sam@example.org",
        "name": "Sam Social",
        "team": "Adults North",
        "role": "practitioner",
        "supervisor": "",
        "frequency": "",
        "start_date": "",
    }
    row.update(values)
    return row


def session_row(**values):
    """One item of a held one-to-one between the cast's Sue and Sam, unless told otherwise."""
    row = {
        "session_ref": "S1",
        "date": "2026-01-08",
        "format": "one_to_one",
        "group_type": "",
        "supervisor": "sue@example.org",
        "supervisees": "sam@example.org",
        "absent": "",
        "status": "held",
        "duration_minutes": "90",
        "item_title": "Caseload review",
        "item_minutes": "40",
        "functions": "management",
        "stages": "experience;plans_actions",
        "stakeholders": "supervisee",
        "case_ref": "",
        "risk": "",
        "notes": "",
    }
    row.update(values)
    return row


def csv_text(header, rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def run(command, path, *args):
    """Run an import command that must succeed; return what it printed."""
    out, err = io.StringIO(), io.StringIO()
    call_command(command, str(path), *args, stdout=out, stderr=err)
    assert err.getvalue() == ""
    return out.getvalue()


def run_failing(command, path, *args):
    """Run an import command that must fail; return the problem lines it printed."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command(command, str(path), *args, stdout=out, stderr=err)
    assert out.getvalue() == ""
    return err.getvalue().splitlines()


def census():
    """How many of everything an import can write, history included (one query: the import
    tests take a census before and after hundreds of files)."""
    tables = {
        "users": User,
        "teams": Team,
        "managers": Team.managers.through,
        "relationships": Relationship,
        "sessions": Session,
        "attendances": Attendance,
        "items": Item,
        "session history": Session.history.model,
        "attendance history": Attendance.history.model,
        "item history": Item.history.model,
    }
    # The table names are the models' own, quoted: nothing from outside reaches the SQL.
    quote = connection.ops.quote_name
    counts = [f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in tables.values()]  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(counts))
        return dict(zip(tables, cursor.fetchone(), strict=True))
