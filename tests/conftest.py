"""A small fixed cast (STYLE.md): who is who in every access test."""

import datetime

import pytest
from django.conf import settings

from tests.factories import PASSWORD, RelationshipFactory, TeamFactory, UserFactory


def pytest_configure(config):
    # Real hashing costs ~0.3 s a password; tests need a password, not its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team(db):
    return TeamFactory(name="Adults North")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Children West")


@pytest.fixture
def supervisor(team):
    return UserFactory(email="sue@example.org", name="Sue Supervisor", team=team)


@pytest.fixture
def supervisee(team, supervisor):
    person = UserFactory(email="sam@example.org", name="Sam Social", team=team)
    RelationshipFactory(
        supervisor=supervisor, supervisee=person, start_date=datetime.date(2024, 1, 1)
    )
    return person


@pytest.fixture
def other_supervisee(team, supervisor):
    person = UserFactory(email="nia@example.org", name="Nia Newly", team=team)
    RelationshipFactory(
        supervisor=supervisor, supervisee=person, start_date=datetime.date(2024, 1, 1)
    )
    return person


@pytest.fixture
def other_supervisor(other_team):
    supervisor = UserFactory(email="olu@example.org", name="Olu Other", team=other_team)
    person = UserFactory(email="kit@example.org", name="Kit Other", team=other_team)
    RelationshipFactory(
        supervisor=supervisor, supervisee=person, start_date=datetime.date(2024, 1, 1)
    )
    return supervisor


@pytest.fixture
def manager(team):
    person = UserFactory(email="mo@example.org", name="Mo Manager")
    team.managers.add(person)
    return person


@pytest.fixture
def other_manager(other_team):
    person = UserFactory(email="oz@example.org", name="Oz Othermanager")
    other_team.managers.add(person)
    return person


@pytest.fixture
def administrator(db):
    return UserFactory(email="ada@example.org", name="Ada Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(db):
    return UserFactory(email="out@example.org", name="Otto Outsider")


@pytest.fixture
def login(client):
    """Log `user` in on the test client and return the client."""

    def do_login(user):
        assert client.login(username=user.email, password=PASSWORD)
        return client

    return do_login
