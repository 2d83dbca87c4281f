"""What each held session inherited from the one before it (`BroughtForward`), kept.

An action of a session's previous session needed review in it unless it was closed before
its date without a review there or later (DOMAIN.md, `audit.selectors.compliance`). Working
that out for every session of an organisation's year on every request was most of the
organisation page (docs/performance.md). It is kept instead, a row per held session: its
previous session, whether it had actions to review, whether it left some unreviewed.

Kept by working it out again, never by patching: whatever writes says which sessions it may
have changed (`affected_by_session`, `reviewing`, `following`), and `refresh` works those out
again from the records, in the same transaction, through the same computation the figures
were always made with (`previous_sessions`, `brought_forward`). What can change a session's
row: a session of the same supervisor with one of its attendees held, moved, dropped or
changed before it (the first later session of each of that session's attendees, on each of
its days before and after); an action of its previous session made, changed or removed; a
review of one made or removed, or the session it was made in moved. `rebuild` works
everything out again a quarter of a year at a time (the demo's seeding, an import's
supervisors from the first day it touched, `manage.py keep_minutes`).
"""

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Subquery

from core import bulk

from .models import Action, ActionReview, ActionStatus, Attendance, BroughtForward, Session, Status


def _outer(name, levels):
    ref = name
    for _ in range(levels):
        ref = OuterRef(ref)
    return ref


def previous_session(levels):
    """The supervisor's last held session before session S that shares an attendee with it.

    S is the query `levels` levels out. Written inline rather than as an annotation on S:
    PostgreSQL cannot read a select alias from a subquery of the same select.
    """
    shared_attendee = Attendance.objects.filter(
        session=OuterRef("pk"), person__attendances__session=_outer("pk", levels + 1)
    )
    return (
        Session.objects.filter(
            Exists(shared_attendee),
            supervisor=_outer("supervisor", levels),
            status=Status.HELD,
            date__lt=_outer("date", levels),
        )
        .order_by("-date", "-pk")
        .values("pk")[:1]
    )


# How far back the previous sessions are looked for in one read (see `_previous_sessions`).
PREVIOUS_LOOKBACK_DAYS = 92
# Up to this many previous sessions (and no more than the database takes parameters in one
# query: SQLite's limit may be as low as 999), their actions are read by the sessions' ids: a
# team's few hundred, each by the index on the action's session (1 ms where the lookback's
# sessions took 12-16 ms at a council's size, PostgreSQL reading every action of the history
# to find them); a council's year, 9,000 of them, in 65 ms instead of 76 and a quarter of the
# rows. Beyond it (a national body's), by where they are, in one query whatever their number.
PREVIOUS_BY_ID_AT_MOST = 20_000


def _by_id_at_most():
    limit = connection.features.max_query_params
    return PREVIOUS_BY_ID_AT_MOST if limit is None else min(PREVIOUS_BY_ID_AT_MOST, limit)


