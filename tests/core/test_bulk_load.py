"""`core.bulk`'s loading on PostgreSQL: the checks set aside while a load runs come back whole
and still catch a bad row; ids taken in one step; updates a page at a time."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from core import bulk
from sessions_app.models import Action, ActionStatus, Attendance, Session
from tests.factories import SessionFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="COPY and the catalogue are PostgreSQL's"
    ),
]

TABLES = [Session._meta.db_table, Attendance._meta.db_table]


def catalogue():
    """Every constraint and index of the tables, as PostgreSQL would write them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
              FROM pg_constraint WHERE conrelid = ANY(%(t)s::regclass[])
            UNION ALL
            SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%(t)s)
            """,
            {"t": TABLES},
        )
        return sorted(cursor.fetchall())


def foreign_keys():
    return [row for row in catalogue() if "FOREIGN KEY" in row[2]]


def test_every_check_and_index_comes_back():
    before = catalogue()
    assert foreign_keys()
    with transaction.atomic(), bulk.checks_after([Session, Attendance]):
        # Set aside while loading: only the primary keys and the plain checks are left.
        assert not foreign_keys()
        assert len(catalogue()) < len(before)
        SessionFactory()
    assert catalogue() == before


def test_a_row_that_breaks_a_foreign_key_fails_the_whole_load():
    session = SessionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        with bulk.checks_after([Attendance]):
            attendance = bulk.new(
                Attendance,
                session_id=session.pk,
                person_id=999_999,  # nobody
                session_date=session.date,
            )
            bulk.insert_new([attendance], Attendance)
    assert not Attendance.objects.filter(session=session).exists()
    assert foreign_keys()


def test_held_tables_give_their_ids_in_one_step_and_the_sequence_goes_on_after_them():
    with transaction.atomic(), bulk.checks_after([Session]):
        ids = bulk.new_ids(Session._meta.db_table, "id", 5)
        assert ids == list(range(ids[0], ids[0] + 5))
        after = SessionFactory()
    assert after.pk == ids[-1] + 1


def test_ids_handed_out_without_asking_then_the_sequence_continues():
    with transaction.atomic(), bulk.checks_after([Session]):
        first = bulk.next_ids([Session])[Session]
        bulk.continue_ids([Session], {Session: first + 10})
        assert SessionFactory().pk == first + 10


def test_next_ids_refuses_a_table_others_may_write():
    with pytest.raises(RuntimeError, match="not held"):
        bulk.next_ids([Session])


def test_update_rows_sets_each_rows_values_nulls_included():
    session = SessionFactory()
    actions = [
        Action.objects.create(
            session=session, description=f"A{i}", owner_name="Sam", due_date=session.date
        )
        for i in range(3)
    ]
    done_on = datetime.date(2026, 3, 4)
    bulk.update_rows(
        Action,
        ["status", "completed_on"],
        [(actions[0].pk, ActionStatus.DONE, done_on), (actions[1].pk, ActionStatus.DROPPED, None)],
    )
    # A page whose values are all NULL still knows their type.
    bulk.update_rows(Action, ["completed_on"], [(actions[2].pk, None)])
    got = {a.pk: (a.status, a.completed_on) for a in Action.objects.filter(session=session)}
    assert got == {
        actions[0].pk: (ActionStatus.DONE, done_on),
        actions[1].pk: (ActionStatus.DROPPED, None),
        actions[2].pk: (ActionStatus.OPEN, None),
    }


def test_the_loaded_tables_are_analysed_for_the_planner():
    with transaction.atomic(), bulk.checks_after([Session]):
        for _ in range(3):
            SessionFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [TABLES[0]])
        assert cursor.fetchone()[0] > 0  # a row per column analysed; none before
