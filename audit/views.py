"""The audit pages: a person's balance, my supervisees, a team, the organisation.

Each page is a fixed number of queries, whatever the number of people or sessions: the
selectors sum minutes in SQL, and months and focus follow-ups are folded in Python from one
query of minutes by day. Who may see what is decided in `people.access` and nowhere else.

Every table downloads as CSV with `?download=<table>` and the page's filters (`audit.tables`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET

from core.clock import today
from core.db import ExistsEach, among
from core.numbers import percent_text
from core.spreadsheet import csv_response
from core.tally import Minutes
from core.vocabulary import FUNCTIONS, model_layers
from people.access import (
    for_readers,
    get_person_for_balance,
    get_team_for_user,
    is_administrator,
    people_visible_to,
    teams_visible_to,
    visible_among,
)
from people.models import Kind, Team, User
from people.selectors import in_no_team_between, team_members_between, teams_between
from sessions_app.access import (
    content_readable_sessions,
    feedback_led_by_for_flags,
    feedback_view,
    get_supervisor_for_audit,
    readable_sessions,
    supervisor_feedback_view,
    supervisors,
    supervisors_visible_to,
)
from sessions_app.models import Format, Rating, Session
from sessions_app.selectors import supervisee_rows, with_people, with_supervisor

from . import selectors, services, tables
from .balance import (
    FUNCTION_NEGLECTED,
    MANAGEMENT_DOMINANT,
    REFLECTIVE_SHORT_CIRCUIT,
    STAKEHOLDER_ABSENT,
    SUPERVISEE_REPORTED_DOMINANCE,
    SUPERVISION_OVERDUE,
    Totals,
    month_windows,
    totals_of,
)
from .forms import PERCENT_FIELDS, AuditFilterForm, AuditPolicyForm, SelfAssessmentForm
from .models import AuditPolicy, SelfAssessment

# How many people have each flag, in the words of a column heading.
FLAG_COLUMNS = [
    (MANAGEMENT_DOMINANT, "Management dominant"),
    (FUNCTION_NEGLECTED, "A function neglected"),
    (REFLECTIVE_SHORT_CIRCUIT, "Reflective cycle short-circuited"),
    (SUPERVISION_OVERDUE, "Supervision overdue"),
    (SUPERVISEE_REPORTED_DOMINANCE, "Said a function dominated"),
    (STAKEHOLDER_ABSENT, "People who draw on care rarely discussed"),
]


def _filters(request, **form_options):
    form = AuditFilterForm(request.GET, today=today(), **form_options)
    return form, form.filters()


def _download(request, filters, slug, available):
    """The CSV of the table named by `?download=`, or None to render the page; 404 if unknown."""
    name = request.GET.get("download")
    if name is None:
        return None
    if name not in available:
        raise Http404("No such table")
    header, rows = available[name]()
    filename = f"fourfold-{slug}-{name}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    return csv_response(filename, header, rows)


def _daily_span(filters, agreements, day):
    """One span of days covering the window and every focus follow-up window."""
    span = selectors.focus_span(agreements, filters.length_days, day)
    if span is None:
        return filters.start, filters.end
    return min(span[0], filters.start), max(span[1], filters.end)


def _index_of(scope):
    """(pk, email, name, team id) of each person in `scope`; emails are keys of balances."""
    return scope.order_by().values_list("pk", "email", "name", "team_id")


def _people_index(scope):
    """`_index_of(scope)`, as a list."""
    return list(_index_of(scope))


def _overdue_rows(balances, pks_by_email):
    rows = [
        {
            "balance": balance,
            "pk": pks_by_email.get(balance.supervisee),
            "gap": gap,
        }
        for balance in balances
        for gap in balance.overdue_gaps
    ]
    return sorted(rows, key=lambda row: (-row["gap"].days_over, row["balance"].supervisee))


# What the viewer may open among some people, each a query built once per kind of reader.
_SUPERVISORS_VISIBLE = for_readers(
    lambda user, ids: supervisors_visible_to(user).filter(among("pk", ids)).values_list("pk")
)
# (pk, name) of each, for the chooser: an administrator's 126 teams made as models were a
# millisecond of every team page.
_TEAMS_VISIBLE = for_readers(
    lambda user: (
        teams_visible_to(user)
        .order_by("name")
        .values_list("pk", "name")[: TEAM_CHOICES_AT_MOST + 1]
    )
)


class _TeamChoice(NamedTuple):
    """A team in the chooser (`AuditFilterForm` reads its pk and name)."""

    pk: int
    name: str


# A team's people of the window, as `_index_of` gives them, and whether the reader may open
# each one's balance on the day (`people_visible_to`), in one query.
_TEAM_PEOPLE = for_readers(
    lambda user, day, start, end, team_id: _index_of(
        selectors.supervisees_in_window(start, end, team=Team(pk=team_id))
    ).annotate(visible=ExistsEach(people_visible_to(user, day).filter(pk=OuterRef("pk")))),
    unread=(0,),
)


def _audit_links(user, rates) -> set[int]:
    """The supervisors among `rates` whose own audit page `user` may open (one query)."""
    ids = [r.supervisor_id for r in rates]
    return {pk for (pk,) in _SUPERVISORS_VISIBLE(user, ids)} if ids else set()


def _compliance_rows(figures, policy):
    return [
        {
            "code": "short_one_to_ones",
            "label": f"One-to-ones shorter than {policy.min_session_minutes} minutes",
            "count": figures.short_one_to_ones,
            "of": figures.one_to_ones_held,
            "of_words": "held one-to-ones",
            "share": figures.short_share,
        },
        {
            "code": "records_not_shared_in_time",
            "label": f"Records not shared within {policy.share_deadline_days} days of the session",
            "count": figures.records_late,
            "of": figures.records_due,
            "of_words": "records due",
            "share": figures.late_share,
        },
        {
            "code": "open_actions_not_reviewed",
            "label": "Sessions whose open actions from the previous session were not reviewed",
            "count": figures.sessions_with_unreviewed_actions,
            "of": figures.sessions_with_actions_to_review,
            "of_words": "sessions with actions to review",
            "share": figures.unreviewed_share,
        },
    ]


def _function_rows(minutes):
    """Per function: its minutes and share (None when nothing was tagged), for a table."""
    shares = minutes.shares
    return [
        {
            "key": key,
            "minutes": minutes.by_function[key],
            "share": None if shares is None else shares[key],
        }
        for key in FUNCTIONS
    ]


def _cycle_grid(daily, index, start, end):
    """Each person's months of the window, for "which stages their discussions covered".

    `index` is (pk, email, name) per person; folded from `daily_minutes` (or `month_minutes`),
    no query of its own.
    """
    months = month_windows(start, end)
    each = selectors.months_of_each(daily, [pk for pk, _email, _name in index], start, end)
    grid = [
        {"pk": pk, "email": email, "name": name, "months": each[pk]} for pk, email, name in index
    ]
    return months, grid


def _perceived(balance, summary):
    """Per function: the recorded share beside what the person's feedback said."""
    shares = balance.minutes.shares
    return [
        {
            "key": key,
            "share": None if shares is None else shares[key],
            "too_little": summary.ratings[key][Rating.TOO_LITTLE],
            "about_right": summary.ratings[key][Rating.ABOUT_RIGHT],
            "too_much": summary.ratings[key][Rating.TOO_MUCH],
            "dominated": summary.dominated[key],
            "wants_more": summary.wants_more[key],
        }
        for key in FUNCTIONS
    ]


