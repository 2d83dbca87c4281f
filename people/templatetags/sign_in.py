"""What the sign-in page offers: single sign-on, passwords, or both (people.sso)."""

from django import template
from django.urls import reverse

from people import sso

register = template.Library()


@register.simple_tag
def sign_in_options():
    enabled = sso.sso_enabled()
    return {
        "sso": enabled,
        "sso_url": reverse("openid_connect_login", args=[sso.PROVIDER_ID]) if enabled else "",
        "display_name": sso.sso_display_name(),
        "passwords": sso.password_sign_in_allowed(None) or not enabled,
    }
