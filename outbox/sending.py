"""Sending what is in the outbox: one email, or all those due, each failure retried later.

A mail server that is down costs nothing but time: the failure is logged and written on the
email (attempts, last error, next try), and the email is tried again after a growing delay,
until MAX_ATTEMPTS; then it stays in the outbox as given up, for an administrator to see.
"""

import logging
from datetime import timedelta

from django.core.mail import EmailMessage
from django.db.models import F

from core import clock

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

Status = OutgoingEmail.Status

# After the nth failed attempt, wait RETRY_DELAYS[n - 1]. About three days in all, so that a
# mail relay down from Friday evening to Monday morning loses nothing.
RETRY_DELAYS = tuple(
    timedelta(minutes=m) for m in (1, 5, 15, 60, 3 * 60, 6 * 60, 12 * 60, 24 * 60, 24 * 60)
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# An email being sent is claimed until then; if its worker dies mid-send, it is due again
# afterwards. Far longer than the SMTP timeout (30 seconds in settings).
CLAIM_TIMEOUT = timedelta(minutes=10)
# How many due emails one sweep tries, at most.
BATCH = 100
# Sent emails are kept this long (an administrator can check who was told what), then
# deleted: their bodies quote records. Given-up ones are kept longer, to be noticed.
KEEP_SENT = timedelta(days=30)
KEEP_GIVEN_UP = timedelta(days=90)


def retry_delay(attempts: int) -> timedelta:
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def send_one(email_id: int, *, now=None) -> str | None:
    """Try to send one email if it is due; return its status afterwards.

    None when it was not due: already sent or given up, not yet time to try again, or
    being sent by another worker (claiming it is one conditional UPDATE, so two workers
    never send the same email).
    """
    now = now or clock.now()
    claimed = OutgoingEmail.objects.filter(
        pk=email_id, status=Status.PENDING, next_attempt_at__lte=now
    ).update(
        attempts=F("attempts") + 1,
        last_attempt_at=now,
        next_attempt_at=now + CLAIM_TIMEOUT,
    )
    if not claimed:
        return None
    email = OutgoingEmail.objects.select_related("person").get(pk=email_id)
    if email.person is not None and not email.person.is_active:
        # They left while the email waited: inactive people get no mail.
        return _record(email, status=Status.SKIPPED, next_attempt_at=None)
    try:
        EmailMessage(email.subject, email.body, None, [email.to]).send()
    except Exception as exc:  # whatever went wrong, it is written down and tried again
        return _failed(email, exc, now)
    return _record(email, status=Status.SENT, sent_at=clock.now(), next_attempt_at=None)


def _record(email, **fields):
    OutgoingEmail.objects.filter(pk=email.pk).update(**fields)
    return fields.get("status", email.status)


def _failed(email, exc, now):
    error = f"{exc.__class__.__name__}: {exc}"
    if email.attempts >= MAX_ATTEMPTS:
        logger.error(
            "Gave up on outgoing email %s (%s) after %s attempts: %s",
            email.pk,
            email.kind,
            email.attempts,
            error,
        )
        return _record(email, status=Status.GAVE_UP, next_attempt_at=None, last_error=error)
    retry_at = now + retry_delay(email.attempts)
    logger.warning(
        "Could not send outgoing email %s (%s), attempt %s of %s; trying again at %s: %s",
        email.pk,
        email.kind,
        email.attempts,
        MAX_ATTEMPTS,
        retry_at.isoformat(timespec="seconds"),
        error,
    )
    return _record(email, next_attempt_at=retry_at, last_error=error)


def send_due(*, now=None, limit: int = BATCH) -> int:
    """Send the emails whose time has come, longest waiting first; return how many went.

    Stops at the first failure: the next would most likely fail the same way (the server
    is down), and the rest are tried on the next sweep.
    """
    now = now or clock.now()
    due = (
        OutgoingEmail.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for email_id in list(due):
        status = send_one(email_id, now=now)
        if status == Status.SENT:
            sent += 1
        elif status == Status.PENDING:
            break
    return sent


def prune(*, now=None) -> int:
    """Delete sent (and skipped) emails after KEEP_SENT, given-up ones after KEEP_GIVEN_UP."""
    now = now or clock.now()
    deleted, _ = OutgoingEmail.objects.filter(
        status__in=[Status.SENT, Status.SKIPPED], created_at__lt=now - KEEP_SENT
    ).delete()
    gone, _ = OutgoingEmail.objects.filter(
        status=Status.GAVE_UP, created_at__lt=now - KEEP_GIVEN_UP
    ).delete()
    return deleted + gone
