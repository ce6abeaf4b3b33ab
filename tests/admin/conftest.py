"""A site of its own for the admin tests: they reset whole databases, which must never hit the
shared server other test modules keep session-scoped data on."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from localfluence.testing.server import LocalfluenceServer, start_server
from tests.server import database_for_worker

ADMIN_TOKEN = "admin-tests-token"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalfluenceServer]:
    data_dir = tmp_path_factory.mktemp("admin-site")
    server = start_server(data_dir=data_dir, database_url=database_for_worker(data_dir), admin_token=ADMIN_TOKEN)
    yield server
    server.stop()


@pytest.fixture
def lf(site: LocalfluenceServer) -> LocalfluenceServer:
    """The site, reset for this test."""
    site.admin.reset()
    return site


@pytest.fixture
def api(lf: LocalfluenceServer) -> Iterator[httpx.Client]:
    """/wiki/rest/api as the site admin."""
    with httpx.Client(base_url=lf.api_url, auth=lf.auth, timeout=30) as client:
        yield client


def make_space(api: httpx.Client, key: str | None = None) -> dict:
    response = api.post("/space", json={"key": key or f"S{uuid.uuid4().hex[:8].upper()}", "name": "Space"})
    assert response.status_code == 200, response.text
    return response.json()


def make_page(
    api: httpx.Client, space_key: str, title: str, *, parent: str | None = None, body: str = "<p>x</p>"
) -> dict:
    payload: dict = {
        "type": "page",
        "title": title,
        "space": {"key": space_key},
        "body": {"storage": {"value": body, "representation": "storage"}},
    }
    if parent:
        payload["ancestors"] = [{"id": parent}]
    response = api.post("/content", json=payload)
    assert response.status_code == 200, response.text
    return response.json()


def make_user(lf: LocalfluenceServer, email: str, token: str, *, admin: bool = False) -> tuple[str, str]:
    """A user through the seed API; returns basic-auth credentials."""
    lf.admin.seed({"users": [{"email": email, "displayName": email.split("@")[0], "token": token, "admin": admin}]})
    return (email, token)
