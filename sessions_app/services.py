"""Writes to sessions: each one atomic, each one a named service (STYLE.md).

Each names who acts (`by`, or the supervisor who creates) and refuses, through the access
policy (`sessions_app.access`), what the record page would refuse: the pages, the admin, the
import and the demo share these rules.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, time

from django.db import IntegrityError, transaction
from django.db.models import F
from simple_history.utils import bulk_create_with_history

from core import clock

from . import brought_forward, kept
from .access import Refused, SessionAccess
from .models import (
    Action,
    ActionReview,
    ActionStatus,
    Attendance,
    Feedback,
    Format,
    Item,
    ReviewOutcome,
    Session,
    Status,
)


class StaleRecord(Exception):
    """Someone else saved the session after this edit began."""

    def __init__(self, session):
        super().__init__("This record was changed by someone else while you were editing it.")
        self.session = session


class InvalidSession(ValueError):
    """Details no session may have (a held session in the future); the message says why."""


def check_details(details: "SessionDetails", *, today: date | None = None) -> None:
    """What every door refuses, form or import: a held session is today or earlier (`today`,
    when a caller checking many sessions at one moment has read the clock once)."""
    if details.status == Status.HELD and details.date > (today or clock.today()):
        raise InvalidSession(
            "A held session cannot be dated in the future. Choose today or an earlier date, "
            "or record it as planned."
        )


def check_attendance(supervisor_id: int, attendance: dict[int, bool]) -> None:
    """Who leads a session is never one of its attendees: a facilitator who was their own
    attendee would be their own supervisee (asked to answer their own record, their own
    supervisor on their balance)."""
    if supervisor_id in attendance:
        raise InvalidSession(
            "You lead this session: the facilitator is never one of its members. "
            "Leave yourself out of the attendance."
        )


@dataclass
class ItemData:
    title: str
    minutes: int
    functions: list[str]
    stages: list[str] = field(default_factory=list)
    stakeholders: list[str] = field(default_factory=list)
    notes: str = ""
    case_ref: str = ""
    risk: bool = False
    confidential: bool = False
    id: int | None = None


@dataclass
class ActionData:
    description: str
    owner_id: int | None = None
    owner_name: str = ""
    due_date: date | None = None
    status: str = ActionStatus.OPEN
    id: int | None = None


@dataclass
class SessionDetails:
    format: str
    date: date
    duration_minutes: int
    status: str = Status.PLANNED
    group_type: str = ""
    start_time: time | None = None
    mode: str = "in_person"


def _bump_version(session, expected_version):
    """Claim the next version, or refuse if someone saved since `expected_version`."""
    updated = Session.objects.filter(pk=session.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not updated:
        raise StaleRecord(Session.objects.get(pk=session.pk))
    session.version = expected_version + 1


def _apply_details(session, details):
    session.format = details.format
    session.group_type = details.group_type if details.format == Format.GROUP else ""
    session.date = details.date
    session.start_time = details.start_time
    session.duration_minutes = details.duration_minutes
    session.mode = details.mode
    session.status = details.status


def _create_all(model, objs):
    """Insert the new `objs` of `model` together, each with the history row its own save would
    have written ("+", by whoever is making the change): a session of eight items is as many
    queries as one of one."""
    if objs:
        bulk_create_with_history(objs, model, default_change_reason=None)


def _sync_attendance(session, attendance):
    """Make the session's attendees exactly `attendance` ({person_id: present})."""
    existing = {a.person_id: a for a in session.attendances.all()}
    new, moved = [], []
    for person_id, present in attendance.items():
        current = existing.pop(person_id, None)
        if current is None:
            new.append(
                Attendance(
                    session=session,
                    person_id=person_id,
                    present=present,
                    session_date=session.date,
                )
            )
            continue
        if current.present != present:
            current.present = present
            current.save(update_fields=["present"])
        if current.session_date != session.date:
            moved.append(current.pk)
    # The session moved to another day: its attendees' copy of the date moves with it.
    if moved:
        Attendance.objects.filter(pk__in=moved).update(session_date=session.date)
    _create_all(Attendance, new)
    for gone in existing.values():
        gone.delete()


