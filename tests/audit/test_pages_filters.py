"""The filter form and the scope helpers behind every audit page."""

import datetime

import pytest
from django.http import Http404, QueryDict

from audit.forms import AuditFilterForm
from people.access import (
    get_person_for_balance,
    get_team_for_user,
    people_visible_to,
    teams_visible_to,
)
from people.models import Relationship
from tests.factories import RelationshipFactory, UserFactory

TODAY = datetime.date(2026, 6, 30)


def filters(query="", **options):
    form = AuditFilterForm(QueryDict(query), today=TODAY, **options)
    return form, form.filters()


@pytest.mark.parametrize(
    ("query", "days"), [("", 90), ("window=3", 90), ("window=6", 183), ("window=12", 365)]
)
def test_windows_have_a_fixed_number_of_days_ending_today(query, days):
    form, f = filters(query)
    assert not form.errors
    assert f.end == TODAY
    assert f.length_days == days
    assert f.formats is None


def test_custom_dates_are_inclusive_and_to_defaults_to_today():
    _form, f = filters("window=custom&from=2026-06-01&to=2026-06-10")
    assert (f.start, f.end, f.length_days) == (datetime.date(2026, 6, 1), TODAY.replace(day=10), 10)
    _form, f = filters("window=custom&from=2026-06-01")
    assert (f.start, f.end) == (datetime.date(2026, 6, 1), TODAY)
    # Dates without a window choice mean custom dates.
    _form, f = filters("from=2026-06-01&to=2026-06-02")
    assert (f.window, f.length_days) == ("custom", 2)
    assert f.query() == "window=custom&from=2026-06-01&to=2026-06-02&format=both"


def test_a_preset_window_ignores_the_dates():
    form, f = filters("window=6&from=2026-06-01&to=2026-06-02")
    assert not form.errors
    assert f.length_days == 183
    assert "from" not in f.query()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("window=custom&from=2026-06-02&to=2026-06-01", "from"),
        ("window=custom&from=31/01/2026", "from"),
        ("window=custom&from=2026-01-01&to=never", "to"),
        ("window=custom", "from"),
        ("window=custom&from=1066-10-14", "from"),
        ("window=custom&from=2020-01-01", "to"),
        ("window=fortnight", "window"),
    ],
)
def test_a_bad_window_is_an_error_beside_its_field_and_the_default_applies(query, field):
    form, f = filters(query)
    assert list(form.errors) == [field]
    assert (f.start, f.end, f.window) == (TODAY - datetime.timedelta(days=89), TODAY, "3")


def test_an_unknown_format_falls_back_to_both_and_keeps_a_good_window():
    form, f = filters("window=6&format=video")
    assert list(form.errors) == ["format"]
    assert (f.format, f.formats, f.length_days) == ("both", None, 183)


@pytest.mark.parametrize(
    ("value", "formats"), [("both", None), ("one_to_one", ("one_to_one",)), ("group", ("group",))]
)
def test_format_choices(value, formats):
    _form, f = filters(f"format={value}")
    assert f.formats == formats


def test_every_field_has_a_label(team):
    form = AuditFilterForm(QueryDict(""), today=TODAY, teams=[team], team=team.pk)
    assert [name for name in form.fields] == ["team", "window", "from", "to", "format"]
    assert all(field.label for field in form.fields.values())
    assert 'for="filter-from"' in str(form["from"].label_tag())


# Scope.


@pytest.mark.django_db
def test_people_visible_to_each_role(
    supervisor, supervisee, other_supervisee, other_supervisor, manager, administrator, outsider
):
    kit = Relationship.objects.get(supervisor=other_supervisor).supervisee
    assert set(people_visible_to(supervisee)) == {supervisee}
    assert set(people_visible_to(supervisor)) == {supervisor, supervisee, other_supervisee}
    assert set(people_visible_to(manager)) == {manager, supervisor, supervisee, other_supervisee}
    assert set(people_visible_to(outsider)) == {outsider}
    assert kit in people_visible_to(administrator)
    with pytest.raises(Http404):
        get_person_for_balance(manager, kit.pk)
    assert get_person_for_balance(manager, supervisee.pk) == supervisee


@pytest.mark.django_db
def test_a_person_managed_and_supervised_is_listed_once(supervisor, team):
    team.managers.add(supervisor)
    person = UserFactory(team=team)
    RelationshipFactory(supervisor=supervisor, supervisee=person)
    assert list(people_visible_to(supervisor)).count(person) == 1


@pytest.mark.django_db
def test_teams_visible_to_managers_and_staff(
    manager, other_manager, administrator, team, other_team
):
    assert list(teams_visible_to(manager)) == [team]
    assert list(teams_visible_to(other_manager)) == [other_team]
    assert set(teams_visible_to(administrator)) == {team, other_team}
    for pk in (other_team.pk, "x", None, ""):
        with pytest.raises(Http404):
            get_team_for_user(manager, pk)
    assert get_team_for_user(manager, str(team.pk)) == team
