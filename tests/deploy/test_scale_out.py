"""Several app servers behind a proxy: a health check, and no state kept in one process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError

from supervision import health
from tests.factories import SessionFactory

ROOT = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_healthz_answers_ok_to_anyone_and_says_nothing_else(client):
    SessionFactory()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", Unreachable())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"unavailable\n"


@pytest.mark.django_db
def test_healthz_only_reads(client):
    assert client.post("/healthz").status_code == 405


def production_settings(**extra):
    """The settings a production process computes from its environment."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "fourfold.example.org",
        "DATABASE_URL": "postgres://fourfold@db.internal:5432/fourfold",
        "DJANGO_SETTINGS_MODULE": "supervision.settings",
        **extra,
    }
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'db': {k: s.DATABASES['default'][k] for k in "
        "('CONN_MAX_AGE', 'CONN_HEALTH_CHECKS')}, 'session': s.SESSION_ENGINE, "
        "'axes': s.AXES_HANDLER, 'cache': s.CACHES['default']['BACKEND'], "
        "'exempt': s.SECURE_REDIRECT_EXEMPT, 'proxy': s.SECURE_PROXY_SSL_HEADER}))"
    )
    output = subprocess.run(  # noqa: S603 (this interpreter, our own code)
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_production_keeps_sessions_and_lockouts_in_the_database_and_checks_connections():
    found = production_settings()

    assert found["db"] == {"CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    assert found["session"] == "django.contrib.sessions.backends.db"
    assert found["axes"] == "axes.handlers.database.AxesDatabaseHandler"
    assert found["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert found["exempt"] == ["^healthz$"]
    # The cache (allauth's email rate limits only) is the process's own unless told.
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_the_cache_can_be_shared_through_the_database():
    found = production_settings(CACHE="database", CONN_MAX_AGE="300")

    assert found["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert found["db"]["CONN_MAX_AGE"] == 300
