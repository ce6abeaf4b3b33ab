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
    two = {"type": "t", "title": "x", "body": body, "pageId": post["id"], "spaceId": str(space["id"])}
    assert v2.post("/custom-content", json=two).status_code == 400
    wrong = {"type": "t", "title": "x", "body": body, "pageId": post["id"]}
    assert v2.post("/custom-content", json=wrong).status_code == 404
    too_long = {"type": "x" * 40, "title": "x", "body": body, "spaceId": str(space["id"])}
    assert v2.post("/custom-content", json=too_long).status_code == 400


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
