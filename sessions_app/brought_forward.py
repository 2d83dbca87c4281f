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
everything out again in one pass over the days (the demo's seeding, an import's supervisors
from the first day it touched, `manage.py keep_minutes`).
"""

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from itertools import batched

from django.db import connection
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate

from core import bulk, db

from . import kept
from .models import (
    Action,
    ActionReview,
    ActionStatus,
    Attendance,
    BroughtForward,
    DayChecks,
    Session,
    Status,
)


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


# Up to this many supervisors and people, the lookback's read is narrowed to them.
NARROW_AT_MOST = 1000


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
    # A team's supervisors and people narrow the read; an organisation's (thousands of ids)
    # only slow it down: every held session of the span is read instead, the pairs that are
    # not asked about left unused (the organisation's quarter 150 to 40 ms).
    narrow = {}
    if len(supervisors) + len(people) <= NARROW_AT_MOST:
        narrow = {"session__supervisor__in": supervisors, "person__in": people}
    rows = (
        Attendance.objects.filter(
            session__status=Status.HELD,
            session_date__gte=since,
            session_date__lte=end,
            **narrow,
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


def _write(held: QuerySet, start: date, end: date) -> None:
    """Work out the rows of the held sessions of `held` (dated in [start, end]) and write them
    (their old rows already gone)."""
    days = dict(held.order_by().values_list("pk", "date"))
    if days:
        previous, _attended, _where = previous_sessions(held, start, end)
        _write_rows(previous, days, [pk for pk in days if pk not in previous])


# Sessions refreshed by one computation: within every database's limit on parameters.
SESSIONS_AT_ONCE = 500


def refresh(ids: Iterable[int]) -> None:
    """Work out again, from the records, the rows of the sessions `ids` (those held get one;
    the others lose theirs), and the organisation's checks of their days before and after
    (`refresh_checks`). Call it inside the transaction that wrote, after writing."""
    days = set()
    for chunk in batched(sorted(set(ids)), SESSIONS_AT_ONCE):
        rows = BroughtForward.objects.filter(session__in=chunk)
        days.update(rows.values_list("date", flat=True))
        rows.delete()
        held = Session.objects.filter(pk__in=chunk, status=Status.HELD)
        days.update(held.values_list("date", flat=True))
        span = held.aggregate(start=Min("date"), end=Max("date"))
        if span["start"] is not None:
            _write(held, span["start"], span["end"])
    refresh_checks(days)


def _in_order_of_days(rows):
    """(session, its day, its previous session or None) for each held session of `rows`, the
    attendances at held sessions (session, supervisor, day, person) in order of day, then
    session: one pass, keeping each supervisor and person's latest session before the day
    (the rule of `previous_session`: the latest day, then the latest id)."""
    latest: dict[tuple[int, int], tuple] = {}  # on the days before the current one
    on_the_day: dict[tuple[int, int], tuple] = {}
    found: dict[int, list] = {}  # the current day's sessions: [day, best so far]
    current = None
    for pk, supervisor, day, person in rows:
        if day != current:
            yield from ((s, d, best[1] if best else None) for s, (d, best) in found.items())
            latest.update(on_the_day)
            on_the_day, found, current = {}, {}, day
        entry = found.setdefault(pk, [day, None])
        before = latest.get((supervisor, person))
        if before is not None and (entry[1] is None or before > entry[1]):
            entry[1] = before
        on_the_day[supervisor, person] = (day, pk)  # in order of id: the day's latest wins
    yield from ((s, d, best[1] if best else None) for s, (d, best) in found.items())


# Sessions whose rows are worked out and written together by `rebuild` (their previous
# sessions' actions are read by id: no more than the database takes parameters in a query).
REBUILD_AT_ONCE = 20_000


def _write_rows(previous: dict, days: dict, no_previous: list) -> None:
    """Work out and write the rows of sessions with a previous session (`previous`) and of
    those without one (`no_previous`), each with its day in `days`."""
    # The ids as one parameter (`core.db.among`): Django prepared each of 20,000 on its own,
    # 19 s of a national body's rebuild as profiled (178 s under the profiler).
    to_review, unreviewed = brought_forward(
        previous, days, db.among("session", set(previous.values()))
    )
    rows = [
        (pk, before, pk in to_review, pk in unreviewed, days[pk]) for pk, before in previous.items()
    ]
    rows += [(pk, None, False, False, days[pk]) for pk in no_previous]
    _insert(rows)


def _insert(rows) -> None:
    if bulk.copies():
        bulk.copy_rows(
            BroughtForward._meta.db_table,
            ["session_id", "previous_id", "to_review", "unreviewed", "date"],
            rows,
        )
        return
    BroughtForward.objects.bulk_create(
        [
            BroughtForward(session_id=pk, previous_id=before, to_review=r, unreviewed=u, date=day)
            for pk, before, r, u, day in rows
        ],
        batch_size=500,
    )


def rebuild(*, supervisors_since: Mapping[int, date] | None = None) -> None:
    """Work out every row again (or, with `supervisors_since`, {supervisor id: a day}, the
    rows of those supervisors' sessions from the earliest of the days on).

    One pass over the held sessions' attendances in order of day (`_in_order_of_days`), the
    rows worked out and written REBUILD_AT_ONCE sessions at a time: what is held in memory
    is the pairs of supervisor and person, not the history. From a day, the pass starts the
    lookback before it, and the sessions that found no previous session there look further
    back in SQL (as `previous_sessions` does).
    """
    held = Session.objects.filter(status=Status.HELD).order_by()
    attendances = Attendance.objects.filter(session__status=Status.HELD)
    since = None
    if supervisors_since is None:
        hold(everything=True)
        BroughtForward.objects.all().delete()
    elif not supervisors_since:
        return
    else:
        hold(supervisors_since)
        # Every session of these supervisors from the earliest of their days: a little more
        # than each from its own day, in a query of any number of them.
        supervisors, since = sorted(supervisors_since), min(supervisors_since.values())
        held = held.filter(supervisor__in=supervisors, date__gte=since)
        attendances = attendances.filter(
            session__supervisor__in=supervisors,
            session_date__gte=since - timedelta(days=PREVIOUS_LOOKBACK_DAYS),
        )
        # The rows of every session of theirs from then, held or not: one no longer held (an
        # import that called it off) keeps no row.
        theirs = Session.objects.filter(supervisor__in=supervisors, date__gte=since).order_by()
        BroughtForward.objects.filter(session__in=theirs.values("pk")).delete()
    rows = (
        attendances.order_by("session_date", "session")
        .values_list("session", "session__supervisor", "session_date", "person")
        .iterator(chunk_size=10_000)
    )
    if connection.vendor != "postgresql":
        rows = list(rows)  # elsewhere, no other query while one is being read
    previous, days, no_previous = {}, {}, []
    limit = connection.features.max_query_params  # their previous sessions' actions, by id
    at_once = REBUILD_AT_ONCE if limit is None else min(REBUILD_AT_ONCE, limit)

    def write():
        if since is not None and no_previous:  # perhaps further back than the lookback
            far = dict(
                Session.objects.filter(pk__in=no_previous)
                .annotate(found=Subquery(previous_session(1)))
                .filter(found__isnull=False)
                .values_list("pk", "found")
            )
            for pk, found in far.items():
                previous[pk] = found
            no_previous[:] = [pk for pk in no_previous if pk not in far]
        _write_rows(previous, days, no_previous)
        previous.clear()
        days.clear()
        no_previous.clear()

    for pk, day, before in _in_order_of_days(rows):
        if since is not None and day < since:
            continue  # read only to know the sessions before
        days[pk] = day
        if before is None:
            no_previous.append(pk)
        else:
            previous[pk] = before
        if len(days) >= at_once:
            write()
    write()
    # Held sessions nobody attended (none are recorded so, but a row for every held session).
    unattended = held.filter(brought_forward__isnull=True).values_list("pk", "date")
    _insert([(pk, None, False, False, day) for pk, day in unattended])
    bulk.analyse(BroughtForward)
    rebuild_checks(since=since)


# The organisation's checks by day (`DayChecks`): its held sessions counted by day, format,
# length and day shared, with what they inherited.

# `core.db.hold`'s namespace for the days whose checks are being counted again: the last held
# by any write (after the supervisors, people, days of minutes and sessions counted).
HOLD_CHECK_DAYS = 5
CHECKS_KEY = ("day", "format", "duration_minutes", "shared_on")
CHECKS_COUNTS = ("held", "to_review", "unreviewed")


def live_checks(days=None, *, since=None, models=None) -> QuerySet:
    """The counts as `DayChecks` keeps them, from the held sessions and their rows: (day,
    format, duration_minutes, shared_on, held, to_review, unreviewed), on `days`, or from
    `since` on, or every day. The day shared is the organisation's (its time zone), as the
    checks read it. `models` (session, for a migration's historical model) defaults to this
    app's."""
    held = (models or Session).objects.filter(status=Status.HELD)
    if days is not None:
        held = held.filter(date__in=days)
    if since is not None:
        held = held.filter(date__gte=since)
    return (
        held.order_by()
        .annotate(kept_shared_on=TruncDate("shared_at"))
        .values("date", "format", "duration_minutes", "kept_shared_on")
        .annotate(
            held=Count("pk"),
            to_review=Count("pk", filter=Q(brought_forward__to_review=True)),
            unreviewed=Count("pk", filter=Q(brought_forward__unreviewed=True)),
        )
        .values_list("date", "format", "duration_minutes", "kept_shared_on", *CHECKS_COUNTS)
    )


def refresh_checks(days: Iterable[date]) -> None:
    """Count the organisation's checks of `days` again, from the records. Call it inside the
    transaction that wrote them (a record shared or withdrawn; `refresh` calls it)."""
    kept.rewrite_days(
        days, HOLD_CHECK_DAYS, DayChecks, live_checks, key=CHECKS_KEY, columns=CHECKS_COUNTS
    )


def rebuild_checks(*, since: date | None = None, session=None, checks=None) -> None:
    """Count every day's checks again (from `since` on, if given; historical models in a
    migration)."""
    counts = {"key": CHECKS_KEY, "columns": CHECKS_COUNTS}
    if since is None:
        live = live_checks(models=session)
        kept.rewrite_all(HOLD_CHECK_DAYS, checks or DayChecks, live, **counts)
        return
    db.hold(HOLD_CHECK_DAYS, everything=True)
    DayChecks.objects.filter(day__gte=since).delete()
    kept.insert(live_checks(since=since), DayChecks, **counts)


# Which sessions a write may have changed.


# `core.db.hold`'s namespace for the supervisors whose sessions' rows are being worked out.
HOLD_SUPERVISORS = 2


def hold(supervisors: Iterable[int] = (), *, everything: bool = False) -> None:
    """Hold the right to work out again the rows of `supervisors`' sessions (or everyone's)
    until the transaction ends: taken before reading which sessions a write changed, so that
    a second write of the same supervisor's sessions waits, then reads what the first wrote
    (a session's previous session is always its supervisor's). Taken before the people's
    months are held (`sessions_app.kept`): always in that order."""
    db.hold(HOLD_SUPERVISORS, supervisors, everything=everything)


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


def _values_for(queryset, lookup: str, ids: Iterable[int], column: str) -> set:
    """The set of `column` of the rows of `queryset` whose `lookup` is one of `ids`: a query a
    thousand ids."""
    found = set()
    for chunk in batched(sorted(set(ids)), 1000):
        rows = queryset.filter(**{f"{lookup}__in": chunk})
        found.update(rows.order_by().values_list(column, flat=True))
    return found


def reviewing(previous: Iterable[int]) -> set[int]:
    """The sessions whose previous session is one of `previous` (as kept): those whose row an
    action of one of them, or a review of such an action, changes."""
    return _values_for(BroughtForward.objects.all(), "previous", previous, "session")


def reviewed_in(sessions: Iterable[int]) -> set[int]:
    """The sessions whose actions were reviewed in one of `sessions`."""
    return _values_for(ActionReview.objects.all(), "session", sessions, "action__session")


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
    session whose row is missing, extra or different, then `checks_differences`; empty when
    they agree. Works everything out: for tests and `manage.py keep_minutes --check`, not for
    pages."""
    stored = {
        pk: (previous, to_review, unreviewed, day)
        for pk, previous, to_review, unreviewed, day in BroughtForward.objects.values_list(
            "session", "previous", "to_review", "unreviewed", "date"
        )
    }
    computed = {}
    held = Session.objects.filter(status=Status.HELD).order_by()
    span = held.aggregate(start=Min("date"), end=Max("date"))
    if span["start"] is not None:
        previous, days, where = previous_sessions(held, span["start"], span["end"])
        to_review, unreviewed = brought_forward(previous, days, where)
        for pk, day in held.values_list("pk", "date"):
            computed[pk] = (previous.get(pk), pk in to_review, pk in unreviewed, day)
    return [
        (pk, stored.get(pk), computed.get(pk))
        for pk in sorted(stored.keys() | computed.keys())
        if stored.get(pk) != computed.get(pk)
    ] + checks_differences()


def checks_differences() -> list[tuple]:
    """("checks", row, "kept" or "live") for each row of the organisation's kept checks
    (`DayChecks`) that counting the held sessions and their rows again does not give, and
    each that it gives and is not kept; empty when they agree."""
    kept_rows = Counter(DayChecks.objects.order_by().values_list(*CHECKS_KEY, *CHECKS_COUNTS))
    live_rows = Counter(live_checks())
    return [
        *(("checks", row, "kept") for row in sorted(kept_rows - live_rows, key=str)),
        *(("checks", row, "live") for row in sorted(live_rows - kept_rows, key=str)),
    ]
