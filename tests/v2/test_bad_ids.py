"""Ids no stored row can have (non-ASCII digits, beyond 64 bits) are a 400 or a 404, never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Person, create_page
from tests.server import RunningServer

HUGE = str(2**70)


@pytest.fixture
def v2(server: RunningServer, admin: Person):  # type: ignore[no-untyped-def]
    client = httpx.Client(base_url=server.url + "/wiki/api/v2", auth=(admin.email, admin.token), timeout=30)
    yield client
    client.close()


@pytest.mark.parametrize(
    "path",
    [
        "/pages/\u00b2",
        "/footer-comments/\u0663",
        "/tasks/\u00b2",
        f"/spaces/{HUGE}/pages",
        f"/spaces/{HUGE}/blogposts",
    ],
)
def test_an_impossible_id_is_not_a_server_error(v2: httpx.Client, path: str) -> None:
    got = v2.get(path)
    assert got.status_code in (400, 404), got.text


@pytest.mark.parametrize("path", [f"/pages?id={HUGE}", f"/blogposts?space-id={HUGE}"])
def test_a_filter_on_an_impossible_id_matches_nothing(v2: httpx.Client, path: str) -> None:
    got = v2.get(path)
    assert got.status_code == 200, got.text
    assert got.json()["results"] == []


def test_an_impossible_property_id_is_not_a_server_error(admin: Person, v2: httpx.Client, space: dict) -> None:
    page = create_page(admin, space["key"], "Props")
    got = v2.get(f"/pages/{page['id']}/properties/{HUGE}")
    assert got.status_code in (400, 404), got.text


def test_a_page_created_in_an_impossible_space_is_refused(v2: httpx.Client) -> None:
    got = v2.post(
        "/pages", json={"spaceId": HUGE, "title": "Nowhere", "body": {"representation": "storage", "value": ""}}
    )
    assert got.status_code in (400, 404), got.text


def test_impossible_content_ids_are_not_a_server_error(v2: httpx.Client) -> None:
    got = v2.post("/content/convert-ids-to-types", json={"contentIds": ["\u00b2"]})
    assert got.status_code == 400, got.text