# A person's balance: mine, or someone I may see.


@login_required
@require_GET
def my_balance(request):
    return _person_page(request, request.user)


@login_required
@require_GET
def person_balance(request, pk):
    return _person_page(request, get_person_for_balance(request.user, pk))


def _person_page(request, person):
    day = today()
    form, filters = _filters(request)
    start, end, formats = filters.start, filters.end, filters.formats
    policy = AuditPolicy.current()
    # What the viewer may see of this person's feedback: the one rule, in sessions_app.access.
    view = feedback_view(request.user, person)
    agreements = list(selectors.focus_agreements_of([person.pk]))
    # The person's minutes day by day and supervisor by supervisor, read once over the window
    # and the focus follow-ups: the balance, the trend, the follow-ups and the breakdown by
    # supervisor all add them up.
    daily, breakdown = selectors.daily_minutes_and_supervisors(
        person, *_daily_span(filters, agreements, day), (start, end), formats=formats
    )
    # What they said, day by day: the page's figures, and the flag of a function they said
    # dominated, count the same feedback.
    feedback_days = selectors.feedback_days(start, end, person=person, formats=formats)
    all_feedback = selectors.fold_feedback(feedback_days, start, end)
    summary = selectors.fold_feedback(feedback_days, start, end, led_by=view.led_by)
    balance = selectors.supervisee_balance(
        person,
        start,
        end,
        policy=policy,
        formats=formats,
        feedback_led_by=view.led_by,
        daily=daily,
        reported={person.pk: summary.dominated},
    )
    feedback_months = selectors.feedback_months(feedback_days, start, end, led_by=view.led_by)
    trend = selectors.monthly_minutes(daily, [person.pk], start, end)
    follow_ups = selectors.focus_follow_up(
        agreements, length_days=filters.length_days, today=day, daily=daily
    )
    perceived = _perceived(balance, summary)
    own = person.pk == request.user.pk
    slug = "my-balance" if own else f"balance-{person.pk}"
    response = _download(
        request,
        filters,
        slug,
        {
            "balance": lambda: tables.balance_table([balance]),
            "coverage": lambda: tables.coverage_table([(person.email, balance.minutes)]),
            "flags": lambda: tables.flags_table([balance]),
            "trend": lambda: tables.trend_table(trend),
            "supervisors": lambda: tables.supervisors_table(breakdown),
            "feedback": lambda: tables.feedback_table(perceived),
            "feedback_months": lambda: tables.feedback_months_table(feedback_months),
            "focus": lambda: tables.focus_table(follow_ups),
        },
    )
    if response is not None:
        return response
    context = {
        "form": form,
        "filters": filters,
        "person": person,
        "own": own,
        "feedback_view": view,
        "all_feedback": all_feedback,
        "feedback_months": feedback_months,
        "balance": balance,
        # The supervisee reads about themself as "you"; anyone else by name.
        "reasons": balance.reasons(you=own),
        "function_rows": _function_rows(balance.minutes),
        "breakdown": breakdown,
        "feedback": summary,
        "perceived": perceived,
        "trend": trend,
        "follow_ups": follow_ups,
        "policy": policy,
        # The records behind the figures, as far as the viewer may read them (views are logged).
        # The table names each one's supervisor and format, not its attendees: not read.
        "records": list(
            with_supervisor(
                content_readable_sessions(request.user)
                .attended_by(person, start, end)
                .held()
                .filter(date__gte=start, date__lte=end)
            ).order_by("-date", "-pk")
        ),
    }
    return render(request, "audit/person.html", context)


# My supervisees.


