"""The fixed cast of tests/conftest.py (STYLE.md), one builder each, and worlds built once.

The conftest fixtures `team`, `supervisor`, ... each call the builder of their name. A module
whose cases all read the same world builds it once with `whole_cast` inside `shared_rows`, in a
module-scoped fixture, instead of once per case.
"""

import contextlib
import datetime

from django.db import transaction

from tests.factories import NewTeamFactory, NewUserFactory, RelationshipFactory


def make_team():
    return NewTeamFactory(name="Adults North")


def make_other_team():
    return NewTeamFactory(name="Children West")


def make_supervisor(team):
    return NewUserFactory(email="sue@example.org", name="Sue Supervisor", team=team)


def make_supervisee(team, supervisor):
    person = NewUserFactory(email="sam@example.org", name="Sam Social", team=team)
    RelationshipFactory(
        supervisor=supervisor, supervisee=person, start_date=datetime.date(2024, 1, 1)
    )
    return person


def make_other_supervisee(team, supervisor):
    person = NewUserFactory(email="nia@example.org", name="Nia Newly", team=team)
    RelationshipFactory(
        supervisor=supervisor, supervisee=person, start_date=datetime.date(2024, 1, 1)
    )
    return person


def make_other_supervisor(other_team):
    supervisor = NewUserFactory(email="olu@example.org", name="Olu Other", team=other_team)
    person = NewUserFactory(email="kit@example.org", name="Kit Other", team=other_team)
    RelationshipFactory(
        supervisor=supervisor, supervisee=person, start_date=datetime.date(2024, 1, 1)
    )
    return supervisor


def make_manager(team):
    person = NewUserFactory(email="mo@example.org", name="Mo Manager")
    team.managers.add(person)
    return person


def make_other_manager(other_team):
    person = NewUserFactory(email="oz@example.org", name="Oz Othermanager")
    other_team.managers.add(person)
    return person


def make_administrator():
    return NewUserFactory(
        email="ada@example.org", name="Ada Admin", is_staff=True, is_superuser=True
    )


def make_outsider():
    return NewUserFactory(email="out@example.org", name="Otto Outsider")


# Each member of the cast: how it is built, and from whom.
CAST = {
    "team": (make_team, ()),
    "other_team": (make_other_team, ()),
    "supervisor": (make_supervisor, ("team",)),
    "supervisee": (make_supervisee, ("team", "supervisor")),
    "other_supervisee": (make_other_supervisee, ("team", "supervisor")),
    "other_supervisor": (make_other_supervisor, ("other_team",)),
    "manager": (make_manager, ("team",)),
    "other_manager": (make_other_manager, ("other_team",)),
    "administrator": (make_administrator, ()),
    "outsider": (make_outsider, ()),
}


def whole_cast(*roles):
    """{role: person (or team)} for the roles named, built as the fixtures of those names are."""
    cast = {}

    def get(role):
        if role not in cast:
            build, needs = CAST[role]
            cast[role] = build(*[get(need) for need in needs])
        return cast[role]

    for role in roles:
        get(role)
    return cast


@contextlib.contextmanager
def shared_rows(django_db_blocker):
    """For a module- or class-scoped fixture: rows written inside it are there for every test
    of its scope, and rolled back after the last one.

    Each test still runs in its own transaction (a savepoint inside this one, rolled back at its
    end), so what one test writes never reaches the next: the same isolation as a world built
    for each test, built once.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
