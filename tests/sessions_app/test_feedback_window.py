"""Feedback on a record stays open for the audit policy's days after sign-off (default 14),
counted in the organisation's dates; then it closes, with the reason."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audit.models import AuditPolicy
from core import clock
from sessions_app.access import SessionAccess
from sessions_app.models import Feedback, RecordState
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
FEEDBACK = {
    "management": "too_much",
    "development": "too_little",
    "support": "about_right",
    "mediation": "too_little",
    "dominated": "management",
    "wants_more": "development",
    "usefulness": "3",
    "comments": "",
}


def signed_off_on(supervisor, supervisee, day, hour=16):
    return SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=day - datetime.timedelta(days=3),
        record_state=RecordState.SIGNED_OFF,
        shared_at=datetime.datetime.combine(day, datetime.time(9), LONDON),
        signed_off_at=datetime.datetime.combine(day, datetime.time(hour), LONDON),
    )


def test_default_policy_keeps_feedback_open_14_days():
    assert AuditPolicy().feedback_open_days == 14


def test_open_on_the_last_day(supervisor, supervisee, today):
    session = signed_off_on(supervisor, supervisee, today - datetime.timedelta(days=14))
    access = SessionAccess(supervisee, session)
    assert access.feedback_closes_on == today
    assert access.can_give_feedback


def test_closed_the_day_after(supervisor, supervisee, today):
    session = signed_off_on(supervisor, supervisee, today - datetime.timedelta(days=15))
    access = SessionAccess(supervisee, session)
    assert not access.can_give_feedback
    closed = today - datetime.timedelta(days=1)
    assert access.refusal("give_feedback") == (
        f"Feedback on this record closed on {closed:%-d %B %Y}, 14 days after it was signed off."
    )


def test_zero_days_means_until_the_end_of_the_sign_off_day(supervisor, supervisee, today):
    AuditPolicy.objects.update_or_create(
        pk=AuditPolicy.current().pk, defaults={"feedback_open_days": 0}
    )
    assert SessionAccess(supervisee, signed_off_on(supervisor, supervisee, today)).can_give_feedback
    day = today - datetime.timedelta(days=1)
    yesterday = signed_off_on(supervisor, supervisee, day)
    assert SessionAccess(supervisee, yesterday).refusal("give_feedback") == (
        f"Feedback on this record closed on {day:%-d %B %Y}, the day it was signed off."
    )


def test_days_are_counted_in_the_organisations_time_zone(supervisor, supervisee, time_machine):
    # Signed off at 00:30 on 1 July in London, which is still 30 June in UTC.
    time_machine.move_to(datetime.datetime(2026, 7, 15, 23, 30, tzinfo=LONDON), tick=False)
    session = SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=datetime.date(2026, 6, 28),
        record_state=RecordState.SIGNED_OFF,
        shared_at=datetime.datetime(2026, 6, 29, 9, tzinfo=LONDON),
        signed_off_at=datetime.datetime(2026, 7, 1, 0, 30, tzinfo=LONDON),
    )
    access = SessionAccess(supervisee, session)
    assert access.feedback_closes_on == datetime.date(2026, 7, 15)
    assert access.can_give_feedback
    time_machine.move_to(datetime.datetime(2026, 7, 16, 0, 5, tzinfo=LONDON), tick=False)
    assert not SessionAccess(supervisee, session).can_give_feedback


def test_the_page_takes_feedback_until_it_closes_then_refuses_it(login, supervisor, supervisee):
    day = clock.today()
    open_one = signed_off_on(supervisor, supervisee, day - datetime.timedelta(days=14))
    closed_one = signed_off_on(supervisor, supervisee, day - datetime.timedelta(days=15))
    client = login(supervisee)

    page = client.get(reverse("sessions:feedback", args=[open_one.pk])).content.decode()
    assert f"until {day:%-d %B %Y}" in page
    assert (
        client.post(reverse("sessions:feedback", args=[open_one.pk]), FEEDBACK).status_code == 302
    )

    response = client.post(reverse("sessions:feedback", args=[closed_one.pk]), FEEDBACK)
    assert response.status_code == 403
    assert "closed on" in response.content.decode()
    assert Feedback.objects.filter(session=closed_one).count() == 0


def test_the_supervisor_still_may_not_give_feedback(supervisor, supervisee, today):
    session = signed_off_on(supervisor, supervisee, today)
    assert not SessionAccess(supervisor, session).can_give_feedback
