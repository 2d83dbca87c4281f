"""The record lifecycle: draft -> shared -> acknowledged by each present attendee -> signed off.

A signed-off record is locked: corrections are addenda. Every change is kept in history by
django-simple-history on the models themselves.

Each step names who takes it (`by`) and refuses, with the reason, whatever the access policy
(`sessions_app.access.SessionAccess`) refuses: the pages, the admin, the import and the demo
all go through here, so no door can take a step the record page would not offer.
"""

import functools

from django.db import OperationalError, transaction

from core import clock
from core.db import BUSY, is_busy

from . import brought_forward, notifications
from .access import Refused, SessionAccess
from .models import (
    AccessLog,
    Acknowledgement,
    Action,
    ActionStatus,
    Addendum,
    DisputeReply,
    Feedback,
    ReadPlace,
    RecordState,
    Response,
    Session,
)


def _one_writer_at_a_time(step):
    """Run `step` in one transaction; when the record stays locked too long, refuse with BUSY.

    The lock itself is taken by `_locked`: a row lock on PostgreSQL; on SQLite the whole
    database, which every transaction locks as it begins (OPTIONS "transaction_mode":
    "IMMEDIATE"), so two steps on one record run one after the other, never interleaved, and
    each one's checks read what the one before it wrote.
    """

    @functools.wraps(step)
    def run(*args, **kwargs):
        try:
            with transaction.atomic():
                return step(*args, **kwargs)
        except OperationalError as exc:
            if is_busy(exc):
                raise Refused(BUSY) from exc
            raise

    return run


def _locked(session: Session, by, step: str) -> tuple[Session, SessionAccess]:
    """The session row locked for this transaction, and the step checked against it."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    access = SessionAccess(by, session)
    access.require(step)
    return session, access


def record_read_log(*, session: Session, by, place: str = ReadPlace.RECORD_PAGE) -> None:
    """Note a read by someone who is not a party to the record (managers, administrators)."""
    if SessionAccess(by, session).is_logged:
        label = f"{session.title()}, {session.date:%-d %b %Y} (session {session.pk})"
        AccessLog.objects.create(user=by, session=session, session_label=label, place=place)


@_one_writer_at_a_time
def record_share(*, session: Session, by, notify: bool = True) -> Session:
    """Share a held session's record with the people who were there.

    `notify=False` queues no email: for records written after the fact (the demo
    organisation), whose people were told at the time. The same holds for acknowledgements and
    feedback.
    """
    session, _access = _locked(session, by, "share")
    session.record_state = RecordState.SHARED
    session.shared_at = clock.now()
    session.version += 1
    session.save()
    brought_forward.refresh_checks([session.date])  # the organisation's checks count it shared
    if notify:
        notifications.record_shared(session)
    return session


@_one_writer_at_a_time
def record_withdraw(*, session: Session, by) -> Session:
    """Take a shared record back to draft: only before anyone has acknowledged it."""
    session, _access = _locked(session, by, "withdraw")
    session.record_state = RecordState.DRAFT
    session.shared_at = None
    session.version += 1
    session.save()
    brought_forward.refresh_checks([session.date])
    return session


@_one_writer_at_a_time
def record_acknowledge(
    *, session: Session, by, response: str, comments: str = "", notify: bool = True
) -> Acknowledgement:
    """A present attendee agrees, agrees with comments, or disagrees with reasons."""
    session, _access = _locked(session, by, "acknowledge")
    if response != Response.AGREE and not comments.strip():
        raise Refused("Say what you would add or what you disagree with.")
    acknowledgement = Acknowledgement.objects.create(
        session=session, person=by, response=response, comments=comments.strip()
    )
    if notify:
        notifications.record_acknowledged(acknowledgement)
    return acknowledgement


@_one_writer_at_a_time
def record_sign_off(*, session: Session, by) -> Session:
    """Lock the record once everyone present has acknowledged it."""
    session, _access = _locked(session, by, "sign_off")
    session.record_state = RecordState.SIGNED_OFF
    session.signed_off_at = clock.now()
    session.version += 1
    session.save()
    return session


@_one_writer_at_a_time
def addendum_add(*, session: Session, by, text: str) -> Addendum:
    """Corrections and additions to a shared or signed-off record, never edits in place."""
    session, _access = _locked(session, by, "add_addendum")
    if not text.strip():
        raise Refused("Write the addendum.")
    return Addendum.objects.create(session=session, author=by, text=text.strip())


@_one_writer_at_a_time
def dispute_reply(
    *, acknowledgement: Acknowledgement, by, text: str, notify: bool = True
) -> DisputeReply:
    """The supervisor answers a supervisee's disagreement, on the record; the supervisee is told."""
    session, _access = _locked(acknowledgement.session, by, "reply_to_dispute")
    acknowledgement = Acknowledgement.objects.select_related("person").get(pk=acknowledgement.pk)
    if acknowledgement.session_id != session.pk or acknowledgement.response != Response.DISAGREE:
        raise Refused("Only a disagreement with this record is answered here.")
    if not text.strip():
        raise Refused("Write your reply.")
    reply = DisputeReply.objects.create(
        acknowledgement=acknowledgement, session=session, author=by, text=text.strip()
    )
    # No longer waiting: kept beside the reply (which history keeps), not a change of the
    # acknowledgement itself, so no history row of its own.
    Acknowledgement.objects.filter(pk=acknowledgement.pk, waiting_reply=True).update(
        waiting_reply=False
    )
    if notify:
        notifications.dispute_replied(reply)
    return reply


@_one_writer_at_a_time
def feedback_save(*, session: Session, by, values: dict, notify: bool = True) -> Feedback:
    """Create or update a supervisee's feedback on a session, until the record is signed off."""
    session, _access = _locked(session, by, "give_feedback")
    feedback, _created = Feedback.objects.update_or_create(
        session=session, person=by, defaults=values
    )
    if notify:
        notifications.feedback_given(feedback)
    return feedback


@_one_writer_at_a_time
def action_mark_done(*, action: Action, by) -> Action:
    """The owner of an open action marks it done."""
    action = Action.objects.select_for_update().select_related("session").get(pk=action.pk)
    reason = SessionAccess(by, action.session).refusal_to_mark_done(action)
    if reason is not None:
        raise Refused(reason)
    action.status = ActionStatus.DONE
    action.completed_on = clock.today()
    action.save(update_fields=["status", "completed_on"])
    # The sessions it was brought forward to: whether it still needed review there.
    brought_forward.hold([action.session.supervisor_id])
    brought_forward.refresh(brought_forward.reviewing([action.session_id]))
    return action
