"""A session moved to another day counts on its new day everywhere the audits look.

Each attendance keeps its session's date (`Attendance.session_date`), and the audits find a
person's sessions by it: the minutes of a window, the last one-to-one held, the next one
booked. Every way a session's day changes (the record page, a re-import, a reschedule) moves
the attendees' copy with it; the seeding's own tests check the data they write.
"""

import datetime

import pytest
from django.db.models import F
from django.urls import reverse

from audit import selectors
from core import clock
from core.vocabulary import FUNCTIONS
from people.models import Relationship
from sessions_app import attention
from sessions_app.models import Attendance, Feedback, Session, Status
from sessions_app.selectors import with_last_held, with_next_planned
from tests.factories import FeedbackFactory, SessionFactory
from tests.imports.helpers import SESSIONS_HEADER, csv_text, run, session_row
from tests.sessions_app.forms_data import session_post

pytestmark = pytest.mark.django_db

JAN_15, JAN_22 = datetime.date(2026, 1, 15), datetime.date(2026, 1, 22)


def days_with_minutes(person):
    daily = selectors.daily_minutes([person.pk], datetime.date(2026, 1, 1), JAN_22)
    return sorted(daily.get(person.pk, {}))


def last_held(person, window_end=JAN_22):
    return (
        with_last_held(Relationship.objects.filter(supervisee=person), window_end).get().last_held
    )


def every_copy_matches():
    attendances = Attendance.objects.exclude(session_date=F("session__date"))
    feedback = Feedback.objects.exclude(
        session_date=F("session__date"), session_supervisor=F("session__supervisor")
    )
    return not attendances.exists() and not feedback.exists()


def reported(person, day, many=True):
    """What the person's feedback on `day`'s sessions said dominated, read as an organisation's
    page reads it (`many`: by the feedback's copy of the date) and as a team's: the same."""
    people = [person.pk] * (selectors.ID_LIST_FROM + 1) if many else [person.pk]
    rows = selectors.feedback_in_window(day, day, people=people).filter(dominated__in=FUNCTIONS)
    counted = {}
    for dominated in rows.values_list("dominated", flat=True):
        counted[dominated] = counted.get(dominated, 0) + 1
    if many:
        assert counted == reported(person, day, many=False)
    return counted


def test_a_session_moved_on_the_record_page_counts_on_its_new_day(login, supervisor, supervisee):
    client = login(supervisor)
    items = [{"title": "Caseload", "minutes": 40, "functions": ["support"]}]
    client.post(
        reverse("sessions:new"), session_post(supervisee=supervisee, date=JAN_15, items=items)
    )
    session = Session.objects.get()
    assert days_with_minutes(supervisee) == [JAN_15]
    assert last_held(supervisee, window_end=JAN_15) == JAN_15
    # Feedback given while it was shared, kept when the supervisor withdrew it to correct it.
    feedback = FeedbackFactory(session=session, person=supervisee, dominated="support")
    assert feedback.session_date == JAN_15
    attendance_history, feedback_history = Attendance.history.count(), Feedback.history.count()

    item = session.items.get()
    response = client.post(
        reverse("sessions:edit", args=[session.pk]),
        session_post(
            supervisee=supervisee,
            date=JAN_22,
            version=session.version,
            initial_items=1,
            items=[{"id": item.pk, **items[0]}],
        ),
    )

    assert response.status_code == 302
    assert days_with_minutes(supervisee) == [JAN_22]
    assert last_held(supervisee) == JAN_22
    # Before its new day nothing was held: the gap is measured from no session at all.
    assert last_held(supervisee, window_end=JAN_15) is None
    assert every_copy_matches()
    assert reported(supervisee, JAN_22) == {"support": 1}
    assert reported(supervisee, JAN_15) == {}
    # The session's history shows the new date; the attendee's and the feedback's copies are
    # not a change of theirs.
    assert Attendance.history.count() == attendance_history
    assert Feedback.history.count() == feedback_history


def test_a_reimport_that_moves_a_session_counts_it_on_its_new_day(supervisor, supervisee, tmp_path):
    def sessions_file(day):
        path = tmp_path / f"sessions-{day}.csv"
        path.write_text(csv_text(SESSIONS_HEADER, [session_row(date=day)]))
        return path

    run("import_sessions", sessions_file("2026-01-15"))
    assert days_with_minutes(supervisee) == [JAN_15]
    FeedbackFactory(session=Session.objects.get(), person=supervisee, dominated="management")
    attendance_history = Attendance.history.count()

    output = run("import_sessions", sessions_file("2026-01-22"))

    assert "(0 new, 1 changed, 0 unchanged)" in output
    assert days_with_minutes(supervisee) == [JAN_22]
    assert last_held(supervisee) == JAN_22
    assert every_copy_matches()
    assert reported(supervisee, JAN_22) == {"management": 1}
    assert Attendance.history.count() == attendance_history


def test_a_rescheduled_session_is_next_on_its_new_day(login, supervisor, supervisee):
    today = clock.today()
    session = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, status=Status.PLANNED, date=today
    )
    relationships = Relationship.objects.filter(supervisee=supervisee)
    assert with_next_planned(relationships, today).get().next_planned == today
    new_day = today + datetime.timedelta(days=3)

    login(supervisor).post(
        reverse("sessions:reschedule", args=[session.pk]),
        {"date": new_day.isoformat(), "start_time": "14:00", "reason": "Clash with court"},
    )

    assert with_next_planned(relationships, today).get().next_planned == new_day
    assert every_copy_matches()


def test_a_reimport_that_hands_a_session_to_another_supervisor_moves_its_feedback(
    supervisor, supervisee, other_supervisor, tmp_path
):
    """The feedback on it is now the new supervisor's to read on their home, not the old
    one's (`attention.feedback_received` finds it by its copy of the supervisor)."""

    def sessions_file(by):
        path = tmp_path / f"sessions-{by.pk}.csv"
        path.write_text(csv_text(SESSIONS_HEADER, [session_row(supervisor=by.email)]))
        return path

    run("import_sessions", sessions_file(supervisor))
    feedback = FeedbackFactory(session=Session.objects.get(), person=supervisee)
    assert list(attention.feedback_received(supervisor)) == [feedback]
    feedback_history = Feedback.history.count()

    output = run("import_sessions", sessions_file(other_supervisor))

    assert "(0 new, 1 changed, 0 unchanged)" in output
    assert Session.objects.get().supervisor == other_supervisor
    assert every_copy_matches()
    assert list(attention.feedback_received(supervisor)) == []
    assert list(attention.feedback_received(other_supervisor)) == [feedback]
    # The copy is not a change of what the supervisee said.
    assert Feedback.history.count() == feedback_history