def previous_sessions(held: QuerySet, start: date, end: date):
    """({S: its previous session}, {S: its date}, where the previous sessions are, as a filter
    on actions) for the held sessions S of `held` (in [start, end]); a session with no
    previous session has no entry in the first. The previous session is the supervisor's last
    held session before S's date that shares an attendee with S
    (`previous_session`, the rule in DOMAIN.md), the latest pk on the latest day.

    Its cost follows the window, not the history: one read of the attendances at the held
    sessions of S's supervisors, with S's attendees, from PREVIOUS_LOOKBACK_DAYS before the
    window to its end, and a look further back only for the sessions that found no previous
    session there (a first session, or one after a long gap), through the same rule in SQL.
    Two queries at most.
    """
    # The window's sessions, their supervisors and attendees, read once: as subqueries, a
    # team's scope (its members of the time) was planned and run again in each place it was
    # used. The people and supervisors are few (a team's, or the organisation's); the sessions
    # may be thousands, so they are not sent back as a list.
    scoped, people = {}, set()
    for pk, supervisor, person in (
        Attendance.objects.filter(session__in=held.order_by().values("pk"))
        .order_by()
        .values_list("session", "session__supervisor", "person")
    ):
        scoped[pk] = supervisor
        people.add(person)
    if not scoped:
        return {}, {}, Q(pk__in=[])
    supervisors = set(scoped.values())
    since = start - timedelta(days=PREVIOUS_LOOKBACK_DAYS)
    rows = (
        Attendance.objects.filter(
            session__status=Status.HELD,
            session_date__gte=since,
            session_date__lte=end,
            session__supervisor__in=supervisors,
            person__in=people,
        )
        .order_by()
        .values_list("session", "session__supervisor", "session_date", "person")
    )
    # (supervisor, person) -> [(date, pk)] of the held sessions they were both at.
    together: dict[tuple[int, int], list] = {}
    attendees: dict[int, list] = {}
    sessions = {}
    for pk, supervisor, day, person in rows:
        together.setdefault((supervisor, person), []).append((day, pk))
        if pk in scoped:
            attendees.setdefault(pk, []).append(person)
            sessions[pk] = (supervisor, day)
    for key in together:
        together[key].sort()
    previous, unknown = {}, []
    for pk, (supervisor, day) in sessions.items():
        best = None
        for person in attendees[pk]:
            earlier = together[(supervisor, person)]
            i = bisect_left(earlier, (day, 0))  # the first on or after S's day
            if i and (best is None or earlier[i - 1] > best):
                best = earlier[i - 1]
        if best is not None:
            previous[pk] = best[1]
        else:
            unknown.append(pk)  # nothing in the lookback: look further back
    far = {}
    if unknown:
        far = dict(
            Session.objects.filter(pk__in=unknown)
            .annotate(previous=Subquery(previous_session(1)))
            .filter(previous__isnull=False)
            .order_by()
            .values_list("pk", "previous")
        )
        previous.update(far)
    days = {pk: day for pk, (_supervisor, day) in sessions.items()}
    ids = set(previous.values())
    if len(ids) <= _by_id_at_most():
        return previous, days, Q(session__in=ids)
    # Where the previous sessions are, for reading their actions without listing them all:
    # the lookback's held sessions of these supervisors, and the few found further back.
    where = Q(
        session__status=Status.HELD,
        session__date__gte=since,
        session__date__lte=end,
        session__supervisor__in=supervisors,
    )
    if far:
        where |= Q(session__in=set(far.values()))
    return previous, days, where


def brought_forward(previous: Mapping[int, int], days: Mapping[int, date], where: Q):
    """({sessions with actions to review}, {sessions with unreviewed actions}) among the sessions
    of `previous`, each with its date in `days`. One query: the actions of the sessions
    `where` says (every previous session among them), each with its reviews.

    An action of the previous session needed review in S unless it was closed before S's date
    without a review in S or later (`audit.selectors.compliance`).
    """
    if not previous:
        return set(), set()
    rows = (
        Action.objects.filter(where)
        .order_by()
        .values_list(
            "pk", "session", "status", "completed_on", "reviews__session", "reviews__session__date"
        )
    )
    actions: dict[int, list] = {}
    for pk, session, status, completed_on, reviewed_in, reviewed_on in rows:
        by_action = actions.setdefault(session, {})
        action = by_action.setdefault(pk, (status, completed_on, []))
        if reviewed_in is not None:
            action[2].append((reviewed_in, reviewed_on))
    to_review, unreviewed = set(), set()
    for pk, before in previous.items():
        day = days[pk]
        forward = []
        for status, completed_on, reviews in actions.get(before, {}).values():
            here = any(session == pk for session, _on in reviews)
            if (
                status == ActionStatus.OPEN
                or (completed_on is not None and completed_on >= day)
                or here
                or any(on > day for _session, on in reviews)
            ):
                forward.append(here)
        if forward:
            to_review.add(pk)
            if not all(forward):
                unreviewed.add(pk)
    return to_review, unreviewed


