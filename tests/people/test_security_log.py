"""Sign-ins, failures, lockouts and unlocks in the security log: a row administrators read in
admin, and a line on the `fourfold.security` logger."""

import logging

import pytest
from django.urls import reverse

from people.models import SecurityEvent
from people.security import sign_in_unlock
from tests.factories import PASSWORD
from tests.people.conftest import sign_in

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind


def events():
    return list(
        SecurityEvent.objects.order_by("pk").values_list("kind", "email", "ip_address", "detail")
    )


def test_successful_and_failed_sign_ins_are_logged(client, supervisor, caplog):
    caplog.set_level(logging.INFO, logger="fourfold.security")
    sign_in(client, "Sue@Example.org", "wrong-password", "192.0.2.7")
    sign_in(client, "nobody@example.org", "wrong-password", "192.0.2.7")
    sign_in(client, supervisor.email, PASSWORD, "192.0.2.8")

    assert events() == [
        (Kind.SIGN_IN_FAILED, "sue@example.org", "192.0.2.7", "wrong email or password"),
        (Kind.SIGN_IN_FAILED, "nobody@example.org", "192.0.2.7", "wrong email or password"),
        (Kind.SIGN_IN, "sue@example.org", "192.0.2.8", "password"),
    ]
    failed = SecurityEvent.objects.filter(kind=Kind.SIGN_IN_FAILED).order_by("pk")
    assert [event.user for event in failed] == [supervisor, None]

    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "fourfold.security"]
    assert lines == [
        (
            "WARNING",
            "sign_in_failed email=sue@example.org ip=192.0.2.7 detail='wrong email or password'",
        ),
        (
            "WARNING",
            "sign_in_failed email=nobody@example.org ip=192.0.2.7 detail='wrong email or password'",
        ),
        ("INFO", "sign_in email=sue@example.org ip=192.0.2.8 detail='password'"),
    ]


def test_lockout_is_logged_once_and_refused_attempts_each_time(client, supervisor):
    for n in range(10):
        sign_in(client, supervisor.email, "wrong-password", f"192.0.2.{n}")
    sign_in(client, supervisor.email, PASSWORD, "198.51.100.1")
    sign_in(client, supervisor.email, PASSWORD, "198.51.100.1")

    kinds = [kind for kind, *_ in events()]
    assert kinds == [Kind.SIGN_IN_FAILED] * 10 + [Kind.LOCKED_OUT] + [Kind.SIGN_IN_FAILED] * 2
    assert {detail for *_, detail in events()[:10]} == {"wrong email or password"}
    locked = SecurityEvent.objects.get(kind=Kind.LOCKED_OUT)
    assert (locked.user, locked.ip_address, locked.detail) == (
        supervisor,
        "192.0.2.9",
        "after 10 failed sign-ins",
    )
    assert events()[-1][3] == "refused: locked out"


def test_unlock_is_logged_with_who_did_it(client, supervisor, administrator, caplog):
    caplog.set_level(logging.INFO, logger="fourfold.security")
    for n in range(10):
        sign_in(client, supervisor.email, "wrong-password", f"192.0.2.{n}")
    assert sign_in_unlock(by=administrator, email="SUE@example.org") == 10

    unlock = SecurityEvent.objects.get(kind=Kind.UNLOCKED)
    assert (unlock.user, unlock.by) == (supervisor, administrator)
    assert unlock.detail == "sue@example.org: 10 failed sign-in record(s) cleared"
    assert caplog.records[-1].getMessage() == (
        "unlocked email=sue@example.org ip=- "
        "detail='sue@example.org: 10 failed sign-in record(s) cleared' by=ada@example.org"
    )


def test_sign_out_and_password_change_are_logged(client, supervisor):
    sign_in(client, supervisor.email)
    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "another-long-passphrase",
            "password2": "another-long-passphrase",
        },
    )
    client.post(reverse("account_logout"))
    assert [kind for kind, *_ in events()] == [Kind.SIGN_IN, Kind.PASSWORD_CHANGED, Kind.SIGN_OUT]


def test_administrators_read_the_log_in_admin_and_cannot_change_it(
    client, supervisor, administrator
):
    sign_in(client, supervisor.email, "wrong-password")
    event = SecurityEvent.objects.get()
    client.force_login(administrator)

    listing = client.get(reverse("admin:people_securityevent_changelist"))
    assert listing.status_code == 200
    assert "sue@example.org" in listing.text
    assert (
        client.get(reverse("admin:people_securityevent_change", args=[event.pk])).status_code == 200
    )
    assert client.get(reverse("admin:people_securityevent_add")).status_code == 403
    assert (
        client.get(reverse("admin:people_securityevent_delete", args=[event.pk])).status_code == 403
    )
    client.post(
        reverse("admin:people_securityevent_change", args=[event.pk]),
        {"detail": "nothing happened"},
    )
    event.refresh_from_db()
    assert event.detail == "wrong email or password"


def test_staff_who_are_not_superusers_read_it_too(client, supervisor):
    from tests.factories import UserFactory

    staff = UserFactory(email="sam.staff@example.org", is_staff=True)
    sign_in(client, supervisor.email, "wrong-password")
    client.force_login(staff)
    assert client.get(reverse("admin:people_securityevent_changelist")).status_code == 200


def test_others_cannot_read_it(client, manager):
    client.force_login(manager)
    response = client.get(reverse("admin:people_securityevent_changelist"))
    assert response.status_code == 302
