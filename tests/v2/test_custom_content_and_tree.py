"""v2 custom content, folders, whiteboards, databases and smart links: content rows through the
v1 content service, under the same visibility rule and space permissions."""

from __future__ import annotations

import httpx
import pytest

from tests.api.metadata_helpers import private_space, reader_space
from tests.conftest import Person, create_page
from tests.server import RunningServer


def _client(server: RunningServer, person: Person) -> httpx.Client:
    return httpx.Client(base_url=server.url + "/wiki/api/v2", auth=(person.email, person.token), timeout=30)


@pytest.fixture
def v2(server: RunningServer, admin: Person):  # type: ignore[no-untyped-def]
    with _client(server, admin) as client:
        yield client


def _custom(v2: httpx.Client, title: str, value: str = "<p>x</p>", **container: str) -> dict:
    made = v2.post(
        "/custom-content",
        json={
            "type": "ac:app:thing",
            "title": title,
            "body": {"representation": "storage", "value": value},
            **container,
        },
    )
    assert made.status_code == 201, made.text
    return made.json()


def test_custom_content_lifecycle(admin: Person, v2: httpx.Client, space: dict) -> None:
    page = create_page(admin, space["key"], "Holds custom")
    item = _custom(v2, "Thing one", "<p>one</p>", pageId=page["id"])
    assert item["type"] == "ac:app:thing" and item["pageId"] == page["id"] and item["spaceId"] == str(space["id"])
    assert item["body"]["storage"]["value"] == "<p>one</p>" and item["version"]["number"] == 1
    nested = _custom(v2, "Nested", customContentId=item["id"])
    assert nested["customContentId"] == item["id"]
    at_root = _custom(v2, "At root", spaceId=str(space["id"]))
    assert "pageId" not in at_root and "customContentId" not in at_root

    got = v2.get(f"/custom-content/{item['id']}", params={"body-format": "raw"}).json()
    assert got["body"]["raw"]["value"] == "<p>one</p>"
    update = {
        "id": item["id"],
        "type": "ac:app:thing",
        "status": "current",
        "pageId": page["id"],
        "title": "Thing one v2",
        "body": {"representation": "storage", "value": "<p>two</p>"},
        "version": {"number": 2},
    }
    updated = v2.put(f"/custom-content/{item['id']}", json=update)
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"]["number"] == 2 and updated.json()["title"] == "Thing one v2"
    stale = v2.put(f"/custom-content/{item['id']}", json=update)
    assert stale.status_code == 409 and stale.json()["errors"][0]["code"] == "CONFLICT"
    assert v2.put(f"/custom-content/{item['id']}", json={**update, "type": "other"}).status_code == 400
    assert admin.api.get(f"/content/{item['id']}").json()["version"]["number"] == 2
    flags = {"include-versions": "true", "include-operations": "true", "include-properties": "true"}
    detailed = v2.get(f"/custom-content/{item['id']}", params=flags).json()
    assert [v["number"] for v in detailed["versions"]["results"]] == [2, 1]
    assert {"operation": "delete", "targetType": "custom-content"} in detailed["operations"]["results"]
    assert detailed["properties"]["results"] == []

    in_page = v2.get(f"/pages/{page['id']}/custom-content", params={"type": "ac:app:thing"}).json()["results"]
    assert [c["id"] for c in in_page] == [item["id"]]
    in_space = v2.get(f"/spaces/{space['id']}/custom-content", params={"type": "ac:app:thing"}).json()["results"]
    assert {c["id"] for c in in_space} == {item["id"], nested["id"], at_root["id"]}
    assert v2.get("/custom-content").status_code == 400
    assert v2.get(f"/pages/{item['id']}").status_code == 404

    assert v2.delete(f"/custom-content/{item['id']}").status_code == 204
    assert v2.get(f"/custom-content/{item['id']}").status_code == 404
    assert v2.delete(f"/custom-content/{item['id']}", params={"purge": "true"}).status_code == 204


