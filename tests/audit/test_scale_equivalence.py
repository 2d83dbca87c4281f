"""The rewritten reads give the same answers as the plain SQL they replaced, on a seeded
organisation with joiners, leavers, gaps, groups, cancellations and actions.

The reference functions below are the earlier implementations, kept here as the definition:
a correlated subquery per held session (compliance) and per relationship (last held).
"""

import csv
import io
import itertools
import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit import selectors, views
from audit.models import AuditPolicy
from core import clock
from demo.bulk import ADMIN_EMAIL
from people.models import Relationship, Team, User
from people.selectors import in_no_team_between, team_members_between, teams_between
from sessions_app import brought_forward as kept_reviews
from sessions_app.models import (
    Action,
    ActionReview,
    ActionStatus,
    Attendance,
    Format,
    Session,
    Status,
)
from sessions_app.selectors import with_last_held, with_next_planned
from tests.cast import shared_rows
from tests.factories import ItemFactory, RelationshipFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def reference_compliance(start, end, *, sessions=None, policy, as_of, formats=None):
    deadline = timedelta(days=policy.share_deadline_days)
    held = selectors._scoped(sessions, start, end, formats).filter(status=Status.HELD)
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
    brought_forward = Action.objects.filter(
        session=Subquery(kept_reviews.previous_session(2))
    ).filter(
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
    return selectors.Compliance(start=start, end=end, **figures)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """A seeded organisation (30 practitioners, 3 years, to today), built once for the module;
    each test runs in its own savepoint inside it, so what one test removes the next still has."""
    today = clock.today()
    with shared_rows(django_db_blocker):
        call_command(
            "seed_demo", "--practitioners", "30", "--years", "3", "--today", f"{today:%Y-%m-%d}",
            stdout=StringIO(),
        )  # fmt: skip
        yield today


def windows(today):
    yield today - timedelta(days=89), today
    yield today - timedelta(days=364), today
    yield today - timedelta(days=400), today - timedelta(days=370)  # a month, a year ago
    yield today - timedelta(days=3 * 365), today - timedelta(days=2 * 365)  # records began


# The previous sessions' actions are read by id up to a number of them, by where they are
# beyond it: both ways give the reference's answers.
BOTH_READS = pytest.mark.parametrize(
    "by_id_at_most", [kept_reviews.PREVIOUS_BY_ID_AT_MOST, 0], ids=["by id", "by where"]
)


@BOTH_READS
def test_compliance_equals_the_reference(seeded, monkeypatch, by_id_at_most):
    # What each session inherited is kept (sessions_app.brought_forward): worked out again
    # here with each way of reading the previous sessions' actions.
    monkeypatch.setattr(kept_reviews, "PREVIOUS_BY_ID_AT_MOST", by_id_at_most)
    kept_reviews.rebuild()
    policy = AuditPolicy.current()
    teams = list(Team.objects.order_by("pk")[:2])
    formats_tried = [None, (Format.ONE_TO_ONE,), (Format.GROUP,)]
    for (start, end), formats in itertools.product(windows(seeded), formats_tried):
        for scope in [None, *(selectors.team_sessions(t, start, end) for t in teams)]:
            got = selectors.compliance(
                start, end, sessions=scope, policy=policy, as_of=seeded, formats=formats
            )
            want = reference_compliance(
                start, end, sessions=scope, policy=policy, as_of=seeded, formats=formats
            )
            assert got == want
            assert want.sessions_with_actions_to_review > 0 or formats == (Format.GROUP,)


def test_a_teams_sessions_by_their_ids_count_as_the_queryset_does(seeded):
    """The team page's scope (`team_session_ids`, read by queries prepared once) gives the
    compliance figures and the cancellation rates its queryset (`team_sessions`) gives."""
    policy = AuditPolicy.current()
    teams = list(Team.objects.order_by("pk")[:3])
    formats_tried = [None, (Format.ONE_TO_ONE,), (Format.GROUP,)]
    for (start, end), formats in itertools.product(windows(seeded), formats_tried):
        for team in teams:
            ids = selectors.team_session_ids(team, start, end)
            queryset = selectors.team_sessions(team, start, end)
            assert sorted(queryset.values_list("pk", flat=True)) == ids
            options = {"policy": policy, "as_of": seeded, "formats": formats}
            assert selectors.compliance(start, end, sessions=ids, **options) == (
                selectors.compliance(start, end, sessions=queryset, **options)
            )
            assert selectors.cancellation_rates(
                start, end, sessions=ids, formats=formats
            ) == selectors.cancellation_rates(start, end, sessions=queryset, formats=formats)
    # A team with no session in the window: nothing counted, nobody's rate.
    empty = selectors.SessionIds()
    day = seeded + timedelta(days=400)
    assert selectors.compliance(day, day, sessions=empty, policy=policy).one_to_ones_held == 0
    assert selectors.cancellation_rates(day, day, sessions=empty) == []


@BOTH_READS
def test_compliance_looks_back_past_a_long_gap(seeded, monkeypatch, by_id_at_most):
    """A session whose previous one is more than the lookback before the window still finds
    it: the gap is made by removing the pair's sessions in between."""
    monkeypatch.setattr(kept_reviews, "PREVIOUS_BY_ID_AT_MOST", by_id_at_most)
    policy = AuditPolicy.current()
    rel = Relationship.objects.filter(end_date__isnull=True).order_by("pk").first()
    pair = Session.objects.filter(
        supervisor=rel.supervisor, attendances__person=rel.supervisee, status=Status.HELD
    )
    start = seeded - timedelta(days=30)
    gap_from = start - timedelta(days=kept_reviews.PREVIOUS_LOOKBACK_DAYS + 60)
    doomed = pair.filter(date__gte=gap_from, date__lt=start)
    ActionReview.objects.filter(session__in=doomed).delete()
    Session.objects.filter(rescheduled_to__in=doomed).update(rescheduled_to=None)
    doomed.delete()
    # Removed here, not through the services: what the pair's later sessions inherit is worked
    # out again for them alone, so that their previous session is beyond the lookback.
    kept_reviews.refresh(pair.filter(date__gte=start).values_list("pk", flat=True))
    scope = Session.objects.filter(pk__in=pair.values("pk"))
    got = selectors.compliance(start, seeded, sessions=scope, policy=policy, as_of=seeded)
    want = reference_compliance(start, seeded, sessions=scope, policy=policy, as_of=seeded)
    assert got == want


def reference_last_held(relationships, window_end, *, group_counts=False):
    counted = Q(session__format=Format.ONE_TO_ONE, session__supervisor=OuterRef("supervisor"))
    if group_counts:
        counted |= Q(session__format=Format.GROUP, present=True)
    measuring_end = Coalesce(OuterRef("end_date"), Value(window_end), output_field=DateField())
    last = (
        Attendance.objects.filter(
            counted,
            person=OuterRef("supervisee"),
            session__status=Status.HELD,
            session__date__gte=OuterRef("start_date"),
            session__date__lte=window_end,
        )
        .filter(session__date__lte=measuring_end)
        .order_by("-session__date")
        .values("session__date")
    )
    return relationships.annotate(last_held=Subquery(last[:1], output_field=DateField()))


def reference_next_planned(relationships, on_or_after):
    nxt = (
        Attendance.objects.filter(
            person=OuterRef("supervisee"),
            session__supervisor=OuterRef("supervisor"),
            session__format=Format.ONE_TO_ONE,
            session__status=Status.PLANNED,
            session__date__gte=on_or_after,
        )
        .order_by("session__date")
        .values("session__date")
    )
    return relationships.annotate(next_planned=Subquery(nxt[:1], output_field=DateField()))


def test_last_held_and_next_planned_equal_the_reference(seeded):
    # A long gap for one pair, so that the look further back is needed somewhere.
    rel = Relationship.objects.filter(end_date__isnull=True).order_by("pk").first()
    Session.objects.filter(
        supervisor=rel.supervisor,
        attendances__person=rel.supervisee,
        date__gte=seeded - timedelta(days=200),
        status=Status.HELD,
    ).update(status=Status.CANCELLED_BY_SUPERVISOR, record_state="draft")
    rels = Relationship.objects.order_by("pk")
    ends = [seeded, seeded - timedelta(days=100), seeded - timedelta(days=700)]
    for window_end, group_counts in itertools.product(ends, [False, True]):
        got = with_last_held(rels, window_end, group_counts=group_counts)
        want = reference_last_held(rels, window_end, group_counts=group_counts)
        assert list(got.values_list("pk", "last_held")) == list(want.values_list("pk", "last_held"))
    for day in [seeded, seeded - timedelta(days=400)]:
        assert list(with_next_planned(rels, day).values_list("pk", "next_planned")) == list(
            reference_next_planned(rels, day).values_list("pk", "next_planned")
        )


# A large organisation's page of teams (audit.views._organisation_by_page): each team's row
# is the team's row of the whole page, whichever page it falls on.


def _organisation(client, query=""):
    response = client.get(reverse("audit:organisation") + query)
    assert response.status_code == 200
    return response.context


@pytest.fixture
def nobody_in_a_team(seeded):
    """A supervisee in no team, with a one-to-one held a week ago: the row after the teams."""
    supervisor = Relationship.objects.order_by("pk").first().supervisor
    person = UserFactory(name="Zed Teamless", team=None)
    RelationshipFactory(
        supervisor=supervisor, supervisee=person, start_date=seeded - timedelta(400)
    )
    session = SessionFactory(supervisor=supervisor, supervisee=person, date=seeded - timedelta(7))
    ItemFactory(session=session, functions=["management"], minutes=50)
    return person


# A stricter policy than the default, so that every flag is raised for someone: the stakeholder
# check on, one session enough, group sessions counting for regularity.
STRICT = {
    "dominance_threshold": Decimal("0.3"),
    "neglect_threshold": Decimal("0.2"),
    "short_circuit_threshold": Decimal("0.25"),
    "min_sessions": 1,
    "stakeholder_threshold": Decimal("0.35"),
    "group_counts_for_regularity": True,
}


@pytest.mark.parametrize("strict", [False, True], ids=["default policy", "strict policy"])
@pytest.mark.parametrize("formats", [None, [Format.GROUP]], ids=["every format", "groups"])
def test_flags_from_integer_sums_are_the_balances_flags(seeded, strict, formats):
    """The organisation page counts everyone's flags from their minutes' integer sums
    (`flagged_of`) and makes a balance whole only where it is shown: both are `balances_of`'s."""
    policy = AuditPolicy(**STRICT) if strict else AuditPolicy.current()
    people = list(User.objects.values_list("pk", flat=True))
    led_by = Relationship.objects.order_by("pk").first().supervisor_id
    raised = set()
    for start, end in windows(seeded):
        sums = selectors.window_sums(people, start, end, formats=formats, exact=False)
        for feedback in [{}, {"feedback_led_by": led_by}]:
            options = {"policy": policy, "formats": formats, **feedback}
            balances = selectors.balances_of(people, start, end, **options)
            flagged = selectors.flagged_of(people, start, end, sums=sums.sums_by_person, **options)
            assert [f.supervisee for f in flagged] == [b.supervisee for b in balances]
            assert [f.flags for f in flagged] == [b.flags for b in balances]
            assert [f.balance() for f in flagged] == balances
            raised |= {flag.code for b in balances for flag in b.flags}
    # Not a comparison of empty lists: the data raise flags of nearly every kind (overdue
    # under the default policy, the stakeholder's absence under the strict one).
    assert len(raised) >= (5 if formats is None else 3), raised


@pytest.mark.parametrize("window", ["", "?window=12", "?window=12&format=one_to_one"])
def test_a_large_organisations_page_of_teams_gives_each_team_its_whole_page_figures(
    seeded, nobody_in_a_team, login, monkeypatch, window
):
    client = login(User.objects.get(email=ADMIN_EMAIL))
    monkeypatch.setattr(views, "FLAGGED_PER_PAGE", 1000)
    whole = _organisation(client, window)
    assert not whole.get("by_page")
    whole_rows = [(row["team"], row["totals"]) for row in whole["teams_page"].object_list]
    assert whole_rows[-1][0] is None, "the supervisee in no team has the last row"
    whole_flagged = {row["pk"]: row["team"] for row in whole["flagged_page"].object_list}
    monkeypatch.setattr(views, "SUPERVISORS_PER_PAGE", 1000)
    whole_rates = list(_organisation(client, window)["rates_page"].object_list)

    monkeypatch.setattr(views, "ORGANISATION_WHOLE_AT_MOST", 5)
    monkeypatch.setattr(views, "TEAMS_PER_PAGE", 2)
    rows, flagged, rated, number = [], {}, set(), 1
    while True:
        joiner = "&" if window else "?"
        page = _organisation(client, f"{window}{joiner}teams_page={number}")
        assert page["by_page"]
        rows += [(row["team"], row["totals"]) for row in page["teams_page"].object_list]
        shown = {row["team"] for row in page["teams_page"].object_list}
        for row in page["flagged_page"].object_list:
            flagged[row["pk"]] = row["team"]
            # Flagged on this page: someone in one of its teams.
            assert any((t.name if t else "No team") in row["team"] for t in shown)
        # The organisation: its people, minutes and months as on the whole page; its flags
        # are not counted here.
        assert page["totals"].people == whole["totals"].people
        assert page["totals"].minutes == whole["totals"].minutes
        assert page["totals"].flag_counts is None
        assert page["trend"] == whole["trend"]
        assert page["checks"] == whole["checks"]
        # The cancellation rates of the page's teams' members of the window (and, with the
        # row of no team, of the people in no team), as the whole page counts them.
        start, end = page["filters"].start, page["filters"].end
        teams = [t.pk for t in shown if t is not None]
        members = set(team_members_between(teams, start, end).values_list("pk", flat=True))
        if None in shown:
            members |= set(in_no_team_between(start, end).values_list("pk", flat=True))
        rates = list(page["rates_page"].object_list)
        assert rates == [r for r in whole_rates if r.supervisor_id in members]
        rated |= {r.supervisor_id for r in rates}
        if not page["teams_page"].has_next():
            break
        number += 1
    assert number > 1
    assert rows == whole_rows
    assert flagged == whole_flagged
    assert rated, "some page lists supervisors' rates"
    body = client.get(reverse("audit:organisation") + window).content.decode()
    assert "not counted here: see the download" in body
    # The download is the whole organisation's, flags counted, as a council's.
    monkeypatch.setattr(views, "TEAMS_PER_PAGE", 50)
    joiner = "&" if window else "?"
    csv_rows = client.get(reverse("audit:organisation") + f"{window}{joiner}download=teams")
    organisation = list(csv.DictReader(io.StringIO(csv_rows.content.decode("utf-8-sig"))))[-1]
    assert organisation["scope"] == "Organisation"
    counts = whole["totals"].flag_counts
    assert organisation["people_flagged_management_dominant"] == str(
        counts.get("management_dominant", 0)
    )


def test_a_large_organisations_pages_of_teams_take_the_same_queries(
    seeded, nobody_in_a_team, login, monkeypatch, django_assert_num_queries
):
    client = login(User.objects.get(email=ADMIN_EMAIL))
    monkeypatch.setattr(views, "ORGANISATION_WHOLE_AT_MOST", 5)
    monkeypatch.setattr(views, "TEAMS_PER_PAGE", 1)
    # Whose flags each page works out: its own team's people, nobody else.
    worked_out = []
    flagged_of = selectors.flagged_of

    def counted(people, *args, **kwargs):
        worked_out.append(len(people))
        return flagged_of(people, *args, **kwargs)

    monkeypatch.setattr(selectors, "flagged_of", counted)
    # The window's count of supervisees, worked out on the first request and kept while the
    # relationships stay as they are (people.changes), is then the same for every page.
    _organisation(client, "?window=12")
    worked_out.clear()
    counts, sizes = [], []
    number = 1
    while True:
        with CaptureQueriesContext(connection) as captured:
            page = _organisation(client, f"?window=12&teams_page={number}")
        counts.append(len(captured))
        sizes.append(page["teams_page"].object_list[0]["totals"].people)
        assert worked_out.pop() == sizes[-1]
        if not page["teams_page"].has_next():
            break
        number += 1
    assert len(set(sizes)) > 1, "teams of different sizes"
    assert len(set(counts)) == 1, counts


def test_a_page_of_teams_reads_as_the_list_of_teams_and_no_team(seeded):
    teams = Team.objects.order_by("name", "pk")
    rows = views._TeamsThenNoTeam(teams)
    listed = [*teams, None]
    assert len(rows) == len(listed) > 3
    for first, last in [(0, 2), (1, 3), (len(listed) - 2, len(listed)), (0, len(listed) + 5)]:
        assert rows[first:last] == listed[first:last]
    assert [rows[0], rows[-1], rows[-2]] == [listed[0], None, listed[-2]]


def test_the_supervisees_of_a_window_counted_are_as_many_as_there_are(seeded):
    for start, end in windows(seeded):
        count = selectors.supervisees_in_window_count(start, end)
        assert count == selectors.supervisees_in_window(start, end).count() > 0
    # Someone supervised twice at once (two supervisors) counts once.
    relationship = Relationship.objects.filter(end_date__isnull=True).order_by("pk").first()
    before = selectors.supervisees_in_window_count(seeded, seeded)
    RelationshipFactory(supervisee=relationship.supervisee, start_date=seeded - timedelta(30))
    assert selectors.supervisees_in_window_count(seeded, seeded) == before


def test_nobody_in_a_team_and_a_few_teams_members_are_those_of_teams_between(
    seeded, nobody_in_a_team
):
    everyone = list(User.objects.values_list("pk", flat=True))
    team_ids = sorted(Team.objects.values_list("pk", flat=True))[:2]
    for start, end in windows(seeded):
        teams = teams_between(everyone, start, end)
        assert set(in_no_team_between(start, end).values_list("pk", flat=True)) == {
            pk for pk, of in teams.items() if not of
        }
        assert set(team_members_between(team_ids, start, end).values_list("pk", flat=True)) == {
            pk for pk, of in teams.items() if of & set(team_ids)
        }
    assert nobody_in_a_team.pk in in_no_team_between(seeded, seeded).values_list("pk", flat=True)


def test_every_organisation_table_downloads_and_an_unknown_one_is_refused_first(
    seeded, login, monkeypatch
):
    client = login(User.objects.get(email=ADMIN_EMAIL))
    monkeypatch.setattr(views, "ORGANISATION_WHOLE_AT_MOST", 5)
    for name in views.ORGANISATION_TABLES:
        response = client.get(reverse("audit:organisation") + f"?download={name}")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    # Every table the page offers to download is one of them.
    page = client.get(reverse("audit:organisation")).content.decode()
    offered = set(re.findall(r"download=(\w+)", page))
    assert offered and offered <= set(views.ORGANISATION_TABLES)
    worked_out = []
    monkeypatch.setattr(selectors, "balances_of", lambda *a, **k: worked_out.append(a))
    response = client.get(reverse("audit:organisation") + "?download=everything")
    assert response.status_code == 404
    assert worked_out == []


def test_a_large_organisations_page_of_teams_is_for_administrators_alone(
    seeded, login, monkeypatch
):
    monkeypatch.setattr(views, "ORGANISATION_WHOLE_AT_MOST", 5)
    manager = Team.objects.filter(managers__isnull=False).first().managers.first()
    supervisee = Relationship.objects.order_by("pk").first().supervisee
    for user in (manager, supervisee):
        client = login(user)
        for query in ("", "?teams_page=2", "?download=teams"):
            assert client.get(reverse("audit:organisation") + query).status_code == 404


@pytest.mark.parametrize("formats", [None, [Format.ONE_TO_ONE], [Format.GROUP]])
def test_the_organisations_minutes_from_its_days_are_everyone_who_attended(seeded, formats):
    """The organisation page's own minutes and months (`organisation_minutes`, from the days
    kept) are what each person's kept months and cut days give added up over everyone who
    attended, and, on the seeded organisation where everyone who attends is supervised in
    the window, over the window's supervisees, as the page summed them before."""
    held = []
    for start, end in [
        *windows(seeded),
        (seeded - timedelta(days=40), seeded - timedelta(days=40)),
    ]:
        attended = User.objects.filter(
            pk__in=Attendance.objects.filter(
                present=True, session__status=Status.HELD, session_date__range=(start, end)
            ).values("person")
        )
        everyone = selectors.window_sums(attended, start, end, formats=formats)
        organisation = selectors.organisation_minutes(start, end, formats=formats)
        assert organisation.total() == everyone.total()
        assert organisation.months == everyone.months
        supervisees = selectors.window_sums(
            selectors.supervisees_in_window(start, end), start, end, formats=formats
        )
        assert organisation.total() == supervisees.total()
        held.append(organisation.total().sessions_held)
    # Not a comparison of nothing: the last 90 days and year hold minutes of every format.
    assert held[0] > 0 and held[1] > held[0]


@pytest.mark.parametrize("formats", [None, [Format.ONE_TO_ONE], [Format.GROUP]])
def test_everyones_cancellation_rates_from_the_kept_months_are_the_live_count(seeded, formats):
    """The organisation's and a supervisor's cancellation rates (the months counted and kept,
    the cut days live) are what counting every session of the window gives."""
    supervisors = list(
        Session.objects.filter(status=Status.CANCELLED_BY_SUPERVISOR)
        .order_by("supervisor")
        .values_list("supervisor", flat=True)
        .distinct()[:2]
    )
    scheduled = moved = 0
    # The last: ten days inside one month, every session counted live, named on its own.
    inside_a_month = (
        seeded.replace(day=1) - timedelta(days=20),
        seeded.replace(day=1) - timedelta(days=11),
    )
    for start, end in [*windows(seeded), (seeded - timedelta(days=40), seeded), inside_a_month]:
        kept_rates = selectors.cancellation_rates(start, end, formats=formats)
        live = selectors.cancellation_rates(
            start, end, sessions=Session.objects.all(), formats=formats
        )
        assert kept_rates == live
        assert selectors.cancellation_rates(
            start, end, supervisors=supervisors, formats=formats
        ) == [rate for rate in live if rate.supervisor_id in supervisors]
        scheduled += sum(rate.scheduled for rate in live)
        moved += sum(rate.cancelled_by_supervisor + rate.rescheduled for rate in live)
    # Not a comparison of nothing: sessions were booked in these windows, and one-to-ones
    # cancelled and moved (the seeded groups never are).
    assert scheduled > 0
    assert moved > 0 or formats == [Format.GROUP]


@pytest.mark.parametrize("minutes, deadline", [(90, 7), (60, 1), (120, 30)])
def test_the_organisations_checks_from_its_days_are_the_live_count(seeded, minutes, deadline):
    """The organisation's audit checks (counted from its checks kept by day) are what checking
    every held session gives, whatever the policy's shortest session and deadline, the day
    they are read on and the formats."""
    policy = AuditPolicy.current()
    policy.min_session_minutes, policy.share_deadline_days = minutes, deadline
    late = 0
    for (start, end), formats, as_of in itertools.product(
        windows(seeded),
        [None, (Format.ONE_TO_ONE,), (Format.GROUP,)],
        [seeded, seeded - timedelta(days=3)],
    ):
        options = {"policy": policy, "as_of": as_of, "formats": formats}
        organisation = selectors.compliance(start, end, **options)
        assert organisation == selectors.compliance(
            start, end, sessions=Session.objects.all(), **options
        )
        late += organisation.records_late
    # Not a comparison of nothing: records were late under every policy tried.
    assert late > 0


@pytest.mark.parametrize("formats", [None, [Format.ONE_TO_ONE], [Format.GROUP]])
def test_a_few_peoples_windows_read_in_one_query_are_their_live_minutes(seeded, formats):
    """A team's balance reads its people's windows, the months kept and the days of the months
    the window cuts, in one query (`selectors._window_rows`): each person's minutes are what
    every item of the window gives, and what the months and the days read apart give."""
    people = list(User.objects.order_by("pk").values_list("pk", flat=True)[:40])
    one_query = 0
    for start, end in windows(seeded):
        plan = selectors._month_plan(start, end)
        with CaptureQueriesContext(connection) as captured:
            sums = selectors.window_sums(people, start, end, formats=formats, months=False)
        if plan.whole and plan.cut:
            assert len(captured) == 1
            one_query += 1
        # With the months too, the months kept and the cut days are read apart.
        apart = selectors.window_sums(people, start, end, formats=formats)
        assert sums.sums_by_person == apart.sums_by_person
        live = selectors._minutes_by_person(people, start, end, formats)
        assert {pk: m for pk, m in sums.by_person.items() if m.sessions_held} == live
        assert live, (start, end)  # not a comparison of nothing
    assert one_query >= 2
