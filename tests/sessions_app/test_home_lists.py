"""The home page's lists, each built once for a stand-in reader (`sessions_app.home_lists`),
find for every role what the access policy's querysets find for the real person."""

import datetime

import pytest

from core import clock
from people.models import FocusRequest, RequestKind
from sessions_app import attention, home_lists, selectors
from sessions_app.access import own_records
from sessions_app.models import Acknowledgement, RecordState, Response, Status
from tests.factories import ActionFactory, FeedbackFactory, SessionFactory

pytestmark = pytest.mark.django_db

ROLES = ["supervisor", "supervisee", "manager", "administrator", "outsider"]


def _days(n):
    return clock.today() - datetime.timedelta(days=n)


@pytest.fixture
def world(supervisor, supervisee, manager, administrator, outsider, other_supervisor):
    """Something on every list of every role."""

    def shared_record(days_ago):
        return SessionFactory(
            supervisor=supervisor,
            supervisee=supervisee,
            date=_days(days_ago),
            record_state=RecordState.SHARED,
            shared_at=clock.now(),
        )

    shared = shared_record(9)
    Acknowledgement.objects.create(
        session=shared, person=supervisee, response=Response.DISAGREE, comments="Not so."
    )
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=_days(2))  # a draft
    shared_record(20)
    signed = SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=_days(30),
        record_state=RecordState.SIGNED_OFF,
        shared_at=clock.now(),
        signed_off_at=clock.now(),
    )
    FeedbackFactory(session=signed)
    SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=clock.today() + datetime.timedelta(days=7),
        status=Status.PLANNED,
    )
    # Actions: the supervisee's and the supervisor's own; the manager's in a record of their
    # team (read as its manager only); the administrator's in someone else's record (read as
    # an administrator only) and in a draft (read by nobody but its supervisor).
    ActionFactory(session=shared, owner=supervisee)
    ActionFactory(session=shared, owner=supervisor)
    ActionFactory(session=shared, owner=manager)
    elsewhere = SessionFactory(
        supervisor=other_supervisor,
        date=_days(4),
        record_state=RecordState.SHARED,
        shared_at=clock.now(),
    )
    ActionFactory(session=elsewhere, owner=administrator)
    ActionFactory(session=SessionFactory(supervisor=other_supervisor), owner=administrator)
    relationship = supervisee.supervisor_relationships.get()
    FocusRequest.objects.create(
        relationship=relationship, kind=RequestKind.WANT_MORE, function="support", message="Please."
    )
    return {
        "supervisor": supervisor,
        "supervisee": supervisee,
        "manager": manager,
        "administrator": administrator,
        "outsider": outsider,
    }


def _my_records(user):
    return selectors.with_disputes(own_records(user)).order_by("-date", "-pk")[:10]


# (name, the home list, the access policy's queryset it stands for)
LISTS = [
    (
        "disputes",
        lambda u, day: home_lists.disputes(u),
        lambda u, day: attention.shortlisted(attention.disputes_to_answer(u)),
    ),
    (
        "to_share",
        home_lists.to_share,
        lambda u, day: attention.shortlisted(attention.records_to_share(u, day)),
    ),
    (
        "to_sign_off",
        lambda u, day: home_lists.to_sign_off(u),
        lambda u, day: attention.shortlisted(attention.records_to_sign_off(u)),
    ),
    (
        "feedback_received",
        lambda u, day: home_lists.feedback_received(u),
        lambda u, day: attention.feedback_received(u),
    ),
    (
        "requests",
        lambda u, day: home_lists.requests(u),
        lambda u, day: attention.focus_requests_to_answer(u),
    ),
    (
        "to_acknowledge",
        lambda u, day: home_lists.to_acknowledge(u),
        lambda u, day: attention.records_to_acknowledge(u),
    ),
    ("feedback_to_give", home_lists.feedback_to_give, attention.feedback_to_give),
    (
        "open_actions",
        lambda u, day: home_lists.open_actions(u),
        lambda u, day: attention.open_actions(u),
    ),
    ("upcoming", home_lists.upcoming, selectors.upcoming_led_by),
    ("recent", home_lists.recent, selectors.recent_led_by),
    ("my_upcoming", home_lists.my_upcoming, selectors.upcoming_for),
    ("my_records", lambda u, day: home_lists.my_records(u), lambda u, day: _my_records(u)),
    (
        "my_requests",
        lambda u, day: home_lists.my_requests(u),
        lambda u, day: FocusRequest.objects.filter(relationship__supervisee=u).order_by(
            "-raised_at", "-pk"
        )[:5],
    ),
]


@pytest.mark.parametrize("role", ROLES)
def test_each_home_list_finds_what_its_queryset_finds_for_the_reader(world, role):
    user, day = world[role], clock.today()
    for name, home_list, queryset in LISTS:
        found = [row.pk for row in home_list(user, day)]
        assert found == [row.pk for row in queryset(user, day)], name


def test_every_list_has_rows_for_someone_and_the_actions_follow_the_readers_roles(world):
    """The comparison above is of lists that hold something, and the actions to do are the
    ones each reader may open: the manager's in their team's record, the administrator's in
    any shared record, never in a draft."""
    day = clock.today()
    for name, home_list, _queryset in LISTS:
        assert any(home_list(user, day) for user in world.values()), name
    actions = {role: home_lists.open_actions(world[role]) for role in ROLES}
    assert [a.owner for a in actions["manager"]] == [world["manager"]]
    assert len(actions["administrator"]) == 1
    assert actions["administrator"][0].session.record_state == RecordState.SHARED
    assert actions["outsider"] == []


def test_a_supervisees_own_acknowledgement_comes_with_their_records(world):
    supervisee = world["supervisee"]
    rows = home_lists.my_records(supervisee)
    acknowledged = [r for r in rows if r.my_response]
    assert len(acknowledged) == 1
    mine = Acknowledgement.objects.get(session=acknowledged[0], person=supervisee)
    assert (acknowledged[0].my_acknowledgement, acknowledged[0].my_response) == (
        mine.pk,
        mine.response,
    )
    assert acknowledged[0].my_response_label == mine.get_response_display()
    assert acknowledged[0].disputed
