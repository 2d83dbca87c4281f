"""import_people: people, teams, managers and line relationships; bad rows named."""

import datetime

import pytest

from people.models import Frequency, Kind, Relationship, Team, User
from tests.factories import RelationshipFactory, TeamFactory, UserFactory
from tests.imports.helpers import PEOPLE_HEADER, census, csv_text, person_row, run, run_failing


def good_rows():
    return [
        person_row(
            email="sue@example.org",
            name="Sue Supervisor",
            role="manager",
            start_date="2015-01-05",
        ),
        person_row(supervisor="sue@example.org", frequency="monthly", start_date="2020-03-01"),
        # Supervised by someone further down the file.
        person_row(
            email="lee@example.org",
            name="Lee Practitioner",
            supervisor="pat@example.org",
            frequency="six_weekly",
            start_date="2019-06-01",
        ),
        person_row(
            email="pat@example.org",
            name="Pat Senior",
            supervisor="SUE@example.org",
            start_date="2018-09-01",
        ),
        person_row(email="eve@example.org", name="Eve External", team="External"),
    ]


def test_good_file_creates_people_teams_managers_and_relationships(db, people_file):
    output = run("import_people", people_file(good_rows()))

    assert output.strip() == (
        "Imported 5 people (5 new, 0 changed, 0 unchanged), 2 teams (2 new), "
        "1 team manager (1 new), 3 line relationships (3 new, 0 changed, 0 unchanged)."
    )
    sue = User.objects.get(email="sue@example.org")
    assert sue.name == "Sue Supervisor"
    assert sue.team.name == "Adults North"
    assert sue.start_date_in_post == datetime.date(2015, 1, 5)
    assert not sue.has_usable_password()
    assert list(sue.managed_teams.all()) == [sue.team]
    eve = User.objects.get(email="eve@example.org")
    assert (eve.team.name, eve.start_date_in_post) == ("External", None)
    relationships = {
        (r.supervisor.email, r.supervisee.email, r.kind, r.frequency, r.start_date)
        for r in Relationship.objects.all()
    }
    assert relationships == {
        ("sue@example.org", "sam@example.org", Kind.LINE, "monthly", datetime.date(2020, 3, 1)),
        ("pat@example.org", "lee@example.org", Kind.LINE, "six_weekly", datetime.date(2019, 6, 1)),
        # An empty frequency is monthly.
        ("sue@example.org", "pat@example.org", Kind.LINE, "monthly", datetime.date(2018, 9, 1)),
    }


def test_reimporting_the_same_file_changes_nothing(db, people_file):
    path = people_file(good_rows())
    run("import_people", path)
    before = census()
    users = list(User.objects.values().order_by("pk"))
    relationships = list(Relationship.objects.values().order_by("pk"))

    output = run("import_people", path)

    assert "5 people (0 new, 0 changed, 5 unchanged)" in output
    assert "3 line relationships (0 new, 0 changed, 3 unchanged)" in output
    assert census() == before
    assert list(User.objects.values().order_by("pk")) == users
    assert list(Relationship.objects.values().order_by("pk")) == relationships


def test_existing_people_are_updated_and_their_relationship_kept(db, people_file):
    team = TeamFactory(name="adults north")
    sue = UserFactory(email="sue@example.org", name="Sue S", team=None)
    sam = UserFactory(email="sam@example.org", name="Sam", start_date_in_post=None)
    kept = RelationshipFactory(
        supervisor=sue, supervisee=sam, frequency=Frequency.MONTHLY, start_date="2020-03-01"
    )
    rows = [
        person_row(email="SUE@example.org", name="Sue Supervisor", team="Adults North"),
        person_row(supervisor="sue@example.org", frequency="weekly", start_date="2020-03-01"),
    ]

    output = run("import_people", people_file(rows))

    assert "2 people (0 new, 2 changed, 0 unchanged), 1 team (0 new)" in output
    assert "1 line relationship (0 new, 1 changed, 0 unchanged)" in output
    sue.refresh_from_db()
    sam.refresh_from_db()
    kept.refresh_from_db()
    # Team names match whatever their capitals; the existing spelling stays.
    assert (sue.name, sue.team) == ("Sue Supervisor", team)
    assert sam.start_date_in_post == datetime.date(2020, 3, 1)
    assert sue.has_usable_password()
    assert kept.frequency == Frequency.WEEKLY
    assert Relationship.objects.count() == 1
    assert Team.objects.count() == 1


