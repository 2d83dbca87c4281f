"""Reads for the balance audit: SQL aggregates gather the numbers, `audit.balance` does the rest.

Every function here runs a fixed number of queries, however many supervisees or sessions there
are: minutes are summed in the database, grouped by person (or supervisor), never by looping
over sessions or items in Python. Each works the same on SQLite and PostgreSQL.

The one trap: an item of `m` minutes and `k` functions gives `m / k` to each function, and
`SUM(minutes / k)` on integer columns truncates. The database instead sums
`minutes * (12 / k)`, whole "twelfths of a minute" (12 is divisible by 1, 2, 3 and 4), and
Python divides by 12 exactly.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction

from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth

from core import clock
from core.db import ID_LIST_FROM, ExistsEach, PerGroup, among
from core.numbers import ratio
from core.prepared import Prepared, pk_of
from core.tally import Minutes
from core.vocabulary import (
    FUNCTIONS,
    STAGES,
    STAKEHOLDERS,
)
from people.changes import relationships_version
from people.models import (
    GAP_VALUES,
    FocusAgreement,
    FocusRequest,
    Relationship,
    RequestAnswer,
    RequestKind,
    Team,
    User,
    gap_of,
)
from people.selectors import team_members_between
from sessions_app import kept
from sessions_app.kept import (
    SUM_COLUMNS,
    SqlSum,
    count_if,
    count_where,
    minute_sums,
)
from sessions_app.models import (
    SESSION_COUNT_COLUMNS,
    Attendance,
    DayChecks,
    DayMinutes,
    Feedback,
    Format,
    MonthMinutes,
    MonthSessions,
    Rating,
    Session,
    Status,
)
from sessions_app.selectors import with_last_held

from .balance import (
    ABSENT_STAKEHOLDER,
    Balance,
    Compliance,
    Flag,
    Reliability,
    SupervisorMinutes,
    Thresholds,
    compute_balance,
    flags_by_rule,
    month_windows,
)
from .models import AuditPolicy


def thresholds_of(policy: AuditPolicy | None = None) -> Thresholds:
    """The thresholds of `policy`, or of the policy in force."""
    return Thresholds.from_policy(policy or AuditPolicy.current())


def _check_window(start: date, end: date) -> None:
    if start > end:
        raise ValueError(f"the window starts ({start}) after it ends ({end})")


def _format_filter(formats, prefix: str = "") -> Q:
    """A filter on session format: `formats` is None (every format) or some `Format` values.

    The dashboards' format filter: it restricts which sessions count, nothing else.
    """
    if formats is None:
        return Q()
    formats = list(formats)
    unknown = set(formats) - set(Format.values)
    if unknown:
        raise ValueError(f"unknown session formats: {sorted(unknown)}")
    return Q(**{f"{prefix}format__in": formats})


def _shape(formats):
    """`formats` as part of a prepared query's shape (`core.prepared`): None or a tuple."""
    return None if formats is None else tuple(formats)


def _few(ids) -> bool:
    """Whether `ids` (from `_ids`) are a few people's, read from each one's own rows (their
    attendances by person and date), rather than an organisation's, read by the window."""
    return isinstance(ids, list) and len(ids) <= ID_LIST_FROM


def _ids(people):
    """A queryset of users (as a subquery, no query run) or an iterable of users or ids: for
    `among` (`core.db`), which sends a long list as one parameter."""
    if isinstance(people, QuerySet):
        return people.order_by().values("pk")
    return [getattr(person, "pk", person) for person in people]


# Who is a supervisee in a window.


def supervised_between(start: date, end: date) -> QuerySet:
    """The relationships that make their supervisees supervised in [start, end]: those active
    on at least one day of it. `supervisees_in_window` reads them as a subquery of everyone; a
    list of a few people asks it of each (`ExistsEach(...filter(supervisee=OuterRef("pk")))`)."""
    return Relationship.objects.active_between(start, end)


def supervisees_in_window(start: date, end: date, *, team: Team | None = None) -> QuerySet:
    """Everyone supervised in a relationship active on at least one day of [start, end].

    With `team`, only those who were members of it on at least one day of the window
    (`people.selectors.team_members_between`: dated memberships, so past windows show the
    teams of the time).
    """
    people = User.objects.filter(pk__in=supervised_between(start, end).values("supervisee"))
    if team is not None:
        people = people.filter(pk__in=team_members_between(team, start, end).values("pk"))
    return people


# {(start, end, the relationships' number of changes): how many}, this process's: kept while
# the relationships are as they were (`people.changes`), a few windows at a time.
_COUNTED = {}
COUNTED_AT_MOST = 64


def supervisees_in_window_count(start: date, end: date) -> int:
    """How many people `supervisees_in_window(start, end)` has, counted from the relationships
    (each supervisee once): counted as everyone among them, PostgreSQL hashed the window's
    relationships against all 61,000 people of a national body (21 ms, against 8).

    Counted once per window while the relationships stay as they are (PostgreSQL: one query
    of one row, `people.changes.relationships_version`, against 11-14 ms for a national
    body's count), and again as soon as any door changes one."""
    version = relationships_version()
    if version is None:
        return _supervisees_counted(start, end)
    key = (start, end, version)
    counted = _COUNTED.get(key)
    if counted is None:
        if len(_COUNTED) >= COUNTED_AT_MOST:
            _COUNTED.clear()
        counted = _COUNTED[key] = _supervisees_counted(start, end)
    return counted


def _supervisees_counted(start, end):
    return supervised_between(start, end).aggregate(n=Count("supervisee", distinct=True))["n"]


# Minutes, summed in SQL.


def _spans(spans, name: str) -> Q:
    """`name` in any of `spans` ((first, last) days)."""
    within = Q()
    for first, last in spans:
        within |= Q(**{f"{name}__gte": first, f"{name}__lte": last})
    return within


def _held_attendances(start: date, end: date, formats=None, *, many=False, spans=None) -> QuerySet:
    """Present attendances at held sessions in [start, end]: the sessions that count.

    A one-to-one's single attendance is its supervisee; a group's are its members, and its
    facilitator only when marked present as one. Absent members get nothing. With `formats`,
    only sessions of those formats.

    `many` (a whole organisation's people) reads the window's held sessions first, as ids,
    found by the index on their date, then their attendances by the session's index: joined
    instead, PostgreSQL read every held session of the history to find them (the
    organisation's months 95 to 60 ms at a council's 10 years, growing 1.15x on doubled
    history instead of 1.4x); named as a subquery, it read every attendance of the history
    (the national tier's cut days, 5,000 sessions: 410 to 135 ms as ids). For a few people
    the join is cheaper. `spans` ((first, last) days in the window) narrows it to those days.
    """
    spans = spans or [(start, end)]
    held = {"session__status": Status.HELD}
    if many:
        window = Session.objects.filter(_format_filter(formats), _spans(spans, "date"))
        ids = list(window.filter(status=Status.HELD).order_by().values_list("pk", flat=True))
        # One parameter, and a query run even for no ids (a page's query count does not
        # depend on whether its days had sessions).
        return Attendance.objects.filter(session__any_id=ids, present=True).order_by()
    return Attendance.objects.filter(
        _format_filter(formats, "session__"),
        # The date each attendance keeps: with the person, one index finds their window.
        _spans(spans, "session_date"),
        present=True,
        **held,
    ).order_by()


# A day's (or month's) sums are kept as a tuple of integers in `SUM_COLUMNS` order, and
# windows add the tuples up before making one exact `Minutes` of them. Building a `Minutes` of
# Fractions for every person-day of an organisation's year cost about a second a page; adding
# integers costs milliseconds.
_SUM_COLUMNS = SUM_COLUMNS

DaySums = tuple[int, ...]  # a row's `_SUM_COLUMNS`, NULL as 0


def _day_sums(row) -> DaySums:
    return tuple(row[column] or 0 for column in _SUM_COLUMNS)


# Where each figure is in `_SUM_COLUMNS`, found once: `_minutes_of` runs for each person and
# month of a page (a team of 60's twelve months: 800 times).
_AT = {column: i for i, column in enumerate(_SUM_COLUMNS)}
_FUNCTIONS_AT = tuple((key, _AT[f"twelfths_{key}"]) for key in FUNCTIONS)
_STAGES_AT = tuple((key, _AT[f"stage_{key}"]) for key in STAGES)
_STAKEHOLDERS_AT = tuple((key, _AT[f"stakeholder_{key}"]) for key in STAKEHOLDERS)
_TAGGED_AT, _SHORT_CIRCUIT_AT = _AT["tagged"], _AT["short_circuit"]
_ABSENT_AT = _AT[f"stakeholder_{ABSENT_STAKEHOLDER}"]
_NO_SUMS = (0,) * len(_SUM_COLUMNS)  # someone with nothing held in the window


def _minutes_of(sums: DaySums) -> Minutes:
    """Exact minutes from integer sums in `_SUM_COLUMNS` order."""
    return Minutes.from_twelfths(
        {key: sums[i] for key, i in _FUNCTIONS_AT},
        tagged=sums[_AT["tagged"]],
        short_circuit=sums[_AT["short_circuit"]],
        sessions_held=sums[_AT["sessions_held"]],
        stages={key: sums[i] for key, i in _STAGES_AT},
        stakeholders={key: sums[i] for key, i in _STAKEHOLDERS_AT},
        no_stage=sums[_AT["no_stage"]],
    )


