"""`core.db.among`: a long list of ids as one parameter finds what the plain list finds."""

import datetime

import pytest
from django.db import connection
from django.db.models import Q

from core.db import ID_LIST_FROM, among
from people.models import TeamMembership, User
from people.selectors import teams_between
from tests.factories import NewTeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return UserFactory.create_batch(ID_LIST_FROM + 20)


def test_a_few_ids_stay_a_plain_list_and_many_become_one_parameter():
    # On PostgreSQL even a few are one parameter: a prepared query's SQL is the same for any
    # number of ids (`core.prepared`).
    few = Q(pk__any_id=[3, 1, 2]) if connection.vendor == "postgresql" else Q(pk__in=[3, 1, 2])
    assert among("pk", [3, 1, 2]) == few
    many = list(range(ID_LIST_FROM + 1))
    assert among("pk", many) == Q(pk__any_id=many)
    subquery = User.objects.values("pk")
    assert among("pk", subquery) == Q(pk__in=subquery)


def test_the_same_people_as_the_plain_list(people, django_assert_num_queries):
    wanted = [person.pk for person in people[::2]] + [10**9]  # one who does not exist
    many = wanted * 2  # repeated ids find each person once, as IN does
    found_ids = User.objects.filter(pk__any_id=many).values_list("pk", flat=True)
    with django_assert_num_queries(1):
        found = set(found_ids)
    assert found == {person.pk for person in people[::2]}
    _sql, params = found_ids.query.sql_with_params()
    assert len(params) == 1  # one parameter, not one an id
    assert not User.objects.filter(pk__any_id=[]).exists()
    assert User.objects.exclude(among("pk", wanted)).count() == len(people[1::2])
    # Through a foreign key, as the audit reads people's rows.
    assert set(
        TeamMembership.objects.filter(person__any_id=wanted).values_list("person", flat=True)
    ) == set(TeamMembership.objects.filter(person__in=wanted).values_list("person", flat=True))


def test_what_reads_many_people_reads_them_through_it(people):
    """`teams_between` of more people than a plain list holds: each one's team, as before."""
    team = NewTeamFactory()
    User.objects.filter(pk__in=[person.pk for person in people[::3]]).update(team=team)
    pks = [person.pk for person in people]
    day = datetime.date(2026, 6, 1)
    teams = teams_between(pks, day, day)
    assert set(teams) == set(pks)
    assert {pk for pk, ids in teams.items() if ids} == {person.pk for person in people[::3]}
    assert all(ids in (set(), {team.pk}) for ids in teams.values())
