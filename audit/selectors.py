"""Reads for the balance audit: SQL aggregates gather the numbers, `audit.balance` does the rest.

Every function here runs a fixed number of queries, however many supervisees or sessions there
are: minutes are summed in the database, grouped by person (or supervisor), never by looping
over sessions or items in Python. Each works the same on SQLite and PostgreSQL.

The one trap: an item of `m` minutes and `k` functions gives `m / k` to each function, and
`SUM(minutes / k)` on integer columns truncates. The database instead sums
`minutes * (12 / k)`, whole "twelfths of a minute" (12 is divisible by 1, 2, 3 and 4), and
Python divides by 12 exactly.
"""

from datetime import date, timedelta
from fractions import Fraction

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.db.models.lookups import Exact
from django.utils import timezone

from people.models import Relationship, Team, User
from people.selectors import with_last_held
from sessions_app.models import (
    Action,
    ActionReview,
    ActionStatus,
    Attendance,
    Feedback,
    Format,
    Session,
    Status,
)
from sessions_app.tags import FUNCTIONS, function_field

from .balance import (
    TWELFTHS_BY_FUNCTION_COUNT,
    Balance,
    Compliance,
    MonthTrend,
    Reliability,
    SupervisorMinutes,
    Thresholds,
    Totals,
    compute_balance,
    minutes_from_twelfths,
    month_windows,
    relationship_gap,
    totals_of,
)
from .models import AuditPolicy


def thresholds_of(policy: AuditPolicy | None = None) -> Thresholds:
    """The thresholds of `policy`, or of the policy in force."""
    return Thresholds.from_policy(policy or AuditPolicy.current())


def _check_window(start: date, end: date) -> None:
    if start > end:
        raise ValueError(f"the window starts ({start}) after it ends ({end})")


def _ids(people):
    """A queryset of users (as a subquery, no query run) or an iterable of users or ids."""
    if isinstance(people, QuerySet):
        return people.order_by().values("pk")
    return [getattr(person, "pk", person) for person in people]


# Who is a supervisee in a window.


def supervisees_in_window(start: date, end: date, *, team: Team | None = None) -> QuerySet:
    """Everyone supervised in a relationship active on at least one day of [start, end].

    With `team`, only those who are members of it (`User.team`).
    """
    active = Relationship.objects.active_between(start, end).values("supervisee")
    people = User.objects.filter(pk__in=active)
    if team is not None:
        people = people.filter(team=team)
    return people


# Minutes, summed in SQL.