@login_required
@require_GET
def my_supervisees(request):
    """A row per current supervisee (relationships active today), for the window chosen."""
    day = today()
    form, filters = _filters(request)
    people = {}
    for pk, name, email, kind, last_held, next_planned in supervisee_rows(request.user, day):
        # Two relationships with one person (line and practice, say): one row, both dates.
        row = people.setdefault(
            pk,
            {
                "person": User(pk=pk, name=name, email=email),
                "last_held": None,
                "next_planned": None,
                "kinds": [],
            },
        )
        row["kinds"].append(Kind(kind).label)
        if last_held and (row["last_held"] is None or last_held > row["last_held"]):
            row["last_held"] = last_held
        if next_planned and (row["next_planned"] is None or next_planned < row["next_planned"]):
            row["next_planned"] = next_planned
    visible = list(
        people_visible_to(request.user).filter(pk__in=list(people)).values_list("pk", flat=True)
    )
    # Each one's minutes month by month, from the months kept (two queries for everyone, a row
    # per person and month): their balances add them up, and the grid shows which stages their
    # discussions covered each month.
    daily = selectors.month_minutes(visible, filters.start, filters.end, formats=filters.formats)
    balances = selectors.balances_of(
        visible,
        filters.start,
        filters.end,
        policy=AuditPolicy.current(),
        formats=filters.formats,
        feedback_led_by=feedback_led_by_for_flags(request.user),
        daily=daily,
        persons=[(pk, people[pk]["person"].email, people[pk]["person"].name) for pk in visible],
    )
    by_email = {row["person"].email: row for row in people.values()}
    rows = [{**by_email[b.supervisee], "balance": b} for b in balances]
    rows.sort(key=lambda row: (row["person"].name.lower(), row["person"].email))
    index = [(row["person"].pk, row["person"].email, row["person"].name) for row in rows]
    cycle_months, cycle_grid = _cycle_grid(daily, index, filters.start, filters.end)

    def last_and_next(balance):
        row = by_email[balance.supervisee]
        return [tables.day_cell(row["last_held"]), tables.day_cell(row["next_planned"])]

    response = _download(
        request,
        filters,
        "my-supervisees",
        {
            "supervisees": lambda: tables.balance_table(
                [row["balance"] for row in rows],
                ("last_one_to_one", "next_booked"),
                last_and_next,
            ),
            "cycle": lambda: tables.cycle_table(cycle_grid),
        },
    )
    if response is not None:
        return response
    return render(
        request,
        "audit/my_supervisees.html",
        {
            "form": form,
            "filters": filters,
            "rows": rows,
            "cycle_months": cycle_months,
            "cycle_grid": cycle_grid,
        },
    )


# A team.


# The team chooser lists every team the viewer may see up to this many. Beyond it (a national
# body's 2,978 teams made the chooser 300 KB of every team page) it lists the teams whose name
# holds what the viewer asked for (`?find=`), else the teams they manage, always with the team
# shown; the page then has a "Find a team" field.
TEAM_CHOICES_AT_MOST = 200


def _chosen_team(request):
    """(The team asked for (404 if not visible), else the first managed, else the first visible;
    the teams to list in the chooser; whether there were too many to list them all).

    (None, [], False) for staff when there are no teams at all; 404 for anyone else with no
    team. Three queries at most, whatever the number of teams.
    """
    user = request.user
    first = [_TeamChoice(*row) for row in _TEAMS_VISIBLE(user)]
    many = len(first) > TEAM_CHOICES_AT_MOST
    if "team" in request.GET:
        # Among the teams just read when they are all there (a 404 when it is not one).
        asked = request.GET["team"]
        if many:
            team = get_team_for_user(user, asked)
        else:
            wanted = _as_id(asked)
            choice = next((t for t in first if t.pk == wanted), None)
            if choice is None:
                raise Http404("No such team")
            team = Team(pk=choice.pk, name=choice.name)
    elif not first:
        if is_administrator(user):
            return None, [], False
        raise Http404("You do not manage a team")
    elif is_administrator(user):
        managed = Team.objects.filter(managers=user).order_by("name").first()
        team = managed or Team(pk=first[0].pk, name=first[0].name)
    else:
        team = Team(pk=first[0].pk, name=first[0].name)
    if not many:
        return team, first, False
    wanted = request.GET.get("find", "").strip()
    visible = teams_visible_to(user).order_by("name")
    listed = visible.filter(name__icontains=wanted) if wanted else visible.filter(managers=user)
    teams = list(listed[:TEAM_CHOICES_AT_MOST])
    if all(t.pk != team.pk for t in teams):
        teams = sorted([*teams, team], key=lambda t: (t.name.lower(), t.pk))
    return team, teams, True


def _as_id(text) -> int | None:
    """An id as the address gave it ("05" is 5), or None for one that is not a number."""
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


# A team's pages: one team, four parts, each its own address and only its own sums. The whole
# was one page of nine sections, whose sums and markup a team of 60 paid for on every visit
# (8 times the floor page at council scale): a manager who opens the team's balance now reads
# its people's balances, and the month by month view, the feedback and focus, and the
# cancellations and checks are a link away, with the same filters.
TEAM_PARTS = (
    ("balance", "audit:team_balance", "Balance"),
    ("months", "audit:team_months", "Month by month"),
    ("feedback", "audit:team_feedback", "Feedback and focus"),
    ("checks", "audit:team_checks", "Cancellations and checks"),
)
TEAM_PART_TITLES = {
    "balance": "Team balance",
    "months": "Team month by month",
    "feedback": "Team feedback and focus",
    "checks": "Team cancellations and checks",
}
# A team's supervisees are listed this many to a page (a team of 15 on one); the team's own
# figures and flag counts, the overdue list and the download count them all. A hub of 60 drew
# every person's bar and flags on every visit: 4 times the floor page at council scale.
TEAM_PEOPLE_PER_PAGE = 20
# Each downloadable table and the part that has it (`?download=` on another part's address is
# sent there: the one page's download links still work).
TEAM_TABLES = {
    "supervisees": "balance",
    "totals": "balance",
    "coverage": "balance",
    "overdue": "balance",
    "trend": "months",
    "cycle": "months",
    "focus": "feedback",
    "cancellations": "checks",
    "compliance": "checks",
}


