"""import_sessions reads its file as a stream: every problem first, then writes in batches.

What a council relies on with a file of years of records: memory does not grow with the file's
rows (the importer holds a bounded number of them at any moment, whatever the file's length),
every problem is still found before anything is written, and a failure late in the file leaves
nothing behind.
"""

import datetime
import weakref

import pytest
from django.db import connection
from simple_history.utils import bulk_create_with_history

from core.bulk import insert_new
from imports import sessions as sessions_module
from imports.bulk import create_with_history
from imports.csvfile import PROBLEMS_SHOWN
from imports.sessions import sessions_import
from sessions_app.models import Item, RecordState, Session
from tests.factories import SessionFactory, UserFactory
from tests.imports.helpers import (
    NO_ITEM,
    SESSIONS_HEADER,
    census,
    csv_text,
    run,
    run_failing,
    session_row,
)

ITEMS_A_SESSION = 3


@pytest.fixture
def cast(supervisor, supervisee, other_supervisee):
    return {"pat": UserFactory(email="pat@example.org", name="Pat Senior")}


def many_rows(sessions):
    """`sessions` one-to-ones of three items each, each one's rows together, as usual."""
    return [
        session_row(
            session_ref=f"S{n:04d}",
            date=f"2026-0{1 + n % 9}-{1 + n % 28:02d}",
            item_title=f"Item {item}",
            item_minutes="20",
        )
        for n in range(sessions)
        for item in range(ITEMS_A_SESSION)
    ]


class Watched:
    """Counts the rows each pass over the file has read, and how many are still held; and the
    rows each pass over what the first pass set down (`_Spill`) has read back."""

    def __init__(self, monkeypatch):
        self.passes = []
        self.held_at_most = []
        self.read_back = []
        real = sessions_module.stream_table
        real_records = sessions_module._Spill.records

        def records(spill):
            self.read_back.append(0)
            for record in real_records(spill):
                self.read_back[-1] += 1
                yield record

        monkeypatch.setattr(sessions_module._Spill, "records", records)

        def stream_table(source, layout, problems):
            self.passes.append(0)
            self.held_at_most.append(0)
            alive = []
            for row in real(source, layout, problems):
                self.passes[-1] += 1
                alive = [ref for ref in alive if ref() is not None]
                alive.append(weakref.ref(row))
                self.held_at_most[-1] = max(self.held_at_most[-1], len(alive))
                yield row

        monkeypatch.setattr(sessions_module, "stream_table", stream_table)


def test_the_file_is_read_once_a_row_at_a_time_and_written_a_batch_at_a_time(
    cast, sessions_file, monkeypatch
):
    monkeypatch.setattr(sessions_module, "BATCH_SESSIONS", 5)
    monkeypatch.setattr(sessions_module._Spill, "CHUNK", 7)
    watched = Watched(monkeypatch)
    read_when_written = []
    real_write = sessions_module._write

    def write(batch):
        read_when_written.append(watched.read_back[-1])
        real_write(batch)

    monkeypatch.setattr(sessions_module, "_write", write)
    rows = many_rows(60)

    run("import_sessions", sessions_file(rows))

    assert Item.objects.count() == len(rows)
    # The file is read once: the check, which holds the row it reads and at most two before
    # it, however long the file.
    assert watched.passes == [len(rows)]
    assert watched.held_at_most[0] <= 3
    # What it set down is read back once, for the writes (nothing existed, so nothing to
    # compare), a chunk of rows at a time, and each batch is written as soon as its rows are
    # read back: never the whole file first.
    assert watched.read_back == [len(rows)]
    batch_rows = 5 * ITEMS_A_SESSION
    assert read_when_written == list(range(batch_rows, len(rows) + 1, batch_rows))


def test_problems_from_the_first_and_the_last_rows_are_all_found_before_any_write(
    cast, sessions_file, monkeypatch
):
    writes = []
    monkeypatch.setattr(sessions_module, "_write", writes.append)
    rows = many_rows(40)
    rows[0]["functions"] = "managment"
    rows[-1]["item_minutes"] = "0"
    last = len(rows) + 1

    lines = run_failing("import_sessions", sessions_file(rows))

    assert lines == [
        'row 2, column functions: "managment" is not a function '
        "(use management;development;support;mediation)",
        f'row {last}, column item_minutes: "0" is not a whole number of minutes greater than 0',
    ]
    assert writes == []


