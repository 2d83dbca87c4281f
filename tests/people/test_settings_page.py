"""A person's settings: reminder emails, and links to their password and two-step sign-in.
Their display name and email are set by administrators or the import."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_settings_save_reminder_emails_and_leave_the_name_alone(client, supervisor):
    client.force_login(supervisor)
    page = client.get(reverse("people:settings"))
    assert list(page.context["form"].fields) == ["reminder_emails"]
    assert reverse("account_change_password") in page.text
    assert reverse("mfa_index") in page.text

    response = client.post(reverse("people:settings"), {"name": "Someone Else"})
    assert response.status_code == 302
    supervisor.refresh_from_db()
    assert supervisor.name == "Sue Supervisor"
    assert supervisor.reminder_emails is False


def test_nobody_changes_their_own_email(client, supervisor):
    client.force_login(supervisor)
    for method in (client.get, client.post):
        response = method("/accounts/email/", {"email": "new@example.org", "action_add": ""})
        assert response.status_code in (301, 302)
        assert response.url == reverse("people:settings")
    supervisor.refresh_from_db()
    assert supervisor.email == "sue@example.org"


def test_nobody_signs_up(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "stranger@example.org", "password1": "a-long-passphrase-x"},
    )
    assert "Sign Up Closed" in response.text or response.status_code == 403
    from people.models import User

    assert not User.objects.filter(email="stranger@example.org").exists()
