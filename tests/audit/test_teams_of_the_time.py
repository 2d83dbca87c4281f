"""Dated team membership: past windows show the teams of the time, on the team page and the
organisation page (a person who moved counts in each team they were in that window)."""

import datetime

import pytest
from django.urls import reverse

from audit import selectors
from audit.models import AuditPolicy
from people.models import FocusAgreement, Relationship, TeamMembership
from people.selectors import team_members_between, teams_between
from people.services import team_memberships_move
from tests.conftest import sign_in_as
from tests.factories import (
    ItemFactory,
    RelationshipFactory,
    SessionFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
MOVED_ON = D(2026, 6, 1)


@pytest.fixture
def mover(supervisor, supervisee, team, other_team):
    """Sam moved from Adults North to Children West on 1 June 2026."""
    team_memberships_move([(supervisee, team.pk, other_team, MOVED_ON)])
    supervisee.team = other_team
    supervisee.save()
    for day in (D(2026, 3, 10), D(2026, 9, 10)):
        session = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=day)
        ItemFactory(session=session, minutes=60, functions=["support"])
    return supervisee


def test_memberships_are_closed_the_day_before_the_move(mover, team, other_team):
    assert [(m.team, m.start_date, m.end_date) for m in TeamMembership.objects.order_by("pk")] == [
        (team, None, D(2026, 5, 31)),
        (other_team, MOVED_ON, None),
    ]


@pytest.mark.parametrize(
    ("start", "end", "north", "west"),
    [
        (D(2026, 3, 1), D(2026, 5, 31), True, False),  # before: the old team only
        (D(2026, 5, 31), D(2026, 6, 1), True, True),  # the move inside the window: both
        (D(2026, 6, 1), D(2026, 8, 31), False, True),  # from the day of the move: the new one
    ],
)
def test_a_window_shows_the_teams_of_its_dates(mover, team, other_team, start, end, north, west):
    assert (mover in team_members_between(team, start, end)) is north
    assert (mover in team_members_between(other_team, start, end)) is west
    assert teams_between([mover.pk], start, end)[mover.pk] == ({team.pk} if north else set()) | (
        {other_team.pk} if west else set()
    )


def test_someone_without_dated_memberships_is_in_their_current_team_always(team):
    person = UserFactory(team=team)
    assert person in team_members_between(team, D(2001, 1, 1), D(2001, 1, 31))


def test_current_teams_given_by_the_caller_give_the_same_teams_of_the_time(
    mover, team, other_team, django_assert_num_queries
):
    """The organisation page has read everyone's current team already: handed over, the teams
    of the time are the same, with one query fewer."""
    undated = UserFactory(team=team)
    teamless = UserFactory(team=None)
    people = [mover.pk, undated.pk, teamless.pk]
    current = {person.pk: person.team_id for person in (mover, undated, teamless)}
    for start, end in [(D(2026, 3, 1), D(2026, 5, 31)), (D(2026, 5, 31), D(2026, 6, 1))]:
        with django_assert_num_queries(2):
            found = teams_between(people, start, end)
        with django_assert_num_queries(1):
            given = teams_between(people, start, end, current=current)
        assert given == found
        assert given[undated.pk] == {team.pk} and given[teamless.pk] == set()


def test_the_old_managers_team_page_shows_a_past_window_with_the_mover(login, manager, mover, team):
    client = login(manager)
    past = client.get(
        reverse("audit:team_balance"),
        {"window": "custom", "from": "2026-03-01", "to": "2026-03-31"},
    ).content.decode()
    assert "Sam Social" in past
    # Not linked: Mo no longer manages Sam's team, so Sam's balance page is not Mo's to open.
    assert reverse("audit:person", args=[mover.pk]) not in past
    assert "has since moved on" in past
    now = client.get(
        reverse("audit:team_balance"),
        {"window": "custom", "from": "2026-09-01", "to": "2026-09-30"},
    ).content.decode()
    assert "Sam Social" not in now


def focus_follow_up_of(client, mover, agreed_on, start, end):
    """The feedback page's focus section for the window [start, end], read through `client`,
    after the mover's relationship agreed a focus on `agreed_on`."""
    relationship = Relationship.objects.get(supervisee=mover)
    FocusAgreement.objects.create(relationship=relationship, support=True, agreed_on=agreed_on)
    window = {"window": "custom", "from": start.isoformat(), "to": end.isoformat()}
    page = client.get(reverse("audit:team_feedback"), window).content.decode()
    return page.split('id="focus-heading"')[1].split("</section>")[0]


