"""A supervisor's own audit page: the balance of the sessions they led, how reliable they were,
what their supervisees said, and their self-assessments over time."""

import datetime
import re
from fractions import Fraction

import pytest
from django.urls import reverse

from audit import selectors
from audit.models import AuditPolicy, SelfAssessment
from core import clock
from people.models import FeedbackVisibility, FocusRequest, RequestKind
from sessions_app.models import Feedback, Format, RecordState, Status
from tests.factories import (
    GroupSessionFactory,
    ItemFactory,
    RelationshipFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def days_ago(n):
    return clock.today() - datetime.timedelta(days=n)


def page(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200
    return response.content.decode()


def feedback(session, person, usefulness, dominated="", wants_more=""):
    return Feedback.objects.create(
        session=session,
        person=person,
        management="about_right",
        development="about_right",
        support="about_right",
        mediation="about_right",
        dominated=dominated,
        wants_more=wants_more,
        usefulness=usefulness,
    )


# The sessions led.


def test_a_group_session_counts_once_in_the_sessions_led(supervisor, supervisee, other_supervisee):
    one = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=days_ago(5))
    ItemFactory(session=one, minutes=60, functions=["management"], stakeholders=["people"])
    group = GroupSessionFactory(
        supervisor=supervisor,
        date=days_ago(4),
        attendees=[(supervisee, True), (other_supervisee, True)],
    )
    ItemFactory(session=group, minutes=30, functions=["support"], stages=["reflection"])

    led = selectors.led_minutes(supervisor, days_ago(89), clock.today())

    assert led[Format.ONE_TO_ONE].tagged == 60
    assert led[Format.GROUP].tagged == 30  # not 60: one group, two attendees
    assert led[Format.GROUP].sessions_held == 1
    assert led[Format.ONE_TO_ONE].by_stakeholder["people"] == 60
    assert led[Format.GROUP].by_stage["reflection"] == 30


def test_the_page_shows_shares_by_format_and_the_leading_function(login, supervisor, supervisee):
    one = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=days_ago(5))
    ItemFactory(session=one, minutes=75, functions=["management"])
    ItemFactory(session=one, minutes=25, functions=["support"])
    body = page(login(supervisor), reverse("audit:my_supervision"))
    assert "My supervision audit" in body
    assert "Most time went to management (75%)." in body
    assert "The reflective cycle in the sessions led" in body


@pytest.mark.parametrize(
    ("management", "sessions", "flagged"),
    [
        (50, 2, False),  # exactly the threshold (50%): not above it
        (51, 2, True),
        (51, 1, False),  # fewer sessions led than the policy's min_sessions
    ],
)
def test_management_dominant_in_the_sessions_led_by_the_supervisee_flags_rule(
    login, supervisor, supervisee, management, sessions, flagged
):
    for n in range(sessions):
        session = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=days_ago(5 + n))
        share = management if n == 0 else 50
        ItemFactory(session=session, minutes=share, functions=["management"])
        ItemFactory(session=session, minutes=100 - share, functions=["development"])
    body = page(login(supervisor), reverse("audit:my_supervision"))
    assert ('id="led-management-dominant"' in body) is flagged
    if flagged:
        assert "Management dominant</span> in the sessions you led" in body
        assert "management took 50.5% of the tagged minutes" in body


# Reliability.


def test_regularity_against_each_agreement(supervisor, supervisee, other_supervisee):
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=days_ago(10))
    SessionFactory(supervisor=supervisor, supervisee=other_supervisee, date=days_ago(40))
    SessionFactory(supervisor=supervisor, supervisee=other_supervisee, date=days_ago(70))

    rows = selectors.regularity_of(supervisor, days_ago(89), clock.today(), group_counts=False)

    by_name = {r.relationship.supervisee.name: r for r in rows}
    assert (by_name["Sam Social"].one_to_ones, by_name["Sam Social"].gap.overdue) == (1, False)
    nia = by_name["Nia Newly"]
    assert (nia.one_to_ones, nia.gap.gap_days, nia.gap.days_over) == (2, 40, 9)


def test_the_page_counts_overdue_relationships_and_moved_sessions(login, supervisor, supervisee):
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=days_ago(40))
    SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=days_ago(20),
        status=Status.CANCELLED_BY_SUPERVISOR,
        moved_by=supervisor,
    )
    body = page(login(supervisor), reverse("audit:my_supervision"))
    text = re.sub(r"<[^>]+>", "", body)
    assert "1 of 1 supervision relationship active in the window was overdue" in text
    assert "Overdue by 9 days" in body
    rates = body.split("Cancelled and moved")[1].split("Records and actions")[0]
    assert "50%" in rates  # 1 cancelled by the supervisor of 2 scheduled


