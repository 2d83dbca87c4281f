"""Real arrangements in import_people: `supervised_from` and `end_date` (INTERFACES.md), the
supervisor changing, a person leaving, and dated team membership (team_from, beyond the
contract)."""

import datetime

import pytest

from people.models import Kind, Relationship, TeamMembership, User
from tests.factories import RelationshipFactory, TeamFactory, UserFactory
from tests.imports.helpers import PEOPLE_HEADER, census, person_row, run, run_failing

pytestmark = pytest.mark.django_db

HEADER = [*PEOPLE_HEADER, "supervised_from", "end_date", "team_from"]
D = datetime.date


def rows(**nia):
    """Sue and Pat, and Nia (newly qualified, started in post 2026-01-05) as told."""
    values = {
        "email": "nia@example.org",
        "name": "Nia Newly",
        "supervisor": "sue@example.org",
        "frequency": "newly_qualified",
        "start_date": "2026-01-05",
        **nia,
    }
    return [
        person_row(email="sue@example.org", name="Sue Supervisor", role="manager"),
        person_row(email="pat@example.org", name="Pat Senior"),
        person_row(**values),
    ]


@pytest.fixture
def imported(people_file):
    run("import_people", people_file(rows(), header=HEADER))


def line_relationships():
    return [
        (r.supervisor.email, r.start_date, r.end_date)
        for r in Relationship.objects.filter(kind=Kind.LINE).order_by("start_date", "pk")
    ]


def test_a_new_relationship_starts_on_supervised_from_when_given(people_file):
    run("import_people", people_file(rows(supervised_from="2026-02-01"), header=HEADER))
    assert line_relationships() == [("sue@example.org", D(2026, 2, 1), None)]
    assert User.objects.get(email="nia@example.org").start_date_in_post == D(2026, 1, 5)


def test_a_new_relationship_starts_on_start_date_without_supervised_from(imported):
    assert line_relationships() == [("sue@example.org", D(2026, 1, 5), None)]


def test_the_supervisor_changes_the_day_supervised_from_says(imported, people_file):
    output = run(
        "import_people",
        people_file(
            rows(supervisor="pat@example.org", supervised_from="2026-03-01"), header=HEADER
        ),
    )
    assert (
        "2 line relationships (1 new, 1 changed, 0 unchanged), of which 1 relationship ended"
        in (output)
    )
    assert line_relationships() == [
        ("sue@example.org", D(2026, 1, 5), D(2026, 2, 28)),
        ("pat@example.org", D(2026, 3, 1), None),
    ]


def test_a_newly_qualified_practitioner_who_changes_supervisor_keeps_their_schedule(
    imported, people_file
):
    run(
        "import_people",
        people_file(
            rows(supervisor="pat@example.org", supervised_from="2026-03-01"), header=HEADER
        ),
    )
    new = Relationship.objects.select_related("supervisee", "supervisor").get(
        supervisor__email="pat@example.org"
    )
    # 20 March is 74 days after the start in post: fortnightly, not weekly again from
    # the new relationship's start.
    gap = new.gap_to(D(2026, 3, 20), None)
    assert gap.interval_days == 14
    assert (gap.gap_days, gap.overdue) == (19, True)


def test_re_importing_with_a_new_start_date_does_not_restart_the_relationship(
    imported, people_file
):
    # The old import matched on (supervisor, start_date) and started a second relationship
    # on the new date: its gap then counted from that date, hiding overdue supervision.
    output = run("import_people", people_file(rows(start_date="2026-02-02"), header=HEADER))
    assert "1 line relationship (0 new, 0 changed, 1 unchanged)" in output
    assert line_relationships() == [("sue@example.org", D(2026, 1, 5), None)]
    assert User.objects.get(email="nia@example.org").start_date_in_post == D(2026, 2, 2)


def test_the_same_file_twice_changes_nothing_after_a_change_of_supervisor(imported, people_file):
    path = people_file(
        rows(supervisor="pat@example.org", supervised_from="2026-03-01"), header=HEADER
    )
    run("import_people", path)
    before = census()
    relationships = list(Relationship.objects.values().order_by("pk"))
    output = run("import_people", path)
    assert "(0 new, 0 changed, 1 unchanged)" in output
    assert census() == before
    assert list(Relationship.objects.values().order_by("pk")) == relationships


def test_a_change_of_supervisor_needs_supervised_from(imported, people_file):
    problems = run_failing(
        "import_people", people_file(rows(supervisor="pat@example.org"), header=HEADER)
    )
    assert problems == [
        "row 4, column supervised_from: required when the supervisor changes: "
        "nia@example.org's current line supervisor is sue@example.org, whose relationship "
        "ends the day before this date"
    ]


def test_an_old_file_after_a_change_of_supervisor_is_refused(imported, people_file):
    run(
        "import_people",
        people_file(
            rows(supervisor="pat@example.org", supervised_from="2026-03-01"), header=HEADER
        ),
    )
    before = census()
    # The first file again, without supervised_from: Sue is no longer the current supervisor.
    assert run_failing("import_people", people_file(rows(), header=HEADER))
    assert census() == before


def test_supervised_from_must_be_after_the_current_relationship_started(imported, people_file):
    problems = run_failing(
        "import_people",
        people_file(
            rows(supervisor="pat@example.org", supervised_from="2026-01-05"), header=HEADER
        ),
    )
    assert problems == [
        "row 4, column supervised_from: 2026-01-05 is not after the start of the current line "
        "relationship with sue@example.org (2026-01-05)"
    ]