def _added(days) -> Minutes:
    """The exact minutes of some `DaySums`, added as integers first."""
    days = list(days)
    if not days:
        return Minutes()
    return _minutes_of(tuple(map(sum, zip(*days, strict=True))))


def _exact(row) -> Minutes:
    """A row of `minute_sums` (with `sessions_held`) as exact minutes."""
    return _minutes_of(_day_sums(row))


def _minutes_by_person(people, start: date, end: date, formats=None) -> dict[int, Minutes]:
    rows = _MINUTES_ROWS(people, start, end, _shape(formats))
    return {row["person"]: _exact(row) for row in rows}


def _minutes_rows(people, start, end, formats) -> QuerySet:
    return (
        _held_attendances(start, end, formats)
        .filter(among("person", people))
        .values("person")
        .annotate(sessions_held=Count("session", distinct=True), **minute_sums("session__items__"))
    )


_MINUTES_ROWS = Prepared(_minutes_rows)


def _gaps_by_person(people, start: date, end: date, *, group_counts: bool) -> dict[int, list]:
    """Each supervisee's relationships active in the window, with their gap to its measuring end
    (`Relationship.gap_to`: the one overdue rule)."""
    # What `Relationship.gap_to` reads, as plain values: an organisation has thousands of
    # relationships, and a model instance each (with its supervisor and supervisee) cost more
    # than the rule itself.
    gaps = {}
    for supervisee, last_held, *values in _GAP_ROWS(people, start, end, group_counts):
        gaps.setdefault(supervisee, []).append(
            gap_of(values, end, last_held, group_counts=group_counts)
        )
    return gaps


def _gap_rows(people, start, end, group_counts) -> QuerySet:
    return (
        with_last_held(
            Relationship.objects.active_between(start, end).filter(among("supervisee", people)),
            end,
            group_counts=group_counts,
        )
        .order_by("pk")
        .values_list("supervisee", "last_held", *GAP_VALUES)
    )


_GAP_ROWS = Prepared(_gap_rows)


def _reported_dominance_by_person(
    people, start: date, end: date, formats=None, led_by=None
) -> dict[int, dict]:
    """What each person's feedback said dominated; only on sessions `led_by` led, if given."""
    reported = {}
    for person, dominated, n in _REPORTED_ROWS(people, start, end, _shape(formats), led_by):
        reported.setdefault(person, {})[dominated] = n
    return reported


def _reported_rows(people, start, end, formats, led_by) -> QuerySet:
    return (
        feedback_in_window(start, end, people=people, supervisor=led_by, formats=formats)
        # Only a function: "" (none dominated) and None (not answered) say nothing dominated.
        .filter(dominated__in=FUNCTIONS)
        .values("person", "dominated")
        .annotate(n=Count("pk"))
        .values_list("person", "dominated", "n")
    )


_REPORTED_ROWS = Prepared(_reported_rows)


def _persons(ids) -> QuerySet:
    return User.objects.filter(among("pk", ids)).order_by().values_list("pk", "email", "name")


_PERSONS = Prepared(_persons)


def balances_of(
    people,
    start: date,
    end: date,
    *,
    policy: AuditPolicy | None = None,
    formats=None,
    feedback_led_by: int | None = None,
    reported_feedback: bool = True,
    daily: Mapping[int, Mapping] | None = None,
    minutes: Mapping[int, Minutes] | None = None,
    reported: Mapping[int, Mapping[str, int]] | None = None,
    persons: Iterable[tuple[int, str, str]] | None = None,
) -> list[Balance]:
    """The balance of each of `people` (users or ids) in [start, end], sorted by email.

    Everyone given is listed, supervised in the window or not: use `balances` for DOMAIN.md's
    "who is a supervisee". Four queries (five when the policy is looked up), whatever the
    number of people or sessions.

    `formats` (None, or some `Format` values) restricts which held sessions count, and whose
    feedback; the overdue flag follows the policy whatever the filter, so it is unchanged.
    `feedback_led_by` limits the feedback that raises `supervisee_reported_dominance` to the
    sessions that person led, and `reported_feedback=False` leaves it out (feedback kept
    between supervisee and supervisor: `sessions_app.access.feedback_led_by_for_flags`).
    `daily` (`daily_minutes` or `month_minutes` read over a span covering the window) saves
    the query of the people's minutes when the caller has read them already: they are added
    up from it (`minutes_by_person`); `minutes` (`window_sums(...).by_person`) are each
    person's minutes in the window already added up. `reported` ({person id: {function:
    feedbacks that said it dominated}}, as `fold_feedback(...).dominated` counts them over
    the window, with the same `formats` and `feedback_led_by`) saves the feedback's query;
    `persons` ((id, email, name) of each of `people`, read already) saves theirs.
    """
    thresholds, persons, gaps, reported = _balance_inputs(
        people, start, end, policy, formats, feedback_led_by, reported_feedback, reported, persons
    )
    if minutes is None and daily is None:
        minutes = _minutes_by_person([pk for pk, _email, _name in persons], start, end, formats)
    elif minutes is None:
        minutes = minutes_by_person(daily, [pk for pk, _email, _name in persons], start, end)
    results = [
        compute_balance(
            supervisee=email,
            name=name,
            start=start,
            end=end,
            minutes=minutes.get(pk, Minutes()),
            gaps=gaps.get(pk, ()),
            reported_dominance=reported.get(pk, {}),
            thresholds=thresholds,
        )
        for pk, email, name in persons
    ]
    # Sorted here, not by the database: collations differ between SQLite and PostgreSQL.
    return sorted(results, key=lambda balance: balance.supervisee)


def _balance_inputs(
    people, start, end, policy, formats, feedback_led_by, reported_feedback, reported, persons
):
    """What a balance is worked out from besides its minutes, as `balances_of` takes it:
    the thresholds, each person's (id, email, name), gaps and reported dominance."""
    _check_window(start, end)
    policy = policy or AuditPolicy.current()
    ids = _ids(people)
    persons = list(_PERSONS(ids) if persons is None else persons)
    gaps = _gaps_by_person(ids, start, end, group_counts=policy.group_counts_for_regularity)
    if not reported_feedback:
        reported = {}
    elif reported is None:
        reported = _reported_dominance_by_person(ids, start, end, formats, feedback_led_by)
    return thresholds_of(policy), persons, gaps, reported


@dataclass(frozen=True, slots=True)
class Flagged:
    """A supervisee's flags in a window (`flagged_of`), and what their whole `Balance` is made
    of when it is asked for (`balance()`)."""

    pk: int
    supervisee: str
    name: str
    flags: tuple[Flag, ...]
    start: date
    end: date
    sums: DaySums
    gaps: tuple
    reported: Mapping[str, int]
    thresholds: Thresholds

    @property
    def overdue_gaps(self) -> tuple:
        """As their balance's (`Balance.overdue_gaps`)."""
        return tuple(gap for gap in self.gaps if gap.overdue)

    def balance(self) -> Balance:
        """Their balance, as `balances_of` gives it."""
        return compute_balance(
            supervisee=self.supervisee,
            name=self.name,
            start=self.start,
            end=self.end,
            minutes=_exact_or_none(self.sums),
            gaps=self.gaps,
            reported_dominance=self.reported,
            thresholds=self.thresholds,
        )


def flagged_of(
    people,
    start: date,
    end: date,
    *,
    sums: Mapping[int, DaySums],
    policy: AuditPolicy | None = None,
    formats=None,
    feedback_led_by: int | None = None,
    persons: Iterable[tuple[int, str, str]] | None = None,
) -> list[Flagged]:
    """Each of `people`'s flags in [start, end], sorted by email, as `balances_of` would flag
    them, from their minutes' integer sums (`window_sums(...).sums_by_person`) without making
    each one's exact minutes: an organisation counts 1,700 people's flags and shows fifty
    balances (`Flagged.balance`). The same queries as `balances_of` but the minutes'."""
    thresholds, persons, gaps, reported = _balance_inputs(
        people, start, end, policy, formats, feedback_led_by, True, None, persons
    )
    results = []
    for pk, email, name in persons:
        person_sums = sums.get(pk, _NO_SUMS)
        if not person_sums[_HELD_AT]:
            person_sums = _NO_SUMS  # nothing held: no minutes (`_exact_or_none`)
        # Every figure in twelfths of a minute: the functions' sums are twelfths already.
        twelfths = {key: person_sums[i] for key, i in _FUNCTIONS_AT}
        tagged = 12 * person_sums[_TAGGED_AT]
        total = sum(twelfths.values())
        if total != tagged:
            raise ValueError(f"function twelfths of a minute add up to {total}, not {tagged}")
        person_gaps = tuple(gaps.get(pk, ()))
        person_reported = {key: n for key, n in reported.get(pk, {}).items() if n}
        flags = flags_by_rule(
            by_function=twelfths,
            tagged=tagged,
            short_circuit=12 * person_sums[_SHORT_CIRCUIT_AT],
            absent_stakeholder=12 * person_sums[_ABSENT_AT],
            sessions_held=person_sums[_HELD_AT],
            overdue=any(gap.overdue for gap in person_gaps),
            reported=person_reported,
            thresholds=thresholds,
        )
        results.append(
            Flagged(
                pk,
                email.lower(),
                name,
                flags,
                start,
                end,
                person_sums,
                person_gaps,
                person_reported,
                thresholds,
            )
        )
    return sorted(results, key=lambda flagged: flagged.supervisee)