@dataclass
class _TeamPage:
    """The team asked for, its filters and the part's navigation; `response` is set when the
    part has nothing to work out (no team at all, or a table another part has)."""

    request: object
    part: str
    form: AuditFilterForm
    filters: object
    team: Team | None
    response: object = None

    @classmethod
    def of(cls, request, part):
        team, teams, many = _chosen_team(request)
        form, filters = _filters(request, teams=teams, team=team.pk if team else None, find=many)
        page = cls(request, part, form, filters, team)
        wanted = request.GET.get("download")
        if team is None:
            page.response = render(request, "audit/team.html", page.context())
        elif wanted is not None and TEAM_TABLES.get(wanted, part) != part:
            address = dict((name, url) for name, url, _label in TEAM_PARTS)[TEAM_TABLES[wanted]]
            page.response = redirect(f"{reverse(address)}?{request.GET.urlencode()}")
        return page

    def parts(self):
        query = self.filters.query()
        return [
            {"label": label, "href": f"{reverse(url)}?{query}", "current": name == self.part}
            for name, url, label in TEAM_PARTS
        ]

    def context(self, **values):
        return {
            "form": self.form,
            "filters": self.filters,
            "team": self.team,
            "part": self.part,
            "part_title": TEAM_PART_TITLES[self.part],
            "parts": self.parts() if self.team else [],
            **values,
        }

    def people(self):
        """(pk, email, name) of the team's supervisees of the window, their pks, and {email:
        pk} of those whose balance the viewer may open now. The team's supervisees of the window's
        dates: people who have since moved on are listed too (the team itself is the
        viewer's), their names linked only where the viewer may open their balance now
        (people.access)."""
        index = _TEAM_PEOPLE(
            self.request.user, today(), self.filters.start, self.filters.end, self.team.pk
        )
        persons = [row[:3] for row in index]
        return persons, [row[0] for row in index], {row[1]: row[0] for row in index if row[4]}

    def answer(self, template, tables_of, **values):
        """The CSV asked for among this part's `tables_of`, else the part's page."""
        response = _download(self.request, self.filters, f"team-{self.team.pk}", tables_of)
        if response is not None:
            return response
        return render(self.request, template, self.context(**values))


def _team_part(part):
    """A view of a team's `part`, called as `view(request, page)` with its `_TeamPage` when it
    has anything to work out (else the page's own answer: no team yet, a table elsewhere)."""

    def decorator(view):
        @login_required
        @require_GET
        @wraps(view)
        def part_view(request):
            page = _TeamPage.of(request, part)
            return page.response or view(request, page)

        return part_view

    return decorator


@_team_part("balance")
def team_balance(request, page):
    """The team's supervisees, each one's shares and flags; the team overall; overdue
    supervision."""
    team, filters = page.team, page.filters
    start, end, formats = filters.start, filters.end, filters.formats
    policy = AuditPolicy.current()
    persons, pks, pks_by_email = page.people()
    # Each person's window added up by the database from the months kept (a month the window
    # cuts from its days), and their flags worked out from its integer sums (as the
    # organisation's are): a balance is made whole only where it is shown or downloaded. A hub
    # of 60 summed from its items took four times as long, and made exact one by one twice
    # the Python.
    sums = selectors.window_sums(pks, start, end, formats=formats, months=False, exact=False)
    flagged = selectors.flagged_of(
        pks,
        start,
        end,
        sums=sums.sums_by_person,
        policy=policy,
        formats=formats,
        feedback_led_by=feedback_led_by_for_flags(request.user),
        persons=persons,
    )
    totals = totals_of(flagged, start=start, end=end, minutes=sums.minutes_of(pks))
    overdue = _overdue_rows(flagged, pks_by_email)
    people_page = Paginator(flagged, TEAM_PEOPLE_PER_PAGE).get_page(request.GET.get("people_page"))
    people_page.object_list = [
        {"balance": person.balance(), "pk": pks_by_email.get(person.supervisee)}
        for person in people_page
    ]
    return page.answer(
        "audit/team.html",
        {
            "supervisees": lambda: tables.balance_table(person.balance() for person in flagged),
            "totals": lambda: (tables.TOTALS_HEADER, [tables.totals_row(team.name, totals)]),
            "coverage": lambda: tables.coverage_table([(team.name, totals.minutes)]),
            "overdue": lambda: tables.overdue_table(overdue),
        },
        people_page=people_page,
        totals=totals,
        function_rows=_function_rows(totals.minutes),
        flag_rows=[
            {"code": code, "label": label, "count": totals.flag_counts.get(code, 0)}
            for code, label in FLAG_COLUMNS
        ],
        overdue=overdue,
    )


@_team_part("months")
def team_months(request, page):
    """The team's shares month by month, and each supervisee's reflective cycle by month."""
    filters = page.filters
    start, end = filters.start, filters.end
    persons, pks, _visible = page.people()
    daily = selectors.month_minutes(pks, start, end, formats=filters.formats)
    trend = selectors.monthly_minutes(daily, pks, start, end)
    cycle_months, cycle_grid = _cycle_grid(daily, sorted(persons), start, end)
    cycle_grid.sort(key=lambda row: (row["name"].lower(), row["email"]))
    return page.answer(
        "audit/team_months.html",
        {
            "trend": lambda: tables.trend_table(trend),
            "cycle": lambda: tables.cycle_table(cycle_grid),
        },
        trend=trend,
        cycle_months=cycle_months,
        cycle_grid=cycle_grid,
    )


@_team_part("feedback")
def team_feedback(request, page):
    """What the team's supervisees said of their sessions, and the focus they agreed."""
    filters = page.filters
    start, end, formats = filters.start, filters.end, filters.formats
    day = today()
    _persons, pks, visible = page.people()
    led_by = feedback_led_by_for_flags(request.user)
    said = selectors.feedback_summary(None, start, end, formats=formats, people=pks)
    said_detail = (
        said
        if led_by is None
        else selectors.feedback_summary(
            None, start, end, formats=formats, people=pks, led_by=led_by
        )
    )
    agreements = selectors.focus_agreements_between(pks, start, end)
    agreed = sorted({agreement.relationship.supervisee_id for agreement in agreements})
    follow_ups = selectors.focus_follow_up(
        agreements,
        length_days=filters.length_days,
        today=day,
        daily=selectors.daily_minutes(
            agreed, *_daily_span(filters, agreements, day), formats=formats
        ),
    )
    return page.answer(
        "audit/team_feedback.html",
        {"focus": lambda: tables.focus_table(follow_ups)},
        said=said,
        said_detail=said_detail,
        feedback_limited=led_by is not None,
        follow_ups=follow_ups,
        # Whose balance the reader may open: someone who has since moved on is named unlinked.
        openable=set(visible.values()),
    )