def test_custom_content_paging_and_bad_input(admin: Person, v2: httpx.Client, space: dict) -> None:
    post = create_page(admin, space["key"], "Blog with custom", type="blogpost")
    made = [_custom(v2, f"Item {i}", blogPostId=post["id"])["id"] for i in range(5)]
    seen: list[str] = []
    response = v2.get("/custom-content", params={"type": "ac:app:thing", "space-id": space["id"], "limit": 2})
    while True:
        assert response.status_code == 200, response.text
        seen += [c["id"] for c in response.json()["results"]]
        nxt = response.json()["_links"].get("next")
        if not nxt:
            break
        response = v2.get(nxt.removeprefix("/wiki/api/v2"))
    assert seen == made
    assert v2.get("/custom-content", params={"type": "ac:app:thing", "cursor": "bad"}).status_code == 400
    body = {"representation": "storage", "value": "<p>x</p>"}
    two = {"type": "ac:a:t", "title": "x", "body": body, "pageId": post["id"], "spaceId": str(space["id"])}
    assert v2.post("/custom-content", json=two).status_code == 400
    wrong = {"type": "ac:a:t", "title": "x", "body": body, "pageId": post["id"]}
    assert v2.post("/custom-content", json=wrong).status_code == 404
    for bad in ("t", "ac::t", "ac:a b:t", ""):
        response = v2.post("/custom-content", json={**wrong, "type": bad, "spaceId": str(space["id"])})
        assert response.status_code == 400, bad


# Forge names a custom content type forge:<app-id>:<environment-id>:<module-key>.
FORGE_TYPE = "forge:3f2504e0-4f89-11d3-9a0c-0305e82c3301:6ba7b810-9dad-11d1-80b4-00c04fd430c8:customer-record"


def test_forge_custom_content_through_v2_and_v1(admin: Person, v2: httpx.Client, space: dict) -> None:
    page = create_page(admin, space["key"], "Holds Forge content")
    made = v2.post(
        "/custom-content",
        json={
            "type": FORGE_TYPE,
            "title": "Record",
            "pageId": page["id"],
            "body": {"representation": "raw", "value": "{}"},
        },
    )
    assert made.status_code == 201, made.text
    item = made.json()
    assert item["type"] == FORGE_TYPE

    # v1 sees the same type, and lists and updates the content by it.
    got = admin.api.get(f"/content/{item['id']}", params={"expand": "body.storage,version,container"})
    assert got.status_code == 200, got.text
    assert got.json()["type"] == FORGE_TYPE and got.json()["body"]["storage"]["value"] == "{}"
    listed = admin.api.get("/content", params={"type": FORGE_TYPE, "spaceKey": space["key"]})
    assert listed.status_code == 200, listed.text
    assert [c["id"] for c in listed.json()["results"]] == [item["id"]]
    updated = admin.api.put(
        f"/content/{item['id']}",
        json={
            "type": FORGE_TYPE,
            "title": "Record v2",
            "version": {"number": 2},
            "body": {"storage": {"value": '{"n": 2}', "representation": "storage"}},
        },
    )
    assert updated.status_code == 200, updated.text
    again = v2.get(f"/custom-content/{item['id']}", params={"body-format": "raw"}).json()
    assert (again["title"], again["version"]["number"], again["body"]["raw"]["value"]) == ("Record v2", 2, '{"n": 2}')

    # v1 creates one; v2 finds it by type, in the space and below the page.
    created = admin.api.post(
        "/content",
        json={
            "type": FORGE_TYPE,
            "title": "From v1",
            "space": {"key": space["key"]},
            "ancestors": [{"id": page["id"]}],
            "body": {"storage": {"value": "{}", "representation": "storage"}},
        },
    )
    assert created.status_code == 200, created.text
    assert created.json()["type"] == FORGE_TYPE
    by_type = v2.get("/custom-content", params={"type": FORGE_TYPE, "space-id": space["id"]}).json()["results"]
    assert [c["id"] for c in by_type] == [item["id"], created.json()["id"]]
    below = v2.get(f"/pages/{page['id']}/custom-content", params={"type": FORGE_TYPE}).json()["results"]
    assert {c["id"] for c in below} == {item["id"], created.json()["id"]}
    children = v2.get(f"/custom-content/{item['id']}/children").json()["results"]
    assert children == []
    assert v2.get("/custom-content", params={"type": "forge:other:env:key"}).json()["results"] == []


def test_custom_content_types_longer_than_255_characters_are_refused(
    admin: Person, v2: httpx.Client, space: dict
) -> None:
    longest = FORGE_TYPE + "x" * (255 - len(FORGE_TYPE))
    body = {"representation": "storage", "value": "<p>x</p>"}
    fits = v2.post(
        "/custom-content", json={"type": longest, "title": "Fits", "spaceId": str(space["id"]), "body": body}
    )
    assert fits.status_code == 201, fits.text
    assert v2.get(f"/custom-content/{fits.json()['id']}").json()["type"] == longest
    too_long = {"type": longest + "x", "title": "Too long", "spaceId": str(space["id"]), "body": body}
    refused = v2.post("/custom-content", json=too_long)
    assert refused.status_code == 400
    assert "at most 255 characters" in refused.json()["errors"][0]["title"] + refused.json()["errors"][0].get(
        "detail", ""
    )
    v1 = {
        "type": longest + "x",
        "title": "Too long",
        "space": {"key": space["key"]},
        "body": {"storage": {"value": "<p>x</p>", "representation": "storage"}},
    }
    refused_v1 = admin.api.post("/content", json=v1)
    assert refused_v1.status_code == 400 and "at most 255 characters" in refused_v1.json()["message"]
    assert v2.get("/custom-content", params={"type": longest + "x"}).status_code == 400