def balances(
    start: date,
    end: date,
    *,
    team: Team | None = None,
    people=None,
    policy: AuditPolicy | None = None,
    formats=None,
    **feedback,
) -> list[Balance]:
    """The balance of every supervisee in the window (optionally of `team`, or among `people`).

    A supervisee is listed even with no sessions (zero minutes, shares None). `feedback` as
    `balances_of` takes it.
    """
    scope = supervisees_in_window(start, end, team=team)
    if people is not None:
        scope = scope.filter(among("pk", _ids(people)))
    elif team is None:
        # The whole organisation (`balance_report --all`, an organisation's API token): its
        # minutes from the months kept, not from every item of the window (`month_minutes`).
        feedback["minutes"] = window_sums(
            scope, start, end, formats=formats, months=False
        ).by_person
    return balances_of(scope, start, end, policy=policy, formats=formats, **feedback)


def supervisee_balance(
    person: User,
    start: date,
    end: date,
    *,
    policy: AuditPolicy | None = None,
    formats=None,
    **feedback,
) -> Balance:
    """One person's balance in the window, whether or not a relationship was active (their
    name and e-mail as `person` has them: not read again)."""
    return balances_of(
        [person.pk],
        start,
        end,
        policy=policy,
        formats=formats,
        persons=[(person.pk, person.email, person.name)],
        **feedback,
    )[0]


def supervisor_breakdown(
    person: User, start: date, end: date, *, formats=None
) -> list[SupervisorMinutes]:
    """Minutes per function that each supervisor (or group facilitator) gave `person`.

    Sorted by the supervisor's email; their sum is the person's balance. One query (the
    balance page reads it with the person's days: `daily_minutes_and_supervisors`).
    """
    return daily_minutes_and_supervisors(person, start, end, (start, end), formats=formats)[1]


# Compliance and reliability.


def team_sessions(team: Team, start: date | None = None, end: date | None = None) -> QuerySet:
    """Sessions that a member of `team` attended (present) or led.

    With a window, the members are those of the window's dates (`team_members_between`) and
    only the window's sessions are in it; without one, the current members' sessions ever.
    """
    if start is None or end is None:
        members = User.objects.filter(team=team).values("pk")
        attended = Attendance.objects.filter(present=True, person__in=members)
        return Session.objects.filter(
            Q(pk__in=attended.values("session")) | Q(supervisor__in=members)
        )
    # The members, then their sessions of the window, read first as ids (three small queries,
    # each by an index: person, supervisor, primary key). As subqueries PostgreSQL planned
    # from the other end: it read every session of the window, the whole organisation's, and
    # hashed them to find the team's few (20-30 ms a query at a council's size, four queries
    # a page, and more each year the window is longer).
    return Session.objects.filter(among("pk", team_session_ids(team, start, end)))


class SessionIds(list):
    """Some sessions' ids (`team_session_ids`), as `compliance` and `cancellation_rates` take
    a scope of sessions: read from queries prepared once (`core.prepared`)."""


def team_session_ids(team: Team, start: date, end: date) -> SessionIds:
    """The ids of `team_sessions(team, start, end)`: three queries, each prepared once."""
    # The members, then their sessions of the window, read first as ids (three small queries,
    # each by an index: person, supervisor, primary key). As subqueries PostgreSQL planned
    # from the other end: it read every session of the window, the whole organisation's, and
    # hashed them to find the team's few (20-30 ms a query at a council's size, four queries
    # a page, and more each year the window is longer).
    members, leaders = [], []
    for pk, leads in _TEAM_MEMBERS_LEADING(team.pk, start, end):
        members.append(pk)
        if leads:
            leaders.append(pk)
    # Only the members who have ever led a session (an index probe each): with every member
    # in the list PostgreSQL expected a few hundred sessions each and read the whole
    # organisation's window by date instead of each leader's by the supervisor's index (148,000
    # rows, 25-39 ms, for the hub of 60 among 34,300 practitioners).
    ids = {*_ATTENDED_BETWEEN(members, start, end), *_LED_BETWEEN(leaders, start, end)}
    return SessionIds(sorted(ids))


_TEAM_MEMBERS_LEADING = Prepared(
    lambda team, start, end: (
        team_members_between(team, start, end)
        .annotate(leads=Exists(Session.objects.filter(supervisor=OuterRef("pk"))))
        .values_list("pk", "leads")
    )
)
_ATTENDED_BETWEEN = Prepared(
    lambda people, start, end: Attendance.objects.filter(
        among("person", people), session_date__gte=start, session_date__lte=end, present=True
    ).values_list("session", flat=True)
)
# Planned each run: planned once for any leaders and any window, PostgreSQL read the window's
# sessions by date and tested each one's supervisor (a team's year: 6.9 ms, against 0.4 ms by
# each leader's index).
_LED_BETWEEN = Prepared(
    lambda people, start, end: (
        Session.objects.filter(among("supervisor", people), date__gte=start, date__lte=end)
        .order_by()
        .values_list("pk", flat=True)
    ),
    server=False,
)


def _scoped(sessions, start: date, end: date, formats=None) -> QuerySet:
    window = Q(date__gte=start, date__lte=end)
    base = Session.objects.filter(_format_filter(formats))
    if isinstance(sessions, SessionIds):
        return base.filter(window, among("pk", list(sessions))).order_by()
    if sessions is not None:
        # Through pk__in, so a scope with joins can never count a session twice; the window
        # inside it too, so that the scope is read by date (index on date), not over the
        # whole history.
        base = base.filter(pk__in=sessions.filter(window).order_by().values("pk"))
    return base.filter(window).order_by()


def compliance(
    start: date,
    end: date,
    *,
    sessions: QuerySet | None = None,
    policy: AuditPolicy | None = None,
    as_of: date | None = None,
    formats=None,
) -> Compliance:
    """The three audit checks over the held sessions in [start, end] (of `sessions`, or all).

    A record is late when it was shared after the day `share_deadline_days` after the session
    (dates in the organisation's time zone), or is still unshared when that day is before
    `as_of` (default today). An action of the previous session needed review in this one
    unless it was closed before this session's date without a review here or later. With
    `formats`, only held sessions of those formats are checked.

    One query, whatever the window, the team or the history: the action checks are read from
    what each held session inherited from the one before it, kept as the records are written
    (`sessions_app.brought_forward`: worked out by the rule above, and always equal to it).
    The organisation's (no `sessions`) from its checks kept by day.
    """
    _check_window(start, end)
    limits = _compliance_limits(policy, as_of)
    if sessions is None:  # the organisation's: from its checks kept by day
        return Compliance(
            start=start, end=end, **_organisation_checks(start, end, formats, *limits)
        )
    held = _COMPLIANCE_HELD(sessions, start, end, _shape(formats), *limits)
    figures = _counts(held, (*_COMPLIANCE_HELD_NAMES, *INHERITED_CHECKS))
    return Compliance(start=start, end=end, **figures)


def _organisation_checks_query(start, end, formats, min_minutes, unshared_before, deadline):
    """One row: the checks of every held session in [start, end], counted from the
    organisation's checks kept by day (`sessions_app.brought_forward.DayChecks`): the
    conditions `_compliance_checks` tests each session by (`_check_conditions`), on rows of
    sessions alike, each row counting its `held`."""
    conditions = _check_conditions("day", min_minutes, unshared_before, deadline)
    counted = {
        **{name: ("held", condition) for name, condition in conditions.items()},
        **{name: (kept, None) for name, kept in INHERITED_CHECKS.items()},
    }
    # Grouped by a constant: no GROUP BY, one row, as aggregate().
    return (
        DayChecks.objects.filter(_format_filter(formats), day__gte=start, day__lte=end)
        .order_by()
        .values(_one=Value(1))
        .annotate(
            **{
                name: Coalesce(Sum(column, filter=condition), 0)
                for name, (column, condition) in counted.items()
            }
        )
        .values_list(*counted)
    )


# Built and compiled once (`core.prepared`): at the national tier, built each time, it took
# 4.4 ms of which the database's own was under 2.
_ORGANISATION_CHECKS = Prepared(_organisation_checks_query)


def _organisation_checks(start, end, formats, *limits) -> dict:
    """The organisation's checks in [start, end] (`_organisation_checks_query`), by name."""
    rows = _ORGANISATION_CHECKS(start, end, _shape(formats), *limits)
    return _counts(rows, (*_COMPLIANCE_HELD_NAMES, *INHERITED_CHECKS))


def _counts(rows, names) -> dict[str, int]:
    """The figures of a query of counts by name: its one row, or zeros when its scope was
    empty (no row: an empty list of ids is no query on SQLite)."""
    rows = list(rows)
    return dict(zip(names, rows[0] if rows else (0,) * len(names), strict=True))