# Keeping them.


def _write(held: QuerySet, start: date, end: date) -> int:
    """Work out the rows of the held sessions of `held` (dated in [start, end]) and write them
    (their old rows already gone). The number written."""
    ids = list(held.order_by().values_list("pk", flat=True))
    if not ids:
        return 0
    previous, days, where = previous_sessions(held, start, end)
    to_review, unreviewed = brought_forward(previous, days, where)
    rows = [(pk, previous.get(pk), pk in to_review, pk in unreviewed) for pk in ids]
    if bulk.fast(BroughtForward):
        bulk.copy_rows(
            BroughtForward._meta.db_table,
            ["session_id", "previous_id", "to_review", "unreviewed"],
            rows,
        )
    else:
        BroughtForward.objects.bulk_create(
            [
                BroughtForward(session_id=pk, previous_id=before, to_review=r, unreviewed=u)
                for pk, before, r, u in rows
            ],
            batch_size=500,
        )
    return len(rows)


# Sessions refreshed by one computation: within every database's limit on parameters.
SESSIONS_AT_ONCE = 500


def refresh(ids: Iterable[int]) -> None:
    """Work out again, from the records, the rows of the sessions `ids` (those held get one;
    the others lose theirs). Call it inside the transaction that wrote, after writing."""
    ids = sorted(set(ids))
    for first in range(0, len(ids), SESSIONS_AT_ONCE):
        chunk = ids[first : first + SESSIONS_AT_ONCE]
        BroughtForward.objects.filter(session__in=chunk).delete()
        held = Session.objects.filter(pk__in=chunk, status=Status.HELD)
        span = held.aggregate(start=Min("date"), end=Max("date"))
        if span["start"] is not None:
            _write(held, span["start"], span["end"])


# How much of the history one step of `rebuild` works out: all of it up to this many
# sessions, else a quarter of a year at a time.
REBUILD_AT_ONCE = 20_000
REBUILD_DAYS = 92


def rebuild(*, supervisors_since: Mapping[int, date] | None = None) -> None:
    """Work out every row again (or, with `supervisors_since`, {supervisor id: a day}, the
    rows of those supervisors' sessions from the earliest of the days on), a quarter of a
    year at a time."""
    sessions = Session.objects.all()
    if supervisors_since is not None:
        if not supervisors_since:
            return
        # Every session of these supervisors from the earliest of their days: a little more
        # than each from its own day, in a query of any number of them.
        sessions = sessions.filter(
            supervisor__in=sorted(supervisors_since), date__gte=min(supervisors_since.values())
        )
    sessions = sessions.order_by()
    if supervisors_since is None:
        BroughtForward.objects.all().delete()
    else:
        BroughtForward.objects.filter(session__in=sessions.values("pk")).delete()
    held = sessions.filter(status=Status.HELD)
    span = held.aggregate(start=Min("date"), end=Max("date"), count=Count("pk"))
    if span["start"] is None:
        return
    # A few thousand sessions in one step; more, a quarter of a year at a time, so that what
    # is held in memory follows the quarter, not the history.
    step = (
        REBUILD_DAYS if span["count"] > REBUILD_AT_ONCE else (span["end"] - span["start"]).days + 1
    )
    start = span["start"]
    while start <= span["end"]:
        end = start + timedelta(days=step - 1)
        _write(held.filter(date__gte=start, date__lte=end), start, end)
        start = end + timedelta(days=1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(BroughtForward._meta.db_table)}")


# Which sessions a write may have changed.


