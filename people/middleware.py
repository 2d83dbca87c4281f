"""Two-step sign-in, required by role: MFA_REQUIRED_FOR (default managers and administrators)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from . import security, sso


def _open_paths():
    """Where a person who must set up two-step sign-in may still go: the set-up pages
    themselves, re-entering their password (allauth asks before adding an authenticator),
    and signing out."""
    return (
        reverse("mfa_index"),
        reverse("account_reauthenticate"),
        reverse("account_logout"),
    )


def require_two_factor(get_response):
    """Sends a signed-in person whose role needs two-step sign-in, and who has not set it up,
    to set it up before anything else. Not after single sign-on: the identity provider asks
    for the second factor then (people.sso.two_step_applies)."""

    def middleware(request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_open_paths())
            and security.two_factor_required(user)
            and sso.two_step_applies(request)
            and not security.has_two_factor(user)
        ):
            messages.warning(
                request,
                "Your role needs two-step sign-in. Set up an authenticator app to continue.",
            )
            return redirect("mfa_activate_totp")
        return get_response(request)

    return middleware