def _sync_items(session, items):
    """Update items in place (so history follows each one), add new ones, delete the rest."""
    existing = {item.pk: item for item in session.items.all()}
    new = []
    for position, data in enumerate(items):
        item = existing.pop(data.id, None) if data.id else None
        if item is None:
            item = Item(session=session)
            new.append(item)
        item.position = position
        item.title = data.title
        item.notes = data.notes
        item.minutes = data.minutes
        item.case_ref = data.case_ref
        item.risk = data.risk
        item.confidential = data.confidential
        item.set_tags(functions=data.functions, stages=data.stages, stakeholders=data.stakeholders)
        if item.pk is not None:
            item.save()
    _create_all(Item, new)
    for gone in existing.values():
        gone.delete()


def _sync_actions(session, actions):
    existing = {action.pk: action for action in session.actions.all()}
    new = []
    for data in actions:
        action = existing.pop(data.id, None) if data.id else None
        if action is None:
            action = Action(session=session)
            new.append(action)
        action.description = data.description
        action.owner_id = data.owner_id
        action.owner_name = "" if data.owner_id else data.owner_name
        action.due_date = data.due_date
        if action.status != data.status:
            action.completed_on = session.date if data.status == ActionStatus.DONE else None
        action.status = data.status
        if action.pk is not None:
            action.save()
    _create_all(Action, new)
    for gone in existing.values():
        gone.delete()


REVIEW_TO_STATUS = {
    ReviewOutcome.DONE: ActionStatus.DONE,
    ReviewOutcome.CARRIED_FORWARD: ActionStatus.OPEN,
    ReviewOutcome.DROPPED: ActionStatus.DROPPED,
}


def _apply_reviews(session, reviews):
    """Record each brought-forward action's outcome and move the action to match it."""
    if not reviews:
        return
    actions = Action.objects.in_bulk(list(reviews))
    existing = {r.action_id: r for r in session.action_reviews.all()}
    for action_id, outcome in reviews.items():
        action = actions[action_id]
        review = existing.get(action_id)
        if not outcome:
            if review is not None:
                review.delete()
                action.status = ActionStatus.OPEN
                action.completed_on = None
                action.save(update_fields=["status", "completed_on"])
            continue
        if review is None:
            ActionReview.objects.create(action=action, session=session, outcome=outcome)
        elif review.outcome != outcome:
            review.outcome = outcome
            review.save(update_fields=["outcome"])
        status = REVIEW_TO_STATUS[outcome]
        if action.status != status:
            action.status = status
            action.completed_on = session.date if status == ActionStatus.DONE else None
            action.save(update_fields=["status", "completed_on"])


def _kept_keys(session, attendance):
    """The months (`sessions_app.kept`) a session saved with `attendance` counts in."""
    if session.status != Status.HELD:
        return set()
    return {(person_id, session.date) for person_id in attendance}


@transaction.atomic
def session_create(
    *,
    supervisor,
    details: SessionDetails,
    attendance: dict[int, bool],
    items: list[ItemData] = (),
    actions: list[ActionData] = (),
    reviews: dict[int, str] | None = None,
    creation_token: uuid.UUID | None = None,
) -> Session:
    """Schedule a planned session or record a held one, with everything said in it.

    `creation_token` comes with the form the session was typed in: a second post of the same
    form (a double click, a resubmitted page, two at once) returns the session the first one
    made instead of recording it twice.
    """
    check_details(details)
    check_attendance(supervisor.pk, attendance)
    if creation_token is not None:
        earlier = Session.objects.filter(creation_token=creation_token, supervisor=supervisor)
        if earlier.exists():
            return earlier.get()
    session = Session(supervisor=supervisor, creation_token=creation_token)
    _apply_details(session, details)
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:
        # The same form, posted at the same moment, won the race: that one is the session.
        winner = Session.objects.filter(creation_token=creation_token, supervisor=supervisor)
        if creation_token is None or not winner.exists():
            raise
        return winner.get()
    _sync_attendance(session, attendance)
    _sync_items(session, list(items))
    _sync_actions(session, list(actions))
    _apply_reviews(session, reviews or {})
    brought_forward.hold([session.supervisor_id])  # first the supervisor, then the people
    kept.refresh(_kept_keys(session, attendance))
    kept.refresh_sessions(kept.session_key(session))
    brought_forward.refresh(
        brought_forward.affected_by_session(brought_forward.SessionState(session, attendance))
    )
    return session


