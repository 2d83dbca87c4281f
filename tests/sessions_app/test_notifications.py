"""Emails that tell people their record moved on: who gets them, and what they never say.

They are queued in the outbox inside the change's transaction and sent by the worker once it
commits; in tests the worker is the immediate backend, so a committed email is in `mailoutbox`.
"""

import datetime
import smtplib

import pytest
from django.db import transaction
from django.urls import reverse

from outbox.models import OutgoingEmail
from sessions_app import notifications, records
from sessions_app.models import Acknowledgement, Feedback, RecordState, Response
from tests.conftest import sign_in_as
from tests.factories import GroupSessionFactory, ItemFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

DATE = datetime.date(2026, 1, 15)


@pytest.fixture
def shared(supervisor, supervisee):
    session = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=DATE, record_state=RecordState.SHARED
    )
    ItemFactory(
        session=session, title="Bereavement leave", notes="Her father died", confidential=True
    )
    ItemFactory(session=session, title="Caseload CR-77", notes="Court report late")
    return session


def record_link(session):
    return f"http://testserver.example/sessions/{session.pk}/"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver.example"


@pytest.fixture
def notify(django_capture_on_commit_callbacks):
    """Queue a notification in a transaction and commit it: the worker then sends it."""

    def run(notification, subject):
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                return notification(subject)

    return run


@pytest.fixture
def refuse_mail(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server went away")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)


def test_record_shared_tells_the_supervisee_with_a_link_and_no_content(mailoutbox, notify, shared):
    assert notify(notifications.record_shared, shared) == 1
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["sam@example.org"]
    assert email.subject == "Your supervision record of 15 January 2026 is ready to read"
    assert record_link(shared) in email.body
    assert "Sue Supervisor" in email.body
    assert "Thursday 15 January 2026" in email.body
    for secret in ("Bereavement", "father", "Caseload", "CR-77", "Court report"):
        assert secret not in email.body
        assert secret not in email.subject


def test_record_shared_emails_each_present_group_attendee_separately(
    mailoutbox, notify, supervisor
):
    here = UserFactory(email="here@example.org")
    also = UserFactory(email="also@example.org")
    away = UserFactory(email="away@example.org")
    left = UserFactory(email="left@example.org", is_active=False)
    session = GroupSessionFactory(
        supervisor=supervisor,
        date=DATE,
        record_state=RecordState.SHARED,
        attendees=[(here, True), (also, True), (away, False), (left, True), (supervisor, True)],
    )
    ItemFactory(session=session, title="Team pressures", confidential=True)
    assert notify(notifications.record_shared, session) == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["also@example.org", "here@example.org"]
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mailoutbox)
    assert "team group supervision" in mailoutbox[0].body
    assert "Team pressures" not in mailoutbox[0].body


def test_notifications_ignore_the_reminder_setting(
    mailoutbox, notify, supervisor, supervisee, shared
):
    supervisee.reminder_emails = False
    supervisee.save()
    notify(notifications.record_shared, shared)
    assert [m.to for m in mailoutbox] == [["sam@example.org"]]


def test_inactive_supervisee_gets_nothing(mailoutbox, notify, supervisee, shared):
    supervisee.is_active = False
    supervisee.save()
    assert notify(notifications.record_shared, shared) == 0
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("response", "comments", "subject_verb"),
    [
        (Response.AGREE, "", "agreed with"),
        (Response.AGREE_WITH_COMMENTS, "We also agreed I'd shadow Jo & Co.", "agreed, with"),
        (Response.DISAGREE, "The second item <b>wasn't</b> discussed.", "disagreed with"),
    ],
)
def test_record_acknowledged_tells_the_supervisor_what_was_said(
    mailoutbox, notify, shared, supervisee, response, comments, subject_verb
):
    ack = Acknowledgement.objects.create(
        session=shared, person=supervisee, response=response, comments=comments
    )
    assert notify(notifications.record_acknowledged, ack) == 1
    email = mailoutbox[0]
    assert email.to == ["sue@example.org"]
    assert email.subject.startswith(f"Sam Social {subject_verb}")
    assert "15 January 2026" in email.subject
    assert Response(response).label in email.body
    # The supervisee's own words, exactly: a plain-text email is not HTML-escaped.
    assert comments in email.body
    assert record_link(shared) in email.body
    assert "Bereavement" not in email.body


def test_record_acknowledged_to_an_inactive_supervisor_sends_nothing(
    mailoutbox, notify, shared, supervisor, supervisee
):
    supervisor.is_active = False
    supervisor.save()
    ack = Acknowledgement.objects.create(session=shared, person=supervisee, response="agree")
    assert notify(notifications.record_acknowledged, ack) == 0
    assert mailoutbox == []


def feedback(session, person, **extra):
    values = {
        "management": "too_much",
        "development": "too_little",
        "support": "about_right",
        "mediation": "about_right",
        "usefulness": 4,
    }
    return Feedback.objects.create(session=session, person=person, **(values | extra))


