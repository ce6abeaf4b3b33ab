"""v2 content properties: by id, over the same rows as v1's by-key properties."""

from __future__ import annotations

import httpx
import pytest

from tests.api.metadata_helpers import reader_space
from tests.conftest import Person, create_page
from tests.server import RunningServer


def _client(server: RunningServer, person: Person) -> httpx.Client:
    return httpx.Client(base_url=server.url + "/wiki/api/v2", auth=(person.email, person.token), timeout=30)


@pytest.fixture
def v2(server: RunningServer, admin: Person):  # type: ignore[no-untyped-def]
    with _client(server, admin) as client:
        yield client


def test_create_read_update_delete_and_v1_sees_it(admin: Person, v2: httpx.Client, space: dict) -> None:
    page = create_page(admin, space["key"], "Props")
    made = v2.post(f"/pages/{page['id']}/properties", json={"key": "colour", "value": {"hue": "red"}})
    assert made.status_code == 200, made.text
    prop = made.json()
    assert prop["key"] == "colour" and prop["value"] == {"hue": "red"} and prop["version"]["number"] == 1
    assert prop["version"]["authorId"] == admin.account_id

    v1 = admin.api.get(f"/content/{page['id']}/property/colour").json()
    assert v1["id"] == prop["id"] and v1["value"] == {"hue": "red"}

    got = v2.get(f"/pages/{page['id']}/properties/{prop['id']}")
    assert got.status_code == 200 and got.json()["value"] == {"hue": "red"}

    updated = v2.put(
        f"/pages/{page['id']}/properties/{prop['id']}",
        json={"key": "colour", "value": "blue", "version": {"number": 2}},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["value"] == "blue" and updated.json()["version"]["number"] == 2

    stale = v2.put(
        f"/pages/{page['id']}/properties/{prop['id']}",
        json={"key": "colour", "value": "green", "version": {"number": 2}},
    )
    assert stale.status_code == 409 and stale.json()["errors"][0]["code"] == "CONFLICT"
    renamed = v2.put(
        f"/pages/{page['id']}/properties/{prop['id']}", json={"key": "other", "value": 1, "version": {"number": 3}}
    )
    assert renamed.status_code == 400

    duplicate = v2.post(f"/pages/{page['id']}/properties", json={"key": "colour", "value": 1})
    assert duplicate.status_code == 400 and duplicate.json()["errors"][0]["status"] == 400

    assert v2.delete(f"/pages/{page['id']}/properties/{prop['id']}").status_code == 204
    assert v2.get(f"/pages/{page['id']}/properties/{prop['id']}").status_code == 404
    assert admin.api.get(f"/content/{page['id']}/property/colour").status_code == 404


def test_entity_type_must_match(admin: Person, v2: httpx.Client, space: dict) -> None:
    page = create_page(admin, space["key"], "Not a post")
    assert v2.get(f"/blogposts/{page['id']}/properties").status_code == 404
    assert v2.post(f"/folders/{page['id']}/properties", json={"key": "k", "value": 1}).status_code == 404
    prop = v2.post(f"/pages/{page['id']}/properties", json={"key": "k", "value": 1}).json()
    other = create_page(admin, space["key"], "Other page")
    assert v2.get(f"/pages/{other['id']}/properties/{prop['id']}").status_code == 404
    assert v2.get(f"/pages/{page['id']}/properties/nope").status_code == 400


def test_paging_to_the_end_sorting_and_key_filter(admin: Person, v2: httpx.Client, space: dict) -> None:
    post = create_page(admin, space["key"], "Props post", type="blogpost")
    keys = [f"key-{i:02d}" for i in range(7)]
    for key in keys:
        assert v2.post(f"/blogposts/{post['id']}/properties", json={"key": key, "value": key}).status_code == 200
    seen: list[str] = []
    response = v2.get(f"/blogposts/{post['id']}/properties", params={"limit": 3, "sort": "-key"})
    while True:
        assert response.status_code == 200, response.text
        seen += [p["key"] for p in response.json()["results"]]
        nxt = response.json()["_links"].get("next")
        if not nxt:
            break
        assert response.headers["link"].startswith(f"<{nxt}>")
        response = v2.get(nxt.removeprefix("/wiki/api/v2"))
    assert seen == sorted(keys, reverse=True)
    only = v2.get(f"/blogposts/{post['id']}/properties", params={"key": "key-03"}).json()["results"]
    assert [p["key"] for p in only] == ["key-03"]
    assert v2.get(f"/blogposts/{post['id']}/properties", params={"cursor": "forged"}).status_code == 400
    assert v2.get(f"/blogposts/{post['id']}/properties", params={"sort": "value"}).status_code == 400


def test_permissions(server: RunningServer, admin: Person, alice: Person) -> None:
    key = "V2CP" + alice.account_id[-6:].upper().replace("-", "")
    private = admin.api.post("/space/_private", json={"key": key, "name": "Private"}).json()
    page = create_page(admin, private["key"], "Secret props")
    with _client(server, admin) as v2:
        prop = v2.post(f"/pages/{page['id']}/properties", json={"key": "k", "value": 1}).json()
    with _client(server, alice) as v2:
        assert v2.get(f"/pages/{page['id']}/properties").status_code == 404
        assert v2.get(f"/pages/{page['id']}/properties/{prop['id']}").status_code == 404
        assert v2.post(f"/pages/{page['id']}/properties", json={"key": "x", "value": 1}).status_code == 404
    with httpx.Client(base_url=server.url + "/wiki/api/v2") as anonymous:
        assert anonymous.delete(f"/pages/{page['id']}/properties/{prop['id']}").status_code in (401, 404)


def test_readers_may_not_write(server: RunningServer, admin: Person, alice: Person) -> None:
    readable = reader_space(server, admin, alice)
    page = create_page(admin, readable["key"], "Read only props")
    with _client(server, admin) as v2:
        prop = v2.post(f"/pages/{page['id']}/properties", json={"key": "k", "value": 1}).json()
    with _client(server, alice) as v2:
        assert v2.get(f"/pages/{page['id']}/properties/{prop['id']}").json()["value"] == 1
        refused = v2.post(f"/pages/{page['id']}/properties", json={"key": "x", "value": 1})
        assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "PERMISSION_DENIED"
        update = {"key": "k", "value": 2, "version": {"number": 2}}
        assert v2.put(f"/pages/{page['id']}/properties/{prop['id']}", json=update).status_code == 403
        assert v2.delete(f"/pages/{page['id']}/properties/{prop['id']}").status_code == 403
