"""The minutes kept by person and month (`sessions_app.kept`) always equal the records.

Each kind of write is made as the product makes it (the services: a session recorded, a
correction that moves it to another month, a group with someone absent, a planned session
held), and after each the kept months must be exactly what summing the items again gives
(`kept.differences()`). Imports, retention, the demo and the bulk seeding are checked beside
their own tests (tests/imports/test_import_keeps_minutes.py, tests/privacy/test_retention.py,
tests/demo/).
"""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from sessions_app import kept, services
from sessions_app.models import DayMinutes, Format, MonthMinutes, MonthSessions, Session
from sessions_app.services import ItemData, SessionDetails
from tests.sessions_app.details import held

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def kept_row(person, day, session_format=Format.ONE_TO_ONE):
    return MonthMinutes.objects.filter(
        person=person, month=day.replace(day=1), format=session_format
    ).first()


def test_a_recorded_session_is_kept_in_its_month_and_follows_every_correction(
    supervisor, supervisee, other_supervisee, today
):
    day = today.replace(day=1) - 40 * DAY  # last month but one: a past month, whole
    session = services.session_create(
        supervisor=supervisor,
        details=held(day),
        attendance={supervisee.pk: True},
        items=[
            ItemData("Caseload", 60, ["management"], stages=["plans_actions"]),
            ItemData("Wellbeing", 30, ["support", "development"], stakeholders=["supervisee"]),
        ],
    )
    row = kept_row(supervisee, day)
    assert (row.twelfths_management, row.twelfths_support, row.twelfths_development) == (
        720,
        180,
        180,
    )
    assert (row.tagged, row.short_circuit, row.sessions_held) == (90, 60, 1)
    assert row.stakeholder_supervisee == 30
    assert kept.differences() == []

    # Corrected: moved to another month, another item, the minutes changed.
    moved = day - 35 * DAY
    items = [
        ItemData("Caseload", 45, ["management"], id=session.items.get(title="Caseload").pk),
        ItemData("Training", 15, ["development"], stages=["reflection"]),
    ]
    session = services.session_update(
        session=session,
        by=supervisor,
        expected_version=session.version,
        details=held(moved),
        attendance={supervisee.pk: True},
        items=items,
        actions=[],
    )
    assert kept_row(supervisee, day) is None  # nothing held there any more
    assert kept_row(supervisee, moved).tagged == 60
    assert kept.differences() == []

    # A group the next month: the absent member has nothing kept from it.
    group = services.session_create(
        supervisor=supervisor,
        details=held(moved + 31 * DAY, format=Format.GROUP, group_type="team"),
        attendance={supervisee.pk: True, other_supervisee.pk: False},
        items=[ItemData("Team cases", 40, ["mediation"])],
    )
    assert kept_row(supervisee, group.date, Format.GROUP).twelfths_mediation == 480
    assert kept_row(other_supervisee, group.date, Format.GROUP) is None
    assert kept.differences() == []


def day_row(day, session_format=Format.ONE_TO_ONE):
    return DayMinutes.objects.filter(day=day, format=session_format).first()


def test_the_organisations_day_adds_up_everyone_present_and_follows_its_sessions(
    supervisor, supervisee, other_supervisee, today
):
    """The organisation's minutes of a day (what its page reads) are every present attendee's
    added up: a group of two counts twice, an absent member not at all; a session moved to
    another day leaves its day. (Retention's deletions: tests/privacy/test_retention.py.)"""
    day = today - 10 * DAY
    group = services.session_create(
        supervisor=supervisor,
        details=held(day, format=Format.GROUP, group_type="team"),
        attendance={supervisee.pk: True, other_supervisee.pk: True},
        items=[ItemData("Team cases", 40, ["mediation", "support"])],
    )
    one_to_one = services.session_create(
        supervisor=supervisor,
        details=held(day),
        attendance={supervisee.pk: True},
        items=[ItemData("Caseload", 30, ["management"], stages=["plans_actions"])],
    )
    together = day_row(day, Format.GROUP)
    assert (together.tagged, together.sessions_held, together.twelfths_mediation) == (80, 2, 480)
    alone = day_row(day)
    assert (alone.tagged, alone.sessions_held, alone.short_circuit) == (30, 1, 30)
    assert kept.differences() == []

    services.session_update(
        session=group,
        by=supervisor,
        expected_version=group.version,
        details=held(day, format=Format.GROUP, group_type="team"),
        attendance={supervisee.pk: True, other_supervisee.pk: False},
        items=[ItemData("Team cases", 40, ["mediation", "support"], id=group.items.get().pk)],
        actions=[],
    )
    assert (day_row(day, Format.GROUP).tagged, day_row(day, Format.GROUP).sessions_held) == (40, 1)
    moved = day - 3 * DAY
    services.session_update(
        session=one_to_one,
        by=supervisor,
        expected_version=one_to_one.version,
        details=held(moved),
        attendance={supervisee.pk: True},
        items=[ItemData("Caseload", 30, ["management"], id=one_to_one.items.get().pk)],
        actions=[],
    )
    assert day_row(day) is None
    assert day_row(moved).tagged == 30
    assert kept.differences() == []


