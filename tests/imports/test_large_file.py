"""A 500-row sessions file imports quickly, in a number of queries that does not grow per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions_app.models import Item, Session
from tests.factories import UserFactory
from tests.imports.helpers import census, run, run_failing, session_row

SUPERVISORS = 5
PRACTITIONERS = 20


@pytest.fixture
def organisation(db):
    for n in range(SUPERVISORS):
        UserFactory(email=supervisor(n))
    for n in range(PRACTITIONERS):
        UserFactory(email=practitioner(n))


def supervisor(n):
    return f"sup{n % SUPERVISORS}@example.org"


def practitioner(n):
    return f"prac{n % PRACTITIONERS}@example.org"


def big_rows(count):
    """One-to-ones with two items, groups with three, planned sessions without, in turn.

    Six rows a round, so a `count` of 6k + 2 ends on a whole session.
    """
    rows = []
    n = 0
    while len(rows) < count:
        ref = f"R{n:04d}"
        # Held sessions are in the past: January to October 2026.
        date = f"2026-{1 + n % 10:02d}-{1 + n % 28:02d}"
        kind = n % 3
        if kind == 0:
            for item in range(2):
                rows.append(
                    session_row(
                        session_ref=ref,
                        date=date,
                        supervisor=supervisor(n),
                        supervisees=practitioner(n),
                        item_title=f"Item {item}",
                        item_minutes="30",
                        functions="management;support" if item else "development",
                        stages="reflection;analysis",
                        stakeholders="people",
                        case_ref=f"C-{n}",
                        risk="no",
                    )
                )
        elif kind == 1:
            present = ";".join(practitioner(n + k) for k in range(4))
            for item in range(3):
                rows.append(
                    session_row(
                        session_ref=ref,
                        date=date,
                        format="group",
                        group_type="peer",
                        supervisor=supervisor(n),
                        supervisees=present,
                        absent=practitioner(n + 10),
                        duration_minutes="120",
                        item_title=f"Group item {item}",
                        item_minutes="20",
                        functions="mediation",
                    )
                )
        else:
            rows.append(
                session_row(
                    session_ref=ref,
                    date=date,
                    supervisor=supervisor(n),
                    supervisees=practitioner(n),
                    status="planned",
                    item_title="",
                    item_minutes="",
                    functions="",
                    stages="",
                    stakeholders="",
                )
            )
        n += 1
    assert len(rows) == count
    return rows


def test_500_row_file_imports_in_bounded_queries(
    organisation, sessions_file, django_assert_max_num_queries
):
    small, large = sessions_file(big_rows(50)), sessions_file(big_rows(500))

    with CaptureQueriesContext(connection) as small_queries:
        run("import_sessions", small)
    Session.objects.all().delete()

    # 27 to write the file (3 of them copying its sessions', attendances' and items' rows into
    # their history, imports.bulk), work out again what its supervisors' sessions inherited from the
    # ones before them and the organisation's checks of their days (sessions_app.
    # brought_forward), sum again its people's months and the organisation's days, and count
    # its supervisors' months of sessions again (sessions_app.kept), and on PostgreSQL 8 to
    # hold its supervisors (twice: their sessions' inheritance, their counts), people, days
    # and checks while it does (core.db.hold): a fixed number, whatever its rows.
    with django_assert_max_num_queries(35) as large_queries:
        run("import_sessions", large)

    # Ten times the rows, the same queries: nothing is fetched or written row by row.
    assert len(large_queries) == len(small_queries)
    assert Item.objects.count() == sum(1 for row in big_rows(500) if row["item_title"])


def test_500_row_file_reimported_unchanged_in_bounded_queries(
    organisation, sessions_file, django_assert_max_num_queries
):
    path = sessions_file(big_rows(500))
    run("import_sessions", path)
    before = census()

    with django_assert_max_num_queries(8):
        output = run("import_sessions", path)

    assert "0 new, 0 changed" in output
    assert census() == before


def test_500_row_file_with_one_bad_row_writes_nothing_and_names_it(organisation, sessions_file):
    rows = big_rows(500)
    rows[436]["functions"] = "management;supervision"
    before = census()

    lines = run_failing("import_sessions", sessions_file(rows))

    assert lines == [
        'row 438, column functions: "supervision" is not a function '
        "(use management;development;support;mediation)"
    ]
    assert census() == before
