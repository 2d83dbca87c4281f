"""Reads about sessions that several views share."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

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
from django.db.models.lookups import IsNull

from core.names import display_name
from core.prepared import Prepared, pk_of
from people.models import FocusAgreement, Relationship, User

from .models import (
    Acknowledgement,
    Action,
    ActionStatus,
    Attendance,
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


def attendees():
    """The prefetch of sessions' attendances with each person."""
    return Prefetch("attendances", queryset=Attendance.objects.select_related("person"))


# Where a list of sessions keeps each one's attendances (`listed_attendees`): a plain list.
# Prefetched into the related manager instead, Django builds a queryset for each session to
# hold them (about 50 microseconds each: 2.5 ms of the home page's fifty listed sessions).
LISTED_ATTENDANCES = "listed_attendances"


def listed_attendees():
    """The prefetch of sessions' attendances with each person, each session's as a list in
    `LISTED_ATTENDANCES`: for lists that show a one-to-one's attendee and a group's number
    (`session_row`). A page of several lists reads them at once with
    `attach_listed_attendances` instead."""
    rows = Attendance.objects.select_related("person")
    return (Prefetch("attendances", queryset=rows, to_attr=LISTED_ATTENDANCES),)


class ListedAttendance(NamedTuple):
    """An attendance as a list of sessions shows it (`attach_listed_attendances`): who, as
    `str(User)` names them (`display_name`)."""

    person: str


def _listed_attendance_rows(session_ids):
    # Each person looked up by their id: joined, PostgreSQL hashed the whole people table for
    # the page's fifty attendances (1.1 ms at a council, and growing with the organisation).
    person = User.objects.filter(pk=OuterRef("person_id"))
    return (
        Attendance.objects.filter(session__any_id=session_ids)
        .order_by()
        .values_list(
            "session_id",
            Subquery(person.values("name")),
            Subquery(person.values("email")),
        )
    )


_LISTED_ATTENDANCE_ROWS = Prepared(_listed_attendance_rows)


def attach_listed_attendances(sessions) -> None:
    """What `listed_attendees` gives, for all the lists of sessions of a page at once, in one
    query of values: each session's attendances as `ListedAttendance`s in `LISTED_ATTENDANCES`,
    in no order.
    The prefetch made an attendance and a person of each row and a queryset for each session
    (3 ms of the home page's 4.4 for its fifty listed sessions, the two queries 1.3)."""
    by_pk = {}
    for session in sessions:
        setattr(session, LISTED_ATTENDANCES, [])
        by_pk.setdefault(session.pk, []).append(session)
    if not by_pk:
        return
    for session_id, name, email in _LISTED_ATTENDANCE_ROWS(list(by_pk)):
        listed = ListedAttendance(display_name(name, email))
        for session in by_pk[session_id]:
            getattr(session, LISTED_ATTENDANCES).append(listed)


def with_people(sessions):
    """Sessions with their supervisor, and their attendees loaded in one more query."""
    return sessions.select_related("supervisor").prefetch_related(attendees())


def with_supervisor(sessions):
    """Sessions with their supervisor. Their attendees are the caller's to load, at once for
    all the lists of a page (`attach_listed_attendances(rows)`: the home page's lists of
    sessions in one query, not one each)."""
    return sessions.select_related("supervisor")


def with_disputes(sessions):
    """Annotate `disputed` (someone present disagreed with the record) and `dispute_open`
    (a disagreement the supervisor has not replied to yet): lists show the record as disputed,
    not only by its state."""
    disagreements = Acknowledgement.objects.filter(
        session=OuterRef("pk"), response=Response.DISAGREE
    )
    unanswered = Acknowledgement.objects.filter(session=OuterRef("pk"), waiting_reply=True)
    # "Its first disagreement is not NULL" rather than EXISTS: PostgreSQL turns an EXISTS here
    # into one hashed read of every disagreement ever recorded (9,000 at a council's ten years,
    # 7 ms a list), even for a list of ten; a scalar subquery it looks up row by row, through
    # the disagreements index, for the rows the list shows.
    return sessions.annotate(
        disputed=IsNull(Subquery(disagreements.values("pk")[:1]), False),
        dispute_open=IsNull(Subquery(unanswered.values("pk")[:1]), False),
    )


# The lists of the sessions someone leads do not join their supervisor: it is the reader
# (a user read again for each of home's forty rows, which show who attended, not who led).


def upcoming_led_by(user, day, limit=10):
    return (
        Session.objects.led_by(user)
        .planned()
        .filter(date__gte=day)
        .order_by("date", "start_time")[:limit]
    )


def recent_led_by(user, day, limit=10):
    return with_disputes(
        Session.objects.led_by(user).exclude(status=Status.PLANNED).filter(date__lte=day)
    ).order_by("-date", "-start_time", "-pk")[:limit]


def upcoming_for(user, day, limit=10):
    """Planned sessions the user is invited to (not ones they lead)."""
    return with_supervisor(
        Session.objects.planned()
        .with_member(user, on_or_after=day)
        .exclude(supervisor=user)
        .filter(date__gte=day)
        .order_by("date", "start_time")
    )[:limit]


