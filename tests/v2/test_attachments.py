"""v2 attachments over v1's attachments: lists per container and label, single, delete."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.conftest import Person, create_page
from tests.server import RunningServer
from tests.v2.support import attach, v2_client, walk


@pytest.fixture
def v2(server: RunningServer, admin: Person):  # type: ignore[no-untyped-def]
    with v2_client(server, admin) as client:
        yield client


def test_page_attachments_paged_and_filtered(v2: httpx.Client, admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Files")
    made = [attach(admin, page["id"], f"f{i}.txt", b"x" * (i + 1), f"c{i}") for i in range(5)]
    got = walk(v2, f"/pages/{page['id']}/attachments", {"limit": 2})
    assert [a["id"] for a in got] == [m["id"] for m in made]
    first = got[0]
    assert first["pageId"] == page["id"] and first["title"] == "f0.txt"
    assert first["fileSize"] == 1 and first["comment"] == "c0" and first["mediaType"] == "text/plain"
    assert first["version"]["number"] == 1 and first["version"]["authorId"] == admin.account_id
    assert first["downloadLink"].startswith(f"/download/attachments/{page['id']}/f0.txt")
    assert [a["title"] for a in walk(v2, f"/pages/{page['id']}/attachments", {"filename": "f3.txt"})] == ["f3.txt"]
    assert walk(v2, f"/pages/{page['id']}/attachments", {"mediaType": "image/png"}) == []
    newest = walk(v2, f"/pages/{page['id']}/attachments", {"sort": "-created-date"})
    assert [a["id"] for a in newest] == [m["id"] for m in reversed(made)]
    for params in ({"sort": "title"}, {"status": "odd"}, {"cursor": "x"}):
        assert v2.get(f"/pages/{page['id']}/attachments", params=params).status_code == 400, params
    assert made[0]["id"] in {a["id"] for a in walk(v2, "/attachments", {"filename": "f0.txt", "limit": 250})}

    post = create_page(admin, space["key"], "Post", type="blogpost")
    on_post = attach(admin, post["id"], "p.txt", b"p")
    listed = walk(v2, f"/blogposts/{post['id']}/attachments")
    assert [a["id"] for a in listed] == [on_post["id"]] and listed[0]["blogPostId"] == post["id"]
    assert v2.get(f"/blogposts/{page['id']}/attachments").status_code == 404
    assert v2.get(f"/custom-content/{page['id']}/attachments").status_code == 404


def test_single_label_and_delete(v2: httpx.Client, admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "One file")
    file = attach(admin, page["id"], "one.txt", b"1", "first")
    attach(admin, page["id"], "one.txt", b"22", "second")
    label = f"att{uuid.uuid4().hex[:6]}"
    admin.api.post(f"/content/{file['id']}/label", json=[{"prefix": "global", "name": label}])
    got = v2.get(f"/attachments/{file['id']}", params={"include-labels": "true", "include-versions": "true"}).json()
    assert got["version"]["number"] == 2 and got["fileSize"] == 2 and got["_links"]["base"]
    assert [x["name"] for x in got["labels"]["results"]] == [label]
    assert [v["number"] for v in got["versions"]["results"]] == [2, 1]
    old = v2.get(f"/attachments/{file['id']}", params={"version": 1}).json()
    assert old["fileSize"] == 1 and old["comment"] == "first"
    assert v2.get(f"/attachments/att{file['id']}").status_code == 200
    assert v2.get(f"/attachments/{file['id']}", params={"version": 99999999999}).status_code == 404
    assert v2.get(f"/attachments/{file['id']}/versions/99999999999").status_code == 404
    assert v2.get(f"/attachments/{page['id']}").status_code == 404
    assert v2.get("/attachments/attx").status_code == 400

    label_id = v2.get(f"/attachments/{file['id']}/labels").json()["results"][0]["id"]
    assert [a["id"] for a in walk(v2, f"/labels/{label_id}/attachments")] == [file["id"]]

    assert v2.delete(f"/attachments/{file['id']}").status_code == 204
    assert v2.get(f"/attachments/{file['id']}").status_code == 404
    assert admin.api.get(f"/content/{file['id']}").status_code == 404
    assert walk(v2, f"/pages/{page['id']}/attachments") == []


def test_permissions(v2: httpx.Client, server: RunningServer, admin: Person, alice: Person) -> None:
    key = "AT" + uuid.uuid4().hex[:6].upper()
    admin.api.post("/space/_private", json={"key": key, "name": "Private"})
    page = create_page(admin, key, "Secret")
    file = attach(admin, page["id"], "s.txt", b"s")
    with v2_client(server, alice) as as_alice:
        assert as_alice.get(f"/attachments/{file['id']}").status_code == 404
        assert as_alice.get(f"/pages/{page['id']}/attachments").status_code == 404
        assert file["id"] not in {a["id"] for a in walk(as_alice, "/attachments", {"limit": 250})}
        assert as_alice.delete(f"/attachments/{file['id']}").status_code == 404
    assert v2.get(f"/attachments/{file['id']}").status_code == 200