def test_feedback_given_tells_the_supervisor_usefulness_and_dominance(
    mailoutbox, notify, shared, supervisee
):
    given = feedback(shared, supervisee, dominated="management", wants_more="development")
    assert notify(notifications.feedback_given, given) == 1
    email = mailoutbox[0]
    assert email.to == ["sue@example.org"]
    assert email.subject == "Sam Social gave feedback on supervision of 15 January 2026"
    assert "4 out of 5" in email.body
    assert "dominated: Management" in email.body
    assert "Development" in email.body
    assert record_link(shared) in email.body


def test_feedback_without_dominance_says_so(mailoutbox, notify, shared, supervisee):
    notify(notifications.feedback_given, feedback(shared, supervisee, usefulness=2, dominated=""))
    body = mailoutbox[0].body
    assert "2 out of 5" in body
    assert "did not feel that any one function dominated" in body


def test_feedback_that_skipped_the_question_says_so(mailoutbox, notify, shared, supervisee):
    notify(notifications.feedback_given, feedback(shared, supervisee, dominated=None))
    body = mailoutbox[0].body
    assert "did not say whether one function dominated" in body
    assert "did not feel" not in body


def test_queued_inside_the_transaction_and_sent_only_after_it_commits(
    mailoutbox, supervisor, django_capture_on_commit_callbacks
):
    draft = SessionFactory(supervisor=supervisor, supervisee=UserFactory(), date=DATE)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            records.record_share(session=draft, by=supervisor)
            queued = OutgoingEmail.objects.get()
            assert queued.status == OutgoingEmail.Status.PENDING
            assert mailoutbox == []
    assert [m.subject for m in mailoutbox] == [queued.subject]
    queued.refresh_from_db()
    assert queued.status == OutgoingEmail.Status.SENT
    assert queued.attempts == 1


def test_a_rolled_back_change_leaves_no_email(
    mailoutbox, supervisor, django_capture_on_commit_callbacks
):
    draft = SessionFactory(supervisor=supervisor, supervisee=UserFactory(), date=DATE)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            records.record_share(session=draft, by=supervisor)
            assert OutgoingEmail.objects.count() == 1
            raise RuntimeError("something later in the same request failed")
    assert not OutgoingEmail.objects.exists()
    assert mailoutbox == []
    draft.refresh_from_db()
    assert draft.record_state == RecordState.DRAFT


# -- requests never fail because of mail -------------------------------------------------------


@pytest.fixture
def two_line_name(supervisee):
    """A display name pasted from a spreadsheet cell, line break and all."""
    supervisee.name = "Sam\nSocial"
    supervisee.save()
    return supervisee


def test_a_name_with_a_line_break_acknowledges_and_the_supervisor_is_told(
    client, mailoutbox, shared, two_line_name, django_capture_on_commit_callbacks
):
    sign_in_as(client, two_line_name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sessions:acknowledge", args=[shared.pk]),
            {"response": "disagree", "comments": "Not what we agreed."},
        )
    assert response.status_code == 302
    assert Acknowledgement.objects.filter(person=two_line_name).exists()
    assert [m.to for m in mailoutbox] == [["sue@example.org"]]
    assert mailoutbox[0].subject == (
        "Sam Social disagreed with the supervision record of 15 January 2026"
    )
    # What Python's email library would refuse to send, and what injection needs.
    assert "\n" not in mailoutbox[0].message()["Subject"]


def test_a_name_with_a_line_break_gives_feedback_and_the_supervisor_is_told(
    client, mailoutbox, shared, two_line_name, django_capture_on_commit_callbacks
):
    sign_in_as(client, two_line_name)
    form = {
        "management": "too_much",
        "development": "too_little",
        "support": "about_right",
        "mediation": "about_right",
        "usefulness": "4",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sessions:feedback", args=[shared.pk]), form)
    assert response.status_code == 302
    assert Feedback.objects.filter(person=two_line_name).exists()
    assert [m.subject for m in mailoutbox] == [
        "Sam Social gave feedback on supervision of 15 January 2026"
    ]


def test_a_name_cannot_inject_a_header(mailoutbox, notify, shared, supervisee):
    supervisee.name = "Sam\r\nBcc: everyone@example.org"
    supervisee.save()
    ack = Acknowledgement.objects.create(session=shared, person=supervisee, response="agree")
    notify(notifications.record_acknowledged, ack)
    email = mailoutbox[0]
    assert email.subject.startswith("Sam Bcc: everyone@example.org agreed with")
    assert email.bcc == []
    assert email.message()["Bcc"] is None


def test_the_mail_server_down_does_not_fail_the_acknowledgement(
    client, mailoutbox, shared, supervisee, refuse_mail, django_capture_on_commit_callbacks
):
    sign_in_as(client, supervisee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sessions:acknowledge", args=[shared.pk]), {"response": "agree"}
        )
    assert response.status_code == 302
    assert Acknowledgement.objects.filter(person=supervisee).exists()
    # Not sent, not lost: waiting in the outbox for the worker to try again.
    email = OutgoingEmail.objects.get()
    assert (email.to, email.status, email.attempts) == (
        "sue@example.org",
        OutgoingEmail.Status.PENDING,
        1,
    )
    assert "mail server went away" in email.last_error
    assert email.next_attempt_at > email.last_attempt_at
