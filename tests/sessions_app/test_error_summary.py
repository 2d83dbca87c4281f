"""Every problem of a form in one round, in a summary at the top that links to each field."""

import datetime
import re

import pytest
from django.urls import reverse

from core import clock
from people.templatetags.error_summary import summary_entries
from sessions_app.forms import ItemFormSet
from sessions_app.models import RecordState, Session, Status
from tests.factories import SessionFactory
from tests.sessions_app.forms_data import session_post

pytestmark = pytest.mark.django_db

NEW = reverse("sessions:new")


def summary_links(body):
    """(href, text) of each link in the error summary."""
    match = re.search(r"<div[^>]*data-error-summary[^>]*>(.*?)</div>", body, re.S)
    assert match, "no error summary"
    return re.findall(r'<a class="alert-link" href="#([^"]+)">([^<]+)</a>', match.group(1))


def test_every_problem_of_the_recording_form_is_reported_in_one_round(
    login, supervisor, supervisee
):
    future = clock.today() + datetime.timedelta(days=3)
    data = session_post(
        supervisee=None,
        date=future,
        duration=30,
        items=[
            {"title": "Caseload", "minutes": 20, "functions": []},
            {"title": "", "minutes": 25},
        ],
        actions=[{"description": "Ask legal", "owner": "other"}],
    )
    response = login(supervisor).post(NEW, data)
    assert response.status_code == 200
    assert Session.objects.count() == 0
    body = response.content.decode()
    links = summary_links(body)
    hrefs = [href for href, _text in links]
    # The session's own problems, each item's, the items over the duration (although an item
    # has no function) and the action's: all at once.
    assert hrefs == [
        "id_supervisee",
        "id_date",
        "id_duration_minutes",
        "id_items-0-functions_0",
        "id_items-1-title",
        "id_actions-0-owner_name",
    ]
    texts = dict(links)
    assert "The items add up to 45 minutes" in texts["id_duration_minutes"]
    assert texts["id_items-0-functions_0"].startswith("Item 1: ")
    assert texts["id_actions-0-owner_name"].startswith("Action 1: ")
    # Each link leads to a field of the page, which shows its message beside it.
    for href in hrefs:
        assert f'id="{href}"' in body
    assert "Choose at least one function for this item." in body.split("data-error-summary")[1]
    # What was typed is kept.
    assert 'value="Caseload"' in body and 'value="Ask legal"' in body


def test_the_summary_takes_the_focus_by_its_own_script(login, supervisor, supervisee):
    body = login(supervisor).post(NEW, session_post(supervisee=None)).content.decode()
    summary = re.search(r"<div[^>]*data-error-summary[^>]*>", body).group(0)
    assert 'tabindex="-1"' in summary and 'role="alert"' in summary
    assert 'src="/static/js/error_summary.js"' in body
    assert "<script>" not in body  # no inline script: the policy forbids it


def test_no_summary_on_a_first_look_or_an_add_item_round_trip(login, supervisor, supervisee):
    client = login(supervisor)
    assert "data-error-summary" not in client.get(NEW).content.decode()
    data = session_post(supervisee=None)
    del data["save"]
    data["add_item"] = "1"
    assert "data-error-summary" not in client.post(NEW, data).content.decode()


def test_a_message_said_of_a_field_and_of_the_items_is_listed_once():
    formset = ItemFormSet(
        {
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-title": "",
            "items-0-minutes": "5",
            "items-0-functions": ["management"],
        },
        prefix="items",
    )
    formset.is_valid()
    formset._non_form_errors = formset.error_class(["Too long.", "Too long."])
    entries = summary_entries(formset)
    assert [e["text"] for e in entries] == ["Too long.", "Item 1: Title: This field is required."]
    assert entries[0]["href"] == "items-heading"
    assert entries[1]["href"] == "id_items-0-title"


# One HTTP test per form: posted empty, each answers with the summary linking to its fields.


@pytest.fixture
def shared(supervisor, supervisee):
    return SessionFactory(
        supervisor=supervisor, supervisee=supervisee, record_state=RecordState.SHARED
    )


@pytest.fixture
def planned(supervisor, supervisee):
    return SessionFactory(supervisor=supervisor, supervisee=supervisee, status=Status.PLANNED)


def form_pages(supervisor, supervisee, shared, planned):
    relationship = supervisor.supervisee_relationships.get()
    return [
        (supervisor, reverse("sessions:cancel", args=[planned.pk]), ["id_reason"]),
        (
            supervisor,
            reverse("sessions:reschedule", args=[planned.pk]),
            ["id_date", "id_reason"],
        ),
        (supervisee, reverse("sessions:acknowledge", args=[shared.pk]), ["id_response_0"]),
        (
            supervisee,
            reverse("sessions:feedback", args=[shared.pk]),
            [
                "id_management_0",
                "id_development_0",
                "id_support_0",
                "id_mediation_0",
                "id_usefulness_0",
            ],
        ),
        (
            supervisor,
            reverse("people:focus", args=[relationship.pk]),
            ["id_functions_0", "id_agreed_on"],
        ),
        (
            supervisee,
            reverse("people:raise_request", args=[relationship.pk]),
            ["id_kind_0", "id_function_0"],
        ),
    ]


def test_each_form_lists_its_problems_as_links_to_its_fields(
    login, client, supervisor, supervisee, shared, planned
):
    for user, url, expected in form_pages(supervisor, supervisee, shared, planned):
        client.logout()
        body = login(user).post(url, {"cancelled_by": "supervisor"}).content.decode()
        hrefs = [href for href, _text in summary_links(body)]
        assert hrefs[: len(expected)] == expected, url
        for href in hrefs:
            assert f'id="{href}"' in body, (url, href)


def test_self_assessment_lists_its_problems(login, supervisor, supervisee):
    body = (
        login(supervisor)
        .post(reverse("audit:self_assessment"), {"written_on": "2026-13-45"})
        .content.decode()
    )
    hrefs = [href for href, _text in summary_links(body)]
    assert "id_written_on" in hrefs
    for href in hrefs:
        assert f'id="{href}"' in body


def test_a_wrong_password_is_summarised(client, supervisor):
    body = client.post(
        reverse("account_login"), {"login": supervisor.email, "password": "wrong"}
    ).content.decode()
    assert "data-error-summary" in body
    assert "You are not signed in yet" in body


def test_focus_answer_lists_its_problem(login, supervisor, supervisee):
    from people.models import FocusRequest

    relationship = supervisor.supervisee_relationships.get()
    request = FocusRequest.objects.create(
        relationship=relationship, kind="dominating", function="management"
    )
    body = (
        login(supervisor)
        .post(reverse("people:answer_request", args=[request.pk]), {"text": ""})
        .content.decode()
    )
    assert [href for href, _t in summary_links(body)] == ["id_answer_0"]


def test_the_sign_in_pages_forms_are_summarised_too(login, supervisor):
    body = (
        login(supervisor)
        .post(
            reverse("account_change_password"),
            {"oldpassword": "wrong", "password1": "a", "password2": "b"},
        )
        .content.decode()
    )
    hrefs = [href for href, _text in summary_links(body)]
    assert "id_oldpassword" in hrefs
    for href in hrefs:
        assert f'id="{href}"' in body


def test_a_dashboard_filter_that_cannot_be_used_is_summarised(login, supervisee):
    body = login(supervisee).get(reverse("audit:my_balance") + "?from=2026-13-45").content.decode()
    assert [href for href, _text in summary_links(body)] == ["filter-from"]
    assert 'id="filter-from"' in body