def _minute_sums(prefix: str) -> dict:
    """Aggregates over items reached through `prefix` ("session__items__"): exact as integers."""

    def flag(name):
        return Case(When(**{f"{prefix}{name}": True}, then=Value(1)), default=Value(0))

    function_count = sum(
        (flag(function_field(key)) for key in FUNCTIONS[1:]), flag(function_field(FUNCTIONS[0]))
    )
    twelfths_per_minute = Case(
        *(
            When(Exact(function_count, k), then=Value(twelfths))
            for k, twelfths in TWELFTHS_BY_FUNCTION_COUNT.items()
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    minutes = F(f"{prefix}minutes")
    weighted = minutes * twelfths_per_minute
    sums = {
        f"twelfths_{key}": Sum(
            Case(
                When(**{f"{prefix}{function_field(key)}": True}, then=weighted),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        for key in FUNCTIONS
    }
    sums["tagged"] = Sum(minutes, output_field=IntegerField())
    # The quick fix counts all the item's minutes, whatever its number of functions.
    sums["short_circuit"] = Sum(
        Case(
            When(
                **{
                    f"{prefix}stage_plans_actions": True,
                    f"{prefix}stage_reflection": False,
                    f"{prefix}stage_analysis": False,
                },
                then=minutes,
            ),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    return sums


def _held_attendances(start: date, end: date) -> QuerySet:
    """Present attendances at held sessions in [start, end]: the sessions that count.

    A one-to-one's single attendance is its supervisee; a group's are its members, and its
    facilitator only when marked present as one. Absent members get nothing.
    """
    return Attendance.objects.filter(
        present=True,
        session__status=Status.HELD,
        session__date__gte=start,
        session__date__lte=end,
    ).order_by()


def _exact(row) -> dict:
    return {
        "sessions_held": row["sessions_held"],
        "minutes": minutes_from_twelfths({key: row[f"twelfths_{key}"] for key in FUNCTIONS}),
        "tagged_minutes": Fraction(row["tagged"] or 0),
        "short_circuit_minutes": Fraction(row["short_circuit"] or 0),
    }


def _minutes_by_person(people, start: date, end: date) -> dict[int, dict]:
    rows = (
        _held_attendances(start, end)
        .filter(person__in=people)
        .values("person")
        .annotate(sessions_held=Count("session", distinct=True), **_minute_sums("session__items__"))
    )
    return {row["person"]: _exact(row) for row in rows}


def _gaps_by_person(people, start: date, end: date) -> dict[int, list]:
    """Each supervisee's relationships active in the window, with their gap to its end."""
    relationships = with_last_held(
        Relationship.objects.active_between(start, end)
        .filter(supervisee__in=people)
        .select_related("supervisor", "supervisee")
        .order_by("pk"),
        end,
    )
    gaps = {}
    for relationship in relationships:
        gaps.setdefault(relationship.supervisee_id, []).append(
            relationship_gap(
                supervisor=relationship.supervisor.email,
                supervisor_name=relationship.supervisor.name,
                window_end=end,
                last_held=relationship.last_held,
                relationship_start=relationship.start_date,
                interval_days=relationship.interval_on(end),
            )
        )
    return gaps


def _reported_dominance_by_person(people, start: date, end: date) -> dict[int, dict]:
    rows = (
        Feedback.objects.filter(
            person__in=people,
            session__status=Status.HELD,
            session__date__gte=start,
            session__date__lte=end,
        )
        .exclude(dominated="")
        .order_by()
        .values("person", "dominated")
        .annotate(n=Count("pk"))
    )
    reported = {}
    for row in rows:
        reported.setdefault(row["person"], {})[row["dominated"]] = row["n"]
    return reported


def _empty():
    return {
        "sessions_held": 0,
        "minutes": dict.fromkeys(FUNCTIONS, Fraction(0)),
        "tagged_minutes": Fraction(0),
        "short_circuit_minutes": Fraction(0),
    }


def balances_of(
    people, start: date, end: date, *, policy: AuditPolicy | None = None
) -> list[Balance]:
    """The balance of each of `people` (users or ids) in [start, end], sorted by email.

    Everyone given is listed, supervised in the window or not: use `balances` for DOMAIN.md's
    "who is a supervisee". Four queries (five when the policy is looked up), whatever the
    number of people or sessions.
    """
    _check_window(start, end)
    thresholds = thresholds_of(policy)
    ids = _ids(people)
    persons = list(User.objects.filter(pk__in=ids).order_by().values_list("pk", "email", "name"))
    minutes = _minutes_by_person(ids, start, end)
    gaps = _gaps_by_person(ids, start, end)
    reported = _reported_dominance_by_person(ids, start, end)
    results = [
        compute_balance(
            supervisee=email,
            name=name,
            start=start,
            end=end,
            **minutes.get(pk, _empty()),
            gaps=gaps.get(pk, ()),
            reported_dominance=reported.get(pk, {}),
            thresholds=thresholds,
        )
        for pk, email, name in persons
    ]
    # Sorted here, not by the database: collations differ between SQLite and PostgreSQL.
    return sorted(results, key=lambda balance: balance.supervisee)


def balances(
    start: date,
    end: date,
    *,
    team: Team | None = None,
    people=None,
    policy: AuditPolicy | None = None,
) -> list[Balance]:
    """The balance of every supervisee in the window (optionally of `team`, or among `people`).

    A supervisee is listed even with no sessions (zero minutes, shares None).
    """
    scope = supervisees_in_window(start, end, team=team)
    if people is not None:
        scope = scope.filter(pk__in=_ids(people))
    return balances_of(scope, start, end, policy=policy)


def supervisee_balance(
    person: User, start: date, end: date, *, policy: AuditPolicy | None = None
) -> Balance:
    """One person's balance in the window, whether or not a relationship was active."""
    return balances_of([person.pk], start, end, policy=policy)[0]


def supervisor_breakdown(person: User, start: date, end: date) -> list[SupervisorMinutes]:
    """Minutes per function that each supervisor (or group facilitator) gave `person`.

    Sorted by the supervisor's email; their sum is the person's balance. One query.
    """
    _check_window(start, end)
    rows = (
        _held_attendances(start, end)
        .filter(person=person)
        .values("session__supervisor", "session__supervisor__email", "session__supervisor__name")
        .annotate(sessions_held=Count("session", distinct=True), **_minute_sums("session__items__"))
    )
    breakdown = [
        SupervisorMinutes(
            supervisor=row["session__supervisor__email"],
            name=row["session__supervisor__name"],
            **_exact(row),
        )
        for row in rows
    ]
    return sorted(breakdown, key=lambda part: part.supervisor)


def totals(
    start: date,
    end: date,
    *,
    team: Team | None = None,
    people=None,
    policy: AuditPolicy | None = None,
) -> Totals:
    """A team's (or, without `team`, the organisation's) totals: the sum of its members."""
    return totals_of(
        balances(start, end, team=team, people=people, policy=policy), start=start, end=end
    )


def monthly_trend(
    start: date,
    end: date,
    *,
    team: Team | None = None,
    people=None,
    policy: AuditPolicy | None = None,
) -> list[MonthTrend]:
    """Each calendar month in [start, end] as its own window: balances and totals.

    A month is just a window, so each month's flags (overdue included) are judged at its own
    end. Queries grow with the number of months (four each), not with people or sessions.
    """
    _check_window(start, end)
    policy = policy or AuditPolicy.current()
    trend = []
    for first, last in month_windows(start, end):
        month = balances(first, last, team=team, people=people, policy=policy)
        trend.append(
            MonthTrend(
                start=first,
                end=last,
                totals=totals_of(month, start=first, end=last),
                balances=tuple(month),
            )
        )
    return trend


# Compliance and reliability.


def team_sessions(team: Team) -> QuerySet:
    """Sessions that a member of `team` attended (present) or led."""
    attended = Attendance.objects.filter(session=OuterRef("pk"), present=True, person__team=team)
    return Session.objects.filter(Exists(attended) | Q(supervisor__team=team))


def _scoped(sessions, start: date, end: date) -> QuerySet:
    base = Session.objects.all()
    if sessions is not None:
        # Through pk__in, so a scope with joins can never count a session twice.
        base = base.filter(pk__in=sessions.order_by().values("pk"))
    return base.filter(date__gte=start, date__lte=end).order_by()


def _outer(name, levels):
    ref = name
    for _ in range(levels):
        ref = OuterRef(ref)
    return ref


def _previous_session(levels):
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


def compliance(
    start: date,
    end: date,
    *,
    sessions: QuerySet | None = None,
    policy: AuditPolicy | None = None,
    as_of: date | None = None,
) -> Compliance:
    """The three audit checks over the held sessions in [start, end] (of `sessions`, or all).

    A record is late when it was shared after the day `share_deadline_days` after the session
    (dates in the organisation's time zone), or is still unshared when that day is before
    `as_of` (default today). An action of the previous session needed review in this one
    unless it was closed before this session's date without a review here or later. One query.
    """
    _check_window(start, end)
    policy = policy or AuditPolicy.current()
    as_of = as_of or timezone.localdate()
    deadline = timedelta(days=policy.share_deadline_days)
    held = _scoped(sessions, start, end).filter(status=Status.HELD)

    unshared_past_deadline = Q(shared_at__isnull=True, date__lt=as_of - deadline)
    shared_late = Q(shared_at__isnull=False, shared_on__gt=F("date") + deadline)

    reviewed_here = Exists(
        ActionReview.objects.filter(action=OuterRef("pk"), session=OuterRef(OuterRef("pk")))
    )
    reviewed_later = Exists(
        ActionReview.objects.filter(
            action=OuterRef("pk"), session__date__gt=OuterRef(OuterRef("date"))
        )
    )
    brought_forward = Action.objects.filter(session=Subquery(_previous_session(2))).filter(
        Q(status=ActionStatus.OPEN)
        | Q(completed_on__gte=OuterRef("date"))
        | reviewed_here
        | reviewed_later
    )
    figures = held.annotate(shared_on=TruncDate("shared_at")).aggregate(
        one_to_ones_held=Count("pk", filter=Q(format=Format.ONE_TO_ONE)),
        short_one_to_ones=Count(
            "pk",
            filter=Q(format=Format.ONE_TO_ONE, duration_minutes__lt=policy.min_session_minutes),
        ),
        records_due=Count("pk", filter=Q(shared_at__isnull=False) | unshared_past_deadline),
        records_late=Count("pk", filter=shared_late | unshared_past_deadline),
        sessions_with_actions_to_review=Count("pk", filter=Exists(brought_forward)),
        sessions_with_unreviewed_actions=Count(
            "pk", filter=Exists(brought_forward.filter(~reviewed_here))
        ),
    )
    return Compliance(start=start, end=end, **figures)


def cancellation_rates(
    start: date, end: date, *, sessions: QuerySet | None = None, supervisors=None
) -> list[Reliability]:
    """Each supervisor's sessions scheduled and cancelled by them in [start, end], by email.

    "Scheduled" is every session in the window whatever its status (see
    `audit.balance.cancellation_rate`). A supervisor with no session in the window is not
    listed. One query.
    """
    _check_window(start, end)
    scoped = _scoped(sessions, start, end)
    if supervisors is not None:
        scoped = scoped.filter(supervisor__in=_ids(supervisors))
    rows = scoped.values("supervisor", "supervisor__email", "supervisor__name").annotate(
        scheduled=Count("pk"),
        cancelled=Count("pk", filter=Q(status=Status.CANCELLED_BY_SUPERVISOR)),
    )
    rates = [
        Reliability(
            supervisor=row["supervisor__email"],
            name=row["supervisor__name"],
            scheduled=row["scheduled"],
            cancelled_by_supervisor=row["cancelled"],
        )
        for row in rows
    ]
    return sorted(rates, key=lambda rate: rate.supervisor)
