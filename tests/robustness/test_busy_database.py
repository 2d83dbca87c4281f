"""A database lock not had in time, on any page, is a 503 in words, never a server error."""

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path

from core.db import BUSY, is_busy

pytestmark = pytest.mark.django_db


def locked_view(request):
    raise OperationalError("database is locked")


def broken_view(request):
    raise OperationalError("no such table: nowhere")


def fine_view(request):
    return HttpResponse("fine")


urlpatterns = [
    path("locked/", locked_view),
    path("broken/", broken_view),
    path("fine/", fine_view),
    path("", include("supervision.urls")),  # the pages' own links, for the 503 page
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_lock_timeout_anywhere_is_a_503_that_says_nothing_was_saved(client):
    client.raise_request_exception = False
    response = client.get("/locked/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Nothing of yours was saved" in response.content.decode()
    # A database that is broken, not busy, stays a server error (logged, not explained away).
    assert client.get("/broken/").status_code == 500
    assert client.get("/fine/").status_code == 200


def test_busy_is_told_apart_from_broken():
    assert is_busy(OperationalError("database is locked"))
    assert not is_busy(OperationalError("no such table: sessions_app_session"))
    assert not is_busy(ValueError("database is locked"))
    assert "Nothing of yours was saved" in BUSY
