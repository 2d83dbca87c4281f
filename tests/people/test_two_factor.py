"""Two-step sign-in: an authenticator app (TOTP) with recovery codes, for everyone who wants it,
and required (MFA_REQUIRED_FOR) for managers and administrators."""

import base64
import datetime
import hashlib
import hmac
import struct

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.urls import reverse

from core import clock
from people.models import SecurityEvent
from tests.factories import PASSWORD
from tests.people.conftest import sign_in, signed_in_as

pytestmark = pytest.mark.django_db


def totp(secret, moment=None):
    """The six-digit code an authenticator app shows at `moment` (RFC 6238: HMAC-SHA1,
    30-second steps), computed here rather than by the library under test."""
    moment = moment or clock.now()
    counter = int(moment.timestamp()) // 30
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def enrol(client):
    """Set up an authenticator app for the signed-in person; returns (secret, recovery codes).

    allauth first asks for the password again (a session left open on a shared computer
    cannot add or remove a second step)."""
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 302
    assert page.url.startswith(reverse("account_reauthenticate"))
    response = client.post(page.url, {"password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp(secret)})
    assert response.status_code == 302
    assert response.url == reverse("mfa_view_recovery_codes")
    codes = client.get(response.url).context["unused_codes"]
    return secret, codes


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED_FOR = ["managers", "administrators"]


@pytest.fixture
def next_step(time_machine):
    """Move the clock on past the current 30-second step: a code is accepted only once."""

    def move():
        time_machine.move_to(clock.now() + datetime.timedelta(seconds=31))

    return move


def test_managers_and_administrators_need_it_by_default(monkeypatch):
    import importlib

    import supervision.settings as module

    monkeypatch.delenv("MFA_REQUIRED_FOR", raising=False)
    try:
        assert importlib.reload(module).MFA_REQUIRED_FOR == ["managers", "administrators"]
        monkeypatch.setenv("MFA_REQUIRED_FOR", "nobody")
        assert importlib.reload(module).MFA_REQUIRED_FOR == []
    finally:
        monkeypatch.undo()
        importlib.reload(module)


def test_anyone_can_turn_it_on_from_their_settings(client, supervisor):
    sign_in(client, supervisor.email)
    page = client.get(reverse("people:settings"))
    assert reverse("mfa_index") in page.text
    secret, codes = enrol(client)
    assert Authenticator.objects.filter(user=supervisor, type="totp").exists()
    assert len(codes) == 10
    assert "Two-step sign-in</a>:\n    on" in client.get(reverse("people:settings")).text


def test_sign_in_asks_for_the_code_after_the_password(client, supervisor, next_step):
    sign_in(client, supervisor.email)
    secret, _codes = enrol(client)
    client.post(reverse("account_logout"))
    next_step()

    response = sign_in(client, supervisor.email)
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert signed_in_as(client) is None

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert signed_in_as(client) is None

    response = client.post(reverse("mfa_authenticate"), {"code": totp(secret)})
    assert response.status_code == 302
    assert signed_in_as(client) == supervisor


def test_a_code_from_another_time_is_refused(client, supervisor, next_step):
    sign_in(client, supervisor.email)
    secret, _codes = enrol(client)
    client.post(reverse("account_logout"))
    next_step()
    sign_in(client, supervisor.email)
    stale = totp(secret, clock.now() - datetime.timedelta(minutes=5))
    client.post(reverse("mfa_authenticate"), {"code": stale})
    assert signed_in_as(client) is None


def test_a_recovery_code_works_once(client, supervisor):
    sign_in(client, supervisor.email)
    _secret, codes = enrol(client)
    client.post(reverse("account_logout"))

    sign_in(client, supervisor.email)
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert signed_in_as(client) == supervisor
    client.post(reverse("account_logout"))

    sign_in(client, supervisor.email)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 200
    assert signed_in_as(client) is None
    client.post(reverse("mfa_authenticate"), {"code": codes[1]})
    assert signed_in_as(client) == supervisor


@pytest.mark.parametrize("role", ["manager", "administrator"])
def test_required_roles_are_sent_to_set_it_up_first(client, request, required, role, next_step):
    person = request.getfixturevalue(role)
    response = sign_in(client, person.email)
    assert response.status_code == 302

    for url in [reverse("home"), reverse("people:settings"), reverse("admin:index")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == reverse("mfa_activate_totp")

    enrol(client)
    assert client.get(reverse("home")).status_code == 200


def test_required_role_can_still_sign_out(client, manager, required):
    sign_in(client, manager.email)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response.url == reverse("account_login")


def test_a_required_role_signed_in_long_ago_re_enters_the_password_to_set_it_up(
    client, manager, required
):
    client.force_login(manager)
    response = client.get(reverse("home"))
    assert response.url == reverse("mfa_activate_totp")
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert client.get(response.url).status_code == 200


def test_others_are_not_sent(client, supervisor, supervisee, required):
    for person in (supervisor, supervisee):
        sign_in(client, person.email)
        assert client.get(reverse("home")).status_code == 200
        client.post(reverse("account_logout"))


def test_everyone_or_nobody(client, supervisor, manager, settings):
    settings.MFA_REQUIRED_FOR = ["everyone"]
    client.force_login(supervisor)
    assert client.get(reverse("home")).status_code == 302
    settings.MFA_REQUIRED_FOR = []
    client.force_login(manager)
    assert client.get(reverse("home")).status_code == 200


# allauth logs and mails the change once the transaction commits, inside the request.
@pytest.mark.django_db(transaction=True)
def test_turning_it_on_and_off_is_in_the_security_log_and_mailed(client, supervisor, mailoutbox):
    sign_in(client, supervisor.email)
    enrol(client)
    assert mailoutbox[-1].to == [supervisor.email]
    kinds = list(
        SecurityEvent.objects.filter(user=supervisor).order_by("pk").values_list("kind", "detail")
    )
    assert (SecurityEvent.Kind.MFA_ADDED, "authenticator app") in kinds

    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert SecurityEvent.objects.filter(
        user=supervisor, kind=SecurityEvent.Kind.MFA_REMOVED, detail="authenticator app"
    ).exists()


def test_recovery_code_and_wrong_code_are_in_the_security_log(client, supervisor):
    sign_in(client, supervisor.email)
    _secret, codes = enrol(client)
    client.post(reverse("account_logout"))
    sign_in(client, supervisor.email)
    client.post(reverse("mfa_authenticate"), {"code": "12345678"})
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert SecurityEvent.objects.filter(
        user=supervisor, kind=SecurityEvent.Kind.MFA_FAILED
    ).exists()
    used = SecurityEvent.objects.get(user=supervisor, kind=SecurityEvent.Kind.RECOVERY_CODE_USED)
    assert used.detail == "9 unused code(s) left"
    assert settings.MFA_SUPPORTED_TYPES == ["totp", "recovery_codes"]


def test_administrator_removes_a_lost_authenticator_and_it_is_logged(
    client, supervisor, administrator
):
    sign_in(client, supervisor.email)
    enrol(client)
    totp_row = Authenticator.objects.get(user=supervisor, type="totp")
    admin_client = type(client)()
    admin_client.force_login(administrator)
    response = admin_client.post(
        reverse("admin:mfa_authenticator_delete", args=[totp_row.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=totp_row.pk).exists()
    removed = SecurityEvent.objects.get(kind=SecurityEvent.Kind.MFA_REMOVED)
    assert (removed.user, removed.by) == (supervisor, administrator)
