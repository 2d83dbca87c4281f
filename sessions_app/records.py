"""The record lifecycle: draft -> shared -> acknowledged by each present attendee -> signed off.

A signed-off record is locked: corrections are addenda. Every change is kept in history by
django-simple-history on the models themselves.
"""

from django.db import transaction

from core import clock

from . import notifications
from .models import (
    Acknowledgement,
    Action,
    ActionStatus,
    Addendum,
    Feedback,
    RecordState,
    Response,
    Session,
    Status,
)


class TransitionRefused(Exception):
    """A lifecycle step that the record's state does not allow; the message says why."""


def _locked_for_update(session):
    return Session.objects.select_for_update().get(pk=session.pk)


def _present_ids(session):
    return set(session.attendances.filter(present=True).values_list("person_id", flat=True))


@transaction.atomic
def record_share(*, session: Session) -> Session:
    """Share a held session's record with the people who were there."""
    session = _locked_for_update(session)
    if session.status != Status.HELD:
        raise TransitionRefused("Only the record of a held session can be shared.")
    if session.record_state != RecordState.DRAFT:
        raise TransitionRefused("This record has already been shared.")
    if not _present_ids(session):
        raise TransitionRefused("No one is marked present, so there is no one to share it with.")
    session.record_state = RecordState.SHARED
    session.shared_at = clock.now()
    session.version += 1
    session.save()
    transaction.on_commit(lambda: notifications.record_shared(session))
    return session


@transaction.atomic
def record_withdraw(*, session: Session) -> Session:
    """Take a shared record back to draft: only before anyone has acknowledged it."""
    session = _locked_for_update(session)
    if session.record_state != RecordState.SHARED:
        raise TransitionRefused("Only a shared record can be withdrawn.")
    if session.acknowledgements.exists():
        raise TransitionRefused(
            "Someone has already acknowledged this record, so it can no longer be withdrawn. "
            "Add an addendum instead."
        )
    session.record_state = RecordState.DRAFT
    session.shared_at = None
    session.version += 1
    session.save()
    return session


@transaction.atomic
def record_acknowledge(
    *, session: Session, person, response: str, comments: str = ""
) -> Acknowledgement:
    """A present attendee agrees, agrees with comments, or disagrees with reasons."""
    session = _locked_for_update(session)
    if session.record_state == RecordState.DRAFT:
        raise TransitionRefused("This record has not been shared yet.")
    if session.record_state == RecordState.SIGNED_OFF:
        raise TransitionRefused("This record is signed off; add an addendum instead.")
    if person.pk not in _present_ids(session):
        raise TransitionRefused("Only the people present in the session acknowledge its record.")
    if session.acknowledgements.filter(person=person).exists():
        raise TransitionRefused("You have already acknowledged this record.")
    if response != Response.AGREE and not comments.strip():
        raise TransitionRefused("Say what you would add or what you disagree with.")
    acknowledgement = Acknowledgement.objects.create(
        session=session, person=person, response=response, comments=comments.strip()
    )
    transaction.on_commit(lambda: notifications.record_acknowledged(acknowledgement))
    return acknowledgement


@transaction.atomic
def record_sign_off(*, session: Session) -> Session:
    """Lock the record once everyone present has acknowledged it."""
    session = _locked_for_update(session)
    if session.record_state != RecordState.SHARED:
        raise TransitionRefused("Only a shared record can be signed off.")
    waiting = _present_ids(session) - set(
        session.acknowledgements.values_list("person_id", flat=True)
    )
    if waiting:
        raise TransitionRefused(
            "Everyone present must acknowledge the record before it is signed off."
        )
    session.record_state = RecordState.SIGNED_OFF
    session.signed_off_at = clock.now()
    session.version += 1
    session.save()
    return session


@transaction.atomic
def addendum_add(*, session: Session, author, text: str) -> Addendum:
    """Corrections and additions to a shared or signed-off record, never edits in place."""
    if session.record_state == RecordState.DRAFT:
        raise TransitionRefused("A draft is edited directly; addenda are for shared records.")
    if not text.strip():
        raise TransitionRefused("Write the addendum.")
    return Addendum.objects.create(session=session, author=author, text=text.strip())


@transaction.atomic
def feedback_save(*, session: Session, person, values: dict) -> Feedback:
    """Create or update a supervisee's feedback on a session, until the record is signed off."""
    session = _locked_for_update(session)
    if session.record_state == RecordState.DRAFT:
        raise TransitionRefused("Feedback opens when the record is shared with you.")
    if session.record_state == RecordState.SIGNED_OFF:
        raise TransitionRefused("The record is signed off, so its feedback can no longer change.")
    if person.pk not in _present_ids(session):
        raise TransitionRefused("Only the people present in the session give feedback on it.")
    feedback, created = Feedback.objects.update_or_create(
        session=session, person=person, defaults=values
    )
    transaction.on_commit(lambda: notifications.feedback_given(feedback))
    return feedback


@transaction.atomic
def action_mark_done(*, action: Action, person) -> Action:
    """The owner of an open action marks it done."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.owner_id != person.pk:
        raise TransitionRefused("Only the action's owner can mark it done here.")
    if action.status != ActionStatus.OPEN:
        raise TransitionRefused("This action is no longer open.")
    action.status = ActionStatus.DONE
    action.completed_on = clock.today()
    action.save(update_fields=["status", "completed_on"])
    return action
