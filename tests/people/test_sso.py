"""Single sign-on against a real OpenID Connect provider (tests/oidc: oidc-provider on
127.0.0.1, started here): people are matched by e-mail, never created, never given rights."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from people.models import SecurityEvent, User
from supervision.settings import sso_providers
from tests import oidc
from tests.people.conftest import sign_in, signed_in_as

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def identity_provider():
    provider = oidc.start()
    yield provider
    oidc.stop(provider.process)


@pytest.fixture
def sso(settings, identity_provider, monkeypatch):
    # Fourfold talks to the provider on 127.0.0.1 directly, whatever proxy the machine has.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    settings.SSO_ISSUER = identity_provider.issuer
    settings.SSO_DISPLAY_NAME = "Northbridge Council account"
    settings.SSO_EMAIL_CLAIM = "email"
    settings.SOCIALACCOUNT_PROVIDERS = sso_providers(
        issuer=identity_provider.issuer,
        client_id=oidc.CLIENT_ID,
        client_secret=oidc.CLIENT_SECRET,
        display_name="Northbridge Council account",
    )
    return identity_provider


def test_the_sign_in_page_offers_single_sign_on(client, sso):
    page = client.get(reverse("account_login"))
    assert "Sign in with Northbridge Council account" in page.text
    assert reverse("openid_connect_login", args=["sso"]) in page.text


def test_a_known_email_signs_in_in_any_case(client, sso, supervisor):
    response = sso.sign_in(client, email="SUE@Example.org")
    assert response.status_code == 302
    assert signed_in_as(client) == supervisor
    event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SIGN_IN).get()
    assert event.user == supervisor
    assert "socialaccount" in event.detail


def test_an_unknown_email_is_refused_with_a_clear_page_and_nobody_is_created(
    client, sso, supervisor
):
    people = User.objects.count()
    response = sso.sign_in(client, email="stranger@example.org", name="A Stranger")
    assert response.status_code == 403
    assert "nobody in Fourfold has that e-mail address" in response.text
    assert "stranger@example.org" in response.text
    assert signed_in_as(client) is None
    assert User.objects.count() == people
    assert not SocialAccount.objects.exists()
    refused = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SIGN_IN_FAILED)
    assert refused.email == "stranger@example.org"
    assert "single sign-on" in refused.detail


def test_an_inactive_person_is_refused(client, sso, supervisor):
    supervisor.is_active = False
    supervisor.save()
    response = sso.sign_in(client, email=supervisor.email)
    assert response.status_code == 403
    assert signed_in_as(client) is None


def test_the_provider_changes_nothing_about_the_person(client, sso, supervisor):
    """The identity provider's name or claims give no rights and rename nobody."""
    sso.sign_in(client, email=supervisor.email, name="Administrator Root")
    supervisor.refresh_from_db()
    assert supervisor.name == "Sue Supervisor"
    assert not supervisor.is_staff and not supervisor.is_superuser
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("audit:organisation")).status_code == 404
    # No identity is linked to the person: the e-mail decides at every sign-in.
    assert not SocialAccount.objects.exists()


def test_the_email_claim_is_a_setting(client, sso, settings, supervisor, supervisee):
    """Entra ID's user principal name (preferred_username) can be the claim that matches."""
    settings.SSO_EMAIL_CLAIM = "preferred_username"
    sso.sign_in(client, email=supervisee.email, upn=supervisor.email)
    assert signed_in_as(client) == supervisor


def test_sign_out(client, sso, supervisor):
    sso.sign_in(client, email=supervisor.email)
    assert signed_in_as(client) == supervisor
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert signed_in_as(client) is None
    assert client.get(reverse("home")).status_code == 302
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SIGN_OUT, user=supervisor).exists()


def test_an_id_token_with_a_bad_signature_is_refused(client, sso, supervisor):
    sso.tamper_with_next_id_token()
    response = sso.sign_in(client, email=supervisor.email)
    assert response.status_code == 401
    assert "Single sign-on failed" in response.text
    assert signed_in_as(client) is None
    failed = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SIGN_IN_FAILED)
    assert "Invalid id_token" in failed.detail
    # The provider itself is fine: the next, untampered, sign-in works.
    sso.sign_in(client, email=supervisor.email)
    assert signed_in_as(client) == supervisor


def test_a_callback_without_a_sign_in_started_here_is_refused(client, sso, supervisor):
    response = client.get(
        reverse("openid_connect_callback", args=["sso"]), {"code": "forged", "state": "forged"}
    )
    assert "Single sign-on failed" in response.text
    assert signed_in_as(client) is None


