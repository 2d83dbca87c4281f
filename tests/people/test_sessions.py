"""A session ends when the browser closes, or after SESSION_IDLE_MINUTES without a request."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def expiry_of(client):
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Session.objects.get(session_key=key).expire_date


def test_a_request_moves_the_expiry_on_at_most_once_a_minute(client, supervisor, time_machine):
    """Not a database write at every page: within a minute of the last move the expiry stays."""
    sign_in(client, supervisor.email)
    signed_in = expiry_of(client)
    start = clock.now()
    time_machine.move_to(start + datetime.timedelta(seconds=30))
    assert signed_in_as(client) == supervisor
    assert expiry_of(client) == signed_in
    later = start + datetime.timedelta(minutes=5)
    time_machine.move_to(later)
    assert signed_in_as(client) == supervisor
    moved = expiry_of(client)
    idle = datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES)
    assert later + idle <= moved < later + idle + datetime.timedelta(seconds=5)


def test_a_page_within_the_minute_writes_no_session(client, supervisor, time_machine):
    sign_in(client, supervisor.email)
    start = clock.now()
    time_machine.move_to(start + datetime.timedelta(minutes=2))
    signed_in_as(client)  # moves the expiry on
    time_machine.move_to(start + datetime.timedelta(minutes=2, seconds=20))
    with CaptureQueriesContext(connection) as queries:
        assert signed_in_as(client) == supervisor
    writes = [q["sql"] for q in queries if "django_session" in q["sql"]]
    assert writes and all(sql.startswith("SELECT") for sql in writes), writes


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
