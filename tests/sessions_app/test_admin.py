"""Django admin is a door like any other: it changes no record the record page would not."""

import datetime

import pytest
from django.urls import reverse

from sessions_app.models import Acknowledgement, Item, RecordState, Session, Status
from tests.factories import ItemFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acknowledged(supervisor, supervisee):
    session = SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=datetime.date(2026, 11, 2),
        record_state=RecordState.SHARED,
    )
    ItemFactory(session=session, title="Agreed wording")
    Acknowledgement.objects.create(session=session, person=supervisee, response="agree")
    return session


def admin_url(view, session):
    return reverse(f"admin:sessions_app_session_{view}", args=[session.pk])


def test_an_administrator_cannot_change_a_record_in_admin(login, administrator, acknowledged):
    client = login(administrator)
    page = client.get(admin_url("change", acknowledged))
    assert page.status_code == 200
    assert b'name="record_state"' not in page.content  # read only: no form fields
    response = client.post(
        admin_url("change", acknowledged),
        {"record_state": "draft", "status": "held", "items-0-title": "Changed"},
    )
    assert response.status_code == 403
    acknowledged.refresh_from_db()
    assert acknowledged.record_state == RecordState.SHARED
    assert list(Item.objects.values_list("title", flat=True)) == ["Agreed wording"]


def test_no_record_is_added_in_admin(login, administrator):
    assert login(administrator).get(reverse("admin:sessions_app_session_add")).status_code == 403


@pytest.mark.parametrize("state", [RecordState.SHARED, RecordState.SIGNED_OFF])
def test_a_shared_or_signed_off_record_cannot_be_deleted(login, administrator, acknowledged, state):
    Session.objects.filter(pk=acknowledged.pk).update(record_state=state)
    client = login(administrator)
    assert client.get(admin_url("delete", acknowledged)).status_code == 403
    assert client.post(admin_url("delete", acknowledged), {"post": "yes"}).status_code == 403
    assert Session.objects.filter(pk=acknowledged.pk).exists()


def test_there_is_no_delete_selected_action(login, administrator, acknowledged):
    client = login(administrator)
    response = client.post(
        reverse("admin:sessions_app_session_changelist"),
        {"action": "delete_selected", "_selected_action": [acknowledged.pk], "post": "yes"},
    )
    assert Session.objects.filter(pk=acknowledged.pk).exists()
    assert (
        b"delete_selected"
        not in client.get(reverse("admin:sessions_app_session_changelist")).content
    )
    assert response.status_code in (200, 302)


def test_a_planned_session_that_never_became_a_record_can_be_removed(
    login, administrator, supervisor, supervisee
):
    planned = SessionFactory(supervisor=supervisor, supervisee=supervisee, status=Status.PLANNED)
    held_draft = SessionFactory(supervisor=supervisor, supervisee=supervisee)
    client = login(administrator)
    assert client.post(admin_url("delete", planned), {"post": "yes"}).status_code == 302
    assert not Session.objects.filter(pk=planned.pk).exists()
    # A held draft is the supervisor's record in the making: kept.
    assert client.post(admin_url("delete", held_draft), {"post": "yes"}).status_code == 403


def test_the_admin_page_shows_no_item_text(login, administrator, acknowledged):
    page = login(administrator).get(admin_url("change", acknowledged)).content.decode()
    assert "Agreed wording" not in page
    assert "1 discussion item(s), 30 minutes" in page