def test_starting_single_sign_on_needs_a_post(client, sso):
    page = client.get(reverse("openid_connect_login", args=["sso"]))
    assert page.status_code == 200
    assert "Continue" in page.text


# Two-step sign-in: after single sign-on the identity provider has asked for the second
# factor; Fourfold asks for its own code after a password only (people.sso).


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED_FOR = ["managers", "administrators"]


def test_a_manager_signed_in_by_sso_is_not_sent_to_set_up_a_code(client, sso, manager, required):
    sso.sign_in(client, email=manager.email)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("audit:team_balance")).status_code == 200


def test_the_same_manager_signing_in_with_a_password_still_must(client, sso, manager, required):
    sign_in(client, manager.email)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_a_person_with_an_authenticator_is_not_asked_for_its_code_after_sso(
    client, sso, supervisor
):
    from tests.people.test_two_factor import enrol

    sign_in(client, supervisor.email)
    enrol(client)
    client.post(reverse("account_logout"))

    response = sso.sign_in(client, email=supervisor.email)
    assert response.status_code == 302
    assert response.url != reverse("mfa_authenticate")
    assert signed_in_as(client) == supervisor
    client.post(reverse("account_logout"))
    # A password still needs the code.
    assert sign_in(client, supervisor.email).url == reverse("mfa_authenticate")


# Passwords turned off for everyone but the break-glass administrator.


@pytest.fixture
def passwords_off(settings, sso, administrator):
    settings.PASSWORD_SIGN_IN = False
    settings.BREAK_GLASS_EMAIL = administrator.email


def test_with_passwords_off_a_password_is_refused_with_the_reason(
    client, passwords_off, supervisor
):
    response = sign_in(client, supervisor.email)
    assert response.status_code == 200
    assert "Passwords are turned off here" in response.text
    assert signed_in_as(client) is None
    # Not a failed sign-in: nothing is counted toward a lockout.
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SIGN_IN_FAILED).exists()


def test_with_passwords_off_the_break_glass_administrator_still_signs_in(
    client, passwords_off, administrator
):
    response = sign_in(client, administrator.email.upper())
    assert response.status_code == 302
    assert signed_in_as(client) == administrator


def test_with_passwords_off_the_page_leads_with_sso(client, passwords_off):
    page = client.get(reverse("account_login"))
    assert "Sign in with Northbridge Council account" in page.text
    assert "Emergency administrator sign-in" in page.text


def test_with_passwords_off_no_reset_is_mailed_but_to_break_glass(
    client, passwords_off, supervisor, administrator, mailoutbox
):
    client.post(reverse("account_reset_password"), {"email": supervisor.email})
    assert mailoutbox == []
    client.post(reverse("account_reset_password"), {"email": administrator.email})
    assert [m.to for m in mailoutbox] == [[administrator.email]]


def test_with_passwords_off_sso_still_signs_in(client, sso, passwords_off, supervisor):
    sso.sign_in(client, email=supervisor.email)
    assert signed_in_as(client) == supervisor


def test_passwords_off_needs_single_sign_on(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import supervision.settings as module

    monkeypatch.setenv("PASSWORD_SIGN_IN", "false")
    monkeypatch.delenv("SSO_ISSUER", raising=False)
    try:
        with pytest.raises(ImproperlyConfigured, match="SSO_ISSUER"):
            importlib.reload(module)
        monkeypatch.setenv("SSO_ISSUER", "https://login.example.org/tenant/v2.0")
        with pytest.raises(ImproperlyConfigured, match="SSO_CLIENT_ID"):
            importlib.reload(module)
    finally:
        monkeypatch.undo()
        importlib.reload(module)


def test_the_providers_origin_may_answer_the_sign_in_form(monkeypatch):
    """The button's form is answered with a redirect to the provider, which browsers hold to
    the page's form-action: the provider's origin is allowed there, nothing more."""
    import importlib

    import supervision.settings as module

    monkeypatch.setenv("SSO_ISSUER", "https://login.microsoftonline.com/tenant-id/v2.0")
    monkeypatch.setenv("SSO_CLIENT_ID", "client")
    monkeypatch.setenv("SSO_CLIENT_SECRET", "secret")
    try:
        form_action = [str(source) for source in importlib.reload(module).SECURE_CSP["form-action"]]
        assert form_action == ["'self'", "https://login.microsoftonline.com"]
    finally:
        monkeypatch.undo()
        importlib.reload(module)