@_team_part("checks")
def team_checks(request, page):
    """The cancellation rates of the supervisors of the team's sessions, and the audit
    checks of those sessions."""
    filters = page.filters
    start, end, formats = filters.start, filters.end, filters.formats
    policy = AuditPolicy.current()
    sessions = selectors.team_session_ids(page.team, start, end)
    rates = selectors.cancellation_rates(start, end, sessions=sessions, formats=formats)
    checks = _compliance_rows(
        selectors.compliance(start, end, sessions=sessions, policy=policy, formats=formats),
        policy,
    )
    return page.answer(
        "audit/team_checks.html",
        {
            "cancellations": lambda: tables.cancellations_table(rates),
            "compliance": lambda: tables.compliance_table(checks),
        },
        rates=rates,
        checks=checks,
        audit_links=_audit_links(request.user, rates),
        policy=policy,
    )


# The organisation.

FLAGGED_PER_PAGE = 25
SUPERVISORS_PER_PAGE = 50
TEAMS_PER_PAGE = 10  # a national body has thousands (its page was 3 MB with them all)
# An organisation with more supervisees in the window than this (a council of 1,500, a regional
# or national body of 37,500 in 2,978 teams) is shown a page of teams at a time, each page
# working out the balances and flags of its own teams' people only (`_organisation_by_page`):
# everyone's balance on every request was 5-7 seconds at the national tier, and 130-210 ms (18-23
# times the floor) for a council of 1,500; a page of 20 teams 10-15 times, of 10 teams 8-12. A
# small organisation, whose whole is about a page or two of teams, is shown whole, its flags
# counted. The downloads always have the whole organisation.
ORGANISATION_WHOLE_AT_MOST = 200
# The organisation's tables, each downloadable whole (`?download=`).
ORGANISATION_TABLES = ("teams", "coverage", "flagged", "trend", "cancellations", "compliance")


@login_required
@require_GET
def organisation(request):
    """Teams side by side, for administrators; for everyone else the page does not exist."""
    if not is_administrator(request.user):
        raise Http404("No such page")
    form, filters = _filters(request)
    start, end = filters.start, filters.end
    policy = AuditPolicy.current()
    scope = visible_among(selectors.supervisees_in_window(start, end), request.user)
    # Whole, or (more people than that, the page and not a download) a page of teams at a time.
    download = request.GET.get("download")
    if download is not None and download not in ORGANISATION_TABLES:
        raise Http404("No such table")  # before working out everyone's balance for nothing
    if download is None:
        # The page is administrators' alone, and they see everyone (`visible_among` gives
        # them the scope as it is): how many the window's supervisees are, counted as such.
        counted = selectors.supervisees_in_window_count(start, end)
        if counted > ORGANISATION_WHOLE_AT_MOST:
            return _organisation_by_page(request, form, filters, scope, policy, people=counted)
    # Everyone's minutes in the window, read once; the organisation's own, and its months,
    # from the days kept.
    people = _OrganisationPeople.of(request.user, _people_index(scope), filters, policy)
    teams = list(teams_visible_to(request.user).order_by("name"))
    team_rows = [
        {"team": t, "totals": people.totals_of(people.by_team.get(t.pk, []))} for t in teams
    ]
    if None in people.by_team:
        team_rows.append({"team": None, "totals": people.totals_of(people.by_team[None])})
    whole = selectors.organisation_minutes(start, end, formats=filters.formats)
    totals = totals_of(people.everyone, start=start, end=end, minutes=whole.total())
    flagged = people.flagged({t.pk: t.name for t in teams})
    trend = whole.months
    rates, checks = _organisation_rates_and_checks(filters, policy)

    def teams_table():
        rows = [
            tables.totals_row(row["team"].name if row["team"] else "No team", row["totals"])
            for row in team_rows
        ]
        rows.append(tables.totals_row("Organisation", totals))
        return tables.TOTALS_HEADER, rows

    def flagged_table():
        header, rows = tables.flags_table([row["balance"] for row in _balances_shown(flagged)])
        teams_of = [row["team"] for row in flagged for _flag in row["balance"].flags]
        return ["team", *header], [[t, *r] for t, r in zip(teams_of, rows, strict=True)]

    response = _download(
        request,
        filters,
        "organisation",
        {
            "teams": teams_table,
            "coverage": lambda: tables.coverage_table(
                [
                    *(
                        (row["team"].name if row["team"] else "No team", row["totals"].minutes)
                        for row in team_rows
                    ),
                    ("Organisation", totals.minutes),
                ]
            ),
            "flagged": flagged_table,
            "trend": lambda: tables.trend_table(trend),
            "cancellations": lambda: tables.cancellations_table(rates),
            "compliance": lambda: tables.compliance_table(checks),
        },
    )
    if response is not None:
        return response
    return _organisation_page(
        request,
        form,
        filters,
        policy,
        teams_page=Paginator(team_rows, TEAMS_PER_PAGE).get_page(request.GET.get("teams_page")),
        totals=totals,
        flagged=flagged,
        trend=trend,
        rates=rates,
        checks=checks,
    )


def _organisation_rates_and_checks(filters, policy, supervisors=None):
    """The organisation's supervisors' cancellation rates (or some `supervisors`' only) and
    the whole organisation's audit checks."""
    start, end, formats = filters.start, filters.end, filters.formats
    rates = selectors.cancellation_rates(start, end, supervisors=supervisors, formats=formats)
    checks = selectors.compliance(start, end, policy=policy, formats=formats)
    return rates, _compliance_rows(checks, policy)


def _organisation_page(request, form, filters, policy, *, flagged, rates, by_page=False, **parts):
    """The organisation page, whole or a page of teams: its lists a page at a time (the
    downloads have every row: a council has hundreds of each)."""
    rates_page = Paginator(rates, SUPERVISORS_PER_PAGE).get_page(request.GET.get("rates_page"))
    flagged_page = Paginator(flagged, FLAGGED_PER_PAGE).get_page(request.GET.get("flagged_page"))
    _balances_shown(flagged_page.object_list)
    context = {
        **parts,
        "form": form,
        "filters": filters,
        "by_page": by_page,
        "function_rows": _function_rows(parts["totals"].minutes),
        "flag_columns": FLAG_COLUMNS,
        "flagged_page": flagged_page,
        "rates_page": rates_page,
        "audit_links": _audit_links(request.user, rates_page.object_list),
        "policy": policy,
    }
    return render(request, "audit/organisation.html", context)


