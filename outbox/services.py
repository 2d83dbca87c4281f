"""Queue an email: the one way Fourfold sends mail (the worker does the sending)."""

import functools

from django.db import transaction

from core import clock

from .models import OutgoingEmail
from .tasks import deliver

SUBJECT_MAX = OutgoingEmail._meta.get_field("subject").max_length


def one_line(text) -> str:
    """`text` with every run of whitespace, line breaks included, turned into one space.

    A line break in a header is how header injection works, and the email library refuses
    it (the send fails): a name pasted from a spreadsheet cell can carry one. Whatever goes
    into a subject passes through here.
    """
    return " ".join(str(text).split())


def queue_email(*, to: str, subject: str, body: str, kind: str, person=None) -> OutgoingEmail:
    """Write an email to the outbox, in the caller's transaction, and nudge the worker.

    Call it inside the transaction of the change the email tells of: if that rolls back, so
    does the email, so nobody hears of something that did not happen; once it commits, the
    email is in the outbox and will be sent, retried if need be, whatever the mail server
    is doing now. The request that caused it never waits for, or fails with, the sending.
    """
    subject = one_line(subject)
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1] + "…"
    email = OutgoingEmail.objects.create(
        kind=kind,
        person=person,
        to=to,
        subject=subject,
        body=body,
        next_attempt_at=clock.now(),
    )
    # After commit, so the worker never looks for a row it cannot see yet. Robust: if the
    # nudge itself fails, that is logged, and the worker's minute sweep sends the email.
    transaction.on_commit(functools.partial(deliver.enqueue, email.pk), robust=True)
    return email
