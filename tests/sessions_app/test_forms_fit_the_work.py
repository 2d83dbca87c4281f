"""Forms that fit the work (issue 9, point 5): who is in a session, who owns an action, and
feedback that has no answer until the person gives one."""

import datetime

import pytest
from django.urls import reverse

from audit.selectors import feedback_days, fold_feedback, supervisee_balance
from people.models import Relationship, User
from sessions_app import records, services
from sessions_app.access import SessionAccess
from sessions_app.forms import FeedbackForm, SessionForm, attendee_field_name
from sessions_app.models import Feedback, Format, RecordState, Session, Status
from sessions_app.recording import RecordingPage
from tests.factories import RelationshipFactory, SessionFactory, UserFactory
from tests.sessions_app.forms_data import session_post

pytestmark = pytest.mark.django_db

NEW = reverse("sessions:new")
DAY = datetime.date(2026, 1, 15)


def group_details(**kwargs):
    return services.SessionDetails(
        format=Format.GROUP,
        group_type="team",
        date=DAY,
        duration_minutes=60,
        status=Status.HELD,
        **kwargs,
    )


# A facilitator is never an attendee.


def test_the_service_refuses_a_facilitator_among_the_attendees(supervisor, supervisee):
    with pytest.raises(services.InvalidSession, match="never one of its members"):
        services.session_create(
            supervisor=supervisor,
            details=group_details(),
            attendance={supervisor.pk: True, supervisee.pk: True},
        )
    assert not Session.objects.exists()


def test_an_edit_cannot_make_the_facilitator_an_attendee(supervisor, supervisee):
    session = services.session_create(
        supervisor=supervisor, details=group_details(), attendance={supervisee.pk: True}
    )
    with pytest.raises(services.InvalidSession):
        services.session_update(
            session=session,
            by=supervisor,
            expected_version=session.version,
            details=group_details(),
            attendance={supervisor.pk: True, supervisee.pk: True},
            items=[],
            actions=[],
        )
    assert list(session.attendances.values_list("person_id", flat=True)) == [supervisee.pk]


def test_the_group_form_offers_no_row_for_the_facilitator(supervisor, supervisee):
    everyone = User.objects.all()
    form = SessionForm(candidates=everyone, supervisor=supervisor, supervisees=everyone, new=True)
    assert attendee_field_name(supervisor) not in form.fields
    assert supervisor not in form.group_people


def test_a_facilitator_who_posts_themself_present_is_not_their_own_supervisee(
    login, supervisor, supervisee
):
    data = session_post(
        format="group",
        group_type="team",
        attendees=[(supervisor, "present"), (supervisee, "present")],
        items=[{"title": "Team practice", "minutes": 30}],
    )
    response = login(supervisor).post(NEW, data)
    assert response.status_code == 302
    session = Session.objects.get()
    assert list(session.attendances.values_list("person_id", flat=True)) == [supervisee.pk]
    records.record_share(session=session, by=supervisor)
    session.refresh_from_db()
    assert not SessionAccess(supervisor, session).can_acknowledge
    # Their own balance holds no session they led.
    assert supervisee_balance(supervisor, DAY, DAY).minutes.sessions_held == 0


# A group session starts with everyone present; one click marks an absence.


def test_a_new_group_starts_with_every_member_present(supervisor, supervisee, other_supervisee):
    page = RecordingPage(user=supervisor, query={"format": "group"})
    marks = {
        name: page.form[name].value() for name in page.form.fields if name.startswith("attendee_")
    }
    assert marks == {
        attendee_field_name(supervisee): "present",
        attendee_field_name(other_supervisee): "present",
    }


def test_a_group_recorded_with_one_absence(login, supervisor, supervisee, other_supervisee):
    client = login(supervisor)
    body = client.get(NEW + "?format=group").content.decode()
    radio = f'id="id_attendee_{supervisee.pk}_0" value="present" checked'
    assert radio in body
    data = session_post(
        format="group",
        group_type="team",
        attendees=[(supervisee, "present"), (other_supervisee, "absent")],
        items=[{"title": "Team practice", "minutes": 30}],
    )
    assert client.post(NEW, data).status_code == 302
    marks = dict(Session.objects.get().attendances.values_list("person_id", "present"))
    assert marks == {supervisee.pk: True, other_supervisee.pk: False}


# The supervisee list holds only the people this supervisor supervises.


@pytest.fixture
def senior(team, supervisor, supervisee):
    """A senior practitioner in Sue's team, supervised by Sue, who supervises Sam's colleague."""
    person = UserFactory(email="sen@example.org", name="Sena Senior", team=team)
    RelationshipFactory(supervisor=supervisor, supervisee=person)
    junior = UserFactory(email="jo@example.org", name="Jo Junior", team=team)
    RelationshipFactory(supervisor=person, supervisee=junior)
    return person


def test_a_senior_practitioner_is_not_offered_her_own_line_manager(senior):
    page = RecordingPage(user=senior)
    offered = {p.email for p in page.form.fields["supervisee"].queryset}
    assert offered == {"jo@example.org"}


def test_a_senior_practitioner_cannot_record_a_one_to_one_with_her_line_manager(
    login, senior, supervisor
):
    response = login(senior).post(NEW, session_post(supervisee=supervisor))
    assert response.status_code == 200
    assert "supervisee" in response.context["form"].errors
    assert not Session.objects.exists()