def test_supervised_from_moves_the_start_of_the_same_supervisors_relationship(
    imported, people_file
):
    run("import_people", people_file(rows(supervised_from="2026-01-12"), header=HEADER))
    assert line_relationships() == [("sue@example.org", D(2026, 1, 12), None)]


def test_end_date_ends_the_relationship_and_is_kept_on_re_import(imported, people_file):
    path = people_file(rows(end_date="2026-03-15"), header=HEADER)
    output = run("import_people", path)
    assert "(0 new, 1 changed, 0 unchanged), of which 1 relationship ended" in output
    assert line_relationships() == [("sue@example.org", D(2026, 1, 5), D(2026, 3, 15))]
    assert "(0 new, 0 changed, 1 unchanged)" in run("import_people", path)


def test_an_empty_end_date_means_it_goes_on(people_file):
    run("import_people", people_file(rows(end_date="2026-03-15"), header=HEADER))
    run("import_people", people_file(rows(end_date=""), header=HEADER))
    assert line_relationships() == [("sue@example.org", D(2026, 1, 5), None)]


def test_without_the_end_date_column_an_end_set_in_admin_stays(people_file):
    run("import_people", people_file(rows(), header=HEADER))
    Relationship.objects.update(end_date=D(2026, 4, 30))
    run("import_people", people_file(rows(), header=PEOPLE_HEADER))
    assert line_relationships() == [("sue@example.org", D(2026, 1, 5), D(2026, 4, 30))]


def test_back_with_the_same_supervisor_after_an_end_is_a_new_relationship(people_file):
    run("import_people", people_file(rows(end_date="2026-03-15"), header=HEADER))
    run("import_people", people_file(rows(supervised_from="2026-09-01"), header=HEADER))
    assert line_relationships() == [
        ("sue@example.org", D(2026, 1, 5), D(2026, 3, 15)),
        ("sue@example.org", D(2026, 9, 1), None),
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"end_date": "2025-12-31"},
            "row 4, column end_date: 2025-12-31 is before the relationship starts (2026-01-05)",
        ),
        (
            {"supervised_from": "2026-03-01", "end_date": "2026-02-01"},
            "row 4, column end_date: 2026-02-01 is before supervised_from (2026-03-01): a "
            "relationship ends after it starts",
        ),
        (
            {"supervised_from": "1 March"},
            'row 4, column supervised_from: "1 March" is not a date in the form YYYY-MM-DD',
        ),
        (
            {"supervisor": "", "start_date": "", "end_date": "2026-03-01"},
            "row 4, column end_date: needs a supervisor: it is a date of the line relationship "
            "with them",
        ),
    ],
)
def test_bad_dates_are_named_and_nothing_is_written(people_file, values, expected):
    before = census()
    assert run_failing("import_people", people_file(rows(**values), header=HEADER)) == [expected]
    assert census() == before


def test_the_domain_example_of_an_ended_relationship_is_overdue(people_file):
    """DOMAIN.md: ended 2026-03-15, last one-to-one 2026-01-10, window to 2026-05-29: gap 64."""
    sam = [
        person_row(email="sue@example.org", name="Sue"),
        person_row(
            supervisor="sue@example.org",
            frequency="monthly",
            start_date="2020-03-01",
            end_date="2026-03-15",
        ),
    ]
    run("import_people", people_file(sam, header=HEADER))
    relationship = Relationship.objects.select_related("supervisor", "supervisee").get()
    gap = relationship.gap_to(D(2026, 5, 29), D(2026, 1, 10))
    assert (gap.gap_days, gap.overdue) == (64, True)


# Dated team membership.


def test_a_team_change_closes_the_old_membership_the_day_before_team_from(people_file):
    run("import_people", people_file([person_row(team="Adults North")], header=HEADER))
    run(
        "import_people",
        people_file([person_row(team="Children West", team_from="2026-06-01")], header=HEADER),
    )
    sam = User.objects.get()
    assert sam.team.name == "Children West"
    assert [
        (m.team.name, m.start_date, m.end_date)
        for m in TeamMembership.objects.filter(person=sam).order_by("pk")
    ] == [("Adults North", None, D(2026, 5, 31)), ("Children West", D(2026, 6, 1), None)]
    # The same file again changes nothing.
    before = TeamMembership.objects.count()
    run(
        "import_people",
        people_file([person_row(team="Children West", team_from="2026-06-01")], header=HEADER),
    )
    assert TeamMembership.objects.count() == before


def test_someone_set_up_before_memberships_were_dated_keeps_their_old_team(people_file, today):
    north = TeamFactory(name="Adults North")
    UserFactory(email="sam@example.org", name="Sam Social", team=north)
    run("import_people", people_file([person_row(team="Children West")], header=HEADER))
    assert [
        (m.team.name, m.start_date, m.end_date) for m in TeamMembership.objects.order_by("pk")
    ] == [
        ("Adults North", None, today - datetime.timedelta(days=1)),
        ("Children West", today, None),
    ]


def test_existing_line_relationships_of_other_kinds_are_left_alone(imported, people_file):
    practice = RelationshipFactory(
        supervisor=User.objects.get(email="pat@example.org"),
        supervisee=User.objects.get(email="nia@example.org"),
        kind=Kind.PRACTICE,
        start_date=D(2026, 2, 1),
    )
    run("import_people", people_file(rows(end_date="2026-03-15"), header=HEADER))
    practice.refresh_from_db()
    assert practice.end_date is None