def _compliance_held(sessions, start, end, formats, *limits) -> QuerySet:
    """One row: the counts of the window's held sessions each check counts, the inherited
    checks from each one's kept row (`BroughtForward`, joined by its key: a team's sessions,
    found by their ids; in a query of their own, the rows found by the window's dates and
    then tested against the held sessions, it was a second query a team's page)."""
    held, checks = _compliance_checks(start, end, sessions, formats, *limits)
    checks |= {
        name: Q(**{f"brought_forward__{kept}": True}) for name, kept in INHERITED_CHECKS.items()
    }
    # Grouped by a constant: no GROUP BY, one row (of zeros for no session), as aggregate().
    return (
        held.values(_one=Value(1))
        .annotate(
            **{name: Count("pk", filter=condition) for name, condition in checks.items()},
        )
        .values_list(*checks)
    )


def _a_team(sessions, *_rest) -> bool:
    """Whether a scope of sessions is some sessions' ids (a team's), not everyone's (None)."""
    return sessions is not None


def _scope_of(sessions):
    """A prepared query's scope of sessions as `_scoped` takes it: None (all of them), a
    queryset, or their ids (a list: `SessionIds`)."""
    return SessionIds(sessions) if isinstance(sessions, list) else sessions


_COMPLIANCE_HELD_NAMES = (
    "one_to_ones_held",
    "short_one_to_ones",
    "records_due",
    "records_late",
)
# A team's sessions (their ids, found by their key whatever their number: a team of 60's
# quarter is several hundred) on the server's plan; the organisation's (no ids) planned each
# run (`core.prepared`: its best plan depends on the numbers).
A_TEAMS_SESSIONS_AT_MOST = 20_000
_COMPLIANCE_HELD = Prepared(
    lambda sessions, *rest: _compliance_held(_scope_of(sessions), *rest),
    server=_a_team,
    ids_at_most=A_TEAMS_SESSIONS_AT_MOST,
)


# The checks read from what each held session inherited from the one before it (its kept
# `BroughtForward` row): each figure's name, and the row's field.
INHERITED_CHECKS = {
    "sessions_with_actions_to_review": "to_review",
    "sessions_with_unreviewed_actions": "unreviewed",
}


# Which held sessions each check counts: the same conditions for the figure (`compliance`) and
# for the list of sessions behind it (`compliance_sessions`), so the two always agree.
COMPLIANCE_COUNTS = {
    "short_one_to_ones": "short_one_to_ones",
    "records_not_shared_in_time": "records_late",
    "open_actions_not_reviewed": "sessions_with_unreviewed_actions",
}


def _compliance_limits(policy, as_of) -> tuple[int, date, timedelta]:
    """What the checks compare with: the shortest one-to-one (minutes), the day before which
    a record still unshared is late, and how long after its session a record may be shared."""
    policy = policy or AuditPolicy.current()
    as_of = as_of or clock.today()
    deadline = timedelta(days=policy.share_deadline_days)
    return policy.min_session_minutes, as_of - deadline, deadline


def _compliance_checks(start, end, sessions, formats, min_minutes, unshared_before, deadline):
    held = (
        _scoped(sessions, start, end, formats)
        .filter(status=Status.HELD)
        .annotate(shared_on=TruncDate("shared_at"))
    )
    return held, _check_conditions("date", min_minutes, unshared_before, deadline)


def _check_conditions(day, min_minutes, unshared_before, deadline) -> dict[str, Q]:
    """Which held sessions each check counts, over `day` (the session's date) and `shared_on`
    (the day its record was shared, in the organisation's time zone; None while unshared):
    the one rule for the sessions (`_compliance_checks`) and the organisation's checks kept
    by day (`_organisation_checks_query`), whose rows have both."""
    unshared_past_deadline = Q(shared_on__isnull=True, **{f"{day}__lt": unshared_before})
    shared_late = Q(shared_on__isnull=False, shared_on__gt=F(day) + deadline)
    return {
        "one_to_ones_held": Q(format=Format.ONE_TO_ONE),
        "short_one_to_ones": Q(format=Format.ONE_TO_ONE, duration_minutes__lt=min_minutes),
        "records_due": Q(shared_on__isnull=False) | unshared_past_deadline,
        "records_late": shared_late | unshared_past_deadline,
    }


def compliance_sessions(
    check: str,
    start: date,
    end: date,
    *,
    sessions: QuerySet | None = None,
    policy: AuditPolicy | None = None,
    as_of: date | None = None,
    formats=None,
) -> QuerySet:
    """The held sessions one compliance check counts (`COMPLIANCE_COUNTS`' keys), as a queryset
    of sessions: what a count on a dashboard opens to."""
    _check_window(start, end)
    held, checks = _compliance_checks(
        start, end, sessions, formats, *_compliance_limits(policy, as_of)
    )
    name = COMPLIANCE_COUNTS[check]
    if name in INHERITED_CHECKS:
        condition = Q(**{f"brought_forward__{INHERITED_CHECKS[name]}": True})
    else:
        condition = checks[name]
    return Session.objects.filter(pk__in=held.filter(condition).values("pk"))


def cancellation_rates(
    start: date,
    end: date,
    *,
    sessions: QuerySet | None = None,
    supervisors=None,
    formats=None,
) -> list[Reliability]:
    """Each supervisor's sessions scheduled and cancelled by them in [start, end], by email.

    "Scheduled" is every session in the window whatever its status (see
    `audit.balance.cancellation_rate`); with `formats`, every session of those formats. The
    cancelled and rescheduled ones are also counted by who moved them (`Session.moved_by`). A
    supervisor with no session in the window is not listed.

    Everyone's (no `sessions`: the organisation, some `supervisors`) from the months counted
    as kept (`sessions_app.kept.MonthSessions`), the days of the months the window cuts
    counted live: three queries, a row per supervisor and month. A scope of `sessions` (a
    team's) counted live, in one query.
    """
    _check_window(start, end)
    leaders = None if supervisors is None else _ids(supervisors)
    if sessions is None:
        counts, people = _kept_rates(start, end, formats, leaders)
        rows = [
            {
                "supervisor": pk,
                "email": people[pk][0],
                "name": people[pk][1],
                **dict(zip(SESSION_COUNT_COLUMNS, figures, strict=True)),
            }
            for pk, figures in counts.items()
        ]
    else:
        rows = [
            {**row, "email": row["supervisor_email"], "name": row["supervisor_name"]}
            for row in _RATES(sessions, start, end, _shape(formats), leaders)
        ]
    rates = [
        Reliability(
            supervisor=row["email"],
            name=row["name"],
            scheduled=row["scheduled"],
            cancelled_by_supervisor=row["cancelled_by_supervisor"],
            cancelled_by_supervisee=row["cancelled_by_supervisee"],
            rescheduled=row["rescheduled"],
            moved_by_supervisor=row["moved_by_supervisor"],
            moved_by_others=row["moved_by_others"],
            moved_unrecorded=row["moved_unrecorded"],
            supervisor_id=row["supervisor"],
        )
        for row in rows
    ]
    return sorted(rates, key=lambda rate: rate.supervisor)


def _kept_rates(start, end, formats, leaders) -> tuple[dict[int, tuple], dict]:
    """{supervisor id: SESSION_COUNT_COLUMNS} in [start, end]: the whole months as counted and
    kept, each month the window cuts from its days in it, or as kept less its days outside
    it (`_month_plan`, as the minutes are read); only supervisors with a session there. With
    {supervisor id: (email, name)}."""
    plan = _month_plan(start, end)
    counts, people = {}, {}
    if plan.whole:
        for supervisor, email, name, *figures in _KEPT_RATES(
            plan.whole[0], plan.whole[-1], _shape(formats), leaders
        ):
            counts[supervisor] = tuple(figures)
            people[supervisor] = (email, name)
    if plan.cut:
        days = [day for span in plan.cut for day in span]
        for supervisor, month, *figures in _CUT_RATES(_shape(formats), leaders, *days):
            _added_to(counts, supervisor, figures, -1 if month in plan.less else 1)
    scheduled = SESSION_COUNT_COLUMNS.index("scheduled")
    counts = {pk: figures for pk, figures in counts.items() if figures[scheduled]}
    unnamed = [pk for pk in counts if pk not in people]  # sessions on the cut days alone
    if unnamed:
        people.update((pk, (email, name)) for pk, email, name in _PERSONS(unnamed))
    return counts, people


def _kept_rates_query(first, last, formats, leaders) -> QuerySet:
    rows = MonthSessions.objects.filter(_format_filter(formats), month__gte=first, month__lte=last)
    if leaders is not None:
        rows = rows.filter(among("supervisor", leaders))
    # Each supervisor's e-mail and name read once for their group (`PerGroup`), as the live
    # count's are.
    supervisor = User.objects.filter(pk=OuterRef("supervisor")).order_by()
    return (
        rows.order_by()
        .values("supervisor")
        .annotate(
            supervisor_email=PerGroup(supervisor.values("email")),
            supervisor_name=PerGroup(supervisor.values("name")),
            **{name: SqlSum(f"{{{name}}}", "", [name]) for name in SESSION_COUNT_COLUMNS},
        )
        .values_list("supervisor", "supervisor_email", "supervisor_name", *SESSION_COUNT_COLUMNS)
    )


def _cut_rates_query(formats, leaders, spans) -> QuerySet:
    rows = Session.objects.filter(_format_filter(formats), _spans(spans, "date"))
    if leaders is not None:
        rows = rows.filter(among("supervisor", leaders))
    return (
        rows.order_by()
        .annotate(period=TruncMonth("date"))
        .values("supervisor", "period")
        .annotate(**kept.session_counts())
        .values_list("supervisor", "period", *SESSION_COUNT_COLUMNS)
    )


