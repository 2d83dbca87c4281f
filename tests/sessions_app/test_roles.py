"""Which roles a person holds (`sessions_app.roles`): what the navigation offers and which of
the home page's lists are read for them."""

import datetime

import pytest
from django.urls import reverse

from core import clock
from sessions_app.models import RecordState
from sessions_app.roles import roles_of
from tests.factories import GroupSessionFactory, RelationshipFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as a new request sees them (roles are kept on the user for one request)."""
    return type(user).objects.get(pk=user.pk)


def test_a_supervisor_and_a_supervisee_of_a_current_relationship(supervisor, supervisee):
    assert roles_of(fresh(supervisor)).supervisor
    assert not roles_of(fresh(supervisor)).supervisee
    assert roles_of(fresh(supervisee)).supervisee
    assert not roles_of(fresh(supervisee)).supervisor


def test_a_relationship_counts_from_its_first_day_to_its_last(team):
    today = clock.today()
    day = datetime.timedelta(days=1)
    ended, starts, today_only = (UserFactory(team=team) for _ in range(3))
    people = {who: UserFactory(team=team) for who in ("ended", "starts", "today_only")}
    RelationshipFactory(
        supervisor=ended,
        supervisee=people["ended"],
        start_date=today - 30 * day,
        end_date=today - day,
    )
    RelationshipFactory(supervisor=starts, supervisee=people["starts"], start_date=today + day)
    RelationshipFactory(
        supervisor=today_only, supervisee=people["today_only"], start_date=today, end_date=today
    )

    assert not roles_of(fresh(ended)).supervisor
    assert not roles_of(fresh(people["ended"])).supervisee
    assert not roles_of(fresh(starts)).supervisor
    assert not roles_of(fresh(people["starts"])).supervisee
    assert roles_of(fresh(today_only)).supervisor
    assert roles_of(fresh(people["today_only"])).supervisee


def test_a_facilitator_and_the_people_invited_hold_the_roles_without_a_relationship(
    login, team, today
):
    facilitator, invited = UserFactory(team=team), UserFactory(team=team)
    group = GroupSessionFactory(
        supervisor=facilitator, attendees=[(invited, True)], date=today - datetime.timedelta(days=2)
    )

    assert roles_of(fresh(facilitator)).supervisor
    assert not roles_of(fresh(facilitator)).supervisee
    assert roles_of(fresh(invited)).supervisee
    assert not roles_of(fresh(invited)).supervisor
    # Their home reads the lists of the roles they hold: the draft to share, and once shared,
    # the record to acknowledge.
    detail = reverse("sessions:detail", args=[group.pk])
    assert detail in login(facilitator).get(reverse("home")).content.decode()
    group.record_state = RecordState.SHARED
    group.save()
    assert detail in login(invited).get(reverse("home")).content.decode()


def test_a_manager_who_neither_supervises_nor_is_supervised(manager, supervisee, supervisor):
    SessionFactory(supervisor=supervisor, supervisee=supervisee)
    roles = roles_of(fresh(manager))
    assert (roles.manager, roles.supervisor, roles.supervisee) == (True, False, False)
