"""v2 pages and blog posts over the same data as v1: ids, versions, bodies and paging."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Person, create_page
from tests.server import RunningServer


@pytest.fixture
def v2(server: RunningServer, admin: Person):  # type: ignore[no-untyped-def]
    client = httpx.Client(base_url=server.url + "/wiki/api/v2", auth=(admin.email, admin.token), timeout=30)
    yield client
    client.close()


def test_a_v1_page_reads_through_v2_and_back(admin: Person, v2: httpx.Client, space: dict) -> None:
    page = create_page(admin, space["key"], "Both APIs", body="<p>one</p>")
    got = v2.get(f"/pages/{page['id']}", params={"body-format": "storage"})
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["id"] == page["id"] and body["title"] == "Both APIs"
    assert body["spaceId"] == str(space["id"])
    assert body["version"]["number"] == 1 and body["authorId"] == admin.account_id
    assert body["body"]["storage"] == {"representation": "storage", "value": "<p>one</p>"}

    updated = v2.put(
        f"/pages/{page['id']}",
        json={
            "id": page["id"],
            "status": "current",
            "title": "Both APIs v2",
            "body": {"representation": "storage", "value": "<p>two</p>"},
            "version": {"number": 2},
        },
    )
    assert updated.status_code == 200, updated.text
    v1 = admin.api.get(f"/content/{page['id']}", params={"expand": "body.storage,version"}).json()
    assert v1["title"] == "Both APIs v2" and v1["version"]["number"] == 2
    assert v1["body"]["storage"]["value"] == "<p>two</p>"

    stale = v2.put(
        f"/pages/{page['id']}",
        json={"id": page["id"], "status": "current", "title": "Stale", "version": {"number": 2}},
    )
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["status"] == 409 and stale.json()["errors"][0]["code"] == "CONFLICT"


def test_create_list_and_delete(admin: Person, v2: httpx.Client, space: dict) -> None:
    home = str(space["homepage"]["id"])
    created = v2.post(
        "/pages",
        json={
            "spaceId": str(space["id"]),
            "title": "Made in v2",
            "parentId": home,
            "body": {"representation": "storage", "value": "<p>hi</p>"},
        },
    )
    assert created.status_code == 200, created.text
    page = created.json()
    assert page["parentId"] == home and page["body"]["storage"]["value"] == "<p>hi</p>"
    assert admin.api.get(f"/content/{page['id']}").json()["title"] == "Made in v2"

    assert v2.delete(f"/pages/{page['id']}").status_code == 204
    assert v2.get(f"/pages/{page['id']}").status_code == 404
    assert v2.delete(f"/pages/{page['id']}", params={"purge": "true"}).status_code == 204
    missing = v2.get(f"/pages/{page['id']}", params={"status": "trashed"})
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "NOT_FOUND"


def test_cursor_paging_visits_every_page_once(admin: Person, v2: httpx.Client, space: dict) -> None:
    made = {create_page(admin, space["key"], f"Paged {i}")["id"] for i in range(7)} | {str(space["homepage"]["id"])}
    seen: list[str] = []
    response = v2.get(f"/spaces/{space['id']}/pages", params={"limit": 3})
    while True:
        assert response.status_code == 200, response.text
        seen += [p["id"] for p in response.json()["results"]]
        nxt = response.json()["_links"].get("next")
        if not nxt:
            assert "link" not in response.headers
            break
        assert response.headers["link"].startswith(f"<{nxt}>")
        response = v2.get(nxt.removeprefix("/wiki/api/v2"))
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))


def test_bad_cursors_and_limits_are_400(v2: httpx.Client, space: dict) -> None:
    for params in ({"cursor": "garbage"}, {"cursor": "eyJvIjoxLCJzIjoieCJ9"}, {"limit": 0}, {"sort": "sideways"}):
        response = v2.get("/pages", params=params)
        assert response.status_code == 400, (params, response.text)
        assert response.json()["errors"][0]["status"] == 400
    other = v2.get("/pages", params={"limit": 1, "space-id": space["id"]}).json()["_links"].get("next")
    if other:
        cursor = other.split("cursor=")[1]
        assert v2.get("/blogposts", params={"cursor": cursor}).status_code == 400


def test_blog_posts(admin: Person, v2: httpx.Client, space: dict) -> None:
    created = v2.post(
        "/blogposts",
        json={"spaceId": str(space["id"]), "title": "News", "body": {"representation": "wiki", "value": "h1. Hello"}},
    )
    assert created.status_code == 200, created.text
    post = created.json()
    assert "parentId" not in post
    listed = v2.get(f"/spaces/{space['id']}/blogposts", params={"body-format": "storage"}).json()["results"]
    assert [p["id"] for p in listed] == [post["id"]]
    assert "<h1>Hello</h1>" in listed[0]["body"]["storage"]["value"]
    assert v2.get(f"/pages/{post['id']}").status_code == 404


def test_listing_by_status_ignores_order_and_repeats(admin: Person, v2: httpx.Client, space: dict) -> None:
    # The statuses are written into the statement (db/literals.py), sorted and without repeats.
    kept = create_page(admin, space["key"], "Kept")["id"]
    gone = create_page(admin, space["key"], "Gone")["id"]
    assert v2.delete(f"/pages/{gone}").status_code == 204

    def ids(*statuses: str) -> list[str]:
        response = v2.get(f"/spaces/{space['id']}/pages", params={"status": list(statuses), "limit": 250})
        assert response.status_code == 200, response.text
        return sorted(p["id"] for p in response.json()["results"])

    both = ids("trashed", "current")
    assert kept in both and gone in both
    assert ids("current", "trashed", "current") == both
    assert gone not in ids("current") and ids("trashed") == [gone]
    assert v2.get(f"/spaces/{space['id']}/blogposts", params={"status": ["trashed", "trashed"]}).json()["results"] == []


def test_invisible_is_not_found(alice: Person, server: RunningServer, admin: Person) -> None:
    private = admin.api.post(
        "/space/_private", json={"key": "V2P" + alice.account_id[-6:].upper().replace("-", ""), "name": "Private"}
    ).json()
    page = create_page(admin, private["key"], "Secret v2")
    with httpx.Client(base_url=server.url + "/wiki/api/v2", auth=(alice.email, alice.token)) as v2:
        assert v2.get(f"/pages/{page['id']}").status_code == 404
        assert page["id"] not in {p["id"] for p in v2.get("/pages", params={"limit": 250}).json()["results"]}
