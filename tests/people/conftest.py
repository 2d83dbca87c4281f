import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import PRODUCTION_SESSION_ENGINE
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def sessions_in_the_database(settings):
    """Signing in, locking out, idle sessions and single sign-on are tested with the session
    engine production uses (the rest of the suite keeps sessions in memory: tests/conftest.py)."""
    settings.SESSION_ENGINE = PRODUCTION_SESSION_ENGINE


@pytest.fixture(autouse=True)
def empty_cache():
    """allauth keeps its rate limits and the TOTP codes already used in the cache."""
    cache.clear()
    yield
    cache.clear()


def sign_in(client, email, password=PASSWORD, address="192.0.2.1"):
    """Post the sign-in form as a browser at `address` would."""
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def signed_in_as(client):
    """The person the client's session belongs to, or None."""
    response = client.get(reverse("people:settings"))
    if response.status_code != 200:
        return None
    return response.context["user"]