# Relationships and their sessions: the last one-to-one held, the next one booked.


# How far back `with_last_held` looks first; further only for a relationship with nothing there.
LAST_HELD_LOOKBACK_DAYS = 92


@dataclass(frozen=True)
class _PairSql:
    """SQL about one relationship's sessions, for the connection at hand: `supervisor`,
    `supervisee`, `start` and `end` are the outer query's compiled columns."""

    quote: Callable[[str], str]
    day: Callable  # a date as this database takes it as a parameter
    sqlite: bool
    supervisor: str
    supervisee: str
    start: str
    end: str

    @property
    def date(self):
        """The session's date, as the attendance keeps it (`Attendance.session_date`)."""
        return f"lh_a.{self.quote('session_date')}"

    def first_session(self, status, conditions, params, *, attended="", latest=True):
        """(sql, params): the date of the latest (or earliest) session of `status` meeting
        `conditions` (on `lh_s`, the session, and `self.date`) that the supervisee attended
        (`attended`: more on `lh_a`, their attendance)."""
        q, date = self.quote, self.date
        sql = (
            f"(SELECT {date} FROM {q(Attendance._meta.db_table)} lh_a"  # noqa: S608
            f" INNER JOIN {q(Session._meta.db_table)} lh_s"
            f" ON lh_s.{q('id')} = lh_a.{q('session_id')}"
            f" WHERE lh_a.{q('person_id')} = {self.supervisee}{attended}"
            f" AND lh_s.{q('status')} = %s AND {conditions}"
            f" ORDER BY {date} {'DESC' if latest else 'ASC'} LIMIT 1)"
        )
        return sql, [status.value, *params]

    def one_to_one(self):
        """(sql, params): the condition on `lh_s` of a one-to-one the relationship's
        supervisor led (`first_session` checks that the supervisee was there)."""
        q = self.quote
        return (
            f"lh_s.{q('supervisor_id')} = {self.supervisor} AND lh_s.{q('format')} = %s",
            [Format.ONE_TO_ONE.value],
        )


class _PairSessionDate(Expression):
    """A date found among a relationship's sessions, as an SQL expression on the relationship.

    Built from `Subquery`, `Coalesce`, `Greatest` and nested `OuterRef`s, these lookups took
    Django 3-7 ms to resolve and compile on every page that shows a gap or a next session
    (the home pages, every audit page, the reminders), for queries the database answers in
    well under one. Here the relationship's columns are resolved as usual (so the outer query
    may alias its table as it likes) and the rest is SQL written once (`_PairSql`), the same
    on PostgreSQL and, through `as_sqlite`, on SQLite (whose dates are ISO text). Only quoted
    names, the outer query's compiled columns and this module's literals go into the SQL;
    every value is a parameter.

    The sessions are read from the supervisee's attendances by the date each keeps (index on
    person and session date), each session then by its key: what a lookup costs follows the
    supervisee's own sessions near the date sought, not the supervisor's nor the history's.
    """

    output_field = DateField()

    def __init__(self):
        super().__init__()
        self.columns = [F("supervisor"), F("supervisee"), F("start_date"), F("end_date")]

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, exprs):
        self.columns = list(exprs)

    def as_sql(self, compiler, connection, sqlite=False):
        columns = (compiler.compile(column)[0] for column in self.get_source_expressions())
        ops = connection.ops
        return self.sql(_PairSql(ops.quote_name, ops.adapt_datefield_value, sqlite, *columns))

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, sqlite=True)

    def sql(self, pair: _PairSql) -> tuple[str, list]:
        raise NotImplementedError


class _LastHeld(_PairSessionDate):
    """`with_last_held`'s date. Each look is the latest date among the sessions that count,
    on or after the relationship's start and on or before its measuring end (`window_end`, or
    its end date when earlier): first only within the LAST_HELD_LOOKBACK_DAYS before that end,
    and over the whole span only when that finds nothing (COALESCE reads its second argument
    only when the first is NULL), so the cost follows the last three months, not the years
    behind them."""

    def __init__(self, window_end, group_counts):
        super().__init__()
        self.window_end, self.group_counts = window_end, group_counts

    def sql(self, pair):
        day = pair.day(self.window_end)
        measuring_end = f"{'MIN' if pair.sqlite else 'LEAST'}(COALESCE({pair.end}, %s), %s)"
        since = (
            f"date({measuring_end}, '-{LAST_HELD_LOOKBACK_DAYS} days')"
            if pair.sqlite
            else f"({measuring_end} - {LAST_HELD_LOOKBACK_DAYS})"
        )
        date = pair.date
        span = f"{date} >= {pair.start} AND {date} <= %s AND {date} <= {measuring_end}"

        def first_found(conditions, params, attended=""):
            near, near_params = pair.first_session(
                Status.HELD,
                f"{conditions} AND {span} AND {date} >= {since}",
                [*params, day, day, day, day, day],
                attended=attended,
            )
            far, far_params = pair.first_session(
                Status.HELD, f"{conditions} AND {span}", [*params, day, day, day], attended=attended
            )
            return f"COALESCE({near}, {far})", [*near_params, *far_params]

        # A one-to-one between the pair, led by the relationship's supervisor.
        last, last_params = first_found(*pair.one_to_one())
        if not self.group_counts:
            return last, last_params
        # A group the supervisee attended as present, whoever led it; the later of the two,
        # either of which may be NULL.
        group, group_params = first_found(
            f"lh_s.{pair.quote('format')} = %s",
            [Format.GROUP.value],
            attended=f" AND lh_a.{pair.quote('present')}",
        )
        if not pair.sqlite:  # PostgreSQL's GREATEST passes over NULLs
            return f"GREATEST({last}, {group})", [*last_params, *group_params]
        # SQLite's MAX() of a NULL is NULL: each side falls back on the other.
        return (
            f"MAX(COALESCE({last}, {group}), COALESCE({group}, {last}))",
            [*last_params, *group_params, *group_params, *last_params],
        )


