"""Account security: who may sign in, the lockout after failed sign-ins, and the security log.

The libraries do the work (docs/security.md): django-allauth signs people in and runs the
two-step sign-in; django-axes counts failed sign-ins per account and per address and locks
them out. This module holds what Fourfold adds around them: the email and address axes
counts by, the security log (a row in `SecurityEvent` and a line on the `fourfold.security`
logger for each event), an administrator's unlock, and who must use two-step sign-in.
"""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from .access import is_administrator, is_manager
from .models import SecurityEvent, User, normalise_email

logger = logging.getLogger("fourfold.security")

# Events that may mean an attack, logged as warnings; the rest as information.
WARNING_KINDS = {
    SecurityEvent.Kind.SIGN_IN_FAILED,
    SecurityEvent.Kind.LOCKED_OUT,
    SecurityEvent.Kind.MFA_FAILED,
    SecurityEvent.Kind.RECOVERY_CODE_USED,
}


class AccountAdapter(DefaultAccountAdapter):
    """People are added by administrators or the import (INTERFACES.md), never by signing up.

    With single sign-on (people.sso): PASSWORD_SIGN_IN=false refuses a password from anyone
    but the break-glass administrator, before it is checked (so it is not counted as a failed
    sign-in), and sends no password reset to anyone else; the two-step code is asked after a
    password, not after single sign-on.
    """

    def is_open_for_signup(self, request):
        return False

    def pre_authenticate(self, request, **credentials):
        from .sso import password_refusal, password_sign_in_allowed

        if not password_sign_in_allowed(credentials.get("email") or credentials.get("username")):
            raise ValidationError(password_refusal(), code="password_sign_in_off")
        super().pre_authenticate(request, **credentials)

    def send_password_reset_mail(self, user, email, context):
        from .sso import password_sign_in_allowed

        if not password_sign_in_allowed(user.email):
            return None
        return super().send_password_reset_mail(user, email, context)

    def get_login_stages(self):
        return [
            "people.sso.PasswordSignInAuthenticateStage"
            if path == "allauth.mfa.stages.AuthenticateStage"
            else path
            for path in super().get_login_stages()
        ]


class LockoutBackend(AxesStandaloneBackend):
    """Axes's check that refuses a locked-out sign-in before any password is tried.

    Axes needs the request (it counts by address). A sign-in without one does not come from
    a browser: the test client's `login()`, a shell. Those are left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def sign_in_email(request, credentials):
    """The account axes counts failures against: the email tried, in lower case.

    allauth passes it as `email`, Django's own forms (admin, test client) as `username`;
    "SUE@example.org" and "sue@example.org" are one account (DOMAIN.md).
    """
    credentials = credentials or {}
    raw = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not raw and request is not None and request.method == "POST":
        raw = request.POST.get("login") or request.POST.get("username")
    return normalise_email(raw) or None


def client_ip_address(request):
    """The browser's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies, the entry
    of X-Forwarded-For that the outermost trusted proxy added (entries further left can be
    written by anyone)."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def security_event_record(
    *,
    kind: str,
    request=None,
    user: User | None = None,
    email: str = "",
    detail: str = "",
    by: User | None = None,
) -> SecurityEvent:
    """Write one line of the security log, in the database and on the `fourfold.security`
    logger."""
    if user is not None and not email:
        email = user.email
    event = SecurityEvent.objects.create(
        kind=kind,
        user=user,
        email=normalise_email(email)[:254],
        ip_address=client_ip_address(request),
        detail=detail[:200],
        by=by,
    )
    level = logging.WARNING if kind in WARNING_KINDS else logging.INFO
    logger.log(
        level,
        "%s email=%s ip=%s%s%s",
        kind,
        event.email or "-",
        event.ip_address or "-",
        f" detail={detail!r}" if detail else "",
        f" by={by.email}" if by else "",
    )
    return event


@transaction.atomic
def sign_in_unlock(*, by: User, email: str = "", ip_address: str = "") -> int:
    """An administrator lifts a lockout: forgets the failed sign-ins of an account, of an
    address, or of that account from that address. Returns how many records went."""
    email = normalise_email(email)
    if not email and not ip_address:
        raise ValueError("Unlock an account, an address, or both")
    attempts = AccessAttempt.objects.all()
    if email:
        attempts = attempts.filter(username=email)
    if ip_address:
        attempts = attempts.filter(ip_address=ip_address)
    count, _ = attempts.delete()
    described = " from ".join(part for part in [email, ip_address] if part)
    event = security_event_record(
        kind=SecurityEvent.Kind.UNLOCKED,
        user=User.objects.with_email(email).first() if email else None,
        email=email,
        detail=f"{described}: {count} failed sign-in record(s) cleared",
        by=by,
    )
    if ip_address:
        event.ip_address = ip_address
        event.save(update_fields=["ip_address"])
    return count


def two_factor_required(user) -> bool:
    """Whether `user` must sign in in two steps (MFA_REQUIRED_FOR, default managers and
    administrators)."""
    roles = settings.MFA_REQUIRED_FOR
    if not roles or not user.is_authenticated:
        return False
    if "everyone" in roles:
        return True
    if "administrators" in roles and is_administrator(user):
        return True
    return "managers" in roles and is_manager(user)


def has_two_factor(user) -> bool:
    return is_mfa_enabled(user, [Authenticator.Type.TOTP])
