"""Reads about sessions that several views share."""

from datetime import timedelta

from django.db.models import (
    DateField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least

from people.models import Relationship

from .models import (
    Acknowledgement,
    Action,
    ActionStatus,
    Attendance,
    DisputeReply,
    Format,
    Response,
    Session,
    Status,
)


def actions_for_review(*, supervisor, people_ids, session_date, session=None):
    """Open actions from this supervisor's earlier held sessions with any of these people.

    Carried-forward actions stay open, so they keep coming forward until done or dropped.
    Actions already reviewed in `session` stay listed so the review can be changed.
    """
    if not people_ids:
        return Action.objects.none()
    # A new session comes after every saved one on the same day.
    earlier = Q(session__date__lte=session_date)
    still_listed = Q(status=ActionStatus.OPEN)
    if session is not None and session.pk:
        earlier = Q(session__date__lt=session_date)
        earlier |= Q(session__date=session_date, session__pk__lt=session.pk)
        still_listed |= Q(reviews__session=session)
        earlier &= ~Q(session=session)
    shared_attendee = Exists(
        Attendance.objects.filter(session=OuterRef("session"), person_id__in=people_ids)
    )
    return (
        Action.objects.filter(earlier, still_listed, shared_attendee)
        .filter(session__supervisor=supervisor, session__status=Status.HELD)
        .select_related("session", "owner")
        .distinct()
        .order_by("session__date", "pk")
    )


def with_people(sessions):
    """Sessions with their attendees loaded in one more query."""
    return sessions.select_related("supervisor").prefetch_related(
        Prefetch("attendances", queryset=Attendance.objects.select_related("person"))
    )


def with_disputes(sessions):
    """Annotate `disputed` (someone present disagreed with the record) and `dispute_open`
    (a disagreement the supervisor has not replied to yet): lists show the record as disputed,
    not only by its state."""
    disagreements = Acknowledgement.objects.filter(
        session=OuterRef("pk"), response=Response.DISAGREE
    )
    unanswered = disagreements.exclude(
        Exists(DisputeReply.objects.filter(acknowledgement=OuterRef("pk")))
    )
    return sessions.annotate(disputed=Exists(disagreements), dispute_open=Exists(unanswered))


def upcoming_led_by(user, day, limit=10):
    return with_people(
        Session.objects.led_by(user).planned().filter(date__gte=day).order_by("date", "start_time")
    )[:limit]


def recent_led_by(user, day, limit=10):
    return with_disputes(
        with_people(
            Session.objects.led_by(user).exclude(status=Status.PLANNED).filter(date__lte=day)
        )
    ).order_by("-date", "-start_time", "-pk")[:limit]


def upcoming_for(user, day, limit=10):
    """Planned sessions the user is invited to (not ones they lead)."""
    return with_people(
        Session.objects.planned()
        .with_member(user)
        .exclude(supervisor=user)
        .filter(date__gte=day)
        .order_by("date", "start_time")
    )[:limit]


# Relationships and their sessions: the last one-to-one held, the next one booked.


# How far back `with_last_held` looks first; further only for a relationship with nothing there.
LAST_HELD_LOOKBACK_DAYS = 92


def _pair_one_to_ones(status):
    """The one-to-ones of `status` that the outer relationship's supervisor led with its
    supervisee: the supervisor's sessions (index on supervisor and date), each checked for the
    supervisee through the unique (session, person) index."""
    return Session.objects.filter(
        Exists(
            Attendance.objects.filter(
                session=OuterRef("pk"), person=OuterRef(OuterRef("supervisee"))
            )
        ),
        supervisor=OuterRef("supervisor"),
        format=Format.ONE_TO_ONE,
        status=status,
    )


def _last_held_one_to_one(window_end, lookback):
    """The date of the pair's last held one-to-one on or before the measuring end (and on or
    after the lookback, with `lookback`), led by the relationship's supervisor.

    Read from the supervisor's sessions (index on supervisor and date), newest first, each
    checked for the supervisee: the cost follows the sessions the supervisor led since the
    last one with this supervisee, not the supervisee's whole history.
    """
    sessions = _pair_one_to_ones(Status.HELD).filter(
        date__gte=OuterRef("start_date"), date__lte=window_end
    )
    return _latest(sessions, window_end, lookback)


def _last_held_group(window_end, lookback):
    """The date of the last held group the supervisee attended as present, whoever led it."""
    sessions = Session.objects.filter(
        Exists(
            Attendance.objects.filter(
                session=OuterRef("pk"), person=OuterRef(OuterRef("supervisee")), present=True
            )
        ),
        format=Format.GROUP,
        status=Status.HELD,
        date__gte=OuterRef("start_date"),
        date__lte=window_end,
    )
    return _latest(sessions, window_end, lookback)


def _latest(sessions, window_end, lookback):
    """The latest date among `sessions` on or before the relationship's measuring end; with
    `lookback`, only among the LAST_HELD_LOOKBACK_DAYS before that end."""
    measuring_end = Least(
        Coalesce(OuterRef("end_date"), Value(window_end), output_field=DateField()),
        Value(window_end),
        output_field=DateField(),
    )
    sessions = sessions.filter(date__lte=measuring_end)
    if lookback:
        since = ExpressionWrapper(
            measuring_end - Value(timedelta(days=LAST_HELD_LOOKBACK_DAYS)),
            output_field=DateField(),
        )
        sessions = sessions.filter(date__gte=since)
    return Subquery(sessions.order_by("-date").values("date")[:1], output_field=DateField())


def _first_found(window_end, one):
    """The last held date in the lookback before the measuring end, else over the whole span.

    COALESCE reads its second argument only when the first is NULL, so the search through
    the whole span runs only for the few relationships with nothing in the lookback (a long
    gap); both give the same answer where the first finds one, since the lookback is the
    span's latest part (any lower bound would be exact; this one keeps the common case short).
    """
    return Coalesce(one(window_end, True), one(window_end, False), output_field=DateField())


def with_last_held(relationships, window_end, *, group_counts=False):
    """Annotate `last_held`: the last held session that counts toward the relationship's gap.

    DOMAIN.md's rule (`people.models.supervision_gap` does the arithmetic): a held one-to-one
    between the pair, on or after the relationship's start and on or before its measuring end
    (`window_end`, or the relationship's end date when that is earlier). Only sessions led by
    the relationship's supervisor count (a cover or external supervisor's session counts toward
    balance, not toward the gap). With `group_counts` (the audit policy's
    `group_counts_for_regularity`), a held group session the supervisee attended as present
    counts too, for each of their relationships, whoever facilitated it.

    Its cost follows the three months before `window_end` (`_first_found`), not the years of
    history behind it.
    """
    last = _first_found(window_end, _last_held_one_to_one)
    if group_counts:
        group = _first_found(window_end, _last_held_group)
        # The later of the two; either may be NULL (SQLite's MAX() would answer NULL).
        last = Greatest(
            Coalesce(last, group, output_field=DateField()),
            Coalesce(group, last, output_field=DateField()),
            output_field=DateField(),
        )
    return relationships.annotate(last_held=last)


def with_next_planned(relationships, on_or_after):
    """Annotate `next_planned`: the next planned one-to-one between the pair, if any.

    Read from the supervisor's sessions from `on_or_after` on (index on supervisor and date),
    each checked for the supervisee: the past, however long, is never read.
    """
    nxt = _pair_one_to_ones(Status.PLANNED).filter(date__gte=on_or_after)
    return relationships.annotate(
        next_planned=Subquery(nxt.order_by("date").values("date")[:1], output_field=DateField())
    )


def supervisee_relationships(supervisor, day, *, group_counts=False):
    """The supervisor's active relationships, each with its last and next session and focus."""
    qs = (
        Relationship.objects.filter(supervisor=supervisor)
        .active_on(day)
        .select_related("supervisor", "supervisee")
        .prefetch_related("focus_agreements")
        .order_by("supervisee__name", "kind")
    )
    return with_next_planned(with_last_held(qs, day, group_counts=group_counts), day)


def supervisor_relationships(supervisee, day, *, group_counts=False):
    """A supervisee's active relationships: who supervises them, how often, when next."""
    qs = (
        Relationship.objects.filter(supervisee=supervisee)
        .active_on(day)
        .select_related("supervisor", "supervisee")
        .prefetch_related("focus_agreements")
        .order_by("kind", "supervisor__name")
    )
    return with_next_planned(with_last_held(qs, day, group_counts=group_counts), day)