# Built and compiled once (`core.prepared`): the months counted, and the cut days' sessions
# (their days are the spans' (first, last) days, in order).
_KEPT_RATES = Prepared(_kept_rates_query)
_CUT_RATES = Prepared(
    lambda formats, leaders, *days: _cut_rates_query(
        formats, leaders, list(zip(days[::2], days[1::2], strict=True))
    )
)


def _rates_query(sessions, start, end, formats, leaders) -> QuerySet:
    scoped = _scoped(sessions, start, end, formats)
    if leaders is not None:
        scoped = scoped.filter(among("supervisor", leaders))
    # Grouped by the supervisor's id alone, their e-mail and name read for each group after
    # (`PerGroup`): grouped by the three through a join of every session to its supervisor,
    # an organisation's year took 400 ms at the national tier, against 245 (in one process: a
    # subquery in the select list keeps PostgreSQL from sharing the grouping among workers).
    supervisor = User.objects.filter(pk=OuterRef("supervisor")).order_by()
    return scoped.values("supervisor").annotate(
        supervisor_email=PerGroup(supervisor.values("email")),
        supervisor_name=PerGroup(supervisor.values("name")),
        **kept.session_counts(),
    )


_RATES = Prepared(
    lambda sessions, start, end, formats, leaders: _rates_query(
        _scope_of(sessions), start, end, formats, leaders
    ),
    server=_a_team,
    ids_at_most=A_TEAMS_SESSIONS_AT_MOST,
)


# Minutes by day: one query that any number of windows (months, focus follow-ups) fold.


@dataclass(frozen=True)
class WindowMinutes:
    """Exact minutes in one window (a month, a focus follow-up), summed over some people."""

    start: date
    end: date
    minutes: Minutes


# What `_sums_by_person` groups by: each day, or each month.
_PERIODS = {"day": F("session_date"), "month": TruncMonth("session_date")}


def _sums_by_person(
    people, start, end, formats, period: str, *, many=False, spans=None
) -> dict[int, dict]:
    """{person id: {period: DaySums}} of `people`'s held sessions in [start, end], grouped by
    `period` ("day" or "month" of the session's date). One query. `many` and `spans` as
    `_held_attendances` takes them; a few people's from a query prepared once (`_FEW_SUMS`)."""
    ids = _ids(people)
    if ids == []:  # no one's (a team's follow-ups when no one has a focus agreement): no query
        return {}
    spans = spans or [(start, end)]
    if many or not _few(ids):
        # Not prepared: for many people it reads the window's sessions first, in the building.
        rows = _sums_query(ids, formats, period, spans, many=many)
    else:
        days = [day for span in spans for day in span]
        rows = _FEW_SUMS(ids, _shape(formats), period, *days)
    sums_by_person = {}
    for person, period_start, *sums in rows:
        sums_by_person.setdefault(person, {})[period_start] = tuple(value or 0 for value in sums)
    return sums_by_person


def _sums_query(ids, formats, period, spans, *, many=False) -> QuerySet:
    return (
        _held_attendances(spans[0][0], spans[-1][1], formats, many=many, spans=spans)
        .filter(among("person", ids))
        .annotate(period=_PERIODS[period])
        .values("person", "period")
        .annotate(sessions_held=Count("session", distinct=True), **minute_sums("session__items__"))
        .values_list("person", "period", *_SUM_COLUMNS)  # tuples: no dict a row
    )


# A few people's sums (a team's, a supervisor's, one person's): built and compiled once
# (`core.prepared`); its days are the spans' (first, last) days, in order.
_FEW_SUMS = Prepared(
    lambda ids, formats, period, *days: _sums_query(
        ids, formats, period, list(zip(days[::2], days[1::2], strict=True))
    )
)


def daily_minutes(people, start: date, end: date, *, formats=None) -> dict[int, dict]:
    """Each person's exact minutes on each day in [start, end] with a held session. One query.

    `{person id: {date: DaySums}}`; fold it into windows with `window_minutes`. The rows grow
    with the days that had sessions, the queries do not.
    """
    _check_window(start, end)
    return _sums_by_person(people, start, end, formats, "day")


def daily_minutes_and_supervisors(
    person, start: date, end: date, window: tuple[date, date], *, formats=None
) -> tuple[dict[int, dict], list[SupervisorMinutes]]:
    """`daily_minutes([person], start, end)` and `supervisor_breakdown(person, *window)` (the
    window within [start, end]) from one query: the person's minutes by day and supervisor.
    A session is on one day and has one supervisor, so both add up exactly from it (what a
    person's balance page reads: one query fewer)."""
    _check_window(start, end)
    window_start, window_end = window
    if not start <= window_start <= window_end <= end:
        raise ValueError(f"the window {window} is not within [{start}, {end}]")
    person = pk_of(person)
    rows = _DAYS_AND_SUPERVISORS(person, start, end, _shape(formats))
    days, parts, names = {}, {}, {}
    for day, email, name, *sums in rows:
        sums = tuple(value or 0 for value in sums)
        _added_to(days, day, sums)
        if window_start <= day <= window_end:
            _added_to(parts, email, sums)
            names[email] = name
    breakdown = [
        SupervisorMinutes(supervisor=email, name=names[email], minutes=_minutes_of(sums))
        for email, sums in sorted(parts.items())
    ]
    return ({person: days} if days else {}), breakdown


def minutes_by_person(daily: Mapping[int, Mapping], people, start: date, end: date):
    """{person id: exact minutes in [start, end]} for `people` (ids), from `daily_minutes`
    read over a span covering the window (as `balances_of` adds them up when given them). A
    session is on one day, so the days' session counts add up too."""
    return {
        pk: _added(sums for day, sums in daily.get(pk, {}).items() if start <= day <= end)
        for pk in people
    }


def window_minutes(daily: Mapping[int, Mapping], people, start: date, end: date) -> WindowMinutes:
    """The sum, over `people` (ids), of the days of `daily_minutes` in [start, end]."""
    return WindowMinutes(
        start=start,
        end=end,
        minutes=_added(
            sums for pk in people for day, sums in daily.get(pk, {}).items() if start <= day <= end
        ),
    )


_DAYS_AND_SUPERVISORS = Prepared(
    lambda person, start, end, formats: (
        _held_attendances(start, end, formats)
        .filter(person=person)
        .values(
            "session_date",
            "session__supervisor",
            "session__supervisor__email",
            "session__supervisor__name",
        )
        .annotate(sessions_held=Count("session", distinct=True), **minute_sums("session__items__"))
        .values_list(
            "session_date", "session__supervisor__email", "session__supervisor__name", *_SUM_COLUMNS
        )
    )
)


def live_month_minutes(people, start: date, end: date, *, formats=None) -> dict[int, dict]:
    """`month_minutes` summed from every item of the window: what the kept months must equal."""
    _check_window(start, end)
    months = _sums_by_person(people, start, end, formats, "month", many=True)
    return {
        pk: {max(month, start): sums for month, sums in by_month.items()}
        for pk, by_month in months.items()
    }


_HELD_AT = SUM_COLUMNS.index("sessions_held")
ONE_DAY = timedelta(days=1)


def _kept_sums(people, months, formats, *group_by) -> list[tuple]:
    """Rows of (*group_by, *SUM_COLUMNS) of the kept months (`sessions_app.kept`), formats
    added up. `months` are consecutive (a window's whole months)."""
    if not months:
        return []
    return _KEPT_SUMS(_ids(people), months[0], months[-1], _shape(formats), group_by)


def _kept_sums_query(ids, first, last, formats, group_by):
    return (
        MonthMinutes.objects.filter(_format_filter(formats), month__gte=first, month__lte=last)
        .filter(among("person", ids))
        .order_by()
        .values(*group_by)
        .annotate(**{name: SqlSum(f"{{{name}}}", "", [name]) for name in SUM_COLUMNS})
        .values_list(*group_by, *SUM_COLUMNS)
    )


# Built and compiled once (`core.prepared`): a dozen sums of the months kept.
_KEPT_SUMS = Prepared(_kept_sums_query)


def _kept_months(people, months, formats) -> dict[int, dict]:
    """{person: {month: sums}} of the kept months, formats added up."""
    kept_months = {}
    for person, month, *sums in _kept_sums(people, months, formats, "person", "month"):
        kept_months.setdefault(person, {})[month] = sums
    return kept_months


@dataclass(frozen=True)
class _MonthPlan:
    """How a window's months are read from the kept months: `whole` as kept; the days of
    `cut` read live, added (a month the window cuts, read from its days in the window) or, for
    the months in `less`, taken off the month kept (its days outside the window, when fewer)."""

    whole: list
    cut: list
    less: set


def _month_plan(start: date, end: date) -> _MonthPlan:
    whole, cut, less = [], [], set()
    for first, last in month_windows(start, end):
        month = kept.month_of(first)
        outside = [
            (day_first, day_last)
            for day_first, day_last in (
                (month, first - ONE_DAY),
                (last + ONE_DAY, kept.last_of(month)),
            )
            if day_first <= day_last
        ]
        if not outside:
            whole.append(month)
            continue
        inside_days = (last - first).days + 1
        outside_days = sum((b - a).days + 1 for a, b in outside)
        if outside_days < inside_days:
            whole.append(month)
            less.add(month)
            cut += outside
        else:
            cut.append((first, last))
    return _MonthPlan(whole=whole, cut=cut, less=less)