def test_an_edit_keeps_a_former_supervisee_on_the_list(supervisor, supervisee):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee, status=Status.PLANNED)
    Relationship.objects.filter(supervisee=supervisee).update(end_date=DAY)
    page = RecordingPage(user=supervisor, session=session)
    assert supervisee in page.form.fields["supervisee"].queryset


# Owners of actions: the supervisor, the people present, or a named other.


def owner_labels(page):
    return [label for _value, label in page.actions.owner_choices]


def test_a_one_to_one_offers_its_supervisee_once_and_no_other_supervisee(
    supervisor, supervisee, other_supervisee
):
    page = RecordingPage(user=supervisor, query={"supervisee": str(supervisee.pk)})
    assert owner_labels(page) == [
        "Sue Supervisor (you, the supervisor)",
        "Sam Social (the supervisee)",
        "Someone else (name below)",
    ]


def test_a_group_offers_the_people_present(supervisor, supervisee, other_supervisee):
    data = session_post(
        format="group",
        group_type="team",
        attendees=[(supervisee, "present"), (other_supervisee, "absent")],
    )
    del data["save"]
    data["add_action"] = "1"
    page = RecordingPage(user=supervisor, data=data)
    assert owner_labels(page) == [
        "Sue Supervisor (you, the supervisor)",
        "Sam Social",
        "Someone else (name below)",
    ]


def test_an_absent_member_cannot_own_an_action(login, supervisor, supervisee, other_supervisee):
    data = session_post(
        format="group",
        group_type="team",
        attendees=[(supervisee, "present"), (other_supervisee, "absent")],
        actions=[{"description": "Call the GP", "owner": f"person:{other_supervisee.pk}"}],
    )
    response = login(supervisor).post(NEW, data)
    assert response.status_code == 200
    assert response.context["actions"].forms[0].errors["owner"]
    assert not Session.objects.exists()


def test_an_owner_saved_before_stays_chosen_when_editing(supervisor, supervisee):
    session = services.session_create(
        supervisor=supervisor,
        details=services.SessionDetails(format=Format.ONE_TO_ONE, date=DAY, duration_minutes=60),
        attendance={supervisee.pk: True},
        actions=[services.ActionData(description="Read the policy", owner_id=supervisee.pk)],
    )
    page = RecordingPage(user=supervisor, session=session)
    form = page.actions.forms[0]
    assert form["owner"].value() == "supervisee"
    assert ("supervisee", "Sam Social (the supervisee)") in form.fields["owner"].choices


# Feedback: no answer until the person gives one.


@pytest.fixture
def shared(supervisor, supervisee):
    return SessionFactory(
        supervisor=supervisor, supervisee=supervisee, record_state=RecordState.SHARED, date=DAY
    )


def test_the_feedback_form_starts_with_no_answer_chosen():
    form = FeedbackForm()
    html = str(form["dominated"]) + str(form["wants_more"])
    assert " checked" not in html


ANSWERS = {
    "management": "about_right",
    "development": "too_little",
    "support": "about_right",
    "mediation": "about_right",
    "usefulness": "4",
}


def test_a_skipped_question_records_no_answer_and_raises_no_flag(login, supervisee, shared):
    response = login(supervisee).post(reverse("sessions:feedback", args=[shared.pk]), ANSWERS)
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.dominated is None and feedback.wants_more is None
    summary = fold_feedback(feedback_days(DAY, DAY, person=supervisee), DAY, DAY)
    assert summary.feedbacks == 1 and summary.dominated_total == 0
    assert sum(summary.wants_more.values()) == 0
    flags = supervisee_balance(supervisee, DAY, DAY).flags
    assert not [f for f in flags if f.code == "supervisee_reported_dominance"]


def test_none_dominated_is_an_answer_of_its_own(login, supervisee, shared):
    data = {**ANSWERS, "dominated": "none", "wants_more": "support"}
    assert (
        login(supervisee).post(reverse("sessions:feedback", args=[shared.pk]), data).status_code
        == 302
    )
    feedback = Feedback.objects.get()
    assert feedback.dominated == "" and feedback.wants_more == "support"
    # And it is shown again as given.
    form = FeedbackForm(instance=feedback)
    assert form["dominated"].value() == "none"


def test_a_function_said_to_dominate_still_flags(login, supervisee, shared):
    data = {**ANSWERS, "dominated": "management"}
    login(supervisee).post(reverse("sessions:feedback", args=[shared.pk]), data)
    flags = supervisee_balance(supervisee, DAY, DAY).flags
    assert [f.function for f in flags if f.code == "supervisee_reported_dominance"] == [
        "management"
    ]


def test_the_record_says_a_question_was_not_answered(login, supervisor, supervisee, shared):
    Feedback.objects.create(
        session=shared,
        person=supervisee,
        management="about_right",
        development="about_right",
        support="about_right",
        mediation="about_right",
        usefulness=3,
        dominated=None,
    )
    body = login(supervisor).get(reverse("sessions:detail", args=[shared.pk])).content.decode()
    assert "No function dominated" not in body
    assert "Did not say whether a function dominated" in body
