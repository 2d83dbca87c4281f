"""A session ends when the browser closes, or after SESSION_IDLE_MINUTES without a request."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from core import clock
from tests.people.conftest import sign_in, signed_in_as

pytestmark = pytest.mark.django_db


def test_idle_time_defaults_to_thirty_minutes():
    assert settings.SESSION_IDLE_MINUTES == 30
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_session_cookie_ends_with_the_browser(client, supervisor):
    response = sign_in(client, supervisor.email)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    # No Max-Age and no Expires: the browser forgets it when it closes.
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""


def test_each_request_keeps_the_session_alive(client, supervisor, time_machine):
    sign_in(client, supervisor.email)
    start = clock.now()
    for minutes in (29, 58, 87):
        time_machine.move_to(start + datetime.timedelta(minutes=minutes))
        assert signed_in_as(client) == supervisor


def test_session_ends_after_the_idle_time(client, supervisor, time_machine):
    sign_in(client, supervisor.email)
    start = clock.now()
    time_machine.move_to(start + datetime.timedelta(minutes=31))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_idle_time_comes_from_the_environment(monkeypatch):
    import importlib

    import supervision.settings as module

    monkeypatch.setenv("SESSION_IDLE_MINUTES", "15")
    try:
        reloaded = importlib.reload(module)
        assert reloaded.SESSION_COOKIE_AGE == 15 * 60
    finally:
        monkeypatch.delenv("SESSION_IDLE_MINUTES")
        importlib.reload(module)
