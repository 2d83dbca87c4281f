"""The headers a council's IT security team checks, and pages that need no inline code."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import sign_in_as
from tests.factories import GroupSessionFactory, ItemFactory, SessionFactory

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
OUR_TEMPLATES = [
    path
    for path in ROOT.rglob("*.html")
    if not any(part.startswith(".venv") for part in path.parts)
    and "staticfiles" not in path.parts
    and "node_modules" not in path.parts
]
INLINE = [
    (re.compile(r"\sstyle\s*="), "an inline style attribute"),
    (re.compile(r"<style\b"), "a <style> element"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "an inline event handler"),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: URL"),
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"), "an inline script"),
]


def inline_code(text):
    return [what for pattern, what in INLINE if pattern.search(text)]


def test_our_templates_have_no_inline_script_or_style():
    assert OUR_TEMPLATES
    found = {
        str(path.relative_to(ROOT)): inline_code(path.read_text())
        for path in OUR_TEMPLATES
        if inline_code(path.read_text())
    }
    assert found == {}


def test_pages_carry_the_security_headers(client, supervisor):
    sign_in_as(client, supervisor)
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    # The sign-in page too, before anyone is signed in.
    client.logout()
    assert (
        "frame-ancestors 'none'" in client.get(reverse("account_login"))["Content-Security-Policy"]
    )


def test_rendered_pages_have_no_inline_script_or_style(
    client, supervisor, supervisee, other_supervisee, administrator
):
    """The pages as rendered, Django admin's and the sign-in library's included."""
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee)
    ItemFactory(session=session, functions=["management", "support"])
    group = GroupSessionFactory(
        supervisor=supervisor, attendees=[(supervisee, True), (other_supervisee, False)]
    )
    pages = {
        supervisor: [
            reverse("home"),
            reverse("sessions:list"),
            reverse("sessions:new"),
            reverse("sessions:detail", args=[session.pk]),
            reverse("sessions:edit", args=[session.pk]),
            reverse("sessions:detail", args=[group.pk]),
            reverse("audit:my_balance"),
            reverse("audit:my_supervisees"),
            reverse("audit:person", args=[supervisee.pk]),
            reverse("people:settings"),
        ],
        administrator: [
            reverse("audit:team_balance"),
            reverse("audit:team_months"),
            reverse("audit:team_feedback"),
            reverse("audit:team_checks"),
            reverse("audit:organisation"),
            reverse("imports:upload"),
            reverse("admin:index"),
            reverse("admin:sessions_app_session_changelist"),
            reverse("admin:sessions_app_session_change", args=[session.pk]),
            reverse("admin:people_user_changelist"),
            reverse("admin:people_user_change", args=[supervisee.pk]),
        ],
    }
    for person, urls in pages.items():
        sign_in_as(client, person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert inline_code(response.content.decode()) == [], url
    client.logout()
    assert inline_code(client.get(reverse("account_login")).content.decode()) == []
