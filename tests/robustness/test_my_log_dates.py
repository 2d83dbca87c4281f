"""The my-log date range at the edges of the calendar: a log or a message, never a 500.

`to=0001-01-01` once asked for the year before year 1 (core.dates.one_year_before now stops at
date.min); these keep the edges covered, through the page and the CSV.
"""

import pytest
from django.urls import reverse
from hypothesis import given

from sessions_app.exports import log_range
from tests.robustness.hostile import HOSTILE_SETTINGS, hostile_values

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"to": "0001-01-01"}, "from 1 January 0001 to 1 January 0001 (0 sessions)"),
        ({"from": "0001-01-01", "to": "0001-01-01"}, "from 1 January 0001 to 1 January 0001"),
        ({"from": "0001-01-01", "to": "9999-12-31"}, "from 1 January 0001 to 31 December 9999"),
        ({"to": "9999-12-31"}, "from 31 December 9998 to 31 December 9999"),
    ],
)
def test_a_range_at_the_ends_of_the_calendar_shows_the_log(login, supervisee, query, shown):
    client = login(supervisee)
    response = client.get(reverse("sessions:my_log_print"), query)
    assert response.status_code == 200
    assert shown in response.content.decode()
    assert client.get(reverse("sessions:my_log_csv"), query).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"from": "9999-12-31"},
        {"from": "9999-12-31", "to": "0001-01-01"},
        {"from": "10000-01-01"},
        {"to": "0000-12-31"},
        {"from": "2026-02-30"},
        {"to": "\x00"},
    ],
)
def test_an_impossible_range_says_what_is_wrong_on_the_page(login, supervisee, query):
    client = login(supervisee)
    for name in ("sessions:my_log_print", "sessions:my_log_csv"):
        response = client.get(reverse(name), query)
        assert response.status_code == 400
        assert "These dates could not be used" in response.content.decode()


@HOSTILE_SETTINGS
@given(start=hostile_values(), end=hostile_values())
def test_any_my_log_dates_give_a_range_or_a_message(start, end, today):
    log = log_range({"from": start, "to": end}, today)
    assert log.errors or log.start <= log.end
