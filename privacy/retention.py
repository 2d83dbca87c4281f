"""Storage limitation (UK GDPR Article 5(1)(e)): records older than the retention period go.

A session is kept for `settings.RETENTION_YEARS` whole years from its date, and deleted the day
after: with 7 years, on 2026-11-25 a session of 2019-11-25 is exactly 7 years old and stays; one
of 2019-11-24 goes. Deleted means gone, with everything hanging off it (attendance, items,
actions, reviews, acknowledgements, feedback, addenda, the access log of who read it) and every
history row django-simple-history kept of any of them, which would otherwise hold the same
text. Deleting rather than anonymising: the text of a supervision record is about people, and
no rule can be sure to have taken every identifying detail out of free text.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q

from sessions_app import brought_forward, kept
from sessions_app.models import (
    AccessLog,
    Acknowledgement,
    Action,
    ActionReview,
    Addendum,
    Attendance,
    Feedback,
    Item,
    ReminderSent,
    Session,
)

from .models import EventKind, PrivacyEvent

# Keep each IN (...) list well under every database's limit on query parameters.
CHUNK = 500

# The models that hang off a session, in the order the report lists them. The access log is
# not deleted with its session (it outlives a session removed in admin), so it is deleted here.
SESSION_PARTS = [
    ("attendances", Attendance),
    ("discussion items", Item),
    ("actions", Action),
    ("acknowledgements", Acknowledgement),
    ("feedback", Feedback),
    ("addenda", Addendum),
    ("access log rows", AccessLog),
]
HISTORY_MODELS = [Session, Attendance, Item, Action, ActionReview, Acknowledgement, Feedback]


def retention_cutoff(day: date, years: int) -> date:
    """The oldest session date still kept on `day`: the same date `years` years before.

    29 February goes back to 28 February in a year that has none.
    """
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _chunks(ids):
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


@dataclass(frozen=True)
class RetentionPlan:
    day: date
    years: int
    cutoff: date
    session_ids: tuple
    action_ids: tuple
    # What would go (or went), by kind: "sessions", "discussion items", ..., "history rows".
    counts: dict

    @property
    def total(self):
        return sum(self.counts.values())


def _history_filters(session_ids, action_ids):
    """For each tracked model, the history rows of the expired sessions and of their parts."""
    filters = []
    for model in HISTORY_MODELS:
        history = model.history.model.objects
        if model is Session:
            filters.append((model, history, lambda ids: Q(id__in=ids), session_ids))
        else:
            filters.append((model, history, lambda ids: Q(session_id__in=ids), session_ids))
    # A later, kept session's review of an expired action goes with the action.
    filters.append(
        (
            ActionReview,
            ActionReview.history.model.objects,
            lambda ids: Q(action_id__in=ids),
            action_ids,
        )
    )
    return filters


def _removed_sessions_log(cutoff):
    """Reads of sessions since removed in admin, from before the cut-off: their label names
    the people in the session, so they go when a record of that age would."""
    return AccessLog.objects.filter(session__isnull=True, viewed_at__date__lt=cutoff)


def _count(manager, make_q, ids):
    return sum(manager.filter(make_q(chunk)).count() for chunk in _chunks(ids))


def retention_plan(*, day: date, years: int) -> RetentionPlan:
    """What a retention run on `day` would delete; writes nothing."""
    cutoff = retention_cutoff(day, years)
    session_ids = tuple(
        Session.objects.filter(date__lt=cutoff).order_by("pk").values_list("pk", flat=True)
    )
    # Actions of expired sessions, including ones deleted since: their history rows go too.
    action_ids = set()
    for chunk in _chunks(session_ids):
        action_ids |= set(Action.history.filter(session_id__in=chunk).values_list("id", flat=True))
        action_ids |= set(Action.objects.filter(session_id__in=chunk).values_list("pk", flat=True))
    action_ids = tuple(sorted(action_ids))
    counts = {"sessions": len(session_ids)}
    for label, model in SESSION_PARTS:
        counts[label] = _count(model.objects, lambda ids: Q(session_id__in=ids), session_ids)
    counts["action reviews"] = _count(
        ActionReview.objects,
        lambda ids: Q(session_id__in=ids),
        session_ids,
    ) + _count(
        ActionReview.objects.exclude(session__date__lt=cutoff),
        lambda ids: Q(action_id__in=ids),
        action_ids,
    )
    history_ids = set()
    for _model, manager, make_q, ids in _history_filters(session_ids, action_ids):
        for chunk in _chunks(ids):
            history_ids |= {
                (manager.model, pk)
                for pk in manager.filter(make_q(chunk)).values_list("history_id", flat=True)
            }
    counts["history rows"] = len(history_ids)
    counts["access log rows of sessions removed in admin"] = _removed_sessions_log(cutoff).count()
    counts["reminders sent"] = ReminderSent.objects.filter(sent_at__date__lt=cutoff).count()
    return RetentionPlan(day, years, cutoff, session_ids, action_ids, counts)


@transaction.atomic
def retention_apply(*, day: date, years: int, by: str) -> RetentionPlan:
    """Delete everything older than the retention period, all or nothing; log what went.

    `by` names who ran it (the command), for the data-rights log. Returns the plan it carried
    out, whose counts are what was deleted.
    """
    plan = retention_plan(day=day, years=years)
    # The months the removed sessions counted in (sessions_app.kept), summed again after.
    counted = kept.keys_of_sessions(plan.session_ids)
    scheduled = kept.session_keys(plan.session_ids)
    # The sessions left whose previous session goes, or whose previous session's actions were
    # reviewed in one that goes (sessions_app.brought_forward), worked out again after.
    brought_forward.hold(everything=True)
    gone = set(plan.session_ids)
    inheriting = brought_forward.reviewing(gone | brought_forward.reviewed_in(gone)) - gone
    for chunk in _chunks(plan.session_ids):
        AccessLog.objects.filter(session_id__in=chunk).delete()
        # Deleting writes a "deleted" history row for each row; the next loop removes those too.
        Session.objects.filter(pk__in=chunk).delete()
    kept.refresh(counted)
    kept.refresh_sessions(scheduled)
    brought_forward.refresh(inheriting)
    brought_forward.refresh_checks(day for _supervisor, day in scheduled)
    for _model, manager, make_q, ids in _history_filters(plan.session_ids, plan.action_ids):
        for chunk in _chunks(ids):
            manager.filter(make_q(chunk)).delete()
    _removed_sessions_log(plan.cutoff).delete()
    ReminderSent.objects.filter(sent_at__date__lt=plan.cutoff).delete()
    PrivacyEvent.objects.create(
        kind=EventKind.RETENTION,
        details={
            "by": by,
            "retention_years": years,
            "deleted_sessions_dated_before": plan.cutoff.isoformat(),
            "deleted": plan.counts,
        },
    )
    return plan
