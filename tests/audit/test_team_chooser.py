"""The team page's chooser when there are more teams than it lists (a national body's
thousands): it lists those whose name matches "Find a team", or the viewer's own, always
with the team shown (audit.views.TEAM_CHOICES_AT_MOST)."""

import re

import pytest
from django.urls import reverse

from audit import views
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

URL = reverse("audit:team_balance")


def listed(response):
    """The names in the team chooser, in order."""
    chooser = re.search(r'<select name="team".*?</select>', response.content.decode(), re.S)
    return re.findall(r"<option [^>]*>([^<]*)</option>", chooser.group(0))


@pytest.fixture
def many_teams(team, other_team, monkeypatch):
    """Six teams where the chooser lists three at most."""
    monkeypatch.setattr(views, "TEAM_CHOICES_AT_MOST", 3)
    extra = [TeamFactory(name=name) for name in ("North Coast", "North Hills", "South", "West")]
    return [team, other_team, *extra]


def test_a_short_list_is_every_team_without_a_find_field(login, administrator, team, other_team):
    response = login(administrator).get(URL)
    assert listed(response) == sorted([team.name, other_team.name])
    assert 'name="find"' not in response.content.decode()


def test_a_long_list_has_a_labelled_find_field_and_lists_the_team_shown(
    login, administrator, many_teams
):
    shown = many_teams[-1]  # West: not a team the administrator manages
    response = login(administrator).get(URL, {"team": shown.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<label\s+for="filter-find"[^>]*>\s*Find a team', page)
    assert listed(response) == [shown.name]


def test_finding_lists_the_teams_whose_name_matches_with_the_one_shown(
    login, administrator, many_teams
):
    shown = many_teams[-1]
    response = login(administrator).get(URL, {"team": shown.pk, "find": "north"})
    names = listed(response)
    assert "North Coast" in names and "North Hills" in names and shown.name in names
    assert "South" not in names
    assert len(names) <= views.TEAM_CHOICES_AT_MOST + 1


def test_a_manager_lists_only_their_own_teams(login, manager, team, many_teams):
    # Managers see only their own teams: a short list, whatever the organisation's size.
    response = login(manager).get(URL)
    assert listed(response) == [team.name]
    assert 'name="find"' not in response.content.decode()


def test_the_chooser_costs_the_same_queries_for_six_teams_or_sixty(
    client, administrator, many_teams, django_assert_max_num_queries
):
    from tests.conftest import sign_in_as

    sign_in_as(client, administrator)
    with django_assert_max_num_queries(200) as few:
        client.get(URL, {"find": "north"})
    for n in range(54):
        TeamFactory(name=f"North {n:02d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"find": "north"})
    assert len(listed(response)) <= views.TEAM_CHOICES_AT_MOST + 1


def test_finding_lists_only_teams_the_viewer_may_see_and_another_teams_page_is_404(
    login, manager, team, other_team, monkeypatch
):
    # A manager of two teams with a chooser of one: the long list's way, still their own teams.
    monkeypatch.setattr(views, "TEAM_CHOICES_AT_MOST", 1)
    second = TeamFactory(name="Adults South")
    second.managers.add(manager)
    client = login(manager)
    response = client.get(URL, {"find": other_team.name[:4]})
    assert other_team.name not in listed(response)
    assert "Find a team" in response.content.decode()
    assert client.get(URL, {"team": other_team.pk, "find": "a"}).status_code == 404


def test_a_team_asked_for_among_a_short_list_is_one_of_the_viewers_teams(
    login, manager, team, other_team
):
    """Found among the teams the chooser lists (read once): another team's page is a 404, as
    is an id that is not a number; an id written with a leading zero is the same team."""
    client = login(manager)
    assert client.get(URL, {"team": other_team.pk}).status_code == 404
    assert client.get(URL, {"team": "a team"}).status_code == 404
    response = client.get(URL, {"team": f"0{team.pk}"})
    assert response.status_code == 200
    assert response.context["team"] == team