def test_a_session_whose_rows_are_far_apart_is_checked_and_written_whole(cast, sessions_file):
    rows = many_rows(10)
    # The second item of S0000 comes at the end of the file, after other sessions.
    rows.append(rows.pop(1))

    run("import_sessions", sessions_file(rows))

    session = Session.objects.get(external_ref="S0000")
    assert [item.title for item in session.items.order_by("position")] == [
        "Item 0",
        "Item 2",
        "Item 1",
    ]
    assert Item.objects.count() == len(rows)


def test_a_late_row_that_disagrees_with_its_sessions_first_row_is_named(cast, sessions_file):
    rows = many_rows(10)
    straggler = {**rows[0], "item_title": "Late item", "duration_minutes": "60"}
    rows.append(straggler)
    before = census()

    lines = run_failing("import_sessions", sessions_file(rows))

    assert lines == [
        f'row {len(rows) + 1}, column duration_minutes: "60" differs from row 2 ("90"): '
        "every row of session S0000 must repeat the same session columns"
    ]
    assert census() == before


def test_items_over_the_duration_are_named_at_the_row_that_crosses_it_with_the_total(
    cast, sessions_file
):
    rows = many_rows(4)
    # S0000's items: 20 + 20 + 20 = 60; its late fourth item takes it to 120 of 90.
    rows.append({**rows[0], "item_title": "Late item", "item_minutes": "60"})

    lines = run_failing("import_sessions", sessions_file(rows))

    assert lines == [
        f"row {len(rows) + 1}, column item_minutes: the items of session S0000 add up to 120 "
        "minutes, more than its duration_minutes (90)"
    ]


def test_a_signed_off_session_late_in_the_file_stops_the_whole_import(cast, sessions_file):
    """A problem only the database shows (a locked record) is found before any write."""
    rows = many_rows(30)
    run("import_sessions", sessions_file(rows[-ITEMS_A_SESSION:]))
    Session.objects.filter(external_ref="S0029").update(record_state=RecordState.SIGNED_OFF)
    rows[-1]["item_minutes"] = "25"
    before = census()

    lines = run_failing("import_sessions", sessions_file(rows))

    assert lines == [
        f"row {len(rows) - 1}, column session_ref: session S0029: This record is signed off "
        "and locked. Add an addendum to correct or add to it."
    ]
    assert census() == before


def test_a_failure_while_writing_a_late_batch_rolls_back_the_earlier_batches(
    cast, sessions_file, monkeypatch
):
    monkeypatch.setattr(sessions_module, "BATCH_SESSIONS", 4)
    real_write = sessions_module._write
    calls = []

    def write(batch):
        calls.append(batch)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        real_write(batch)

    monkeypatch.setattr(sessions_module, "_write", write)
    before = census()

    with pytest.raises(RuntimeError):
        sessions_import(data=csv_text(SESSIONS_HEADER, many_rows(20)).encode())

    assert len(calls) == 3
    assert census() == before


def test_reimporting_a_file_with_one_changed_session_rewrites_only_that_one(
    cast, sessions_file, monkeypatch
):
    rows = many_rows(12)
    run("import_sessions", sessions_file(rows))
    rows[7]["item_title"] = "Renamed"
    watched = Watched(monkeypatch)

    output = run("import_sessions", sessions_file(rows))

    assert "12 sessions (0 new, 1 changed, 11 unchanged)" in output
    assert "(0 new, 1 changed, 0 removed)" in output
    # The file read once, to check it; what that set down read back twice: the comparison
    # with the sessions that exist, the writes.
    assert len(watched.passes) == 1
    assert watched.read_back == [len(rows), len(rows)]
    assert Item.objects.filter(title="Renamed").count() == 1


def test_a_file_wrong_on_every_row_lists_every_problem_in_row_order(cast, sessions_file):
    # The contract: every problem is listed, however many there are.
    rows = [
        session_row(session_ref=f"X{n}", functions="nonsense") for n in range(PROBLEMS_SHOWN + 20)
    ]

    lines = run_failing("import_sessions", sessions_file(rows))

    assert len(lines) == PROBLEMS_SHOWN + 20
    assert lines[0].startswith('row 2, column functions: "nonsense" is not a function')
    assert lines[-1].startswith(f"row {PROBLEMS_SHOWN + 21}, column functions")


