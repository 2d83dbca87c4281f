"""The worked example in INTERFACES.md imports cleanly, and again without changing anything."""

import pytest

from people.models import Relationship, Team, User
from sessions_app.models import Attendance, Item, Session
from tests.imports.helpers import census, run
from tests.worked_example import PEOPLE_CSV, SESSIONS_CSV


@pytest.fixture
def imported(db):
    people = run("import_people", PEOPLE_CSV)
    sessions = run("import_sessions", SESSIONS_CSV)
    return people, sessions


def test_worked_example_imports_cleanly(imported):
    people, sessions = imported

    assert people.strip() == (
        "Imported 6 people (6 new, 0 changed, 0 unchanged), 2 teams (2 new), "
        "1 team manager (1 new), 4 line relationships (4 new, 0 changed, 0 unchanged)."
    )
    assert sessions.strip() == (
        "Imported 15 sessions (15 new, 0 changed, 0 unchanged), "
        "22 items (22 new, 0 changed, 0 removed), 18 attendances (18 new, 0 changed, 0 removed)."
    )
    assert User.objects.count() == 6
    assert set(Team.objects.values_list("name", flat=True)) == {"Adults North", "External"}
    assert Relationship.objects.count() == 4
    assert Session.objects.count() == 15
    assert Item.objects.count() == 22
    group = Session.objects.get(external_ref="S05")
    assert {(a.person.email, a.present) for a in group.attendances.all()} == {
        ("sam@example.org", True),
        ("pat@example.org", True),
        ("nia@example.org", True),
        ("lee@example.org", False),
    }
    assert Attendance.objects.filter(present=False).count() == 1
    assert Session.objects.get(external_ref="S03").items.count() == 0


def test_worked_example_imported_twice_changes_nothing(imported):
    before = census()

    run("import_people", PEOPLE_CSV)
    run("import_sessions", SESSIONS_CSV)

    assert census() == before