@transaction.atomic
def session_update(
    *,
    session: Session,
    by,
    expected_version: int,
    details: SessionDetails,
    attendance: dict[int, bool],
    items: list[ItemData],
    actions: list[ActionData],
    reviews: dict[int, str] | None = None,
) -> Session:
    """Save an edit of the whole record, refusing it if someone else saved first."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    SessionAccess(by, session).require("edit")
    check_details(details)
    check_attendance(session.supervisor_id, attendance)
    _bump_version(session, expected_version)
    counted_before = kept.keys_of_session(session)
    before = brought_forward.SessionState(session, {person for person, _day in counted_before})
    day_before = session.date
    scheduled_before = kept.session_key(session)
    _apply_details(session, details)
    session.save()
    if session.date != day_before:
        # The session moved to another day: its feedback's copy of the date moves with it.
        Feedback.objects.filter(session=session).update(session_date=session.date)
    _sync_attendance(session, attendance)
    _sync_items(session, items)
    _sync_actions(session, actions)
    _apply_reviews(session, reviews or {})
    brought_forward.hold([session.supervisor_id])
    kept.refresh(counted_before | _kept_keys(session, attendance))
    kept.refresh_sessions(scheduled_before | kept.session_key(session))
    after = brought_forward.SessionState(session, attendance)
    brought_forward.refresh(brought_forward.affected_by_session(before, after))
    return session


@transaction.atomic
def session_cancel(*, session: Session, by, by_supervisee: bool, reason: str) -> Session:
    """Cancel a planned session, saying who cancelled and why.

    `by` is who records it, kept as `moved_by`; `by_supervisee` says which side called it off
    (a supervisor may record that their supervisee cancelled; a supervisee only that they did).
    """
    session = Session.objects.select_for_update().get(pk=session.pk)
    access = SessionAccess(by, session)
    access.require("cancel")
    if not access.is_supervisor and not by_supervisee:
        raise Refused("You can cancel only as the supervisee.")
    session.status = (
        Status.CANCELLED_BY_SUPERVISEE if by_supervisee else Status.CANCELLED_BY_SUPERVISOR
    )
    session.cancellation_reason = reason
    session.moved_by = by
    session.version += 1
    session.save()
    kept.refresh_sessions(kept.session_key(session))
    return session


@transaction.atomic
def session_reschedule(
    *, session: Session, by, new_date: date, new_start_time: time | None, reason: str
) -> Session:
    """Move a planned session: the old one is marked rescheduled (by `by`, for `reason`), a
    new planned one made."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    SessionAccess(by, session).require("reschedule")
    new = Session.objects.create(
        supervisor=session.supervisor,
        format=session.format,
        group_type=session.group_type,
        date=new_date,
        start_time=new_start_time,
        duration_minutes=session.duration_minutes,
        mode=session.mode,
        status=Status.PLANNED,
    )
    for attendance in session.attendances.exclude(person_id=session.supervisor_id):
        Attendance.objects.create(
            session=new, person_id=attendance.person_id, present=True, session_date=new.date
        )
    session.status = Status.RESCHEDULED
    session.rescheduled_to = new
    session.cancellation_reason = reason
    session.moved_by = by
    session.version += 1
    session.save()
    kept.refresh_sessions(kept.session_key(session) | kept.session_key(new))
    return new


@transaction.atomic
def session_delete(*, session: Session, by) -> None:
    """Remove a session that never became a record (administrators, in admin)."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    SessionAccess(by, session).require("delete")
    brought_forward.hold([session.supervisor_id])
    counted = kept.keys_of_session(session)
    neighbours = brought_forward.affected_by_session(brought_forward.SessionState(session))
    scheduled = kept.session_key(session)
    session.delete()
    kept.refresh(counted)
    kept.refresh_sessions(scheduled)
    brought_forward.refresh(neighbours - {session.pk})
