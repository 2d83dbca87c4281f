"""Ten failed sign-ins lock out the account, and separately the address they came from, until
the cool-off has passed or an administrator unlocks (issue "Trust", logins)."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from core import clock
from people.models import FailedSignIn, SecurityEvent
from tests.factories import PASSWORD
from tests.people.conftest import sign_in, signed_in_as

pytestmark = pytest.mark.django_db

LOCKED = 429


def fail(client, email, times, address=None):
    """`times` wrong passwords for `email`, each from its own address unless one is given."""
    for n in range(times):
        response = sign_in(client, email, "not-the-password", address=address or f"192.0.2.{n + 1}")
    return response


def test_the_limit_is_ten():
    assert settings.AXES_FAILURE_LIMIT == 10


def test_nine_failures_leave_the_account_open(client, supervisor):
    response = fail(client, supervisor.email, 9)
    assert response.status_code == 200
    assert "email address and/or password you specified are not correct" in response.text
    assert sign_in(client, supervisor.email, address="198.51.100.1").status_code == 302
    assert signed_in_as(client) == supervisor


def test_tenth_failure_locks_the_account_from_every_address(client, supervisor):
    response = fail(client, supervisor.email, 10)
    assert response.status_code == LOCKED
    assert "Sign-in locked" in response.text
    assert "30 minutes" in response.text

    response = sign_in(client, supervisor.email, PASSWORD, address="198.51.100.1")
    assert response.status_code == LOCKED
    assert signed_in_as(client) is None


def test_the_account_is_counted_in_any_case_of_its_email(client, supervisor):
    for n in range(10):
        sign_in(client, "SUE@example.org" if n % 2 else "sue@Example.ORG", "nope", f"192.0.2.{n}")
    assert sign_in(client, supervisor.email, address="198.51.100.1").status_code == LOCKED


def test_tenth_failure_from_one_address_locks_that_address_for_everyone(client, supervisor):
    for n in range(10):
        response = sign_in(client, f"guess{n}@example.org", "not-the-password", "203.0.113.9")
    assert response.status_code == LOCKED

    assert sign_in(client, supervisor.email, PASSWORD, "203.0.113.9").status_code == LOCKED
    assert signed_in_as(client) is None
    # The account itself is not locked: from elsewhere its owner signs in.
    assert sign_in(client, supervisor.email, PASSWORD, "198.51.100.1").status_code == 302
    assert signed_in_as(client) == supervisor


def test_lockout_ends_after_the_cool_off(client, supervisor, time_machine):
    fail(client, supervisor.email, 10)
    locked_at = clock.now()

    time_machine.move_to(locked_at + datetime.timedelta(minutes=29))
    assert sign_in(client, supervisor.email, address="198.51.100.1").status_code == LOCKED

    time_machine.move_to(locked_at + datetime.timedelta(minutes=31))
    assert sign_in(client, supervisor.email, address="198.51.100.1").status_code == 302
    assert signed_in_as(client) == supervisor


def test_retrying_during_the_lockout_does_not_extend_it(client, supervisor, time_machine):
    fail(client, supervisor.email, 10)
    locked_at = clock.now()
    time_machine.move_to(locked_at + datetime.timedelta(minutes=20))
    sign_in(client, supervisor.email, "still-wrong", address="198.51.100.1")
    time_machine.move_to(locked_at + datetime.timedelta(minutes=31))
    assert sign_in(client, supervisor.email, address="198.51.100.1").status_code == 302


def test_administrator_unlocks_a_person_from_the_people_list(client, supervisor, administrator):
    fail(client, supervisor.email, 10)
    admin_client = type(client)()
    admin_client.force_login(administrator)
    response = admin_client.post(
        reverse("admin:people_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [supervisor.pk]},
    )
    assert response.status_code == 302

    assert sign_in(client, supervisor.email, address="198.51.100.1").status_code == 302
    assert signed_in_as(client) == supervisor
    unlock = SecurityEvent.objects.get(kind=SecurityEvent.Kind.UNLOCKED)
    assert (unlock.user, unlock.by) == (supervisor, administrator)


def test_administrator_unlocks_an_address_from_the_failed_sign_ins(
    client, supervisor, administrator
):
    for n in range(10):
        sign_in(client, f"guess{n}@example.org", "not-the-password", "203.0.113.9")
    admin_client = type(client)()
    admin_client.force_login(administrator)
    changelist = reverse("admin:people_failedsignin_changelist")
    page = admin_client.get(changelist, {"q": "203.0.113.9"})
    assert page.status_code == 200
    rows = list(page.context["cl"].result_list)
    assert len(rows) == 10

    response = admin_client.post(
        changelist, {"action": "unlock", "_selected_action": [row.pk for row in rows]}
    )
    assert response.status_code == 302
    assert not FailedSignIn.objects.exists()
    assert sign_in(client, supervisor.email, PASSWORD, "203.0.113.9").status_code == 302


def test_only_administrators_see_the_failed_sign_ins(client, supervisor, manager):
    fail(client, supervisor.email, 3)
    client.force_login(manager)
    assert client.get(reverse("admin:people_failedsignin_changelist")).status_code == 302


def test_an_unlock_names_an_account_or_an_address(administrator):
    from people.security import sign_in_unlock

    with pytest.raises(ValueError):
        sign_in_unlock(by=administrator)


def test_admin_sign_in_goes_through_the_same_lockout(client, administrator):
    """Django admin's own login page would skip two-step sign-in: it sends people to ours."""
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_address_behind_a_trusted_proxy_is_the_browsers(rf, settings):
    from people.security import client_ip_address

    request = rf.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip_address(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip_address(request) == "10.0.0.2"
