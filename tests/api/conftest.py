import pytest
from django.core.cache import cache

from api.services import api_token_create


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_token(administrator):
    def make(team=None, name="HR warehouse"):
        token, text = api_token_create(name=name, team=team, by=administrator)
        return text

    return make


@pytest.fixture
def org_token(make_token):
    return make_token()


@pytest.fixture
def team_token(make_token, team):
    return make_token(team=team, name="Adults North BI")


@pytest.fixture
def call(client):
    """GET an API path (under /api/v1) with a token; returns the response."""

    def get(path, token=None, **params):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get(f"/api/v1{path}", params, headers=headers)

    return get


@pytest.fixture
def every_item(call):
    """Every item of a paginated list, page by page."""

    def collect(path, token, page_size=2, **params):
        items, page = [], 1
        while True:
            response = call(path, token, page=page, page_size=page_size, **params)
            assert response.status_code == 200, response.content
            body = response.json()
            items.extend(body["items"])
            if len(items) >= body["count"] or not body["items"]:
                assert len(items) == body["count"]
                return items
            page += 1

    return collect