@dataclass(frozen=True)
class _OrganisationPeople:
    """Some of the organisation's people (`_people_index` rows): their flags in the window
    (`selectors.Flagged`: each one's whole balance when it is shown), each counted in every
    team they were in on its days (None: in no team)."""

    filters: object
    everyone: list  # `selectors.Flagged`, by email
    by_team: dict
    sums: selectors.WindowSums
    teams_by_pk: dict

    @classmethod
    def of(cls, user, index, filters, policy):
        """Their flags and minutes, read once."""
        start, end, formats = filters.start, filters.end, filters.formats
        pks = [row[0] for row in index]
        # The teams of the time: someone who moved in the window counts in each of them.
        teams_of = teams_between(pks, start, end, current={row[0]: row[3] for row in index})
        sums = selectors.window_sums(pks, start, end, formats=formats, months=False, exact=False)
        # Everyone's flags, counted by team; a balance is made whole only where it is shown.
        everyone = selectors.flagged_of(
            pks,
            start,
            end,
            sums=sums.sums_by_person,
            policy=policy,
            formats=formats,
            feedback_led_by=feedback_led_by_for_flags(user),
            persons=[row[:3] for row in index],
        )
        teams_by_pk = {row[0]: sorted(teams_of[row[0]]) or [None] for row in index}
        by_team = {}
        for person in everyone:
            for team_id in teams_by_pk[person.pk]:
                by_team.setdefault(team_id, []).append(person)
        return cls(
            filters=filters,
            everyone=everyone,
            by_team=by_team,
            sums=sums,
            teams_by_pk=teams_by_pk,
        )

    def totals_of(self, balances):
        """Some of them added up (`Flagged`s), with their minutes as integers first."""
        people = [b.pk for b in balances]
        return totals_of(
            balances,
            start=self.filters.start,
            end=self.filters.end,
            minutes=self.sums.minutes_of(people),
        )

    def flagged(self, team_names):
        """The flagged ones, by name, each with the names of their teams of the time: a row's
        `balance` is their `Flagged` until `_balances_shown` makes it whole."""
        rows = [
            {
                "balance": b,
                "pk": b.pk,
                "team": " and ".join(
                    team_names.get(team_id, "No team") for team_id in self.teams_by_pk[b.pk]
                ),
            }
            for b in self.everyone
            if b.flags
        ]
        return sorted(
            rows, key=lambda row: (row["balance"].name.lower(), row["balance"].supervisee)
        )


def _balances_shown(rows):
    """Rows of `_OrganisationPeople.flagged` with each one's whole balance: those shown or
    downloaded (the organisation's page shows fifty of its 900 flagged people)."""
    for row in rows:
        row["balance"] = row["balance"].balance()
    return rows


class _TeamsThenNoTeam(Sequence):
    """`teams` (a queryset, in order) and then None (the row of the people in no team), for
    `Paginator`: counted, and read a page at a time (a national body's 2,978 teams read whole
    were 10 ms of its page)."""

    def __init__(self, teams):
        self.teams = teams

    @cached_property
    def _count(self):
        return self.teams.count()

    def __len__(self):
        return self._count + 1

    def __getitem__(self, index):
        if not isinstance(index, slice):
            index += len(self) if index < 0 else 0
            return self[index : index + 1][0]
        first, last, _step = index.indices(len(self))
        rows = list(self.teams[first:last])  # a query even past the teams: the same count
        return [*rows, None] if last > self._count else rows


def _organisation_by_page(request, form, filters, scope, policy, *, people):
    """The organisation page of a large organisation: the teams of this page with their
    people's balances and flags and their supervisors' cancellation rates, the organisation's
    minutes, months and audit checks; the organisation's flags and its every supervisor's
    rates are in the downloads.

    Its cost follows the page's teams, not the organisation: each person's balance is worked
    out for the people of the teams shown (and for nobody else), as the team's own page does.
    """
    start, end, formats = filters.start, filters.end, filters.formats
    teams = teams_visible_to(request.user).order_by("name", "pk")
    # The supervisees in no team on any day of the window have the row after the teams, always
    # (finding whether there are any is reading everyone: 0.1 s at the national tier); it
    # reads "0" when there are none.
    teams_page = Paginator(_TeamsThenNoTeam(teams), TEAMS_PER_PAGE).get_page(
        request.GET.get("teams_page")
    )
    shown = [team.pk for team in teams_page.object_list if team is not None]
    members = Q(pk__in=team_members_between(shown, start, end).values("pk"))
    if None in teams_page.object_list:
        members |= Q(pk__in=in_no_team_between(start, end).values("pk"))
    # The page's teams' members, read once: the supervisees among them (in `scope`) have
    # their balances worked out, and every one of them their cancellation rates.
    rows = list(
        _index_of(User.objects.filter(members)).annotate(
            supervised=ExistsEach(scope.filter(pk=OuterRef("pk")))
        )
    )
    index = [row[:4] for row in rows if row[4]]
    leaders = [row[0] for row in rows]
    shown_people = _OrganisationPeople.of(request.user, index, filters, policy)
    teams_page.object_list = [
        {
            "team": team,
            "totals": shown_people.totals_of(
                shown_people.by_team.get(team.pk if team else None, [])
            ),
        }
        for team in teams_page.object_list
    ]
    # The organisation's minutes and months from the days kept; its flags would need
    # everyone's balance: counted in the downloads.
    whole = selectors.organisation_minutes(start, end, formats=formats)
    totals = Totals(start=start, end=end, people=people, minutes=whole.total(), flag_counts=None)
    # The cancellation rates of the page's teams' members (a national body's every supervisor's,
    # 7,000 of them, took 80 ms a page): the organisation's are in the download.
    rates, checks = _organisation_rates_and_checks(filters, policy, supervisors=leaders)
    # The names of the page's people's teams of the window (some may be on other pages), by
    # their ids (`any_id`: one query even for none; a national body's 2,978 teams made models
    # of were 10 ms, read as names 2.5).
    team_ids = sorted({pk for of in shown_people.teams_by_pk.values() for pk in of if pk})
    team_names = dict(teams.filter(pk__any_id=team_ids).values_list("pk", "name"))
    return _organisation_page(
        request,
        form,
        filters,
        policy,
        by_page=True,
        teams_page=teams_page,
        totals=totals,
        flagged=shown_people.flagged(team_names),
        trend=whole.months,
        rates=rates,
        checks=checks,
    )


