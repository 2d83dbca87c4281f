"""Who a manager's home lists as needing attention (`audit.attention.team_attention`): the
people of the teams they manage now who were supervised in the default window, never the
manager themselves. Each person is asked whether they were supervised and may be seen by their
own row (the query reads neither the whole people table nor every relationship of the window),
so the set is pinned here person by person."""

import datetime

import pytest

from audit.attention import _IN_TEAMS, team_attention
from audit.forms import DEFAULT_WINDOW, WINDOW_DAYS
from audit.selectors import supervisees_in_window
from core import clock
from people.access import managed_team_ids, people_visible_to
from tests.factories import RelationshipFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _overdue(supervisor, person, relationship_start=datetime.date(2024, 1, 1), end=None):
    """`person` in a relationship with `supervisor`, last seen 70 days ago: overdue."""
    RelationshipFactory(
        supervisor=supervisor, supervisee=person, start_date=relationship_start, end_date=end
    )
    SessionFactory(
        supervisor=supervisor,
        supervisee=person,
        date=clock.today() - datetime.timedelta(70),
    )


def test_only_the_teams_people_supervised_in_the_window_are_listed(
    team, other_team, supervisor, manager
):
    day = clock.today()
    window_start = day - datetime.timedelta(days=WINDOW_DAYS[DEFAULT_WINDOW] - 1)
    _overdue(supervisor, UserFactory(name="Ana Inteam", team=team))
    # Supervised until the day before the window began: not supervised in it.
    _overdue(
        supervisor,
        UserFactory(name="Eli Ended", team=team),
        end=window_start - datetime.timedelta(1),
    )
    # Supervised from the window's first day: supervised in it.
    _overdue(supervisor, UserFactory(name="Lou Late", team=team), relationship_start=window_start)
    _overdue(supervisor, UserFactory(name="Oli Otherteam", team=other_team))
    # The manager is in the team and supervised too: never listed on their own home.
    manager.team = team
    manager.save(update_fields=["team"])
    _overdue(supervisor, manager)

    rows = team_attention(manager, day)
    assert [(row.name, row.team, row.overdue) for row in rows] == [
        ("Ana Inteam", team.name, True),
        ("Lou Late", team.name, True),
    ]


def test_those_asked_about_are_the_windows_supervisees_the_manager_may_see(
    team, other_team, supervisor, manager, administrator
):
    """Flagged or not: the people whose balance is worked out for the list are
    `supervisees_in_window` among the people the manager may see in their teams."""

    day = clock.today()
    window_start = day - datetime.timedelta(days=WINDOW_DAYS[DEFAULT_WINDOW] - 1)
    before = window_start - datetime.timedelta(1)
    for name, team_of, start, end in [
        ("Ana Inteam", team, datetime.date(2024, 1, 1), None),
        ("Eli Ended", team, datetime.date(2024, 1, 1), before),
        ("Lou Late", team, day, None),
        ("Fay First", team, datetime.date(2024, 1, 1), window_start),
        ("Oli Otherteam", other_team, datetime.date(2024, 1, 1), None),
    ]:
        person = UserFactory(name=name, team=team_of)
        RelationshipFactory(
            supervisor=supervisor, supervisee=person, start_date=start, end_date=end
        )
    UserFactory(name="Nat Nosupervisor", team=team)
    manager.team = team
    manager.save(update_fields=["team"])
    RelationshipFactory(supervisor=supervisor, supervisee=manager)
    team.managers.add(administrator)
    everyone = {"Ana Inteam", "Lou Late", "Fay First"}
    for reader, is_admin, listed in [
        (manager, False, everyone),
        (administrator, True, everyone | {"Mo Manager"}),
    ]:
        teams = sorted(managed_team_ids(reader))
        asked = _IN_TEAMS(reader.pk, is_admin, teams, window_start, day)
        expected = set(
            supervisees_in_window(window_start, day)
            .filter(pk__in=people_visible_to(reader, day).values("pk"), team__in=teams)
            .exclude(pk=reader.pk)
            .values_list("name", flat=True)
        )
        assert {name for _pk, _email, name, _team in asked} == expected == listed