def test_the_old_managers_focus_follow_up_names_the_mover_without_a_link(
    login, manager, mover, team
):
    """The feedback page's focus follow-up, as the balance page's table: a person who has since
    moved on is named, but their balance is no longer the old manager's to open (a link would
    answer 404)."""
    focus = focus_follow_up_of(login(manager), mover, D(2026, 3, 20), D(2026, 3, 1), D(2026, 3, 31))
    assert "Sam Social" in focus
    assert reverse("audit:person", args=[mover.pk]) not in focus


def test_the_new_managers_focus_follow_up_links_the_mover(login, other_manager, mover):
    focus = focus_follow_up_of(
        login(other_manager), mover, D(2026, 9, 5), D(2026, 9, 1), D(2026, 9, 30)
    )
    assert f'href="{reverse("audit:person", args=[mover.pk])}?' in focus


def test_the_new_managers_team_page_shows_the_mover_from_the_move(login, other_manager, mover):
    client = login(other_manager)
    past = client.get(
        reverse("audit:team_balance"),
        {"window": "custom", "from": "2026-03-01", "to": "2026-03-31"},
    ).content.decode()
    assert "Sam Social" not in past
    now = client.get(
        reverse("audit:team_balance"),
        {"window": "custom", "from": "2026-09-01", "to": "2026-09-30"},
    ).content.decode()
    assert reverse("audit:person", args=[mover.pk]) in now


def test_balances_of_a_team_follow_the_window(mover, team, other_team):
    march = selectors.balances(D(2026, 3, 1), D(2026, 3, 31), team=team)
    assert [b.supervisee for b in march] == ["sam@example.org"]
    assert selectors.balances(D(2026, 3, 1), D(2026, 3, 31), team=other_team) == []


def test_the_organisation_counts_a_mover_in_each_team_and_once_overall(
    login, administrator, mover, other_supervisee
):
    client = login(administrator)
    response = client.get(
        reverse("audit:organisation"),
        {"window": "custom", "from": "2026-05-01", "to": "2026-06-30", "download": "teams"},
    )
    rows = {line.split(",")[0]: line.split(",") for line in response.content.decode().splitlines()}
    # scope, from, to, people: Nia (Adults North all along) and Sam (in both teams), who
    # counts once in the organisation.
    assert rows["Adults North"][3] == "2"
    assert rows["Children West"][3] == "1"
    assert rows["Organisation"][3] == "2"


def test_the_admin_records_a_change_of_team_as_a_move_from_today(
    client, administrator, supervisee, other_team, today
):
    sign_in_as(client, administrator)
    page = client.get(reverse("admin:people_user_change", args=[supervisee.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if key in ("email", "name", "start_date_in_post", "reminder_emails", "is_active")
        and value is not None
    }
    data.update(
        {
            "team": other_team.pk,
            "date_joined_0": supervisee.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": supervisee.date_joined.strftime("%H:%M:%S"),
            "supervisor_relationships-TOTAL_FORMS": "0",
            "supervisor_relationships-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data["start_date_in_post"] = supervisee.start_date_in_post.isoformat()
    response = client.post(reverse("admin:people_user_change", args=[supervisee.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [
        (m.team.name, m.start_date, m.end_date)
        for m in TeamMembership.objects.filter(person=supervisee).order_by("pk")
    ] == [
        ("Adults North", None, today - datetime.timedelta(days=1)),
        ("Children West", today, None),
    ]


def test_team_page_queries_do_not_grow_with_movers(
    login, manager, supervisor, team, django_assert_max_num_queries
):
    elsewhere = TeamFactory(name="Elsewhere")
    client = login(manager)

    def grow(n):
        for _ in range(n):
            person = UserFactory(team=elsewhere)
            team_memberships_move([(person, team.pk, elsewhere, D(2026, 11, 1))])
            RelationshipFactory(supervisor=supervisor, supervisee=person)
            SessionFactory(supervisor=supervisor, supervisee=person, date=D(2026, 10, 5))

    def count():
        with django_assert_max_num_queries(40) as captured:
            assert client.get(reverse("audit:team_balance")).status_code == 200
        return len(captured)

    AuditPolicy.current()  # created on first use: not a query of every page
    grow(2)
    few = count()
    grow(6)
    assert count() == few
