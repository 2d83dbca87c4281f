"""Reads about sessions that several views share."""

from django.db.models import (
    DateField,
    Exists,
    Expression,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)

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


class _LastHeld(Expression):
    """The relationship's last held session that counts toward its gap, as one SQL expression.

    `with_last_held` says what counts. Built from `Subquery`, `Coalesce`, `Greatest` and nested
    `OuterRef`s, the same SQL took Django 3-7 ms to resolve and compile on every page that
    shows a gap (the home pages, every audit page, the reminders), for a query the database
    answers in well under one. Here the relationship's four columns are resolved as usual (so
    the outer query may alias its table as it likes) and the rest is SQL written once: the
    same on PostgreSQL and, through `as_sqlite`, on SQLite, whose dates are ISO text.

    Each look is the latest date among the pair's held sessions on or after the relationship's
    start and on or before its measuring end (`window_end`, or its end date when earlier): first
    only within the LAST_HELD_LOOKBACK_DAYS before that end, and over the whole span only when
    that finds nothing (COALESCE reads its second argument only when the first is NULL), so
    the cost follows the last three months, not the years behind them.
    """

    output_field = DateField()

    def __init__(self, window_end, group_counts):
        super().__init__()
        self.window_end, self.group_counts = window_end, group_counts
        self.columns = [F("supervisor"), F("supervisee"), F("start_date"), F("end_date")]

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, exprs):
        self.columns = list(exprs)

    def as_sql(self, compiler, connection, least="LEAST", greatest="GREATEST", since=None):
        supervisor, supervisee, start, end = (
            compiler.compile(column)[0] for column in self.get_source_expressions()
        )
        q = connection.ops.quote_name
        sessions, attendances = q(Session._meta.db_table), q(Attendance._meta.db_table)
        day = connection.ops.adapt_datefield_value(self.window_end)
        measuring_end = f"{least}(COALESCE({end}, %s), %s)"
        since = (since or "({end} - {days})").format(
            end=measuring_end, days=LAST_HELD_LOOKBACK_DAYS
        )
        params = []

        # Only quoted names, the outer query's compiled columns and this class's literals go into
        # the SQL; every value is a parameter.
        def latest(attended, conditions, condition_params, lookback):
            date = f"lh_s.{q('date')}"
            sql = (
                f"(SELECT {date} FROM {sessions} lh_s WHERE {conditions}"  # noqa: S608
                f" AND lh_s.{q('status')} = %s AND {date} >= {start}"
                f" AND {date} <= %s AND {date} <= {measuring_end}"
            )
            params.extend([*condition_params, Status.HELD.value, day, day, day])
            if lookback:
                sql += f" AND {date} >= {since}"
                params.extend([day, day])
            sql += (
                f" AND EXISTS (SELECT 1 FROM {attendances} lh_a"  # noqa: S608
                f" WHERE lh_a.{q('session_id')} = lh_s.{q('id')}"
                f" AND lh_a.{q('person_id')} = {supervisee}{attended})"
                f" ORDER BY {date} DESC LIMIT 1)"
            )
            return sql

        def first_found(*args):
            return f"COALESCE({latest(*args, True)}, {latest(*args, False)})"

        # A one-to-one between the pair, led by the relationship's supervisor.
        last = first_found(
            "",
            f"lh_s.{q('supervisor_id')} = {supervisor} AND lh_s.{q('format')} = %s",
            [Format.ONE_TO_ONE.value],
        )
        if not self.group_counts:
            return last, params
        # A group the supervisee attended as present, whoever led it; the later of the two,
        # either of which may be NULL.
        group = first_found(
            f" AND lh_a.{q('present')}", f"lh_s.{q('format')} = %s", [Format.GROUP.value]
        )
        return self._later(greatest, last, group, params)

    @staticmethod
    def _later(greatest, last, group, params):
        if greatest == "GREATEST":  # PostgreSQL's GREATEST passes over NULLs
            return f"GREATEST({last}, {group})", params
        # SQLite's MAX() of a NULL is NULL: each side falls back on the other.
        last_params, group_params = params[: last.count("%s")], params[last.count("%s") :]
        return (
            f"MAX(COALESCE({last}, {group}), COALESCE({group}, {last}))",
            [*last_params, *group_params, *group_params, *last_params],
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            least="MIN",
            greatest="MAX",
            since="date({end}, '-{days} days')",
        )


def with_last_held(relationships, window_end, *, group_counts=False):
    """Annotate `last_held`: the last held session that counts toward the relationship's gap.

    DOMAIN.md's rule (`people.models.supervision_gap` does the arithmetic): a held one-to-one
    between the pair, on or after the relationship's start and on or before its measuring end
    (`window_end`, or the relationship's end date when that is earlier). Only sessions led by
    the relationship's supervisor count (a cover or external supervisor's session counts toward
    balance, not toward the gap). With `group_counts` (the audit policy's
    `group_counts_for_regularity`), a held group session the supervisee attended as present
    counts too, for each of their relationships, whoever facilitated it.

    Its cost follows the three months before `window_end` (`_LastHeld`), not the years of
    history behind it.
    """
    return relationships.annotate(last_held=_LastHeld(window_end, group_counts))


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