@pytest.mark.parametrize(
    ("collection", "content_type", "extra"),
    [
        ("folders", "folder", {}),
        ("whiteboards", "whiteboard", {"templateKey": "kanban-board"}),
        ("databases", "database", {}),
        ("embeds", "embed", {"embedUrl": "https://example.com/a?b=1&c=2"}),
    ],
)
def test_tree_items(
    admin: Person, v2: httpx.Client, space: dict, collection: str, content_type: str, extra: dict
) -> None:
    home = str(space["homepage"]["id"])
    made = v2.post(f"/{collection}", json={"spaceId": str(space["id"]), "parentId": home, **extra})
    assert made.status_code == 200, made.text
    item = made.json()
    assert item["type"] == content_type and item["parentId"] == home and item["parentType"] == "page"
    assert item["title"] and item["authorId"] == admin.account_id and item["version"]["number"] == 1
    if content_type == "embed":
        assert item["embedUrl"] == "https://example.com/a?b=1&c=2"
    got = v2.get(f"/{collection}/{item['id']}")
    assert got.status_code == 200 and got.json()["id"] == item["id"]
    assert v2.get(f"/pages/{item['id']}").status_code == 404
    other = "folders" if collection != "folders" else "embeds"
    assert v2.get(f"/{other}/{item['id']}").status_code == 404
    assert v2.delete(f"/{collection}/{item['id']}").status_code == 204
    assert v2.get(f"/{collection}/{item['id']}").status_code == 404


def test_pages_hang_below_folders(admin: Person, v2: httpx.Client, space: dict) -> None:
    folder = v2.post("/folders", json={"spaceId": str(space["id"]), "title": "Docs"}).json()
    assert folder["parentId"] is None and folder["title"] == "Docs"
    page = v2.post("/pages", json={"spaceId": str(space["id"]), "title": "In a folder", "parentId": folder["id"]})
    assert page.status_code == 200, page.text
    assert page.json()["parentId"] == folder["id"]
    inner = v2.post("/whiteboards", json={"spaceId": str(space["id"]), "parentId": folder["id"]})
    assert inner.status_code == 200 and inner.json()["parentType"] == "folder"
    post = create_page(admin, space["key"], "A post", type="blogpost")
    assert v2.post("/folders", json={"spaceId": str(space["id"]), "parentId": post["id"]}).status_code == 404
    assert v2.post("/embeds", json={"spaceId": str(space["id"]), "embedUrl": "javascript:x"}).status_code == 400


def test_tree_and_custom_permissions(server: RunningServer, admin: Person, alice: Person, bob: Person) -> None:
    readable = reader_space(server, admin, alice)
    hidden = private_space(admin)
    with _client(server, admin) as v2:
        folder = v2.post("/folders", json={"spaceId": str(readable["id"])}).json()
        secret = v2.post("/folders", json={"spaceId": str(hidden["id"])}).json()
        custom = _custom(v2, "Readable", spaceId=str(readable["id"]))
    with _client(server, alice) as v2:
        assert v2.get(f"/folders/{folder['id']}").status_code == 200
        assert v2.get(f"/folders/{secret['id']}").status_code == 404
        refused = v2.post("/folders", json={"spaceId": str(readable["id"])})
        assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "PERMISSION_DENIED"
        assert v2.delete(f"/folders/{folder['id']}").status_code == 403
        assert v2.get(f"/custom-content/{custom['id']}").status_code == 200
        assert v2.delete(f"/custom-content/{custom['id']}").status_code == 403
    with _client(server, bob) as v2:
        assert v2.get(f"/folders/{folder['id']}").status_code == 404
        assert v2.get(f"/custom-content/{custom['id']}").status_code == 404
        listed = v2.get("/custom-content", params={"type": "ac:app:thing", "limit": 250}).json()["results"]
        assert custom["id"] not in {c["id"] for c in listed}
