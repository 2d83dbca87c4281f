"""The security log listens to the sign-in libraries: each receiver writes one log line.

Connected in `PeopleConfig.ready()`. No decisions are taken here: django-allauth, django-axes
and Django's auth send these signals; `people.security.security_event_record` writes them.
"""

import axes.signals  # noqa: F401  (its receivers count failures before ours log them)
from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from .models import SecurityEvent, User
from .security import security_event_record, sign_in_email

Kind = SecurityEvent.Kind


AUTHENTICATOR_LABELS = {
    Authenticator.Type.TOTP: "authenticator app",
    Authenticator.Type.RECOVERY_CODES: "recovery codes",
}


def _authenticator_label(authenticator):
    return AUTHENTICATOR_LABELS.get(authenticator.type, authenticator.type)


def _sign_in_methods(request):
    """How the person signed in, as allauth recorded it: "password", "password, totp"."""
    session = getattr(request, "session", None)
    records = session.get("account_authentication_methods", []) if session is not None else []
    methods = []
    for record in records:
        method = record.get("type") or record.get("method")
        if method and method not in methods:
            methods.append(method)
    return ", ".join(methods)


@receiver(auth_signals.user_logged_in, dispatch_uid="security_log_sign_in")
def log_sign_in(sender, request, user, **kwargs):
    security_event_record(
        kind=Kind.SIGN_IN, request=request, user=user, detail=_sign_in_methods(request)
    )


@receiver(auth_signals.user_login_failed, dispatch_uid="security_log_sign_in_failed")
def log_sign_in_failed(sender, credentials, request=None, **kwargs):
    """A failed sign-in, and the lockout when this failure reached the limit.

    Axes's own receiver (connected first: this module imports axes.signals before it connects
    its receivers) has already counted the failure and marked the request: a failure it
    counted carries `axes_failures_since_start`; an attempt refused during a lockout does not.
    """
    email = sign_in_email(request, credentials) or ""
    user = User.objects.with_email(email).first() if email else None
    locked = bool(getattr(request, "axes_locked_out", False))
    failures = getattr(request, "axes_failures_since_start", None)
    refused = locked and failures is None
    security_event_record(
        kind=Kind.SIGN_IN_FAILED,
        request=request,
        user=user,
        email=email,
        detail="refused: locked out" if refused else "wrong email or password",
    )
    if locked and not refused:
        security_event_record(
            kind=Kind.LOCKED_OUT,
            request=request,
            user=user,
            email=email,
            detail=f"after {failures} failed sign-ins",
        )


@receiver(auth_signals.user_logged_out, dispatch_uid="security_log_sign_out")
def log_sign_out(sender, request, user, **kwargs):
    if user is not None:
        security_event_record(kind=Kind.SIGN_OUT, request=request, user=user)


@receiver(mfa_signals.authenticator_added, dispatch_uid="security_log_mfa_added")
def log_mfa_added(sender, request, user, authenticator, **kwargs):
    security_event_record(
        kind=Kind.MFA_ADDED,
        request=request,
        user=user,
        detail=_authenticator_label(authenticator),
    )


@receiver(mfa_signals.authenticator_removed, dispatch_uid="security_log_mfa_removed")
def log_mfa_removed(sender, request, user, authenticator, **kwargs):
    security_event_record(
        kind=Kind.MFA_REMOVED,
        request=request,
        user=user,
        detail=_authenticator_label(authenticator),
    )


@receiver(mfa_signals.authenticator_reset, dispatch_uid="security_log_mfa_reset")
def log_recovery_codes_renewed(sender, request, user, authenticator, **kwargs):
    security_event_record(kind=Kind.RECOVERY_CODES_RENEWED, request=request, user=user)


@receiver(mfa_signals.authenticator_used, dispatch_uid="security_log_recovery_code_used")
def log_recovery_code_used(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        # allauth marks the code used on a fresh copy of the row: count from the database.
        codes = Authenticator.objects.get(pk=authenticator.pk).wrap()
        unused = len(codes.get_unused_codes())
        security_event_record(
            kind=Kind.RECOVERY_CODE_USED,
            request=request,
            user=user,
            detail=f"{unused} unused code(s) left",
        )


@receiver(mfa_signals.authentication_failed, dispatch_uid="security_log_mfa_failed")
def log_mfa_failed(sender, request, user, authenticator=None, **kwargs):
    security_event_record(
        kind=Kind.MFA_FAILED,
        request=request,
        user=user,
        detail=_authenticator_label(authenticator) if authenticator else "",
    )


@receiver(account_signals.password_changed, dispatch_uid="security_log_password_changed")
def log_password_changed(sender, request, user, **kwargs):
    security_event_record(kind=Kind.PASSWORD_CHANGED, request=request, user=user)


@receiver(account_signals.password_set, dispatch_uid="security_log_password_set")
def log_password_set(sender, request, user, **kwargs):
    security_event_record(
        kind=Kind.PASSWORD_CHANGED, request=request, user=user, detail="first password set"
    )


@receiver(account_signals.password_reset, dispatch_uid="security_log_password_reset")
def log_password_reset(sender, request, user, **kwargs):
    security_event_record(
        kind=Kind.PASSWORD_CHANGED, request=request, user=user, detail="by reset link"
    )
