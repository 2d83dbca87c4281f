"""Administrators see the outbox in admin, read only: what waits, what failed and why."""

import pytest
from django.urls import reverse

from outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def given_up(supervisor):
    return OutgoingEmail.objects.create(
        kind="record_shared",
        person=supervisor,
        to="sue@example.org",
        subject="Your supervision record of 15 January 2026 is ready to read",
        body="Hello",
        status=OutgoingEmail.Status.GAVE_UP,
        attempts=10,
        last_error="SMTPRecipientsRefused: {'sue@example.org': (550, b'No such user')}",
    )


def test_administrator_sees_a_given_up_email_with_its_error(login, administrator, given_up):
    client = login(administrator)
    page = client.get(reverse("admin:outbox_outgoingemail_changelist")).content.decode()
    assert "sue@example.org" in page
    assert "Gave up after the last attempt" in page
    assert "No such user" in page
    detail = client.get(reverse("admin:outbox_outgoingemail_change", args=[given_up.pk]))
    assert detail.status_code == 200
    assert "SMTPRecipientsRefused" in detail.content.decode()


def test_nobody_edits_the_outbox_in_admin(login, administrator, given_up):
    client = login(administrator)
    assert client.get(reverse("admin:outbox_outgoingemail_add")).status_code == 403
    change = reverse("admin:outbox_outgoingemail_change", args=[given_up.pk])
    assert client.post(change, {"to": "other@example.org"}).status_code == 403
    delete = reverse("admin:outbox_outgoingemail_delete", args=[given_up.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    given_up.refresh_from_db()
    assert given_up.to == "sue@example.org"


def test_people_who_are_not_administrators_do_not_see_it(login, supervisor, given_up):
    response = login(supervisor).get(reverse("admin:outbox_outgoingemail_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
