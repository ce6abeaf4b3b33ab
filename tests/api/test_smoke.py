"""The server answers, authenticates and refuses as Confluence does."""

from __future__ import annotations

import httpx

from tests.conftest import Person
from tests.server import RunningServer


def test_status(server: RunningServer) -> None:
    response = httpx.get(server.url + "/status")
    assert response.status_code == 200
    assert response.json() == {"state": "RUNNING"}


def test_current_user(admin: Person) -> None:
    response = admin.api.get("/user/current")
    assert response.status_code == 200
    body = response.json()
    assert body["accountId"] == admin.account_id
    assert body["displayName"] == "Administrator"
    assert body["type"] == "known"


def test_wrong_token_is_401_with_challenge(server: RunningServer, admin: Person) -> None:
    response = httpx.get(server.url + "/wiki/rest/api/user/current", auth=(admin.email, "wrong"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")
    assert response.json()["statusCode"] == 401


def test_bearer_token(server: RunningServer, admin: Person) -> None:
    response = httpx.get(server.url + "/rest/api/user/current", headers={"Authorization": f"Bearer {admin.token}"})
    assert response.status_code == 200
    assert response.json()["accountId"] == admin.account_id


def test_anonymous_is_anonymous(anonymous: httpx.Client) -> None:
    response = anonymous.get("/user/current")
    assert response.status_code == 200
    assert response.json()["type"] == "anonymous"


def test_unknown_route_is_confluence_404(admin: Person) -> None:
    response = admin.api.get("/no/such/thing")
    assert response.status_code == 404
    assert response.json()["statusCode"] == 404