def test_a_new_start_date_changes_the_start_in_post_not_the_relationship(db, people_file):
    # start_date is the start in post; the relationship's start is supervised_from's
    # (tests/imports/test_import_arrangements.py).
    run("import_people", people_file(good_rows()[:2]))
    rows = good_rows()[:2]
    rows[1]["start_date"] = "2021-04-01"

    output = run("import_people", people_file(rows))

    assert "1 line relationship (0 new, 0 changed, 1 unchanged)" in output
    assert list(Relationship.objects.values_list("start_date", flat=True)) == [
        datetime.date(2020, 3, 1)
    ]
    assert User.objects.get(email="sam@example.org").start_date_in_post == datetime.date(2021, 4, 1)


def test_supervisor_may_already_exist_instead_of_being_in_the_file(db, people_file):
    UserFactory(email="sue@example.org")
    run("import_people", people_file([good_rows()[1]]))
    assert Relationship.objects.get().supervisor.email == "sue@example.org"


def test_optional_columns_may_be_absent_and_extra_ones_are_ignored(db, write_file):
    header = ["Email", "name", "team", "role", "payroll"]
    path = write_file(
        "\ufeff" + csv_text(header, [{**person_row(), "Email": "Sam@Example.org", "payroll": "9"}])
    )

    run("import_people", path)

    assert User.objects.get().email == "sam@example.org"


def test_dry_run_writes_nothing(db, people_file):
    before = census()

    output = run("import_people", people_file(good_rows()), "--dry-run")

    assert output.startswith("Dry run: the file is valid; nothing was written.")
    assert "It would import 5 people (5 new, 0 changed, 0 unchanged)" in output
    assert census() == before


BAD_FILES = {
    "supervisor nowhere": (
        [person_row(supervisor="zed@example.org", start_date="2020-01-01")],
        [
            'row 2, column supervisor: "zed@example.org" is neither in the file nor a person '
            "who exists"
        ],
    ),
    "not an email": (
        [person_row(email="sam.example.org")],
        ['row 2, column email: "sam.example.org" is not an email address'],
    ),
    "same person twice": (
        [person_row(), person_row(email="SAM@example.org")],
        ["row 3, column email: sam@example.org is already on row 2"],
    ),
    "no name": (
        [person_row(name="")],
        ["row 2, column name: a value is required"],
    ),
    "no team": (
        [person_row(team="")],
        ["row 2, column team: a value is required"],
    ),
    "unknown role": (
        [person_row(role="lead")],
        ['row 2, column role: "lead" is not one of practitioner, manager'],
    ),
    "unknown frequency": (
        [
            person_row(email="sue@example.org"),
            person_row(
                email="kim@example.org",
                supervisor="sue@example.org",
                frequency="daily",
                start_date="2020-01-01",
            ),
        ],
        [
            'row 3, column frequency: "daily" is not one of weekly, fortnightly, monthly, '
            "six_weekly, newly_qualified"
        ],
    ),
    "no start date with a supervisor": (
        [person_row(email="sue@example.org"), person_row(supervisor="sue@example.org")],
        [
            "row 3, column start_date: a date is required when supervisor is set "
            "(the start in post, from which the newly-qualified schedule counts)"
        ],
    ),
    "bad start date": (
        [person_row(start_date="1/3/2020")],
        ['row 2, column start_date: "1/3/2020" is not a date in the form YYYY-MM-DD'],
    ),
    "own supervisor": (
        [person_row(supervisor="sam@example.org", start_date="2020-01-01")],
        ["row 2, column supervisor: a person cannot be their own supervisor"],
    ),
    "name too long": (
        [person_row(name="x" * 201)],
        ["row 2, column name: 201 characters; at most 200 fit"],
    ),
}


@pytest.mark.parametrize("rows, expected", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_rows_are_named_and_nothing_is_written(db, people_file, rows, expected):
    good = person_row(email="ok@example.org", name="Fine", team="New team", role="manager")
    before = census()

    lines = run_failing("import_people", people_file([*rows, good]))

    assert lines == expected
    assert census() == before


def test_header_only_file_imports_nothing(db, write_file):
    output = run("import_people", write_file(",".join(PEOPLE_HEADER) + "\n"))
    assert output.startswith("Imported 0 people")
