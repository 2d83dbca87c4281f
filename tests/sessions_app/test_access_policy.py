"""The access policy (sessions_app.access): the SQL lists and the per-session answers agree,
and the record services refuse exactly what the policy refuses, whoever calls them."""

import datetime
import itertools

import pytest

from sessions_app import records, services
from sessions_app.access import (
    Refused,
    SessionAccess,
    content_readable_sessions,
    led_sessions,
    own_planned,
    own_records,
    readable_sessions,
)
from sessions_app.models import Acknowledgement, RecordState, Status
from tests.factories import ActionFactory, GroupSessionFactory, SessionFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def world(
    supervisor,
    supervisee,
    other_supervisee,
    other_supervisor,
    manager,
    other_manager,
    administrator,
    outsider,
):
    """Every kind of session: each status and record state, one-to-one and group."""
    kit = other_supervisor.supervisee_relationships.get().supervisee
    sessions = []
    for status, state in [
        (Status.PLANNED, RecordState.DRAFT),
        (Status.HELD, RecordState.DRAFT),
        (Status.HELD, RecordState.SHARED),
        (Status.HELD, RecordState.SIGNED_OFF),
        (Status.CANCELLED_BY_SUPERVISOR, RecordState.DRAFT),
        (Status.RESCHEDULED, RecordState.DRAFT),
    ]:
        sessions.append(
            SessionFactory(
                supervisor=supervisor, supervisee=supervisee, status=status, record_state=state
            )
        )
        sessions.append(
            GroupSessionFactory(
                supervisor=supervisor,
                status=status,
                record_state=state,
                # The facilitator marked present, a member absent, a member of another team.
                attendees=[(supervisor, True), (other_supervisee, False), (kit, True)],
            )
        )
        sessions.append(
            SessionFactory(
                supervisor=other_supervisor, supervisee=kit, status=status, record_state=state
            )
        )
    people = [
        supervisor,
        supervisee,
        other_supervisee,
        other_supervisor,
        kit,
        manager,
        other_manager,
        administrator,
        outsider,
    ]
    return sessions, people


def test_the_sql_lists_agree_with_each_sessions_answers(world):
    sessions, people = world
    for person in people:
        answers = {s.pk: SessionAccess(person, s) for s in sessions}
        assert set(readable_sessions(person).values_list("pk", flat=True)) == {
            pk for pk, a in answers.items() if a.can_read
        }, person
        assert set(content_readable_sessions(person).values_list("pk", flat=True)) == {
            pk for pk, a in answers.items() if a.can_read_content
        }, person
        assert set(own_records(person).values_list("pk", flat=True)) == {
            pk
            for pk, a in answers.items()
            if a.is_member and not a.is_supervisor and not a.session.is_draft
        }, person
        assert set(own_planned(person).values_list("pk", flat=True)) == {
            pk for pk, a in answers.items() if a.is_party and a.session.is_planned
        }, person
        assert set(led_sessions(person).values_list("pk", flat=True)) == {
            pk for pk, a in answers.items() if a.can_read and a.is_supervisor
        }, person


def test_who_reads_what(world, supervisor, supervisee, manager, other_manager, administrator):
    sessions, _people = world
    one_to_one_shared = sessions[6]
    draft = sessions[4]
    assert one_to_one_shared.record_state == RecordState.SHARED
    assert draft.is_draft and draft.is_held and draft.is_group

    for person, reads, content, confidential in [
        (supervisor, True, True, True),
        (supervisee, True, True, True),
        (manager, True, True, False),
        (administrator, True, True, False),
        (other_manager, False, False, False),
    ]:
        access = SessionAccess(person, one_to_one_shared)
        assert (access.can_read, access.can_read_content, access.can_read_confidential) == (
            reads,
            content,
            confidential,
        ), person
    # A draft is the supervisor's: an administrator sees that it exists, not what it says.
    assert SessionAccess(administrator, draft).can_read
    assert not SessionAccess(administrator, draft).can_read_content
    assert not SessionAccess(manager, draft).can_read
    # In a group the confidential items are the facilitator's alone.
    shared_group = sessions[7]
    assert SessionAccess(supervisor, shared_group).can_read_confidential
    kit = shared_group.attendances.exclude(person=supervisor).get(present=True).person
    assert SessionAccess(kit, shared_group).can_read_content
    assert not SessionAccess(kit, shared_group).can_read_confidential


def test_only_parties_reads_go_unlogged(world, supervisor, supervisee, manager, administrator):
    sessions, _people = world
    shared = sessions[6]
    assert not SessionAccess(supervisor, shared).is_logged
    assert not SessionAccess(supervisee, shared).is_logged
    assert SessionAccess(manager, shared).is_logged
    assert SessionAccess(administrator, shared).is_logged


