"""Honest audiences: the audit policy's `feedback_visibility` decides who sees a supervisee's
feedback, the feedback form says exactly that, and every page follows it.

- "counts" (the default): the supervisor reads it; line managers and administrators see the
  answers as counts over a period, and the flag when a function dominated.
- "pair_only": between supervisee and the supervisor of the session; anyone else sees only
  how many feedbacks were given.
"""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditPolicy
from core import clock
from inspection.pack import build_pack
from people.models import FeedbackVisibility
from sessions_app.models import Feedback, RecordState
from tests.factories import ItemFactory, RelationshipFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def set_visibility(value):
    AuditPolicy.objects.update_or_create(
        pk=AuditPolicy.current().pk, defaults={"feedback_visibility": value}
    )


@pytest.fixture(params=[FeedbackVisibility.COUNTS, FeedbackVisibility.PAIR_ONLY])
def visibility(request, db):
    set_visibility(request.param)
    return request.param


@pytest.fixture
def said(supervisor, supervisee):
    """Two shared sessions led by Sue; Sam said management dominated in one of them."""
    sessions = []
    for days in (20, 10):
        session = SessionFactory(
            supervisor=supervisor,
            supervisee=supervisee,
            date=clock.today() - datetime.timedelta(days=days),
            record_state=RecordState.SHARED,
        )
        ItemFactory(session=session, minutes=60, functions=["management"])
        sessions.append(session)
    Feedback.objects.create(
        session=sessions[-1],
        person=supervisee,
        management="too_much",
        development="too_little",
        support="about_right",
        mediation="about_right",
        dominated="management",
        wants_more="development",
        usefulness=2,
        comments="Secret comment",
    )
    return sessions


def text(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def person_page(client, person):
    return text(client, reverse("audit:person", args=[person.pk]))


def test_the_feedback_form_says_who_sees_it_under_each_setting(
    login, supervisee, said, manager, visibility
):
    page = text(login(supervisee), reverse("sessions:feedback", args=[said[0].pk]))
    if visibility == FeedbackVisibility.PAIR_ONLY:
        assert "Sue Supervisor reads all of your answers and comments; nobody else does." in page
        assert (
            "Your line manager (Mo Manager) and administrators see only how many feedbacks you "
            "have given: never your answers, your comments or which session they were about."
        ) in page
        assert "as counts over a period" not in page
    else:
        assert "Sue Supervisor reads all of your answers and comments." in page
        assert "only as counts over a period on your balance page" in page
        assert "nobody else does" not in page


def test_a_manager_sees_answers_as_counts_by_default_and_only_how_many_when_private(
    login, manager, supervisee, said, visibility
):
    page = person_page(login(manager), supervisee)
    assert "Secret comment" not in page
    if visibility == FeedbackVisibility.PAIR_ONLY:
        assert "1 feedback given on sessions in the window" in page
        assert "you see how many were given, not what they said" in page
        assert "Feedback on each function beside its recorded share" not in page
        assert "Supervisee said management dominated" not in page
    else:
        assert "Feedback on each function beside its recorded share" in page
        assert "Supervisee said management dominated" in page
        assert 'id="feedback-policy"' not in page


def test_the_supervisor_of_the_session_sees_the_answers_under_both_settings(
    login, supervisor, supervisee, said, visibility
):
    page = person_page(login(supervisor), supervisee)
    assert "Feedback on each function beside its recorded share" in page
    assert "Supervisee said management dominated" in page
    assert "Usefulness: 2 out of 5 on average." in page


def test_another_supervisor_of_the_person_sees_only_their_own_sessions_when_private(
    login, supervisor, supervisee, said
):
    practice = UserFactory(email="pip@example.org", name="Pip Practice")
    RelationshipFactory(supervisor=practice, supervisee=supervisee, kind="practice")
    set_visibility(FeedbackVisibility.PAIR_ONLY)
    page = person_page(login(practice), supervisee)
    assert "1 feedback given on sessions in the window" in page
    assert "Feedback on each function beside its recorded share" not in page


def test_the_supervisee_sees_all_their_own_feedback_under_both_settings(
    login, supervisee, said, visibility
):
    page = text(login(supervisee), reverse("audit:my_balance"))
    assert "Feedback on each function beside its recorded share" in page
    assert 'id="feedback-policy"' not in page


def test_the_team_page_shows_counts_only_when_private(login, manager, supervisee, said, visibility):
    client = login(manager)
    page = text(client, reverse("audit:team_feedback"))
    section = page.split('id="said-heading"')[1].split("</section>")[0]
    assert "1 feedback given by supervisees of Adults North" in section
    # The flag it raises is on the team's balance, beside the supervisee's shares.
    balance = text(client, reverse("audit:team_balance"))
    if visibility == FeedbackVisibility.PAIR_ONLY:
        assert "Management 1" not in section
        assert "you see how many were given" in section
        assert "Supervisee said management dominated" not in balance
    else:
        assert "Said a function dominated: <span" in section and "Management 1" in section
        assert "Supervisee said management dominated" in balance


def test_balance_report_leaves_out_what_was_said_when_feedback_is_private(supervisee, said):
    def flags():
        out = io.StringIO()
        call_command("balance_report", "--supervisee", supervisee.email, stdout=out)
        (row,) = json.loads(out.getvalue())
        return [flag["code"] for flag in row["flags"]]

    assert "supervisee_reported_dominance" in flags()
    set_visibility(FeedbackVisibility.PAIR_ONLY)
    assert "supervisee_reported_dominance" not in flags()


def test_the_inspection_pack_gives_only_how_many_when_feedback_is_private(
    manager, team, supervisee, said, visibility
):
    today = clock.today()
    pack = build_pack(
        user=manager, team=team, start=today - datetime.timedelta(days=89), end=today, today=today
    )
    codes = {flag.code for balance in pack.balances for flag in balance.flags}
    assert pack.feedback.feedbacks == 1
    if visibility == FeedbackVisibility.PAIR_ONLY:
        assert (pack.feedback_detail, pack.perceived) == (False, [])
        assert "supervisee_reported_dominance" not in codes
    else:
        assert pack.feedback_detail and pack.perceived[0]["dominated"] == 1
        assert "supervisee_reported_dominance" in codes
