"""The supervisee's voice, at any time: a supervisee tells a supervisor that a function is
starting to dominate or that they want more of one, and may propose a focus; the supervisor
sees it on their home page and answers; an agreed proposal becomes the focus (focus_agree)."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditPolicy
from core import clock
from people.models import FeedbackVisibility, FocusAgreement, FocusRequest, RequestKind
from tests.factories import RelationshipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def relationship(supervisee):
    return supervisee.supervisor_relationships.get()


def raise_url(relationship):
    return reverse("people:raise_request", args=[relationship.pk])


def answer_url(request):
    return reverse("people:answer_request", args=[request.pk])


def test_a_supervisee_raises_it_and_the_supervisor_sees_it_on_their_home(
    login, supervisor, supervisee, relationship, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(supervisee).post(
            raise_url(relationship),
            {
                "kind": "dominating",
                "function": "management",
                "proposed": ["support", "development"],
                "message": "Caseload talk takes every session.",
            },
        )
    assert response.status_code == 302
    request = FocusRequest.objects.get()
    assert (request.kind, request.function, request.proposed) == (
        "dominating",
        "management",
        ["development", "support"],
    )
    assert [m.to for m in mailoutbox] == [["sue@example.org"]]
    assert "Caseload talk" not in mailoutbox[0].body  # their words stay in Fourfold

    home = login(supervisor).get(reverse("home")).content.decode()
    attention = home.split('id="attention"')[1].split("</section>")[0]
    assert "Sam Social" in attention
    assert answer_url(request) in attention


def test_an_agreed_proposal_becomes_the_focus_from_today(
    login, supervisor, supervisee, relationship, mailoutbox, django_capture_on_commit_callbacks
):
    request = FocusRequest.objects.create(
        relationship=relationship,
        kind=RequestKind.WANT_MORE,
        function="support",
        propose_support=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = login(supervisor).post(
            answer_url(request), {"answer": "accepted", "text": "Yes, let us start next week."}
        )
    assert response.status_code == 302
    request.refresh_from_db()
    focus = FocusAgreement.objects.get()
    assert request.focus_agreement == focus
    assert (focus.functions, focus.agreed_on, focus.created_by) == (
        ["support"],
        clock.today(),
        supervisor,
    )
    assert request.answered_by == supervisor and request.answered_at is not None
    assert [m.to for m in mailoutbox] == [["sam@example.org"]]
    assert "Your focus from today: Support" in mailoutbox[0].body

    home = login(supervisee).get(reverse("home")).content.decode()
    assert "Answered" in home and "Yes, let us start next week." in home
    supervisor_home = login(supervisor).get(reverse("home")).content.decode()
    attention = supervisor_home.split('id="attention"')[1].split("</section>")[0]
    assert reverse("people:answer_request", args=[request.pk]) not in attention


def test_without_a_proposal_there_is_nothing_to_agree(login, supervisor, relationship):
    request = FocusRequest.objects.create(
        relationship=relationship, kind=RequestKind.DOMINATING, function="management"
    )
    client = login(supervisor)
    assert 'value="accepted"' not in client.get(answer_url(request)).content.decode()
    response = client.post(answer_url(request), {"answer": "accepted"})
    assert response.status_code == 200
    assert response.context["form"].errors["answer"]
    response = client.post(answer_url(request), {"answer": "discuss", "text": ""})
    assert response.status_code == 302
    assert not FocusAgreement.objects.exists()


def test_a_request_is_answered_once(login, supervisor, relationship):
    request = FocusRequest.objects.create(
        relationship=relationship, kind=RequestKind.DOMINATING, function="management"
    )
    client = login(supervisor)
    client.post(answer_url(request), {"answer": "noted"})
    response = client.post(answer_url(request), {"answer": "discuss"})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.answer == "noted"


def test_only_a_supervisor_of_now(login, supervisor, supervisee, relationship):
    relationship.end_date = clock.today() - datetime.timedelta(days=1)
    relationship.save()
    assert login(supervisee).get(raise_url(relationship)).status_code == 404
    # Nor can anyone raise it for them, or answer for another supervisor.
    other = UserFactory(email="zed@example.org")
    rel = RelationshipFactory(supervisor=other, supervisee=supervisee)
    request = FocusRequest.objects.create(
        relationship=rel, kind=RequestKind.WANT_MORE, function="support"
    )
    assert login(supervisor).get(answer_url(request)).status_code == 404


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "complaint", "function": "support"}, "kind"),
        ({"kind": "want_more", "function": "leadership"}, "function"),
        ({"kind": "want_more", "function": "support", "proposed": ["nonsense"]}, "proposed"),
        ({"kind": "want_more"}, "function"),
    ],
)
def test_bad_input_is_answered_beside_the_field(login, supervisee, relationship, data, field):
    response = login(supervisee).post(raise_url(relationship), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not FocusRequest.objects.exists()


@pytest.mark.parametrize("visibility", [FeedbackVisibility.COUNTS, FeedbackVisibility.PAIR_ONLY])
def test_the_form_says_exactly_who_reads_it(login, supervisee, relationship, visibility):
    AuditPolicy.objects.update_or_create(
        pk=AuditPolicy.current().pk, defaults={"feedback_visibility": visibility}
    )
    page = login(supervisee).get(raise_url(relationship)).content.decode()
    assert "Sue Supervisor reads what you write here and answers it" in page
    assert "never your words or your name" in page
    assert ("which functions they were about" in page) is (visibility == FeedbackVisibility.COUNTS)


def test_home_queries_do_not_grow_with_requests(
    login, supervisor, team, django_assert_max_num_queries
):
    client = login(supervisor)

    def grow(n):
        for _ in range(n):
            person = UserFactory(team=team)
            rel = RelationshipFactory(supervisor=supervisor, supervisee=person)
            FocusRequest.objects.create(
                relationship=rel, kind=RequestKind.WANT_MORE, function="support"
            )

    def count():
        with django_assert_max_num_queries(30) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured)

    grow(2)
    few = count()
    grow(8)
    assert count() == few