def _cut_sums(people, plan: _MonthPlan, formats):
    """(person, month, sign, sums) of each person's cut days, by month: +1 to add to what is
    kept, -1 to take off it. For many people (an organisation), the cut days' held sessions
    found by their date (the session's index), then their attendances (`many`): read by the
    attendance's own date across the year between the two cut months, PostgreSQL read every
    attendance of it. For a few hundred, their attendances of the cut days (index: person,
    date)."""
    if not plan.cut:
        return
    ids = _ids(people)
    cut = _sums_by_person(
        ids,
        plan.cut[0][0],
        plan.cut[-1][1],
        formats,
        "month",
        # At the national tier, my supervisees' cut days read as an organisation's took 40 ms,
        # and a page of 20 teams' (250 people) 51 ms against 7.6 by person; a council's 1,500
        # read by person took 32 ms against 12 as an organisation's.
        many=not _few(ids),
        spans=plan.cut,
    )
    for person, cut_months in cut.items():
        for month, sums in cut_months.items():
            yield person, month, -1 if month in plan.less else 1, sums


def month_minutes(people, start: date, end: date, *, formats=None) -> dict[int, dict]:
    """`daily_minutes` with each calendar month's days added up onto the month's first day in
    [start, end]: the same shape, so `minutes_by_person` and `monthly_minutes` read it as they
    read days. What a page needs when it shows each person's months (`window_sums` when it
    shows only their windows and the months of all of them together).

    Read from the minutes kept by person and month (`sessions_app.kept`), not from every item
    of the window: each whole month as kept; a month the window cuts, from its days in the
    window, or (when fewer) as kept less its days outside the window. Two queries, a row per
    person and month, whatever the sessions behind them (`live_month_minutes` is the same sum
    read from the items, and always equal to it).
    """
    _check_window(start, end)
    people = _ids(people)
    if people == []:  # no one's, as `_sums_by_person` (a queryset is never equal to a list)
        return {}
    plan = _month_plan(start, end)
    by_person = _kept_months(people, plan.whole, formats)
    for person, month, sign, sums in _cut_sums(people, plan, formats):
        months = by_person.setdefault(person, {})
        if sign < 0:  # days outside the window: taken off the month kept
            sums = [k - s for k, s in zip(months[month], sums, strict=True)]
        months[month] = sums
    in_window = {}
    for pk, by_month in by_person.items():
        months = {
            max(month, start): tuple(sums)
            for month, sums in by_month.items()
            if sums[_HELD_AT]  # else nothing was held in the window's part of the month
        }
        if months:
            in_window[pk] = months
    return in_window


@dataclass(frozen=True)
class WindowSums:
    """Many people's exact minutes in a window, read from the kept months (`window_sums`):
    each person's whole window, and each month's of all of them together."""

    by_person: Mapping[int, Minutes]
    months: list[WindowMinutes]
    sums_by_person: Mapping[int, DaySums] = field(default_factory=dict)
    sums_by_month: Mapping[date, DaySums] = field(default_factory=dict)

    def minutes_of(self, people) -> Minutes:
        """The minutes of `people` (ids) together: their integer sums added, then made exact
        once (a team's total; the organisation's: 1,750 people's Fractions added cost more)."""
        return _added(self.sums_by_person[pk] for pk in people if pk in self.sums_by_person)

    def total(self) -> Minutes:
        """Everyone's minutes in the window: their months' sums added (with `months`)."""
        return _added(self.sums_by_month.values())


def _added_to(totals: dict, key, sums, sign=1) -> None:
    before = totals.get(key)
    totals[key] = (
        tuple(sums)
        if before is None and sign > 0
        else tuple(b + sign * s for b, s in zip(before or (0,) * len(sums), sums, strict=True))
    )


def _window_rows(ids, plan: _MonthPlan, formats):
    """What `_kept_sums(ids, plan.whole, formats, "person")` and `_cut_sums(ids, plan,
    formats)` give, as (kept rows, cut rows), from one query (`_WINDOW_ROWS`): a team's page
    paid a round trip to the database for each, about a millisecond."""
    days = [day for span in plan.cut for day in span]
    kept_rows, cut_rows = [], []
    for person, month, *sums in _WINDOW_ROWS(
        ids, plan.whole[0], plan.whole[-1], _shape(formats), *days
    ):
        if month is None:
            kept_rows.append((person, *sums))
        else:
            # The month's first day as the cut query gives it alone: in a union, PostgreSQL's
            # truncated date comes as a timestamp, which Django makes a date only there.
            month = month.date() if isinstance(month, datetime) else month
            sign = -1 if month in plan.less else 1
            cut_rows.append((person, month, sign, tuple(value or 0 for value in sums)))
    return kept_rows, cut_rows


def _window_rows_query(ids, first, last, formats, *days):
    # Each person's months kept, summed (their month None), then their cut days' by month.
    kept_months = (
        _kept_sums_query(ids, first, last, formats, ("person",))
        .annotate(period=Value(None, output_field=DateField()))
        .values_list("person", "period", *SUM_COLUMNS)
    )
    spans = list(zip(days[::2], days[1::2], strict=True))
    return kept_months.union(_sums_query(ids, formats, "month", spans).order_by(), all=True)


_WINDOW_ROWS = Prepared(_window_rows_query)


def window_sums(
    people, start: date, end: date, *, formats=None, months=True, each=True, exact=True
) -> WindowSums:
    """`people`'s minutes in [start, end], each person's and each month's (summed over them),
    as `month_minutes` folded by `minutes_by_person` and `monthly_minutes` would give them, with
    the database adding up the months: three queries, a row per person and per month (not per
    person and month: an organisation's year was 20,000 rows to add up in Python).
    `months=False`: the people's windows only (`months` is then empty), one query fewer;
    `each=False`: the months only (`by_person` is then empty, `total()` adds them up), one
    query fewer; `exact=False`: each person's integer sums only (`sums_by_person`; `by_person`
    is then empty), not made exact one by one."""
    _check_window(start, end)
    plan = _month_plan(start, end)
    by_person, by_month = {}, {}
    ids = _ids(people)
    if each and not months and plan.whole and plan.cut and _few(ids):
        # A few people's windows (a team's): the months kept and the cut days in one query.
        kept_rows, cut_rows = _window_rows(ids, plan, formats)
    else:
        kept_rows = _kept_sums(ids, plan.whole if each else [], formats, "person")
        cut_rows = _cut_sums(ids, plan, formats)
    for person, *sums in kept_rows:
        _added_to(by_person, person, sums)
    for month, *sums in _kept_sums(ids, plan.whole if months else [], formats, "month"):
        _added_to(by_month, month, sums)
    for person, month, sign, sums in cut_rows:
        if each:
            _added_to(by_person, person, sums, sign)
        _added_to(by_month, month, sums, sign)
    none = (0,) * len(SUM_COLUMNS)
    month_rows = [
        WindowMinutes(start=first, end=last, minutes=_exact_or_none(by_month.get(month, none)))
        for first, last in month_windows(start, end)
        for month in [kept.month_of(first)]
        if months
    ]
    return WindowSums(
        by_person={pk: _exact_or_none(sums) for pk, sums in by_person.items()} if exact else {},
        months=month_rows,
        sums_by_person=by_person,
        sums_by_month=by_month if months else {},
    )


def organisation_minutes(start: date, end: date, *, formats=None) -> WindowSums:
    """The whole organisation's minutes in [start, end]: every present attendee of its held
    sessions, each month's (`months`) and the window's (`total()`), read from the days kept
    (`sessions_app.kept.DayMinutes`): a row per day, whatever the organisation's size. The
    same as `window_sums` of everyone who attended (`by_person` is empty)."""
    _check_window(start, end)
    by_month = {
        month: tuple(sums) for month, *sums in _ORGANISATION_MONTHS(start, end, _shape(formats))
    }
    none = (0,) * len(SUM_COLUMNS)
    return WindowSums(
        by_person={},
        months=[
            WindowMinutes(
                start=first,
                end=last,
                minutes=_exact_or_none(by_month.get(kept.month_of(first), none)),
            )
            for first, last in month_windows(start, end)
        ],
        sums_by_month=by_month,
    )


def _organisation_months(start, end, formats):
    return (
        DayMinutes.objects.filter(_format_filter(formats), day__gte=start, day__lte=end)
        .order_by()
        .annotate(kept_month=TruncMonth("day"))
        .values("kept_month")
        .annotate(**{name: SqlSum(f"{{{name}}}", "", [name]) for name in SUM_COLUMNS})
        .values_list("kept_month", *SUM_COLUMNS)
    )


# Built and compiled once (`core.prepared`): a dozen sums of the days kept.
_ORGANISATION_MONTHS = Prepared(_organisation_months)


def _exact_or_none(sums) -> Minutes:
    """Exact minutes of some sums, or `Minutes()` when no session was held (as `_added` of
    nothing): nothing held has nothing to add."""
    return _minutes_of(sums) if sums[_HELD_AT] else Minutes()