def test_records_shared_late_are_counted(login, supervisor, supervisee):
    SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=days_ago(30),
        record_state=RecordState.SHARED,
        shared_at=datetime.datetime.combine(days_ago(10), datetime.time(12), tzinfo=datetime.UTC),
    )
    response = login(supervisor).get(reverse("audit:my_supervision"), {"download": "compliance"})
    rows = response.content.decode().splitlines()
    assert "records_not_shared_in_time,1,1,1.0" in rows


# What supervisees said.


def test_what_supervisees_said_with_an_exact_mean(login, supervisor, supervisee, other_supervisee):
    a = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=days_ago(5))
    b = SessionFactory(supervisor=supervisor, supervisee=other_supervisee, date=days_ago(6))
    c = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=days_ago(7))
    feedback(a, supervisee, 3, dominated="management")
    feedback(b, other_supervisee, 4, wants_more="support")
    feedback(c, supervisee, 4, wants_more="support")
    relationship = supervisee.supervisor_relationships.get()
    FocusRequest.objects.create(
        relationship=relationship, kind=RequestKind.DOMINATING, function="management"
    )

    summary = selectors.fold_feedback(
        selectors.feedback_days(days_ago(89), clock.today(), supervisor=supervisor),
        days_ago(89),
        clock.today(),
    )
    assert summary.usefulness_mean == Fraction(11, 3)
    body = page(login(supervisor), reverse("audit:my_supervision"))
    assert "3 feedbacks on the sessions led in the window; 1 request raised" in body
    assert "Usefulness: 3.67 out of 5 on average." in body
    assert "Support 2" in body


def test_managers_see_only_how_many_when_feedback_is_kept_between_the_pair(
    login, supervisor, supervisee, manager
):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=days_ago(5))
    feedback(session, supervisee, 2, dominated="management")
    path = reverse("audit:supervisor", args=[supervisor.pk])
    assert "Usefulness: 2 out of 5" in page(login(manager), path)

    AuditPolicy.objects.update_or_create(
        pk=AuditPolicy.current().pk,
        defaults={"feedback_visibility": FeedbackVisibility.PAIR_ONLY},
    )
    body = page(login(manager), path)
    assert "1 feedback on the sessions led in the window" in body
    assert "Usefulness" not in body
    assert "you see how many were given, not what they said" in body
    assert "download=feedback_months" not in body
    own = page(login(supervisor), reverse("audit:my_supervision"))
    assert "Usefulness: 2 out of 5" in own


# Self-assessment over time.


