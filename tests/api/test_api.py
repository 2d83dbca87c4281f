"""The read-only API: tokens, scope, pagination, rate limit, the call log, and that no
recorded text ever leaves through it."""

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from api.models import ApiCall, ApiToken, token_digest
from api.services import api_token_revoke
from sessions_app.models import Session
from tests.factories import SessionFactory, UserFactory
from tests.planted import leaks, plant
from tests.worked_example import contract_part, expected_balance, import_example

pytestmark = pytest.mark.django_db

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_worked_example_through_the_api_is_balance_report_exactly(call, every_item, org_token):
    import_example()
    items = every_item("/balances", org_token, **{"from": "2026-01-01", "to": "2026-03-31"})
    # Every key of the expected JSON exactly; the contract's additions beside them.
    assert contract_part(items) == expected_balance()
    out = io.StringIO()
    call_command(
        "balance_report", "--all", "--from", "2026-01-01", "--to", "2026-03-31", stdout=out
    )
    assert items == json.loads(out.getvalue())


def test_balances_default_to_the_90_days_ending_today(call, org_token, supervisee, today):
    body = call("/balances", org_token).json()
    assert body["count"] == 1
    [balance] = body["items"]
    assert balance["to"] == today.isoformat()
    assert (today - date.fromisoformat(balance["from"])).days == 89
    assert balance["shares"] is None


def test_a_window_that_ends_before_it_starts_is_a_clear_422(call, org_token):
    response = call("/balances", org_token, **{"from": "2026-03-02", "to": "2026-03-01"})
    assert response.status_code == 422
    assert "is after" in response.json()["detail"]
    assert call("/balances", org_token, to="yesterday").status_code == 422


# Tokens.


def test_no_token_a_bad_token_and_a_revoked_token_are_401(call, org_token, administrator):
    assert call("/people").status_code == 401
    assert call("/people", "ff_0000_not-a-token").status_code == 401
    assert call("/people", "Basic something").status_code == 401
    assert call("/people", org_token + "x").status_code == 401
    assert call("/people", org_token).status_code == 200
    api_token_revoke(token=ApiToken.objects.get(), by=administrator)
    assert call("/people", org_token).status_code == 401


def test_only_a_hash_of_the_token_is_kept(org_token):
    stored = ApiToken.objects.get()
    assert stored.digest == token_digest(org_token)
    values = [str(v) for v in ApiToken.objects.values_list()[0]]
    assert not any(org_token in v or org_token[-20:] in v for v in values)


def test_every_call_is_logged_with_its_token_path_status_and_time(
    call, org_token, supervisee, administrator
):
    call("/people", org_token, page=1)
    call("/people/999999", org_token)
    call("/people", "ff_bad_token")
    api_token_revoke(token=ApiToken.objects.get(), by=administrator)
    call("/teams", org_token)
    token = ApiToken.objects.get()
    log = list(ApiCall.objects.order_by("pk").values_list("token", "path", "status"))
    assert log == [
        (token.pk, "/api/v1/people?page=1", 200),
        (token.pk, "/api/v1/people/999999", 404),
        (None, "/api/v1/people", 401),
        (token.pk, "/api/v1/teams", 401),
    ]
    assert all(entry.at for entry in ApiCall.objects.all())


# Scope.


def test_a_team_token_sees_only_its_team(
    call, every_item, team_token, org_token, supervisor, supervisee, other_supervisor, team
):
    other_person = other_supervisor.supervisee_relationships.get().supervisee
    ours = SessionFactory(supervisor=supervisor, supervisee=supervisee)
    theirs = SessionFactory(supervisor=other_supervisor, supervisee=other_person)

    people = every_item("/people", team_token)
    assert {p["email"] for p in people} == {supervisor.email, supervisee.email}
    assert call(f"/people/{other_person.pk}", team_token).status_code == 404
    assert call(f"/people/{other_supervisor.pk}", team_token).status_code == 404
    assert call(f"/people/{supervisee.pk}", team_token).status_code == 200

    assert [t["name"] for t in every_item("/teams", team_token)] == [team.name]
    relationships = every_item("/relationships", team_token)
    assert {r["supervisee"]["email"] for r in relationships} == {supervisee.email}

    sessions = every_item("/sessions", team_token)
    assert [s["id"] for s in sessions] == [ours.pk]
    assert call(f"/sessions/{theirs.pk}", team_token).status_code == 404
    assert call(f"/sessions/{ours.pk}", team_token).status_code == 200

    balances = every_item("/balances", team_token)
    assert [b["supervisee"] for b in balances] == [supervisee.email]

    # Nothing anywhere names the other team's people.
    for path in ["/people", "/teams", "/relationships", "/sessions", "/balances"]:
        text = call(path, team_token, page_size=500).content.decode()
        assert other_person.email not in text, path
        assert other_supervisor.email not in text, path

    # The organisation's token sees both.
    assert {b["supervisee"] for b in every_item("/balances", org_token)} == {
        supervisee.email,
        other_person.email,
    }
    assert call(f"/sessions/{theirs.pk}", org_token).status_code == 200