def monthly_minutes(daily: Mapping[int, Mapping], people, start: date, end: date):
    """Each calendar month of [start, end] (clipped to it), summed over `people` (ids).

    The people are fixed for the whole window, so the months add up exactly to the window's
    totals shown beside them; no query of its own. Each person's days are read once, each put
    into its month (a window a month read every day again).
    """
    windows = month_windows(start, end)
    months = {(first.year, first.month): [] for first, _last in windows}  # one window a month
    for pk in people:
        for day, sums in daily.get(pk, {}).items():
            if start <= day <= end:
                months[day.year, day.month].append(sums)
    return [
        WindowMinutes(start=first, end=last, minutes=_added(months[first.year, first.month]))
        for first, last in windows
    ]


@dataclass(frozen=True, slots=True)
class StageCoverage:
    """Which stages of the reflective cycle some minutes covered, in whole minutes, as the
    grid of the cycle shows them: a `Minutes` less its exact split between the functions
    (made from Fractions: a team's grid is hundreds of months)."""

    tagged: int = 0
    short_circuit: int = 0
    no_stage: int = 0
    sessions_held: int = 0
    by_stage: Mapping[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))


@dataclass(frozen=True, slots=True)
class CoverageMonth:
    """One month of a person's grid of the cycle (`months_of_each`)."""

    start: date
    end: date
    minutes: StageCoverage


_COVERAGE_AT = (_AT["tagged"], _AT["short_circuit"], _AT["no_stage"], _AT["sessions_held"])


def _coverage_of(sums) -> StageCoverage:
    if not sums:
        return StageCoverage()
    tagged, short_circuit, no_stage, held = (sums[i] for i in _COVERAGE_AT)
    return StageCoverage(
        tagged=tagged,
        short_circuit=short_circuit,
        no_stage=no_stage,
        sessions_held=held,
        by_stage={key: sums[i] for key, i in _STAGES_AT},
    )


def months_of_each(daily: Mapping[int, Mapping], people, start: date, end: date):
    """{person id: [CoverageMonth]} for `people` (ids): each one's months of [start, end]
    (clipped to it), as `monthly_minutes` of that person alone adds them up, the stages they
    covered: a grid of people by months."""
    windows = month_windows(start, end)
    grid = {}
    for pk in people:
        months = {}
        for day, sums in daily.get(pk, {}).items():
            if start <= day <= end:
                _added_to(months, (day.year, day.month), sums)
        grid[pk] = [
            CoverageMonth(first, last, _coverage_of(months.get((first.year, first.month))))
            for first, last in windows
        ]
    return grid


# What the supervisee said, beside what was recorded.


def _zero_counts(keys):
    return dict.fromkeys(keys, 0)


@dataclass(frozen=True)
class FeedbackSummary:
    """Feedback on held sessions, counted: per function and rating, which function dominated,
    which one they want more of, and the sum of usefulness (1-5) for an exact mean. They add
    up with `+`, so days fold into months and windows."""

    feedbacks: int = 0
    ratings: Mapping[str, Mapping[str, int]] = field(
        default_factory=lambda: {key: _zero_counts(Rating.values) for key in FUNCTIONS}
    )
    dominated: Mapping[str, int] = field(default_factory=lambda: _zero_counts(FUNCTIONS))
    wants_more: Mapping[str, int] = field(default_factory=lambda: _zero_counts(FUNCTIONS))
    usefulness_total: int = 0

    def __add__(self, other: "FeedbackSummary") -> "FeedbackSummary":
        return FeedbackSummary(
            feedbacks=self.feedbacks + other.feedbacks,
            ratings={
                key: {r: self.ratings[key][r] + other.ratings[key][r] for r in Rating.values}
                for key in FUNCTIONS
            },
            dominated={k: self.dominated[k] + other.dominated[k] for k in FUNCTIONS},
            wants_more={k: self.wants_more[k] + other.wants_more[k] for k in FUNCTIONS},
            usefulness_total=self.usefulness_total + other.usefulness_total,
        )

    @property
    def usefulness_mean(self) -> Fraction | None:
        return ratio(self.usefulness_total, self.feedbacks)

    @property
    def dominated_total(self) -> int:
        return sum(self.dominated.values())

    @property
    def most_wanted(self) -> tuple[str, ...]:
        """The function(s) most often wanted more of (ties in the model's order); () if none."""
        top = max(self.wants_more.values(), default=0)
        return tuple(key for key in FUNCTIONS if top and self.wants_more[key] == top)


def _feedback_counts() -> dict:
    counts = {
        f"{key}__{rating}": count_where(key, rating)
        for key in FUNCTIONS
        for rating in Rating.values
    }
    counts.update({f"dominated__{key}": count_where("dominated", key) for key in FUNCTIONS})
    counts.update({f"wants__{key}": count_where("wants_more", key) for key in FUNCTIONS})
    counts["usefulness_total"] = Sum("usefulness")
    counts["feedbacks"] = Count("pk")
    return counts


def _summary_of(row) -> FeedbackSummary:
    def count(name):  # a sum over no rows is NULL
        return row.get(name) or 0

    return FeedbackSummary(
        feedbacks=row["feedbacks"],
        ratings={
            key: {rating: count(f"{key}__{rating}") for rating in Rating.values}
            for key in FUNCTIONS
        },
        dominated={key: count(f"dominated__{key}") for key in FUNCTIONS},
        wants_more={key: count(f"wants__{key}") for key in FUNCTIONS},
        usefulness_total=count("usefulness_total"),
    )


def feedback_in_window(
    start, end, *, person=None, supervisor=None, formats=None, people=None
) -> QuerySet:
    """Feedback on held sessions in [start, end] (by `person` or `people`, on sessions
    `supervisor` led), each from someone recorded as present at its session: the sessions their
    minutes come from. Feedback left behind when a correction took its giver off the record (or
    marked them absent) no longer counts, as the session's minutes no longer count for them.

    Read from the window's feedback by its copy of the session's date: one person's or some
    people's by their own index (person, date; with each person's and the date's indexes
    apart, PostgreSQL read the whole window's dates), an organisation's by the date's; each
    tested for its attendance (unique index: session, person). Driven instead from the few's
    attendances of the window, a page of ten teams' 130 people took 9.9 ms against 3.2 at the
    national tier, a team of 60's 7.4 against 2.0 (the attendances' form was the better one
    before feedback had its index by person and date); driven from an organisation's
    attendances, PostgreSQL hashed every attendance of the window (0.8 s at the national tier,
    against 0.5 s).
    """
    present = ExistsEach(
        Attendance.objects.filter(
            session=OuterRef("session"), person=OuterRef("person"), present=True
        )
    )
    if people is not None:
        present &= among("person", _ids(people))
    if person is not None:
        present &= Q(person=person)
    sessions = {"session__supervisor": supervisor} if supervisor is not None else {}
    return Feedback.objects.filter(
        present,
        _format_filter(formats, "session__"),
        session__status=Status.HELD,
        session_date__gte=start,
        session_date__lte=end,
        **sessions,
    ).order_by()


@dataclass(frozen=True)
class FeedbackDay:
    """The feedback on one day's sessions led by one supervisor."""

    day: date
    supervisor: int
    summary: FeedbackSummary


def feedback_days(
    start: date, end: date, *, person=None, supervisor=None, formats=None
) -> list[FeedbackDay]:
    """Feedback by `person` (or on sessions `supervisor` led) in [start, end], counted per
    session date and supervisor. One query; fold with `fold_feedback`."""
    _check_window(start, end)
    rows = _FEEDBACK_DAYS(start, end, pk_of(person), pk_of(supervisor), _shape(formats))
    return [
        FeedbackDay(row["session__date"], row["session__supervisor"], _summary_of(row))
        for row in rows
    ]


_FEEDBACK_DAYS = Prepared(
    lambda start, end, person, supervisor, formats: (
        feedback_in_window(start, end, person=person, supervisor=supervisor, formats=formats)
        .values("session__date", "session__supervisor")
        .annotate(**_feedback_counts())
    )
)


def fold_feedback(days, start: date, end: date, *, led_by: int | None = None) -> FeedbackSummary:
    """The sum of `feedback_days` in [start, end] (only on sessions `led_by` led, if given)."""
    total = FeedbackSummary()
    for row in days:
        if start <= row.day <= end and (led_by is None or row.supervisor == led_by):
            total = total + row.summary
    return total


def feedback_months(days, start: date, end: date, *, led_by: int | None = None):
    """(month start, month end, FeedbackSummary) for each calendar month of [start, end]."""
    return [
        (first, last, fold_feedback(days, first, last, led_by=led_by))
        for first, last in month_windows(start, end)
    ]


def feedback_summary(
    person: User | None,
    start: date,
    end: date,
    *,
    formats=None,
    supervisor=None,
    people=None,
    led_by=None,
) -> FeedbackSummary:
    """Counts of too little / about right / too much per function, "dominated", "wants more"
    and usefulness, given by `person` (or any of `people`, or anyone), on sessions
    `supervisor` (or `led_by`) led, or any. One query."""
    _check_window(start, end)
    supervisor = supervisor if supervisor is not None else led_by
    rows = _FEEDBACK_SUMMARY(
        pk_of(person),
        start,
        end,
        _shape(formats),
        pk_of(supervisor),
        None if people is None else _ids(people),
    )
    # No row when the people were none (no query on SQLite): a sum over no rows is NULL.
    return _summary_of(rows[0] if rows else {"feedbacks": 0})


