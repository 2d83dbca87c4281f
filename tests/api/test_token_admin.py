"""Administrators create API tokens in admin (the token is shown once), and revoke them."""

import re

import pytest
from django.urls import reverse

from api.models import ApiCall, ApiToken, token_digest
from tests.conftest import sign_in_as

pytestmark = pytest.mark.django_db


def test_an_administrator_creates_a_team_token_and_sees_it_once(client, administrator, team):
    sign_in_as(client, administrator)
    response = client.post(
        reverse("admin:api_apitoken_add"), {"name": "Adults North BI", "team": team.pk}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    [text] = re.findall(r'value="(ff_[^"]+)"', response.text)
    token = ApiToken.objects.get()
    assert token.team == team
    assert token.created_by == administrator
    assert token.digest == token_digest(text)
    assert "cannot show it again" in response.text

    # The token works, and is nowhere to be seen again.
    api = client.get("/api/v1/teams", headers={"Authorization": f"Bearer {text}"})
    assert api.status_code == 200
    page = client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
    assert page.status_code == 200
    assert text not in page.text
    assert text not in client.get(reverse("admin:api_apitoken_changelist")).text


def test_revoking_in_admin_stops_the_token_at_once(client, administrator, make_token):
    text = make_token()
    token = ApiToken.objects.get()
    sign_in_as(client, administrator)
    response = client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == administrator
    assert (
        client.get("/api/v1/teams", headers={"Authorization": f"Bearer {text}"}).status_code == 401
    )


def test_tokens_and_the_call_log_cannot_be_deleted_or_edited(client, administrator, make_token):
    make_token()
    token = ApiToken.objects.get()
    client.get("/api/v1/teams")
    call = ApiCall.objects.get()
    sign_in_as(client, administrator)
    assert client.get(reverse("admin:api_apitoken_delete", args=[token.pk])).status_code == 403
    assert client.get(reverse("admin:api_apicall_delete", args=[call.pk])).status_code == 403
    assert client.get(reverse("admin:api_apicall_add")).status_code == 403
    # The token's scope is read only once it exists.
    page = client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
    assert 'name="team"' not in page.text


def test_people_who_are_not_administrators_cannot_create_tokens(client, manager):
    sign_in_as(client, manager)
    response = client.get(reverse("admin:api_apitoken_add"))
    assert response.status_code == 302
