"""Single sign-on by OpenID Connect (docs/sso.md): django-allauth's `openid_connect` provider,
with what Fourfold adds around it.

- People are matched by e-mail, case-insensitively, to those already added by administrators
  or the import, at every sign-in: the claim named by `SSO_EMAIL_CLAIM` must be the e-mail of
  an active person. Nobody is ever created (sign-up stays closed), nothing the identity
  provider says changes a person (name, rights, team), and no link between an identity and
  a person is kept: change a person's e-mail in Fourfold and the identity that matches
  changes with it.
- The ID token's signature is always checked against the provider's published keys. allauth
  skips that check when the token came straight from the token endpoint (OpenID Connect Core
  allows it over TLS); Fourfold does not rely on the transport alone.
- Two-step sign-in follows the door: after single sign-on the identity provider is
  responsible for the second factor (Microsoft Entra ID's Conditional Access, say), so
  Fourfold asks for its own code only after a password. See `two_step_applies`.
- `PASSWORD_SIGN_IN=false` turns local passwords off for everyone but the break-glass
  administrator (`BREAK_GLASS_EMAIL`).
"""

from allauth.account.internal.decorators import login_not_required
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.stages import AuthenticateStage
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from .models import SecurityEvent, User, normalise_email

# The provider's id in allauth: the URLs are /accounts/oidc/sso/login/ and .../callback/.
PROVIDER_ID = "sso"
# How allauth records a sign-in by single sign-on in the session.
SSO_METHOD = "socialaccount"


def sso_enabled() -> bool:
    return bool(getattr(settings, "SSO_ISSUER", ""))


def sso_display_name() -> str:
    return getattr(settings, "SSO_DISPLAY_NAME", "") or "your organisation's account"


# Passwords.


def break_glass_email() -> str:
    return normalise_email(getattr(settings, "BREAK_GLASS_EMAIL", ""))


def password_sign_in_allowed(email) -> bool:
    """Whether `email` may sign in with a password: everyone, unless PASSWORD_SIGN_IN is off;
    then only the break-glass administrator."""
    if getattr(settings, "PASSWORD_SIGN_IN", True):
        return True
    email = normalise_email(email)
    return bool(email) and email == break_glass_email()


def password_refusal() -> str:
    return (
        f"Passwords are turned off here: sign in with {sso_display_name()} instead, using "
        "the button on this page."
    )


# Two-step sign-in.


def signed_in_by_sso(request) -> bool:
    """Whether this session's sign-in was by single sign-on (allauth's record of it)."""
    session = getattr(request, "session", None)
    records = session.get("account_authentication_methods", []) if session is not None else []
    return any(
        isinstance(record, dict) and record.get("method") == SSO_METHOD for record in records
    )


def two_step_applies(request) -> bool:
    """Fourfold's own second step (TOTP) is for sign-ins by password. After single sign-on the
    identity provider has already asked for the second factor its policy wants; asking again
    would teach people to approve prompts, and someone without a password could not even set
    one up (allauth asks for the password before adding an authenticator)."""
    return not signed_in_by_sso(request)


class PasswordSignInAuthenticateStage(AuthenticateStage):
    """allauth's "enter your code" step, skipped for a sign-in by single sign-on."""

    def handle(self):
        if (self.login.signal_kwargs or {}).get("sociallogin") is not None:
            return None, True
        return super().handle()


# Matching an identity to a person.


def claimed_email(sociallogin) -> str:
    """The e-mail the identity provider asserts, from the claim SSO_EMAIL_CLAIM names:
    userinfo first (fetched with the access token), then the verified ID token."""
    claim = getattr(settings, "SSO_EMAIL_CLAIM", "") or "email"
    data = sociallogin.account.extra_data or {}
    for source in (data.get("userinfo") or {}, data.get("id_token") or {}, data):
        value = source.get(claim) if isinstance(source, dict) else None
        if isinstance(value, str) and "@" in value:
            return normalise_email(value)
    return ""


def _refuse(request, *, email, reason, status=403):
    from .security import security_event_record

    security_event_record(
        kind=SecurityEvent.Kind.SIGN_IN_FAILED,
        request=request,
        email=email,
        detail=f"single sign-on: {reason}",
    )
    response = render(
        request,
        "account/sso_refused.html",
        {"email": email, "reason": reason, "display_name": sso_display_name()},
        status=status,
    )
    raise ImmediateHttpResponse(response)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Signs in only people Fourfold already has, by the e-mail the identity provider asserts."""

    def is_open_for_signup(self, request, sociallogin):
        return False

    def pre_social_login(self, request, sociallogin):
        email = claimed_email(sociallogin)
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            # Identities are never linked to accounts: the e-mail decides, at every sign-in.
            _refuse(request, email=email, reason="accounts are not linked to identities")
        if not email:
            _refuse(request, email="", reason="the identity provider sent no e-mail address")
        person = User.objects.with_email(email).filter(is_active=True).first()
        if person is None:
            _refuse(request, email=email, reason="no active person has this e-mail address")
        # Whatever allauth looked up (an identity linked by an older version, say), the person
        # signed in is the one with this e-mail: never another.
        sociallogin.user = person

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        from .security import security_event_record

        detail = f"single sign-on: {error or 'error'}"
        if exception is not None:
            detail += f" ({exception})"
        security_event_record(
            kind=SecurityEvent.Kind.SIGN_IN_FAILED, request=request, detail=detail
        )


# The OpenID Connect views, with the ID token's signature always checked.


class SignatureCheckingAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app, id_token):
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


@login_not_required
def sso_login(request, provider_id):
    try:
        return OAuth2LoginView.adapter_view(SignatureCheckingAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404("No such identity provider") from None


@login_not_required
def sso_callback(request, provider_id):
    try:
        return OAuth2CallbackView.adapter_view(SignatureCheckingAdapter(request, provider_id))(
            request
        )
    except SocialApp.DoesNotExist:
        raise Http404("No such identity provider") from None
