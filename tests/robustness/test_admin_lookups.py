"""Every admin list answers hostile filter and search values as Django answers a wrong lookup.

Django's answer to a lookup it cannot use is a redirect to the plain list with `?e=1`. Huge
or impossible dates in the date hierarchy, and NUL characters (which PostgreSQL's text cannot
hold) in a filter or search value, used to end in a 500 instead.
"""

import datetime
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from core.admin import FourfoldAdminMixin
from sessions_app.models import Session
from tests.conftest import sign_in_as
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry.values(), key=str)

# Values that no filter can use: NUL characters, and numbers too large for a date or a column.
HOSTILE = ["\x00", "a\x00b", "2147483648", "99999999999999999999"]


def changelist_url(model_admin):
    opts = model_admin.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def filter_parameters(model_admin, user):
    """The query parameters the list's own filters read, as the admin itself lists them."""
    request = RequestFactory().get(changelist_url(model_admin))
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    return sorted({p for spec in changelist.filter_specs for p in spec.expected_parameters()})


def hostile_queries(model_admin, user):
    queries = [{"q": value} for value in HOSTILE]
    for parameter in filter_parameters(model_admin, user):
        queries += [{parameter: value} for value in HOSTILE]
    # A plain field lookup in the query string (Django allows one on the model's own fields).
    field = next(f.name for f in model_admin.model._meta.concrete_fields if not f.primary_key)
    queries.append({field: "\x00"})
    if model_admin.date_hierarchy:
        year, month, day = (
            f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")
        )
        queries += [
            {year: "2147483648"},
            {year: "9999"},  # its end, 1 January 10000, is no date
            {year: "9999", month: "12"},
            {year: "2026", month: "13"},
            {year: "2026", month: "1", day: "2147483648"},
            {year: "\x00"},
            {year: "0"},
            {year: "-1"},
        ]
    return queries


def test_every_registered_admin_has_the_fourfold_base():
    assert [str(a) for a in REGISTERED if not isinstance(a, FourfoldAdminMixin)] == []


@pytest.mark.parametrize("model_admin", REGISTERED, ids=str)
def test_hostile_list_parameters_get_the_incorrect_lookup_answer_never_a_500(
    client, administrator, model_admin
):
    sign_in_as(client, administrator)
    client.raise_request_exception = False
    url = changelist_url(model_admin)
    for query in hostile_queries(model_admin, administrator):
        response = client.get(f"{url}?{urlencode(query)}")
        # 400: a lookup the admin forbids outright (Django's answer to one it never allows).
        assert response.status_code in (200, 302, 400), (query, response.status_code)
        if response.status_code == 302:
            assert response["Location"] == f"{url}?e=1", query
    assert client.get(f"{url}?e=1").status_code == 200


@pytest.mark.parametrize("model_admin", [a for a in REGISTERED if a.autocomplete_fields], ids=str)
def test_autocomplete_search_with_a_nul_finds_nothing_and_does_not_fail(
    client, administrator, model_admin
):
    sign_in_as(client, administrator)
    client.raise_request_exception = False
    opts = model_admin.model._meta
    for field in model_admin.autocomplete_fields:
        response = client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": opts.app_label,
                "model_name": opts.model_name,
                "field_name": field,
                "term": "Sue\x00",
            },
        )
        assert response.status_code == 200, (field, response.status_code)
        assert response.json()["results"] == []


def test_a_good_date_hierarchy_filter_still_filters(client, administrator, supervisor):
    SessionFactory(supervisor=supervisor, date=datetime.date(2025, 6, 1))
    SessionFactory(supervisor=supervisor, date=datetime.date(2026, 6, 1))
    sign_in_as(client, administrator)
    url = reverse("admin:sessions_app_session_changelist")
    response = client.get(url, {"date__year": "2026", "date__month": "6"})
    assert response.status_code == 200
    assert [s.date.year for s in response.context["cl"].result_list] == [2026]
    assert Session.objects.count() == 2