class _NextPlanned(_PairSessionDate):
    """`with_next_planned`'s date: the earliest planned one-to-one between the pair from
    `on_or_after` on; the past, however long, is never read."""

    def __init__(self, on_or_after):
        super().__init__()
        self.on_or_after = on_or_after

    def sql(self, pair):
        conditions, params = pair.one_to_one()
        return pair.first_session(
            Status.PLANNED,
            f"{conditions} AND {pair.date} >= %s",
            [*params, pair.day(self.on_or_after)],
            latest=False,
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
    """Annotate `next_planned`: the next planned one-to-one between the pair, if any."""
    return relationships.annotate(next_planned=_NextPlanned(on_or_after))


def relationships_of(person, day, *, group_counts=False) -> tuple[list, list]:
    """The person's active relationships each way, (as supervisor, as supervisee), each with
    its last and next session and focus: one query and one read of their focus, whichever
    roles they hold (a team's supervisor is most often someone's supervisee too: a query
    each way, and a read of focus each, cost a manager's home two queries more).

    Those they lead by their supervisee's name, then kind; those they are supervised in by
    kind, then their supervisor's name: one order for both, in which each side's own name is
    the same on every row of that side."""
    pk = pk_of(person)
    rows = _RELATIONSHIPS_OF(pk, day, group_counts)
    attach_latest_focus(rows)
    return (
        [rel for rel in rows if rel.supervisor_id == pk],
        [rel for rel in rows if rel.supervisee_id == pk],
    )


def _relationships_of(person, day, group_counts):
    return _active_relationships(
        Q(supervisor=person) | Q(supervisee=person), day, group_counts
    ).order_by("supervisee__name", "kind", "supervisor__name")


def _latest_focus_rows(relationship_ids):
    latest = FocusAgreement.objects.filter(relationship=OuterRef("relationship")).order_by(
        *FocusAgreement._meta.ordering
    )
    return FocusAgreement.objects.filter(
        relationship__any_id=relationship_ids, pk=Subquery(latest.values("pk")[:1])
    ).order_by()


_LATEST_FOCUS = Prepared(_latest_focus_rows)


def attach_latest_focus(relationships) -> None:
    """Each relationship's focus, for relationships already read: its latest agreement only
    (the model's order, latest first), as a list in `latest_focus`, empty without one: what
    every page shows of it. One query for them all, built once (`core.prepared`).

    A pair agrees a new focus now and then for years, and every agreement ever made was read
    for each relationship listed; then a sliced prefetch, whose query Django built and compiled
    on every page (about 1 ms of home and of a record, more than running it)."""
    by_pk = {}
    for rel in relationships:
        rel.latest_focus = []
        by_pk.setdefault(rel.pk, []).append(rel)
    if not by_pk:
        return
    relationship_of = FocusAgreement.relationship.field
    for agreement in _LATEST_FOCUS(list(by_pk)):
        for rel in by_pk[agreement.relationship_id]:
            relationship_of.set_cached_value(agreement, rel)
            rel.latest_focus = [agreement]


def _active_relationships(condition, day, group_counts):
    """The relationships meeting `condition` active on `day`, with their people, last
    one-to-one held and next booked (their focus: `attach_latest_focus`)."""
    relationships = (
        Relationship.objects.filter(condition)
        .active_on(day)
        .select_related("supervisor", "supervisee")
    )
    return with_next_planned(with_last_held(relationships, day, group_counts=group_counts), day)


def supervisee_rows(supervisor, day) -> list[tuple]:
    """(supervisee id, name, e-mail, kind, last one-to-one held, next booked) for each of the
    supervisor's active relationships, by supervisee name: what a list of them shows, as
    values (no relationship, supervisor or agreement objects: my supervisees' page)."""
    return _SUPERVISEE_ROWS(pk_of(supervisor), day)


_SUPERVISEE_ROWS = Prepared(
    lambda supervisor, day: (
        _active_relationships(Q(supervisor=supervisor), day, False)
        .order_by("supervisee__name", "kind")
        .values_list(
            "supervisee",
            "supervisee__name",
            "supervisee__email",
            "kind",
            "last_held",
            "next_planned",
        )
    )
)

# Built and compiled once (`core.prepared`): each home page reads it.
_RELATIONSHIPS_OF = Prepared(_relationships_of)
