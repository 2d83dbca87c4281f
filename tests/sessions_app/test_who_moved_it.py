"""Who moved it: cancelling and rescheduling record the acting user and why, and the
reliability figures count them by whom."""

import datetime
from fractions import Fraction

import pytest
from django.urls import reverse

from audit import selectors
from core import clock
from sessions_app.models import Session, Status
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def planned(supervisor, supervisee, days=3):
    return SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        status=Status.PLANNED,
        date=clock.today() + datetime.timedelta(days=days),
    )


def test_supervisor_who_records_a_cancellation_is_kept_with_the_reason(
    login, supervisor, supervisee
):
    session = planned(supervisor, supervisee)
    client = login(supervisor)
    client.post(
        reverse("sessions:cancel", args=[session.pk]),
        {"cancelled_by": "supervisee", "reason": "Sam is on leave"},
    )
    session.refresh_from_db()
    assert session.status == Status.CANCELLED_BY_SUPERVISEE
    assert session.moved_by == supervisor
    page = client.get(reverse("sessions:detail", args=[session.pk])).content.decode()
    assert "Sam is on leave" in page
    assert "recorded by Sue Supervisor" in page


def test_supervisee_who_cancels_is_the_one_recorded(login, supervisor, supervisee):
    session = planned(supervisor, supervisee)
    login(supervisee).post(
        reverse("sessions:cancel", args=[session.pk]),
        {"cancelled_by": "supervisee", "reason": "Court hearing"},
    )
    session.refresh_from_db()
    assert session.moved_by == supervisee


def test_reschedule_needs_a_reason_beside_the_field(login, supervisor, supervisee):
    session = planned(supervisor, supervisee)
    response = login(supervisor).post(
        reverse("sessions:reschedule", args=[session.pk]),
        {"date": (clock.today() + datetime.timedelta(days=9)).isoformat(), "reason": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    session.refresh_from_db()
    assert session.status == Status.PLANNED and session.moved_by is None


def test_reschedule_records_who_moved_it_and_why(login, supervisor, supervisee):
    session = planned(supervisor, supervisee)
    login(supervisor).post(
        reverse("sessions:reschedule", args=[session.pk]),
        {"date": (clock.today() + datetime.timedelta(days=9)).isoformat(), "reason": "Clash"},
    )
    session.refresh_from_db()
    assert session.status == Status.RESCHEDULED
    assert (session.moved_by, session.cancellation_reason) == (supervisor, "Clash")
    # The new session has not been moved by anyone.
    assert session.rescheduled_to.moved_by is None


def test_cancellation_figures_count_by_whom(supervisor, supervisee, other_supervisee):
    day = datetime.date(2026, 2, 10)
    statuses = [
        (Status.CANCELLED_BY_SUPERVISOR, supervisor),
        (Status.CANCELLED_BY_SUPERVISEE, supervisor),  # the supervisor recorded it
        (Status.CANCELLED_BY_SUPERVISEE, supervisee),  # the supervisee did it themselves
        (Status.RESCHEDULED, supervisor),
        (Status.CANCELLED_BY_SUPERVISOR, None),  # imported: nobody recorded
        (Status.HELD, None),
        (Status.PLANNED, None),
    ]
    for status, by in statuses:
        SessionFactory(
            supervisor=supervisor, supervisee=supervisee, date=day, status=status, moved_by=by
        )

    (rate,) = selectors.cancellation_rates(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))

    assert (rate.scheduled, rate.cancelled_by_supervisor, rate.cancelled_by_supervisee) == (7, 2, 2)
    assert rate.rescheduled == 1
    assert (rate.moved_by_supervisor, rate.moved_by_others, rate.moved_unrecorded) == (3, 1, 1)
    assert rate.moved == 5
    assert rate.rate == Fraction(2, 7)
    assert Session.objects.count() == 7


def test_team_page_and_csv_show_who_moved_sessions(login, manager, supervisor, supervisee):
    day = clock.today() - datetime.timedelta(days=3)
    SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=day,
        status=Status.CANCELLED_BY_SUPERVISEE,
        moved_by=supervisee,
    )
    client = login(manager)
    page = client.get(reverse("audit:team_checks")).content.decode()
    assert "recorded by" in page
    csv_text = client.get(reverse("audit:team_checks"), {"download": "cancellations"})
    header, row = csv_text.content.decode().splitlines()
    assert header.endswith(
        "cancelled_by_supervisee,rescheduled,moved_by_the_supervisor,moved_by_someone_else,"
        "moved_by_not_recorded"
    )
    assert row.endswith(",1,0,0,1,0")