def test_a_supervisor_writes_dated_self_assessments_and_sees_them_beside_the_record(
    login, supervisor, supervisee
):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=days_ago(20))
    ItemFactory(session=session, minutes=80, functions=["management"])
    ItemFactory(session=session, minutes=20, functions=["development"])
    SelfAssessment.objects.create(
        supervisor=supervisor,
        written_on=days_ago(200),
        focus_most="support",
        more_attention="management",
    )
    client = login(supervisor)
    form_page = page(client, reverse("audit:self_assessment"))
    assert "Who will see it." in form_page
    assert "Your supervisees do not see it." in form_page
    assert "Last time" in form_page

    response = client.post(
        reverse("audit:self_assessment"),
        {
            "written_on": clock.today().isoformat(),
            "focus_most": "development",
            "more_attention": "support",
            "tensions": "Caseload pressure crowds out reflection.",
            "support_needed": "Time protected for supervision.",
        },
    )
    assert response.status_code == 302
    assert SelfAssessment.objects.filter(supervisor=supervisor).count() == 2

    body = page(client, reverse("audit:my_supervision"))
    table = body.split("Self-assessments, newest first")[1]
    assert table.index(clock.today().strftime("%-d %b %Y")) < table.index(
        days_ago(200).strftime("%-d %b %Y")
    )
    assert "Most time to management (80% of 100 minutes): <strong>not what was said" in table
    assert "Caseload pressure crowds out reflection." in table


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("written_on", "2999-01-01", "Choose today or an earlier date."),
        ("written_on", "31/01/2026", "Enter a date as YYYY-MM-DD"),
        ("focus_most", "leadership", "Choose one of the four functions."),
        ("more_attention", "", "Choose one of the four functions."),
    ],
)
def test_bad_self_assessment_input_is_answered_beside_the_field(
    login, supervisor, supervisee, field, value, message
):
    data = {
        "written_on": clock.today().isoformat(),
        "focus_most": "development",
        "more_attention": "support",
        "tensions": "",
        "support_needed": "",
        field: value,
    }
    response = login(supervisor).post(reverse("audit:self_assessment"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not SelfAssessment.objects.exists()


def test_someone_who_supervises_nobody_is_told_so(login, outsider):
    body = page(login(outsider), reverse("audit:my_supervision"))
    assert "You have not supervised anyone" in body


# Query counts: constant in the number of rows.


def test_requests_raised_are_counted_by_answer_kind_and_function(
    supervisor, supervisee, other_supervisee, other_supervisor
):
    """What supervisees raised with a supervisor in the window: how many, answered, agreed,
    and which function each said was dominating or wanted more of. Requests raised with
    another supervisor, or outside the window, are not counted."""
    mine = [
        supervisee.supervisor_relationships.get(),
        other_supervisee.supervisor_relationships.get(),
    ]
    theirs = other_supervisor.supervisee_relationships.get()
    now = clock.now()
    ten_days_ago = now - datetime.timedelta(days=10)

    def raised(relationship, kind, function, answer="", at=ten_days_ago):
        FocusRequest.objects.create(
            relationship=relationship,
            kind=kind,
            function=function,
            raised_at=at,
            answer=answer,
            answered_at=now if answer else None,
        )

    raised(mine[0], RequestKind.DOMINATING, "management", answer="accepted")
    raised(mine[1], RequestKind.DOMINATING, "management", answer="noted")
    raised(mine[0], RequestKind.WANT_MORE, "support")
    raised(mine[1], RequestKind.WANT_MORE, "development", answer="discuss")
    raised(theirs, RequestKind.DOMINATING, "support", answer="accepted")
    raised(mine[0], RequestKind.WANT_MORE, "mediation", at=now - datetime.timedelta(days=200))

    counts = selectors.focus_requests_raised(
        supervisor=supervisor, start=days_ago(90), end=clock.today()
    )
    assert (counts.raised, counts.answered, counts.accepted, counts.open) == (4, 3, 1, 1)
    assert dict(counts.dominating) == {
        "management": 2,
        "development": 0,
        "support": 0,
        "mediation": 0,
    }
    assert dict(counts.want_more) == {
        "management": 0,
        "development": 1,
        "support": 1,
        "mediation": 0,
    }
    nothing = selectors.focus_requests_raised(
        supervisor=supervisor, start=days_ago(400), end=days_ago(300)
    )
    assert (nothing.raised, nothing.answered, nothing.accepted) == (0, 0, 0)
    assert set(nothing.dominating.values()) == set(nothing.want_more.values()) == {0}


def test_the_page_runs_a_constant_number_of_queries(
    login, supervisor, team, django_assert_max_num_queries
):
    AuditPolicy.current()
    client = login(supervisor)
    path = reverse("audit:my_supervision")

    def grow(n):
        for i in range(n):
            person = UserFactory(team=team)
            relationship = RelationshipFactory(supervisor=supervisor, supervisee=person)
            session = SessionFactory(supervisor=supervisor, supervisee=person, date=days_ago(i + 1))
            ItemFactory(session=session, minutes=30, functions=["management", "support"])
            feedback(session, person, 3, dominated="management")
            FocusRequest.objects.create(
                relationship=relationship, kind=RequestKind.WANT_MORE, function="support"
            )
            SelfAssessment.objects.create(
                supervisor=supervisor,
                written_on=days_ago(30 * i),
                focus_most="support",
                more_attention="development",
            )

    def count():
        with django_assert_max_num_queries(40) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    grow(2)
    few = count()
    grow(8)
    assert count() == few


def test_the_team_page_links_each_visible_supervisor_to_their_audit(
    login, manager, supervisor, supervisee
):
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=days_ago(5))
    external = UserFactory(email="eve@example.org", name="Eve External")
    SessionFactory(supervisor=external, supervisee=supervisee, date=days_ago(6))
    body = page(login(manager), reverse("audit:team_checks"))
    assert reverse("audit:supervisor", args=[supervisor.pk]) in body
    # Eve is in no team Mo manages: her audit is not Mo's to open.
    assert reverse("audit:supervisor", args=[external.pk]) not in body
    assert "Eve External" in body
