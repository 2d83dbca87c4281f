"""The outbox: every email is a row first; sending failures are retried, never lost."""

import datetime
import smtplib

import pytest
import time_machine
from django.db import transaction
from django.test import TestCase

from core import clock
from outbox import sending
from outbox.models import OutgoingEmail
from outbox.services import queue_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = OutgoingEmail.Status


@pytest.fixture
def refuse_mail(monkeypatch):
    """A mail server that is down until the test puts it back (monkeypatch.undo)."""

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server went away")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    return monkeypatch


def queue(to="sue@example.org", subject="Hello", person=None):
    """Queue an email in a transaction and commit it, nudging the (immediate) worker."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        with transaction.atomic():
            email = queue_email(to=to, subject=subject, body="Body", kind="test", person=person)
    email.refresh_from_db()
    return email


def at(moment):
    return time_machine.travel(moment, tick=False)


def test_a_queued_email_is_sent_when_its_transaction_commits(mailoutbox):
    email = queue()
    assert [m.to for m in mailoutbox] == [["sue@example.org"]]
    assert (email.status, email.attempts, email.next_attempt_at) == (Status.SENT, 1, None)
    assert email.sent_at is not None


def test_a_failing_send_is_recorded_and_retried_later_then_sent(refuse_mail, mailoutbox, caplog):
    email = queue()
    assert mailoutbox == []
    assert (email.status, email.attempts) == (Status.PENDING, 1)
    assert email.last_error == "SMTPServerDisconnected: mail server went away"
    assert email.next_attempt_at == email.last_attempt_at + datetime.timedelta(minutes=1)
    assert f"Could not send outgoing email {email.pk} (test), attempt 1 of" in caplog.text

    # Not before its time, even if the server is back.
    refuse_mail.undo()
    assert sending.send_due() == 0
    assert mailoutbox == []

    with at(email.next_attempt_at):
        assert sending.send_due() == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 2)
    assert [m.subject for m in mailoutbox] == ["Hello"]
    # Sent once: the next sweeps find nothing to do.
    with at(clock.now() + datetime.timedelta(days=5)):
        assert sending.send_due() == 0
    assert len(mailoutbox) == 1


def test_a_permanently_failing_address_stops_after_the_last_attempt_and_stays(
    refuse_mail, mailoutbox, caplog
):
    email = queue(to="nobody@gone.example")
    waits = []
    while email.status == Status.PENDING:
        waits.append(email.next_attempt_at - email.last_attempt_at)
        with at(email.next_attempt_at):
            sending.send_due()
        email.refresh_from_db()
    # Longer and longer waits between tries, then no more.
    assert waits == list(sending.RETRY_DELAYS)
    assert sum(waits, datetime.timedelta()) > datetime.timedelta(days=2, hours=12)
    assert (email.status, email.attempts, email.next_attempt_at) == (
        Status.GAVE_UP,
        sending.MAX_ATTEMPTS,
        None,
    )
    assert "mail server went away" in email.last_error
    assert f"Gave up on outgoing email {email.pk}" in caplog.text
    with at(clock.now() + datetime.timedelta(days=30)):
        assert sending.send_due() == 0
    email.refresh_from_db()
    assert email.attempts == sending.MAX_ATTEMPTS
    assert mailoutbox == []


def test_an_email_whose_nudge_was_lost_is_sent_by_the_sweep(mailoutbox):
    # Committed, but the worker was never told (the process died right after the commit).
    email = queue_email(to="sue@example.org", subject="Hello", body="Body", kind="test")
    assert mailoutbox == []
    assert sending.send_due() == 1
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert len(mailoutbox) == 1


def test_an_email_is_sent_once_even_when_two_workers_try(mailoutbox):
    email = queue_email(to="sue@example.org", subject="Hello", body="Body", kind="test")
    assert sending.send_one(email.pk) == Status.SENT
    assert sending.send_one(email.pk) is None
    assert sending.send_due() == 0
    assert len(mailoutbox) == 1


def test_an_email_claimed_by_a_worker_that_died_is_sent_after_the_claim_runs_out(mailoutbox):
    email = queue_email(to="sue@example.org", subject="Hello", body="Body", kind="test")
    now = clock.now()
    OutgoingEmail.objects.filter(pk=email.pk).update(
        attempts=1, next_attempt_at=now + sending.CLAIM_TIMEOUT
    )
    assert sending.send_due() == 0
    with at(now + sending.CLAIM_TIMEOUT):
        assert sending.send_due() == 1
    assert len(mailoutbox) == 1


def test_someone_who_left_before_it_went_gets_nothing(mailoutbox):
    person = UserFactory(email="left@example.org")
    email = queue_email(to=person.email, subject="Hello", body="Body", kind="test", person=person)
    person.is_active = False
    person.save()
    sending.send_due()
    email.refresh_from_db()
    assert email.status == Status.SKIPPED
    assert mailoutbox == []


def test_a_sweep_stops_at_the_first_failure_and_keeps_the_rest(refuse_mail, mailoutbox):
    for n in range(3):
        queue_email(to=f"p{n}@example.org", subject="Hello", body="Body", kind="test")
    assert sending.send_due() == 0
    assert list(OutgoingEmail.objects.order_by("pk").values_list("attempts", flat=True)) == [
        1,
        0,
        0,
    ]
    refuse_mail.undo()
    assert sending.send_due() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["p1@example.org", "p2@example.org"]


def test_a_subject_is_one_line_and_fits(mailoutbox):
    email = queue(subject="Sam\r\nBcc: all@example.org\u2028 and " + "very " * 100 + "long")
    assert email.subject.startswith("Sam Bcc: all@example.org and very very")
    assert len(email.subject) == 300
    assert email.subject.endswith("…")
    assert mailoutbox[0].message()["Bcc"] is None


def test_prune_keeps_recent_and_given_up_emails_longer(mailoutbox):
    now = clock.now()

    def made(days_ago, status):
        return OutgoingEmail.objects.create(
            kind="test",
            to="sue@example.org",
            subject="s",
            body="b",
            status=status,
            created_at=now - datetime.timedelta(days=days_ago),
        )

    kept = [made(29, Status.SENT), made(89, Status.GAVE_UP), made(200, Status.PENDING)]
    made(31, Status.SENT)
    made(31, Status.SKIPPED)
    made(91, Status.GAVE_UP)
    assert sending.prune(now=now) == 3
    assert set(OutgoingEmail.objects.all()) == set(kept)