def test_a_facilitator_present_in_their_own_group_does_not_answer_their_own_record(
    supervisor, other_supervisee
):
    group = GroupSessionFactory(
        supervisor=supervisor,
        date=DAY,
        attendees=[(supervisor, True), (other_supervisee, True)],
    )
    records.record_share(session=group, by=supervisor)
    group.refresh_from_db()
    access = SessionAccess(supervisor, group)
    assert access.acknowledger_ids == {other_supervisee.pk}
    assert not access.can_acknowledge
    assert not access.can_give_feedback
    records.record_acknowledge(session=group, by=other_supervisee, response="agree")
    group.refresh_from_db()
    # Everyone who answers has answered: the facilitator's own presence does not block it.
    assert SessionAccess(supervisor, group).can_sign_off


@pytest.mark.parametrize(
    ("step", "call"),
    [
        ("share", lambda s, by: records.record_share(session=s, by=by)),
        ("withdraw", lambda s, by: records.record_withdraw(session=s, by=by)),
        ("sign_off", lambda s, by: records.record_sign_off(session=s, by=by)),
        (
            "acknowledge",
            lambda s, by: records.record_acknowledge(session=s, by=by, response="agree"),
        ),
        ("add_addendum", lambda s, by: records.addendum_add(session=s, by=by, text="More")),
        (
            "give_feedback",
            lambda s, by: records.feedback_save(
                session=s,
                by=by,
                values={
                    "management": "about_right",
                    "development": "about_right",
                    "support": "about_right",
                    "mediation": "about_right",
                    "usefulness": 4,
                },
            ),
        ),
        (
            "cancel",
            lambda s, by: services.session_cancel(
                session=s, by=by, by_supervisee=True, reason="Ill"
            ),
        ),
        (
            "reschedule",
            lambda s, by: services.session_reschedule(
                session=s, by=by, new_date=DAY, new_start_time=None, reason="Clash"
            ),
        ),
        ("delete", lambda s, by: services.session_delete(session=s, by=by)),
    ],
)
def test_services_refuse_exactly_what_the_policy_refuses(
    step, call, supervisor, supervisee, manager, administrator, outsider
):
    """Every person, against sessions in every state: a refusal is the policy's, word for word."""
    states = [
        (Status.PLANNED, RecordState.DRAFT),
        (Status.HELD, RecordState.DRAFT),
        (Status.HELD, RecordState.SHARED),
        (Status.HELD, RecordState.SIGNED_OFF),
    ]
    for (status, state), person in itertools.product(
        states, [supervisor, supervisee, manager, administrator, outsider]
    ):
        session = SessionFactory(
            supervisor=supervisor,
            supervisee=supervisee,
            date=DAY,
            status=status,
            record_state=state,
        )
        if state == RecordState.SIGNED_OFF:
            Acknowledgement.objects.create(session=session, person=supervisee, response="agree")
        reason = SessionAccess(person, session).refusal(step)
        if reason is None:
            call(session, person)
        else:
            with pytest.raises(Refused) as refused:
                call(session, person)
            assert str(refused.value) == reason


def test_an_edit_is_refused_to_anyone_but_the_supervisor_of_a_draft(
    supervisor, supervisee, administrator
):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=DAY)
    details = services.SessionDetails(format="one_to_one", date=DAY, duration_minutes=60)
    for person in (supervisee, administrator):
        with pytest.raises(Refused):
            services.session_update(
                session=session,
                by=person,
                expected_version=session.version,
                details=details,
                attendance={supervisee.pk: True},
                items=[],
                actions=[],
            )


def test_an_action_is_marked_done_only_by_its_owner_in_a_record_they_may_read(
    supervisor, supervisee, other_supervisee
):
    draft = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=DAY)
    hidden = ActionFactory(session=draft, owner=supervisee)
    with pytest.raises(Refused):
        records.action_mark_done(action=hidden, by=supervisee)  # the record is still a draft
    shared = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=DAY, record_state=RecordState.SHARED
    )
    action = ActionFactory(session=shared, owner=supervisee)
    with pytest.raises(Refused):
        records.action_mark_done(action=action, by=other_supervisee)
    assert records.action_mark_done(action=action, by=supervisee).status == "done"


def test_a_held_session_in_the_future_is_refused_by_the_service(supervisor, supervisee, today):
    details = services.SessionDetails(
        format="one_to_one",
        date=today + datetime.timedelta(days=1),
        duration_minutes=60,
        status=Status.HELD,
    )
    with pytest.raises(services.InvalidSession):
        services.session_create(
            supervisor=supervisor, details=details, attendance={supervisee.pk: True}
        )