def test_a_session_without_items_among_many(cast, sessions_file):
    rows = [
        *many_rows(3),
        session_row(session_ref="P1", status="planned", date="2026-03-05", **NO_ITEM),
    ]

    output = run("import_sessions", sessions_file(rows))

    assert "4 sessions (4 new, 0 changed, 0 unchanged)" in output
    assert Session.objects.get(external_ref="P1").items.count() == 0


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the fast insert is PostgreSQL's (elsewhere: ORM)"
)
def test_the_fast_insert_writes_what_bulk_create_with_history_writes(cast, supervisor, supervisee):
    def made(ref):
        session = Session(
            external_ref=ref,
            date=datetime.date(2026, 1, 8),
            format="one_to_one",
            group_type="",
            supervisor=supervisor,
            status="held",
            duration_minutes=90,
        )
        # COPY's separators and escape in the text: written as they are, nothing lost.
        item = Item(
            session=session,
            position=0,
            title="Caseload\treview \\N of 5\\6",
            notes="First line\r\nsecond line\n\\t not a tab",
            minutes=40,
            function_support=True,
        )
        return session, item

    fast, slow = made("FAST"), made("SLOW")
    create_with_history([fast[0]], Session, change_reason="Imported")
    create_with_history([fast[1]], Item, change_reason="Imported")
    bulk_create_with_history([slow[0]], Session, default_change_reason="Imported")
    slow[1].session_id = slow[0].pk
    bulk_create_with_history([slow[1]], Item, default_change_reason="Imported")

    def written(model, obj, skip):
        row = model.objects.filter(pk=obj.pk).values().get()
        history = model.history.filter(id=obj.pk).values().get()
        return (
            {k: v for k, v in row.items() if k not in skip},
            {k: v for k, v in history.items() if k not in {*skip, "history_id", "history_date"}},
        )

    session_skip = {"id", "external_ref", "created_at", "updated_at"}
    assert written(Session, fast[0], session_skip) == written(Session, slow[0], session_skip)
    item_skip = {"id", "session_id"}
    assert written(Item, fast[1], item_skip) == written(Item, slow[1], item_skip)
    saved = Item.objects.get(pk=fast[1].pk)
    assert saved.session_id == fast[0].pk
    assert (saved.title, saved.notes) == (fast[1].title, fast[1].notes)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_a_page_with_a_value_copy_cannot_carry_is_written_with_insert(supervisor):
    """COPY's text has no form for a float (`core.bulk._converter`): its page goes in through
    the multi-row INSERT instead, and every row of it is written all the same."""
    session = SessionFactory(supervisor=supervisor)
    items = [
        Item(session=session, position=n, title=f"Item {n}", minutes=10, function_support=True)
        for n in range(3)
    ]
    items[1].minutes = 25.0
    insert_new(items, Item)
    assert [(i.pk is not None, i.title) for i in items] == [(True, f"Item {n}") for n in range(3)]
    saved = Item.objects.filter(session=session).order_by("position")
    assert [(i.title, i.minutes) for i in saved] == [("Item 0", 10), ("Item 1", 25), ("Item 2", 10)]


@pytest.mark.parametrize("change", ["a bad value", "a row less"])
def test_a_file_changed_after_its_check_writes_what_was_checked(
    cast, sessions_file, monkeypatch, change
):
    rows = many_rows(10)
    path = sessions_file(rows)
    changed = [dict(row) for row in rows]
    if change == "a bad value":
        changed[20]["functions"] = "nonsense"
    else:
        del changed[20]
    real_plan = sessions_module._plan

    def plan_then_change_the_file(spill, checked, problems):
        planned = real_plan(spill, checked, problems)
        path.write_text(csv_text(SESSIONS_HEADER, changed))
        return planned

    monkeypatch.setattr(sessions_module, "_plan", plan_then_change_the_file)

    output = run("import_sessions", path)

    # The file is read once: the rows checked are the rows written, every one of them.
    assert "10 sessions (10 new" in output
    assert Item.objects.count() == len(rows)
    assert set(Item.objects.values_list("function_management", flat=True)) == {True}