def test_a_team_token_names_only_its_own_attendees_of_a_group(
    call, team_token, supervisor, supervisee, other_supervisor
):
    other_person = other_supervisor.supervisee_relationships.get().supervisee
    group = SessionFactory(
        supervisor=supervisor,
        format="group",
        group_type="multi_agency",
        attendees=[(supervisee, True), (other_person, True)],
    )
    body = call(f"/sessions/{group.pk}", team_token).json()
    assert [a["email"] for a in body["attendees"]] == [supervisee.email]
    assert body["attendee_count"] == 2


# Pagination and rate limit.


def test_lists_are_paginated(call, org_token, team):
    for n in range(7):
        UserFactory(email=f"p{n}@example.org", team=team)
    first = call("/people", org_token, page_size=3).json()
    assert first["count"] == 8  # and the administrator who made the token
    assert [p["email"] for p in first["items"]] == [
        "ada@example.org",
        "p0@example.org",
        "p1@example.org",
    ]
    third = call("/people", org_token, page_size=3, page=3).json()
    assert [p["email"] for p in third["items"]] == ["p5@example.org", "p6@example.org"]
    assert call("/people", org_token, page_size=3, page=4).json()["items"] == []
    assert call("/people", org_token, page=0).status_code == 422


@override_settings(API_RATE_LIMIT=3)
def test_each_token_is_rate_limited_on_its_own(call, org_token, team_token):
    for _ in range(3):
        assert call("/teams", org_token).status_code == 200
    refused = call("/teams", org_token)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    # Another token is not held back by the first one's calls.
    assert call("/teams", team_token).status_code == 200
    assert ApiCall.objects.filter(status=429).count() == 1


def test_lists_take_the_same_queries_however_many_rows(call, org_token, supervisor, supervisee):
    def counted(path):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert call(path, org_token).status_code == 200
        return len(queries)

    for _ in range(3):
        SessionFactory(supervisor=supervisor, supervisee=supervisee)
    before = {path: counted(path) for path in ["/people", "/relationships", "/sessions"]}
    for n in range(3):
        person = UserFactory(email=f"more{n}@example.org", team=supervisee.team)
        SessionFactory(supervisor=supervisor, supervisee=person)
    after = {path: counted(path) for path in ["/people", "/relationships", "/sessions"]}
    assert after == before


# Nothing recorded leaves.


def test_no_recorded_text_leaves_through_any_endpoint(
    call, every_item, org_token, team_token, supervisor, supervisee, team
):
    plant(supervisor=supervisor, supervisee=supervisee)
    sessions = Session.objects.all()
    assert sessions.count() == 3
    paths = [
        "/teams",
        "/people",
        f"/people/{supervisee.pk}",
        "/relationships",
        "/sessions",
        "/balances",
        "/openapi.json",
        *(f"/sessions/{s.pk}" for s in sessions),
    ]
    for token in (org_token, team_token):
        for path in paths:
            response = call(path, token, page_size=500)
            assert response.status_code == 200, path
            assert leaks(response.content.decode()) == [], path
    # The metadata is there: minutes and counts, not words.
    held = [s for s in every_item("/sessions", org_token) if s["status"] == "held"]
    assert [(s["item_count"], s["tagged_minutes"]) for s in held] == [(2, 60), (2, 60)]


# The OpenAPI document.


def test_the_committed_openapi_document_is_the_one_served(call):
    served = call("/openapi.json")
    assert served.status_code == 200
    committed = json.loads(OPENAPI.read_text(encoding="utf-8"))
    assert served.json() == committed, (
        "docs/openapi.json is out of date: run `make openapi` and commit it"
    )