# A supervisor's own audit: the sessions they led, their reliability, what their supervisees
# said, and their self-assessments over time. Who may open it: `sessions_app.access`.

SELF_ASSESSMENT_DAYS = 90  # each self-assessment is set beside the 90 days before it


def _led_rows(by_format):
    """One-to-one, group and all sessions led: each format's exact minutes."""
    one = by_format.get(Format.ONE_TO_ONE, Minutes())
    group = by_format.get(Format.GROUP, Minutes())
    return [
        {"key": "one_to_one", "label": "One-to-one", "minutes": one},
        {"key": "group", "label": "Group", "minutes": group},
        {"key": "all", "label": "All sessions led", "minutes": one + group},
    ]


def _management_dominant(minutes, policy):
    """The supervisee flag's rule applied to the sessions a supervisor led: management's share
    above the policy's dominance threshold, with at least `min_sessions` held and minutes
    tagged. Exact, unrounded, like the flag."""
    thresholds = selectors.thresholds_of(policy)
    shares = minutes.shares
    return (
        shares is not None
        and minutes.sessions_held >= thresholds.min_sessions
        and shares["management"] > thresholds.dominance
    )


def _leading_function(minutes):
    """The function(s) with the most minutes, and its share; ((), None) with nothing tagged."""
    shares = minutes.shares
    if shares is None:
        return (), None
    top = max(shares.values())
    return tuple(key for key in FUNCTIONS if shares[key] == top), top


@login_required
@require_GET
def my_supervision_audit(request):
    """The signed-in person's own supervisor audit, or a page saying they supervise nobody."""
    if not supervisors().filter(pk=request.user.pk).exists():
        return render(request, "audit/supervisor_none.html")
    return _supervisor_page(request, request.user)


@login_required
@require_GET
def supervisor_audit(request, pk):
    return _supervisor_page(request, get_supervisor_for_audit(request.user, pk))


def _supervisor_page(request, supervisor):
    day = today()
    form, filters = _filters(request)
    start, end, formats = filters.start, filters.end, filters.formats
    policy = AuditPolicy.current()
    own = supervisor.pk == request.user.pk
    led = _led_rows(selectors.led_minutes(supervisor, start, end, formats=formats))
    all_led = led[-1]["minutes"]
    regularity = selectors.regularity_of(
        supervisor, start, end, group_counts=policy.group_counts_for_regularity
    )
    rates = selectors.cancellation_rates(start, end, supervisors=[supervisor.pk], formats=formats)
    led_sessions = Session.objects.filter(supervisor=supervisor)
    checks = _compliance_rows(
        selectors.compliance(start, end, sessions=led_sessions, policy=policy, formats=formats),
        policy,
    )
    view = supervisor_feedback_view(request.user, supervisor)
    days = selectors.feedback_days(start, end, supervisor=supervisor, formats=formats)
    said = selectors.fold_feedback(days, start, end)
    said_months = selectors.feedback_months(days, start, end)
    requests = selectors.focus_requests_raised(supervisor=supervisor, start=start, end=end)
    assessments = list(SelfAssessment.objects.filter(supervisor=supervisor)[:20])
    assessment_rows = []
    if assessments:
        first = min(a.written_on for a in assessments)
        last = max(a.written_on for a in assessments)
        daily = selectors.led_daily_minutes(
            supervisor, first - timedelta(days=SELF_ASSESSMENT_DAYS - 1), last
        )
        for entry in assessments:
            recorded = selectors.fold_days(
                daily, entry.written_on - timedelta(days=SELF_ASSESSMENT_DAYS - 1), entry.written_on
            )
            leading, share = _leading_function(recorded)
            assessment_rows.append(
                {"entry": entry, "recorded": recorded, "leading": leading, "share": share}
            )
    slug = "my-supervision" if own else f"supervisor-{supervisor.pk}"
    response = _download(
        request,
        filters,
        slug,
        {
            "led": lambda: tables.led_table(led),
            "regularity": lambda: tables.regularity_table(regularity),
            "cancellations": lambda: tables.cancellations_table(rates),
            "compliance": lambda: tables.compliance_table(checks),
            **(
                {"feedback_months": lambda: tables.feedback_months_table(said_months)}
                if view.detail
                else {}
            ),
        },
    )
    if response is not None:
        return response
    context = {
        "form": form,
        "filters": filters,
        "supervisor": supervisor,
        "own": own,
        "led": led,
        "all_led": all_led,
        "function_rows": _function_rows(all_led),
        "leading": _leading_function(all_led),
        "management_dominant": _management_dominant(all_led, policy),
        "regularity": regularity,
        "overdue_count": sum(1 for r in regularity if r.gap.overdue),
        "rates": rates,
        "checks": checks,
        "feedback_view": view,
        "said": said,
        "said_months": said_months,
        "requests": requests,
        "assessment_rows": assessment_rows,
        "assessment_days": SELF_ASSESSMENT_DAYS,
        "policy": policy,
        "today": day,
        "drill_scope": f"supervisor={supervisor.pk}",
    }
    return render(request, "audit/supervisor.html", context)


@login_required
def self_assessment(request):
    """A supervisor writes a dated self-assessment of their own supervision."""
    user = request.user
    if not supervisors().filter(pk=user.pk).exists():
        raise Http404("Only supervisors write a self-assessment")
    day = today()
    form = SelfAssessmentForm(request.POST or None, today=day, initial={"written_on": day})
    if request.method == "POST" and form.is_valid():
        services.self_assessment_add(supervisor=user, by=user, **form.cleaned_data)
        messages.success(request, "Your self-assessment is saved.")
        return redirect("audit:my_supervision")
    managers = list(
        User.objects.filter(managed_teams__pk=user.team_id).values_list("name", flat=True)
        if user.team_id
        else []
    )
    previous = SelfAssessment.objects.filter(supervisor=user).first()
    return render(
        request,
        "audit/self_assessment.html",
        {"form": form, "managers": managers, "previous": previous},
    )


