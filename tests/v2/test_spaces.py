"""v2 spaces over the same spaces as v1: filters, paging, single space with include-* and creation."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.conftest import Person
from tests.server import RunningServer


def v2_client(server: RunningServer, person: Person) -> httpx.Client:
    return httpx.Client(base_url=server.url + "/wiki/api/v2", auth=(person.email, person.token), timeout=30)


@pytest.fixture
def v2(server: RunningServer, admin: Person):  # type: ignore[no-untyped-def]
    with v2_client(server, admin) as client:
        yield client


def test_space_by_id_matches_v1(v2: httpx.Client, space: dict, admin: Person) -> None:
    got = v2.get(f"/spaces/{space['id']}", params={"description-format": "plain", "include-icon": "true"})
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["id"] == str(space["id"]) and body["key"] == space["key"] and body["name"] == space["name"]
    assert body["homepageId"] == str(space["homepage"]["id"]) and body["authorId"] == admin.account_id
    assert body["description"]["plain"]["representation"] == "plain" and "path" in body["icon"]
    assert body["_links"]["webui"] == f"/spaces/{space['key']}" and body["_links"]["base"]
    assert v2.get("/spaces/99999999").status_code == 404
    assert v2.get("/spaces/abc").status_code == 400


def test_space_includes(v2: httpx.Client, space: dict, admin: Person) -> None:
    admin.api.post(f"/space/{space['key']}/label", json=[{"prefix": "global", "name": "teamv2"}])
    admin.api.post(f"/space/{space['key']}/property", json={"key": "colour", "value": {"c": "red"}})
    body = v2.get(
        f"/spaces/{space['id']}",
        params={"include-labels": "true", "include-operations": "true", "include-properties": "true"},
    ).json()
    assert [label["name"] for label in body["labels"]["results"]] == ["teamv2"]
    assert {"operation": "administer", "targetType": "space"} in body["operations"]["results"]
    assert [(p["key"], p["value"]) for p in body["properties"]["results"]] == [("colour", {"c": "red"})]
    labelled = v2.get("/spaces", params={"labels": "teamv2"}).json()["results"]
    assert [s["id"] for s in labelled] == [str(space["id"])]


def test_filters_sort_and_paging_to_the_end(v2: httpx.Client, admin: Person) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    keys = [f"P{tag}{i}" for i in range(5)]
    for key in keys:
        assert admin.api.post("/space", json={"key": key, "name": f"Paged {key}"}).status_code == 200
    seen: list[str] = []
    response = v2.get("/spaces", params={"keys": ",".join(keys), "limit": 2, "sort": "-key"})
    while True:
        assert response.status_code == 200, response.text
        seen += [s["key"] for s in response.json()["results"]]
        nxt = response.json()["_links"].get("next")
        if not nxt:
            break
        assert response.headers["link"].startswith(f"<{nxt}>")
        response = v2.get(nxt.removeprefix("/wiki/api/v2"))
    assert seen == sorted(keys, reverse=True)
    ids = v2.get("/spaces", params=[("keys", keys[0]), ("keys", keys[1])]).json()["results"]
    assert len(ids) == 2
    by_id = v2.get("/spaces", params={"ids": ",".join(s["id"] for s in ids)}).json()["results"]
    assert {s["key"] for s in by_id} == {keys[0], keys[1]}
    for params in ({"cursor": "nope"}, {"sort": "colour"}, {"type": "odd"}, {"ids": "x"}, {"limit": 0}):
        bad = v2.get("/spaces", params=params)
        assert bad.status_code == 400 and bad.json()["errors"][0]["status"] == 400, params


def test_create_space_and_visibility(v2: httpx.Client, server: RunningServer, alice: Person, bob: Person) -> None:
    key = "C" + uuid.uuid4().hex[:8].upper()
    created = v2.post(
        "/spaces", json={"key": key, "name": "Made in v2", "description": {"value": "d", "representation": "plain"}}
    )
    assert created.status_code == 201, created.text
    assert created.json()["key"] == key and created.json()["description"]["plain"]["value"] == "d"
    assert v2.post("/spaces", json={"key": key, "name": "Again"}).status_code == 400
    private_key = "Q" + uuid.uuid4().hex[:8].upper()
    private = v2.post("/spaces", json={"key": private_key, "name": "Hidden", "createPrivateSpace": True}).json()
    with v2_client(server, alice) as as_alice:
        assert as_alice.get(f"/spaces/{created.json()['id']}").status_code == 200
        assert as_alice.get(f"/spaces/{private['id']}").status_code == 404
        assert as_alice.get("/spaces", params={"keys": private_key}).json()["results"] == []


def test_favourite_filters(v2: httpx.Client, admin: Person, alice: Person) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    keys = [f"F{tag}{i}" for i in range(3)]
    for key in keys:
        assert admin.api.post("/space", json={"key": key, "name": key}).status_code == 200
    liked = alice.api.put(f"/relation/favourite/from/user/{alice.account_id}/to/space/{keys[1]}")
    assert liked.status_code == 200, liked.text
    params = {"keys": ",".join(keys)}
    assert [
        s["key"] for s in v2.get("/spaces", params={**params, "favorited-by": alice.account_id}).json()["results"]
    ] == [keys[1]]
    rest = v2.get("/spaces", params={**params, "not-favorited-by": alice.account_id}).json()["results"]
    assert [s["key"] for s in rest] == [keys[0], keys[2]]
