"""Feedback counts for the sessions a person's minutes come from: those they were recorded as
present at. Feedback left behind when a correction took its giver off the record, or marked
them absent, no longer counts, on every page and door that counts feedback (the balance's
"supervisee reported dominance", the feedback tables, the inspection pack)."""

import datetime

import pytest

from audit import selectors
from inspection.pack import feedback_counts
from people.models import User
from sessions_app.models import Attendance
from tests.factories import FeedbackFactory, ItemFactory, SessionFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 15)
START, END = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)


@pytest.fixture
def given(supervisor, supervisee, other_supervisee):
    """A group of two; the supervisee said management dominated."""
    session = SessionFactory(
        supervisor=supervisor, date=DAY, attendees=[(supervisee, True), (other_supervisee, True)]
    )
    ItemFactory(session=session, functions=["management"], minutes=30)
    FeedbackFactory(
        session=session, person=supervisee, management="too_much", dominated="management"
    )
    return session


def counted(person, team_mate):
    """What each door that counts feedback counts of `person`'s."""
    summary = selectors.feedback_summary(person, START, END)
    days = selectors.fold_feedback(selectors.feedback_days(START, END, person=person), START, END)
    [balance, _other] = sorted(
        selectors.balances_of([person, team_mate], START, END),
        key=lambda b: b.supervisee != person.email,
    )
    pack = feedback_counts([person.pk, team_mate.pk], START, END)
    # Many people (an organisation's, as a subquery) are read the other way round: the same rule.
    everyone = selectors.feedback_summary(None, START, END)
    organisation = selectors.feedback_summary(None, START, END, people=User.objects.all())
    return (
        summary.dominated["management"],
        days.dominated["management"],
        balance.reported_dominance.get("management", 0),
        pack.dominated["management"],
        everyone.dominated["management"],
        organisation.dominated["management"],
    )


def test_feedback_from_someone_present_counts_everywhere(given, supervisee, other_supervisee):
    assert counted(supervisee, other_supervisee) == (1,) * 6


def test_feedback_stops_counting_when_its_giver_is_marked_absent(
    given, supervisee, other_supervisee
):
    Attendance.objects.filter(session=given, person=supervisee).update(present=False)
    assert counted(supervisee, other_supervisee) == (0,) * 6
    # As their minutes did: the session is no longer theirs.
    [balance] = selectors.balances_of([supervisee], START, END)
    assert balance.minutes.tagged == 0


def test_feedback_stops_counting_when_its_giver_is_taken_off_the_record(
    given, supervisee, other_supervisee
):
    Attendance.objects.filter(session=given, person=supervisee).delete()
    # The other attendee still attends: the session's feedback from them alone would count.
    assert counted(supervisee, other_supervisee) == (0,) * 6