def _feedback_summary_query(person, start, end, formats, supervisor, people) -> QuerySet:
    """One row (grouped by nothing, as aggregate()): the feedback counts."""
    return (
        feedback_in_window(
            start, end, person=person, supervisor=supervisor, formats=formats, people=people
        )
        .values(_one=Value(1))
        .annotate(**_feedback_counts())
    )


_FEEDBACK_SUMMARY = Prepared(_feedback_summary_query)


# Focus follow-up: what changed after a focus was agreed.


@dataclass(frozen=True)
class FocusFollowUp:
    """The agreed function(s)' share in the window before `agreed_on` and the one after it.

    Both windows have the length asked for: before is [agreed_on - length, agreed_on - 1];
    after is [agreed_on, agreed_on + length - 1], clipped to today, None when it has not begun.
    """

    agreement: FocusAgreement
    functions: tuple[str, ...]
    before: WindowMinutes
    after: WindowMinutes | None

    @property
    def before_share(self) -> Fraction | None:
        return self.before.minutes.share_of(self.functions)

    @property
    def after_share(self) -> Fraction | None:
        return None if self.after is None else self.after.minutes.share_of(self.functions)

    @property
    def too_early(self) -> bool:
        """Nothing tagged since the focus was agreed: too early to tell."""
        return self.after is None or not self.after.minutes.tagged

    @property
    def change(self) -> Fraction | None:
        if self.too_early or self.before_share is None:
            return None
        return self.after_share - self.before_share


def focus_windows(agreed_on: date, length_days: int, today: date):
    """(before start, before end, after start, after end or None) for a focus agreement."""
    before = (agreed_on - timedelta(days=length_days), agreed_on - timedelta(days=1))
    after_end = min(agreed_on + timedelta(days=length_days - 1), today)
    after = (agreed_on, after_end) if after_end >= agreed_on else (agreed_on, None)
    return (*before, *after)


def focus_span(agreements, length_days: int, today: date) -> tuple[date, date] | None:
    """The days that the follow-up of all `agreements` needs, as one window; None if none."""
    starts, ends = [], []
    for agreement in agreements:
        before_start, before_end, _after_start, after_end = focus_windows(
            agreement.agreed_on, length_days, today
        )
        starts.append(before_start)
        ends.append(after_end or before_end)
    if not starts:
        return None
    return min(starts), max(ends)


def focus_agreements_of(people) -> QuerySet:
    """The focus agreements of relationships whose supervisee is among `people`, newest first."""
    return (
        FocusAgreement.objects.filter(among("relationship__supervisee", _ids(people)))
        .select_related("relationship__supervisor", "relationship__supervisee")
        .order_by("-agreed_on", "-pk")
    )


# Planned each run: under one plan for any window, PostgreSQL took the window's agreements first
# and looked for the people's relationships of each (1.1 ms at the national tier, 0.2 ms
# planned for the window it is given; `python -m bench.plans 4`).
_AGREEMENTS_BETWEEN = Prepared(
    lambda people, start, end: focus_agreements_of(people).filter(
        agreed_on__gte=start, agreed_on__lte=end
    ),
    server=False,
)


def focus_agreements_between(people, start: date, end: date) -> list:
    """`focus_agreements_of(people)` agreed on a day of [start, end]."""
    return _AGREEMENTS_BETWEEN(_ids(people), start, end)


def focus_follow_up(
    agreements, *, length_days: int, today: date, formats=None, daily=None
) -> list[FocusFollowUp]:
    """Before and after for each agreement (relationships selected), in a constant number of
    queries: one `daily_minutes` over the span of every window, or none when `daily` (covering
    that span) is given.
    """
    agreements = list(agreements)
    if daily is None:
        span = focus_span(agreements, length_days, today)
        people = {agreement.relationship.supervisee_id for agreement in agreements}
        daily = daily_minutes(people, *span, formats=formats) if span else {}
    results = []
    for agreement in agreements:
        person = [agreement.relationship.supervisee_id]
        before_start, before_end, after_start, after_end = focus_windows(
            agreement.agreed_on, length_days, today
        )
        after = None
        if after_end is not None:
            after = window_minutes(daily, person, after_start, after_end)
        results.append(
            FocusFollowUp(
                agreement=agreement,
                functions=tuple(agreement.functions),
                before=window_minutes(daily, person, before_start, before_end),
                after=after,
            )
        )
    return results


# A supervisor's own audit: the sessions they led, their regularity, what was raised with them.


def _led_held(supervisor, start: date, end: date, formats=None) -> QuerySet:
    return Session.objects.filter(
        _format_filter(formats),
        supervisor=supervisor,
        status=Status.HELD,
        date__gte=start,
        date__lte=end,
    ).order_by()


def led_minutes(supervisor, start: date, end: date, *, formats=None) -> dict[str, Minutes]:
    """Minutes of the held sessions `supervisor` led in [start, end], per session format.

    Each session counts once, not once per attendee (this is the supervisor's practice, not a
    supervisee's balance): a group of six counts its items once. One query.
    """
    _check_window(start, end)
    rows = (
        _led_held(supervisor, start, end, formats)
        .values("format")
        .annotate(sessions_held=Count("pk", distinct=True), **minute_sums("items__"))
    )
    return {row["format"]: _exact(row) for row in rows}


def led_daily_minutes(supervisor, start: date, end: date, *, formats=None) -> dict[date, DaySums]:
    """The same, per day with a held session led: fold any windows from it. One query."""
    _check_window(start, end)
    rows = (
        _led_held(supervisor, start, end, formats)
        .values("date")
        .annotate(sessions_held=Count("pk", distinct=True), **minute_sums("items__"))
    )
    return {row["date"]: _day_sums(row) for row in rows}


def fold_days(daily: Mapping[date, DaySums], start: date, end: date) -> Minutes:
    return _added(sums for day, sums in daily.items() if start <= day <= end)


@dataclass(frozen=True)
class Regularity:
    """One relationship a supervisor held in the window: its gap to the window's end (the one
    overdue rule) and how many one-to-ones between the pair were held in the window."""

    relationship: Relationship
    gap: object  # people.models.SupervisionGap
    one_to_ones: int


def regularity_of(supervisor, start: date, end: date, *, group_counts: bool) -> list[Regularity]:
    """Each of `supervisor`'s relationships active in [start, end], by supervisee. One query."""
    _check_window(start, end)
    held = (
        Attendance.objects.filter(
            person=OuterRef("supervisee"),
            session__supervisor=OuterRef("supervisor"),
            session__format=Format.ONE_TO_ONE,
            session__status=Status.HELD,
            session_date__gte=start,
            session_date__lte=end,
        )
        .order_by()
        .values("person")
        .annotate(n=Count("pk"))
        .values("n")
    )
    relationships = with_last_held(
        Relationship.objects.active_between(start, end)
        .filter(supervisor=supervisor)
        .select_related("supervisor", "supervisee")
        .annotate(one_to_ones=Coalesce(Subquery(held, output_field=IntegerField()), Value(0)))
        .order_by("supervisee__name", "supervisee__email", "kind", "pk"),
        end,
        group_counts=group_counts,
    )
    return [
        Regularity(
            relationship=rel,
            gap=rel.gap_to(end, rel.last_held, group_counts=group_counts),
            one_to_ones=rel.one_to_ones,
        )
        for rel in relationships
    ]


@dataclass(frozen=True)
class RequestCounts:
    """What supervisees raised with a supervisor (people.models.FocusRequest) in a window."""

    raised: int = 0
    answered: int = 0
    accepted: int = 0
    dominating: Mapping[str, int] = field(default_factory=lambda: _zero_counts(FUNCTIONS))
    want_more: Mapping[str, int] = field(default_factory=lambda: _zero_counts(FUNCTIONS))

    @property
    def open(self) -> int:
        return self.raised - self.answered


def focus_requests_raised(*, supervisor, start: date, end: date) -> RequestCounts:
    """Counts of the requests raised with `supervisor` on a day in [start, end]. One query."""
    counts = {
        "raised": Count("pk"),
        "answered": count_if("{answer} <> ''"),
        "accepted": count_where("answer", RequestAnswer.ACCEPTED),
    }
    for key in FUNCTIONS:
        for kind, name in [
            (RequestKind.DOMINATING, "dominating"),
            (RequestKind.WANT_MORE, "want_more"),
        ]:
            counts[f"{name}_{key}"] = count_if(f"{{kind}} = '{kind}' AND {{function}} = '{key}'")
    row = FocusRequest.objects.filter(
        relationship__supervisor=supervisor,
        raised_at__date__gte=start,
        raised_at__date__lte=end,
    ).aggregate(**counts)
    row = {name: value or 0 for name, value in row.items()}  # a sum over no rows is NULL
    return RequestCounts(
        raised=row["raised"],
        answered=row["answered"],
        accepted=row["accepted"],
        dominating={key: row[f"dominating_{key}"] for key in FUNCTIONS},
        want_more={key: row[f"want_more_{key}"] for key in FUNCTIONS},
    )
