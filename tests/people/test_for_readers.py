"""`people.access.for_readers`: an access-policy queryset built once per kind of reader finds,
for every role, what the queryset built for the real person finds."""

import pytest

from core import clock
from core.db import among
from people.access import for_readers, people_visible_to, teams_visible_to
from sessions_app.access import supervisors_visible_to
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "manager", "supervisor", "supervisee", "outsider"]

PEOPLE = for_readers(
    lambda user, day: people_visible_to(user, day).order_by("pk").values_list("pk"), unread=(0,)
)
TEAMS = for_readers(lambda user: teams_visible_to(user).order_by("pk").values_list("pk"))
SUPERVISORS = for_readers(
    lambda user, ids: (
        supervisors_visible_to(user).filter(among("pk", ids)).order_by("pk").values_list("pk")
    )
)


@pytest.fixture
def people(administrator, manager, supervisor, supervisee, outsider, other_team, other_supervisor):
    SessionFactory(supervisor=other_supervisor)
    return {
        "administrator": administrator,
        "manager": manager,
        "supervisor": supervisor,
        "supervisee": supervisee,
        "outsider": outsider,
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_reader_finds_what_the_policy_finds_for_them(people, role, other_supervisor):
    user, day = people[role], clock.today()
    assert PEOPLE(user, day) == list(people_visible_to(user).order_by("pk").values_list("pk"))
    assert TEAMS(user) == list(teams_visible_to(user).order_by("pk").values_list("pk"))
    everyone = [p.pk for p in people.values()] + [other_supervisor.pk]
    assert SUPERVISORS(user, everyone) == list(
        supervisors_visible_to(user).filter(pk__in=everyone).order_by("pk").values_list("pk")
    )


def test_the_readers_differ(people, other_supervisor):
    """What the comparison above compares is not one list for all: each role sees its own."""
    day = clock.today()
    seen = {role: PEOPLE(people[role], day) for role in ROLES}
    assert len(seen["administrator"]) > len(seen["manager"]) > len(seen["supervisee"]) == 1
    assert (people["supervisee"].pk,) in seen["supervisor"]
    assert TEAMS(people["outsider"]) == []
    assert len(TEAMS(people["administrator"])) == 2