@login_required
@require_GET
def model_guide(request):
    """The 4x4x4 model in plain words, and how each flag is worked out with the limits of the
    audit policy in force (so that the page says what the dashboards do)."""
    policy = AuditPolicy.in_force()
    return render(
        request,
        "audit/model.html",
        {
            "model_layers": model_layers(),
            "policy": policy,
            "dominance": percent_text(policy.dominance_threshold),
            "neglect": percent_text(policy.neglect_threshold),
            "short_circuit": percent_text(policy.short_circuit_threshold),
            "stakeholder": (
                percent_text(policy.stakeholder_threshold) if policy.stakeholder_threshold else None
            ),
        },
    )


# The audit policy, edited by administrators on a Fourfold page (in percentages).


@login_required
def policy(request):
    """The thresholds every figure is measured against; administrators only (404 otherwise)."""
    if not is_administrator(request.user):
        raise Http404("No such page")
    current = AuditPolicy.current()
    form = AuditPolicyForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.policy_update(by=request.user, values=form.values())
        messages.success(request, "The audit policy is saved. Every figure now follows it.")
        return redirect("audit:policy")
    changes = list(
        AuditPolicy.history.filter(id=current.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:20]
    )
    return render(
        request,
        "audit/policy.html",
        {"form": form, "changes": changes, "percent_fields": list(PERCENT_FIELDS)},
    )


# Counts that open: every count on a dashboard links here, to the people or sessions behind it,
# as far as the viewer may read them.

COMPLIANCE_WORDS = {
    "short_one_to_ones": "Held one-to-ones shorter than {policy.min_session_minutes} minutes",
    "records_not_shared_in_time": (
        "Records not shared within {policy.share_deadline_days} days of the session"
    ),
    "open_actions_not_reviewed": (
        "Sessions whose open actions from the previous session were not reviewed"
    ),
}
FLAG_WORDS = dict(FLAG_COLUMNS)


def _drill_scope(request):
    """(team, supervisor) the count was taken over: a team the viewer may see, a supervisor
    whose audit they may open, or (both None) the organisation, for administrators. 404
    otherwise, as for the dashboards themselves."""
    user = request.user
    if "team" in request.GET:
        return get_team_for_user(user, request.GET["team"]), None
    if "supervisor" in request.GET:
        try:
            pk = int(request.GET["supervisor"])
        except (TypeError, ValueError):
            raise Http404("No such supervisor") from None
        return None, get_supervisor_for_audit(user, pk)
    if not is_administrator(user):
        raise Http404("No such page")
    return None, None


@login_required
@require_GET
def drill(request):
    """The people (a flag, overdue supervision) or sessions (a compliance check) behind a count.

    `?count=<flag code | check>` with the dashboard's filters and `team=` or `supervisor=` (the
    organisation when neither, for administrators). The list holds exactly what the count
    counted, scoped to what the viewer may read: a session they may not open is counted in a
    sentence, not listed.
    """
    count = request.GET.get("count", "")
    if count not in FLAG_WORDS and count not in COMPLIANCE_WORDS:
        raise Http404("No such count")
    team, supervisor = _drill_scope(request)
    if supervisor is not None and count not in COMPLIANCE_WORDS:
        raise Http404("No such count")
    form, filters = _filters(request, team=team.pk if team else None)
    start, end, formats = filters.start, filters.end, filters.formats
    policy = AuditPolicy.current()
    context = {
        "form": form,
        "filters": filters,
        "team": team,
        "supervisor": supervisor,
        "count": count,
        "a_check": count in COMPLIANCE_WORDS,
        "back": (
            # Back to the team's page that showed the count: its balance (flags) or checks.
            f"{reverse('audit:team_checks' if count in COMPLIANCE_WORDS else 'audit:team_balance')}"
            f"?{filters.query()}"
            if team
            else f"{reverse('audit:supervisor', args=[supervisor.pk])}?{filters.query()}"
            if supervisor
            else f"{reverse('audit:organisation')}?{filters.query()}"
        ),
    }
    if count in FLAG_WORDS:
        # The team's supervisees of the window's dates, as the team page counts them (someone
        # who has moved on is listed too); each name opens where the viewer may see it now.
        people = selectors.supervisees_in_window(start, end, team=team)
        if team is None:
            people = visible_among(people, request.user)
        index = _people_index(people)
        visible = set(
            people_visible_to(request.user)
            .filter(pk__in=[row[0] for row in index])
            .values_list("pk", flat=True)
        )
        pks_by_email = {row[1]: row[0] for row in index if row[0] in visible}
        balances = selectors.balances_of(
            [row[0] for row in index],
            start,
            end,
            policy=policy,
            formats=formats,
            feedback_led_by=feedback_led_by_for_flags(request.user),
        )
        rows = []
        for balance in balances:
            reasons = [reason for flag, reason in balance.reasons() if flag.code == count]
            if reasons:
                rows.append(
                    {
                        "balance": balance,
                        "pk": pks_by_email.get(balance.supervisee),
                        "reasons": reasons,
                    }
                )
        rows.sort(key=lambda row: (row["balance"].name.lower(), row["balance"].supervisee))
        context.update({"title": FLAG_WORDS[count], "people": rows})
    else:
        if team is not None:
            scoped = selectors.team_sessions(team, start, end)
        elif supervisor is not None:
            scoped = Session.objects.filter(supervisor=supervisor)
        else:
            scoped = None
        counted = selectors.compliance_sessions(
            count, start, end, sessions=scoped, policy=policy, formats=formats
        )
        readable = list(
            with_people(readable_sessions(request.user, counted)).order_by("-date", "-pk")
        )
        context.update(
            {
                "title": COMPLIANCE_WORDS[count].format(policy=policy),
                "sessions": readable,
                "not_listed": counted.count() - len(readable),
                "is_sessions": True,
            }
        )
    return render(request, "audit/drill.html", context)