def following(supervisor_id: int, people: Iterable[int], days: Iterable[date]) -> set[int]:
    """The held sessions of `supervisor_id` on, for each of `people` and each of `days`, the
    first later day that person had one with them: the sessions whose previous session a
    session of theirs on one of `days` was, or may now be. One query (each person's later
    sessions with the supervisor: a few a month)."""
    people, days = set(people), set(days)
    if not people or not days:
        return set()
    later: dict[int, list] = {}
    for person, session, day in (
        Attendance.objects.filter(
            person__in=people,
            session__supervisor=supervisor_id,
            session__status=Status.HELD,
            session_date__gt=min(days),
        )
        .order_by()
        .values_list("person", "session", "session_date")
    ):
        later.setdefault(person, []).append((day, session))
    found = set()
    for sessions in later.values():
        sessions.sort()
        for day in days:
            i = bisect_left(sessions, (day + timedelta(days=1), 0))
            if i < len(sessions):
                first = sessions[i][0]
                while i < len(sessions) and sessions[i][0] == first:
                    found.add(sessions[i][1])
                    i += 1
    return found


def reviewing(previous: Iterable[int]) -> set[int]:
    """The sessions whose previous session is one of `previous` (as kept): those whose row an
    action of one of them, or a review of such an action, changes. A query a thousand."""
    previous = sorted(set(previous))
    found = set()
    for first in range(0, len(previous), 1000):
        found.update(
            BroughtForward.objects.filter(previous__in=previous[first : first + 1000])
            .order_by()
            .values_list("session", flat=True)
        )
    return found


def reviewed_in(sessions: Iterable[int]) -> set[int]:
    """The sessions whose actions were reviewed in one of `sessions`. A query a thousand."""
    sessions = sorted(set(sessions))
    found = set()
    for first in range(0, len(sessions), 1000):
        found.update(
            ActionReview.objects.filter(session__in=sessions[first : first + 1000])
            .order_by()
            .values_list("action__session", flat=True)
        )
    return found


class SessionState:
    """What of a session its neighbours' rows depend on, read before a write and after it:
    its supervisor, attendees and date (if held), and whose actions it reviewed. Two queries."""

    def __init__(self, session: Session, people: Iterable[int] | None = None):
        self.pk = session.pk
        self.supervisor = session.supervisor_id
        self.day = session.date
        # A session not held is nobody's previous session: its attendees change no one's row.
        if session.status != Status.HELD:
            people = ()
        elif people is None:
            people = Attendance.objects.filter(session=session).values_list("person", flat=True)
        self.people = set(people)
        self.reviewed = reviewed_in([session.pk])


def affected_by_session(*states: SessionState) -> set[int]:
    """The sessions whose rows a write of one session may have changed, from its states
    before and after: itself, the first later sessions of each of its attendees with its
    supervisor, those whose previous session it is, and those whose previous session's actions
    it reviewed."""
    found = set()
    for state in states:
        found.add(state.pk)
        found |= following(state.supervisor, state.people, [state.day])
        found |= reviewing({state.pk, *state.reviewed})
    return found


def differences() -> list[tuple]:
    """Where the kept rows and the records disagree: (session, kept, worked out) for each held
    session whose row is missing, extra or different; empty when they agree. Works everything
    out: for tests and `manage.py keep_minutes --check`, not for pages."""
    stored = {
        pk: (previous, to_review, unreviewed)
        for pk, previous, to_review, unreviewed in BroughtForward.objects.values_list(
            "session", "previous", "to_review", "unreviewed"
        )
    }
    computed = {}
    held = Session.objects.filter(status=Status.HELD).order_by()
    span = held.aggregate(start=Min("date"), end=Max("date"))
    if span["start"] is not None:
        previous, days, where = previous_sessions(held, span["start"], span["end"])
        to_review, unreviewed = brought_forward(previous, days, where)
        for pk in held.values_list("pk", flat=True):
            computed[pk] = (previous.get(pk), pk in to_review, pk in unreviewed)
    return [
        (pk, stored.get(pk), computed.get(pk))
        for pk in sorted(stored.keys() | computed.keys())
        if stored.get(pk) != computed.get(pk)
    ]
