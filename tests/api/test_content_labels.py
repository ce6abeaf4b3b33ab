"""Content labels, label info and space labels, over HTTP."""

from __future__ import annotations

import uuid

import httpx

from tests.api.metadata_helpers import private_space, reader_space
from tests.conftest import Person, create_page
from tests.server import RunningServer


def _names(body: dict) -> list[str]:
    return [lb["name"] for lb in body["results"]]


def test_add_array_and_single_labels_normalised(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    response = admin.api.post(
        f"/content/{page['id']}/label",
        json=[{"prefix": "global", "name": "Release Notes"}, {"prefix": "my", "name": "todo"}],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert _names(body) == ["notes", "release", "todo"]
    assert {lb["prefix"] for lb in body["results"]} == {"global", "my"}
    assert all(lb["label"] == lb["name"] and lb["id"].isdigit() for lb in body["results"])
    single = admin.api.post(f"/content/{page['id']}/label", json={"prefix": "team", "name": "Ops"})
    assert single.status_code == 200
    assert "ops" in _names(single.json())


def test_list_with_prefix_filter_and_paging(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    admin.api.post(f"/content/{page['id']}/label", json=[{"prefix": "global", "name": f"l{i}"} for i in range(5)])
    admin.api.post(f"/content/{page['id']}/label", json={"prefix": "my", "name": "mine"})
    mine = admin.api.get(f"/content/{page['id']}/label", params={"prefix": "my"}).json()
    assert _names(mine) == ["mine"]
    first = admin.api.get(f"/content/{page['id']}/label", params={"limit": 2}).json()
    assert first["size"] == 2 and first["limit"] == 2 and "next" in first["_links"]
    second = admin.server_api.get(first["_links"]["next"].removeprefix("/rest/api")).json()
    assert second["start"] == 2 and _names(second) == ["l2", "l3"]
    everything = admin.api.get(f"/content/{page['id']}/label").json()
    assert everything["size"] == 6 and "next" not in everything["_links"]
    assert admin.api.get(f"/content/{page['id']}/label", params={"prefix": "bogus"}).status_code == 400


def test_invalid_labels_are_400_and_nothing_is_added(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    for bad in ("with:colon", "semi;colon", "bang!", "x" * 256, "   "):
        response = admin.api.post(
            f"/content/{page['id']}/label",
            json=[{"prefix": "global", "name": "fine"}, {"prefix": "global", "name": bad}],
        )
        assert response.status_code == 400, (bad, response.text)
        assert response.json()["statusCode"] == 400
    assert admin.api.post(f"/content/{page['id']}/label", json={"prefix": "nope", "name": "x"}).status_code == 400
    assert admin.api.post(f"/content/{page['id']}/label", json=[]).status_code == 400
    assert admin.api.post(f"/content/{page['id']}/label", json=[{"prefix": "global"}]).status_code == 400
    assert admin.api.get(f"/content/{page['id']}/label").json()["size"] == 0


def test_remove_by_path_and_query(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    admin.api.post(f"/content/{page['id']}/label", json=[{"prefix": "global", "name": n} for n in ("a", "b", "c")])
    assert admin.api.delete(f"/content/{page['id']}/label/a").status_code == 204
    assert admin.api.delete(f"/content/{page['id']}/label", params={"name": "b"}).status_code == 204
    assert admin.api.delete(f"/content/{page['id']}/label", params={"name": "global:c"}).status_code == 204
    assert admin.api.get(f"/content/{page['id']}/label").json()["size"] == 0
    assert admin.api.delete(f"/content/{page['id']}/label/a").status_code == 404
    assert admin.api.delete(f"/content/{page['id']}/label").status_code == 400


def test_labels_show_in_metadata_expansion(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    admin.api.post(f"/content/{page['id']}/label", json={"prefix": "global", "name": "expanded"})
    body = admin.api.get(f"/content/{page['id']}", params={"expand": "metadata.labels"}).json()
    assert _names(body["metadata"]["labels"]) == ["expanded"]


def test_unknown_and_invisible_content_is_404_and_readers_cannot_write(
    server: RunningServer, admin: Person, alice: Person, bob: Person, anonymous: httpx.Client
) -> None:
    assert admin.api.get("/content/999999999/label").status_code == 404
    assert admin.api.post("/content/999999999/label", json={"prefix": "global", "name": "x"}).status_code == 404
    assert admin.api.get("/content/abc/label").status_code == 400
    readable = reader_space(server, admin, alice)
    page = create_page(admin, readable["key"])
    admin.api.post(f"/content/{page['id']}/label", json={"prefix": "global", "name": "kept"})
    # Bob cannot see the space: 404, as for missing content. Alice can read but not edit: 403.
    assert bob.api.get(f"/content/{page['id']}/label").status_code == 404
    assert bob.api.post(f"/content/{page['id']}/label", json={"prefix": "global", "name": "x"}).status_code == 404
    assert anonymous.get(f"/content/{page['id']}/label").status_code == 404
    assert _names(alice.api.get(f"/content/{page['id']}/label").json()) == ["kept"]
    assert alice.api.post(f"/content/{page['id']}/label", json={"prefix": "global", "name": "x"}).status_code == 403
    assert alice.api.delete(f"/content/{page['id']}/label/kept").status_code == 403
    assert _names(admin.api.get(f"/content/{page['id']}/label").json()) == ["kept"]


def test_label_info_lists_visible_content(admin: Person, bob: Person, space: dict) -> None:
    name = f"info{uuid.uuid4().hex[:8]}"
    pages = [create_page(admin, space["key"]) for _ in range(3)]
    blog = create_page(admin, space["key"], type="blogpost")
    for item in [*pages, blog]:
        admin.api.post(f"/content/{item['id']}/label", json={"prefix": "global", "name": name})
    body = admin.api.get("/label", params={"name": name}).json()
    assert body["label"]["name"] == name
    assert body["associatedContents"]["size"] == 4
    assert {c["contentId"] for c in body["associatedContents"]["results"]} == {int(p["id"]) for p in [*pages, blog]}
    assert {c["contentType"] for c in body["associatedContents"]["results"]} == {"page", "blogpost"}
    only_blogs = admin.api.get("/label", params={"name": name, "type": "blogpost"}).json()
    assert [c["contentId"] for c in only_blogs["associatedContents"]["results"]] == [int(blog["id"])]
    paged = admin.api.get("/label", params={"name": name, "limit": 2, "start": 1}).json()
    assert paged["associatedContents"]["size"] == 2 and paged["associatedContents"]["start"] == 1
    assert admin.api.get("/label").status_code == 400
    assert admin.api.get("/label", params={"name": name, "type": "folder"}).status_code == 400
    assert admin.api.get("/label", params={"name": f"missing{uuid.uuid4().hex}"}).status_code == 404
    private = private_space(admin)
    hidden = create_page(admin, private["key"])
    admin.api.post(f"/content/{hidden['id']}/label", json={"prefix": "global", "name": name})
    seen = {
        c["contentId"] for c in bob.api.get("/label", params={"name": name}).json()["associatedContents"]["results"]
    }
    assert int(hidden["id"]) not in seen
    assert {int(p["id"]) for p in pages} <= seen


def test_space_labels(admin: Person, alice: Person, space: dict) -> None:
    key = space["key"]
    added = admin.api.post(
        f"/space/{key}/label", json=[{"prefix": "team", "name": "Engineering"}, {"prefix": "global", "name": "docs"}]
    )
    assert added.status_code == 200, added.text
    assert _names(added.json()) == ["docs", "engineering"]
    assert _names(admin.api.get(f"/space/{key}/label", params={"prefix": "team"}).json()) == ["engineering"]
    expanded = admin.api.get(f"/space/{key}", params={"expand": "metadata.labels"}).json()
    assert _names(expanded["metadata"]["labels"]) == ["docs", "engineering"]
    assert alice.api.post(f"/space/{key}/label", json=[{"prefix": "global", "name": "x"}]).status_code == 403
    assert admin.api.post(f"/space/{key}/label", json=[{"prefix": "global", "name": "a,b"}]).status_code == 400
    assert admin.api.delete(f"/space/{key}/label", params={"name": "engineering", "prefix": "team"}).status_code == 204
    assert admin.api.delete(f"/space/{key}/label", params={"name": "docs"}).status_code == 204
    assert admin.api.delete(f"/space/{key}/label", params={"name": "docs"}).status_code == 404
    assert admin.api.delete(f"/space/{key}/label").status_code == 400
    assert admin.api.get(f"/space/{key}/label").json()["size"] == 0
    assert admin.api.get("/space/NOSUCHSPACE1/label").status_code == 404


def test_labels_on_server_prefix(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    response = admin.server_api.post(f"/content/{page['id']}/label", json=[{"prefix": "global", "name": "srv"}])
    assert response.status_code == 200
    assert response.json()["_links"]["context"] == ""
    assert _names(admin.server_api.get(f"/content/{page['id']}/label").json()) == ["srv"]
