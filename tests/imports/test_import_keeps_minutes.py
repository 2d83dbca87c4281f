"""An import and its re-import keep the minutes by month (`sessions_app.kept`) as the records."""

import datetime

import pytest

from audit import selectors
from sessions_app import brought_forward, kept
from sessions_app.models import BroughtForward, MonthMinutes, Session
from tests.factories import UserFactory
from tests.imports.helpers import run, session_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    for email in ("sue@example.org", "sam@example.org", "ava@example.org", "ben@example.org"):
        UserFactory(email=email)


def test_an_import_and_its_corrections_are_kept(people, sessions_file):
    rows = [
        session_row(session_ref="A", date="2026-01-08"),
        session_row(session_ref="A", date="2026-01-08", item_title="Second", functions="support"),
        session_row(session_ref="B", date="2026-02-27", supervisees="ava@example.org"),
        session_row(
            session_ref="C",
            date="2026-03-03",
            format="group",
            group_type="peer",
            supervisees="sam@example.org;ava@example.org",
            absent="ben@example.org",
        ),
        session_row(session_ref="D", date="2026-03-10", status="planned", item_title="",
                    item_minutes="", functions="", stages="", stakeholders=""),
    ]  # fmt: skip
    run("import_sessions", sessions_file(rows))
    assert MonthMinutes.objects.count() == 4  # Sam: January, March's group; Ava: February, March
    assert kept.differences() == []
    assert BroughtForward.objects.get(session__external_ref="C").previous.external_ref == "B"
    assert brought_forward.differences() == []

    # Corrected: A loses an item, B moves to April, C's absent member came, D was held.
    rows = [
        session_row(session_ref="A", date="2026-01-08"),
        session_row(session_ref="B", date="2026-04-02", supervisees="ava@example.org"),
        session_row(
            session_ref="C",
            date="2026-03-03",
            format="group",
            group_type="peer",
            supervisees="sam@example.org;ava@example.org;ben@example.org",
        ),
        session_row(session_ref="D", date="2026-03-10", supervisees="sam@example.org"),
    ]
    run("import_sessions", sessions_file(rows))
    assert MonthMinutes.objects.filter(month=datetime.date(2026, 2, 1)).count() == 0
    assert MonthMinutes.objects.filter(month=datetime.date(2026, 3, 1)).count() == 4
    assert kept.differences() == []
    # What each session inherits from the one before it follows the moves too.
    assert brought_forward.differences() == []


def test_a_held_session_called_off_leaves_the_organisations_checks(people, sessions_file):
    """The organisation's audit checks count the kept rows of the window's days without
    joining them to its held sessions (`sessions_app.brought_forward.DayChecks`): a session no
    longer held keeps no row, so they count what the checks read through the sessions count."""
    rows = [
        session_row(session_ref="A", date="2026-01-08"),
        session_row(session_ref="B", date="2026-02-05"),
        session_row(session_ref="C", date="2026-03-05"),
    ]
    run("import_sessions", sessions_file(rows))
    assert BroughtForward.objects.filter(session__external_ref="B").exists()
    rows[1] = session_row(session_ref="B", date="2026-02-05", status="cancelled_by_supervisor",
                          item_title="", item_minutes="", functions="", stages="",
                          stakeholders="")  # fmt: skip
    run("import_sessions", sessions_file(rows))

    assert Session.objects.get(external_ref="B").status == "cancelled_by_supervisor"
    assert not BroughtForward.objects.filter(session__external_ref="B").exists()
    assert brought_forward.differences() == []
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)
    everyone = selectors.compliance(start, end, as_of=end)
    through_sessions = selectors.compliance(start, end, sessions=Session.objects.all(), as_of=end)
    assert everyone == through_sessions
    assert everyone.one_to_ones_held == 2
