"""v2 versions of pages, blog posts, attachments and comments: the v1 version history."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Person, create_page
from tests.server import RunningServer
from tests.v2.support import attach, comment, v2_client, walk


@pytest.fixture
def v2(server: RunningServer, admin: Person):  # type: ignore[no-untyped-def]
    with v2_client(server, admin) as client:
        yield client


def _edit(person: Person, page: dict, number: int, text: str) -> None:
    response = person.api.put(
        f"/content/{page['id']}",
        json={
            "type": page["type"],
            "title": page["title"],
            "version": {"number": number, "message": f"edit {number}"},
            "body": {"storage": {"value": text, "representation": "storage"}},
        },
    )
    assert response.status_code == 200, response.text


def test_page_versions_paged_and_detailed(v2: httpx.Client, admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Versioned", body="<p>v1</p>")
    for n in range(2, 6):
        _edit(admin, page, n, f"<p>v{n}</p>")
    versions = walk(v2, f"/pages/{page['id']}/versions", {"limit": 2, "body-format": "storage"})
    assert [v["number"] for v in versions] == [5, 4, 3, 2, 1]
    assert versions[0]["page"] == {
        "id": page["id"],
        "title": "Versioned",
        "body": {"storage": {"representation": "storage", "value": "<p>v5</p>"}},
    }
    assert versions[-1]["page"]["body"]["storage"]["value"] == "<p>v1</p>"
    assert versions[0]["message"] == "edit 5" and versions[0]["authorId"] == admin.account_id
    ascending = walk(v2, f"/pages/{page['id']}/versions", {"sort": "modified-date"})
    assert [v["number"] for v in ascending] == [1, 2, 3, 4, 5] and "body" not in ascending[0]["page"]

    detail = v2.get(f"/pages/{page['id']}/versions/3").json()
    assert detail["number"] == 3 and detail["prevVersion"] == 2 and detail["nextVersion"] == 4
    assert detail["collaborators"] == [admin.account_id] and detail["contentTypeModified"] is False
    first = v2.get(f"/pages/{page['id']}/versions/1").json()
    assert first["prevVersion"] is None and first["nextVersion"] == 2
    assert v2.get(f"/pages/{page['id']}/versions/9").status_code == 404
    assert v2.get(f"/pages/{page['id']}/versions/99999999999").status_code == 404
    assert v2.get("/pages/99999999999/versions").status_code == 404
    assert v2.get("/tasks/99999999999").status_code == 404
    for params in ({"cursor": "xyz"}, {"sort": "title"}, {"body-format": "view"}):
        assert v2.get(f"/pages/{page['id']}/versions", params=params).status_code == 400, params


def test_kinds_do_not_mix(v2: httpx.Client, admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Kinds")
    post = create_page(admin, space["key"], "Post", type="blogpost")
    footer = comment(admin, page["id"], "footer")
    inline = comment(admin, page["id"], "inline", inline=True)
    assert v2.get(f"/blogposts/{post['id']}/versions").json()["results"][0]["blogpost"]["id"] == post["id"]
    assert v2.get(f"/blogposts/{post['id']}/versions/1").json()["number"] == 1
    assert v2.get(f"/blogposts/{page['id']}/versions").status_code == 404
    assert v2.get(f"/pages/{post['id']}/versions/1").status_code == 404
    got = v2.get(f"/footer-comments/{footer['id']}/versions", params={"body-format": "storage"}).json()["results"]
    assert got[0]["comment"]["body"]["storage"]["value"] == "<p>footer</p>"
    assert v2.get(f"/footer-comments/{footer['id']}/versions/1").status_code == 200
    assert v2.get(f"/inline-comments/{inline['id']}/versions").json()["results"][0]["comment"]["id"] == inline["id"]
    assert v2.get(f"/inline-comments/{inline['id']}/versions/1").status_code == 200
    assert v2.get(f"/inline-comments/{footer['id']}/versions").status_code == 404
    assert v2.get(f"/footer-comments/{inline['id']}/versions/1").status_code == 404
    # Nothing here is custom content.
    assert v2.get(f"/custom-content/{page['id']}/versions").status_code == 404
    assert v2.get(f"/custom-content/{page['id']}/versions/1").status_code == 404
    assert v2.get("/pages/notanumber/versions").status_code == 400


def test_attachment_versions(v2: httpx.Client, admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Files")
    first = attach(admin, page["id"], "notes.txt", b"one", "first")
    attach(admin, page["id"], "notes.txt", b"second!", "second")
    for ident in (first["id"], "att" + first["id"]):
        versions = v2.get(f"/attachments/{ident}/versions").json()["results"]
        assert [v["number"] for v in versions] == [2, 1]
        assert versions[0]["attachment"]["fileSize"] == 7 and versions[1]["attachment"]["comment"] == "first"
    detail = v2.get(f"/attachments/{first['id']}/versions/2").json()
    assert detail["prevVersion"] == 1 and detail["nextVersion"] is None


def test_invisible_versions_are_not_found(server: RunningServer, admin: Person, alice: Person) -> None:
    import uuid

    key = "VV" + uuid.uuid4().hex[:6].upper()
    assert admin.api.post("/space/_private", json={"key": key, "name": "Private"}).status_code == 200
    page = create_page(admin, key, "Hidden")
    with v2_client(server, alice) as as_alice:
        assert as_alice.get(f"/pages/{page['id']}/versions").status_code == 404
        assert as_alice.get(f"/pages/{page['id']}/versions/1").status_code == 404