def counted(supervisor, day):
    row = MonthSessions.objects.filter(
        supervisor=supervisor, month=day.replace(day=1), format=Format.ONE_TO_ONE
    ).first()
    if row is None:
        return None
    return {
        name: getattr(row, name)
        for name in ("scheduled", "cancelled_by_supervisor", "cancelled_by_supervisee")
        + ("rescheduled", "moved_by_supervisor", "moved_by_others", "moved_unrecorded")
        if getattr(row, name)
    }


def test_a_supervisors_sessions_are_counted_in_their_month_whatever_happens_to_them(
    supervisor, supervisee, administrator, today
):
    """Every session a supervisor books is counted in its month (what the cancellation rates
    read), and counted again when it is cancelled, rescheduled, moved or removed."""
    day = today.replace(day=1) + 40 * DAY  # a month after next: booked ahead
    booked = services.session_create(
        supervisor=supervisor,
        details=SessionDetails(format=Format.ONE_TO_ONE, date=day, duration_minutes=90),
        attendance={supervisee.pk: True},
    )
    assert counted(supervisor, day) == {"scheduled": 1}
    services.session_cancel(session=booked, by=supervisor, by_supervisee=False, reason="Ill")
    assert counted(supervisor, day) == {
        "scheduled": 1,
        "cancelled_by_supervisor": 1,
        "moved_by_supervisor": 1,
    }
    assert kept.differences() == []

    again = services.session_create(
        supervisor=supervisor,
        details=SessionDetails(format=Format.ONE_TO_ONE, date=day, duration_minutes=90),
        attendance={supervisee.pk: True},
    )
    later = day + 35 * DAY  # into the next month
    services.session_reschedule(
        session=again, by=supervisor, new_date=later, new_start_time=None, reason="Clash"
    )
    assert counted(supervisor, day) == {
        "scheduled": 2,
        "cancelled_by_supervisor": 1,
        "rescheduled": 1,
        "moved_by_supervisor": 2,
    }
    assert counted(supervisor, later) == {"scheduled": 1}
    assert kept.differences() == []

    # The new one moved back a month by a correction, then removed.
    moved = Session.objects.get(date=later)
    moved = services.session_update(
        session=moved,
        by=supervisor,
        expected_version=moved.version,
        details=SessionDetails(format=Format.ONE_TO_ONE, date=day, duration_minutes=90),
        attendance={supervisee.pk: True},
        items=[],
        actions=[],
    )
    assert counted(supervisor, later) is None
    assert counted(supervisor, day)["scheduled"] == 3
    services.session_delete(session=moved, by=administrator)
    assert counted(supervisor, day)["scheduled"] == 2
    assert kept.differences() == []


def test_a_planned_session_keeps_nothing_until_it_is_held(supervisor, supervisee, today):
    day = today - 3 * DAY
    session = services.session_create(
        supervisor=supervisor,
        details=SessionDetails(format=Format.ONE_TO_ONE, date=day, duration_minutes=90),
        attendance={supervisee.pk: True},
    )
    assert not MonthMinutes.objects.exists()
    services.session_update(
        session=session,
        by=supervisor,
        expected_version=session.version,
        details=held(day),
        attendance={supervisee.pk: True},
        items=[ItemData("Caseload", 50, ["management"])],
        actions=[],
    )
    assert kept_row(supervisee, day).tagged == 50
    assert kept.differences() == []


def test_the_command_finds_a_month_or_day_that_disagrees_and_sums_it_again(
    supervisor, supervisee, today
):
    day = today - 3 * DAY
    services.session_create(
        supervisor=supervisor,
        details=held(day),
        attendance={supervisee.pk: True},
        items=[ItemData("Caseload", 50, ["management"])],
    )
    call_command("keep_minutes", "--check", stdout=io.StringIO())
    MonthMinutes.objects.update(tagged=49)  # as if a write had been missed
    with pytest.raises(CommandError, match="1 kept month.s., 0 kept day.s., 0 .* and 0 session"):
        call_command("keep_minutes", "--check", stdout=io.StringIO())
    DayMinutes.objects.all().delete()
    with pytest.raises(CommandError, match="1 kept month.s., 1 kept day.s., 0 .* and 0 session"):
        call_command("keep_minutes", "--check", stdout=io.StringIO())
    call_command("keep_minutes", stdout=io.StringIO())
    assert kept.differences() == []
    assert kept_row(supervisee, day).tagged == 50
    assert day_row(day).tagged == 50


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the table's layout: PostgreSQL's rows in order"
)
def test_a_rebuild_writes_the_months_in_order_and_equal_to_the_records(
    supervisor, supervisee, other_supervisee, today
):
    """A whole organisation's months are read month by month (the organisation page): written
    person by person, each month's rows lay on every page of the table."""
    for months_ago in (0, 5, 2, 9):
        for person in (other_supervisee, supervisee):
            services.session_create(
                supervisor=supervisor,
                details=held(today - (months_ago * 31 + 1) * DAY),
                attendance={person.pk: True},
                items=[ItemData("Caseload", 30, ["support"])],
            )
    call_command("keep_minutes", stdout=io.StringIO())
    assert kept.differences() == []
    table = connection.ops.quote_name(MonthMinutes._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT month, person_id FROM {table} ORDER BY ctid")  # noqa: S608
        laid_out = cursor.fetchall()
    assert len(laid_out) == 8
    assert laid_out == sorted(laid_out)
