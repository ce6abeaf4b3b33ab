"""v2 labels over v1's labels: per page, blog post, attachment and space; all labels; a label's pages."""

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


def _label(person: Person, content_id: str, *names: str) -> None:
    response = person.api.post(f"/content/{content_id}/label", json=[{"prefix": "global", "name": n} for n in names])
    assert response.status_code == 200, response.text


def test_content_labels(v2: httpx.Client, admin: Person, space: dict) -> None:
    tag = uuid.uuid4().hex[:6]
    page = create_page(admin, space["key"], "Labelled")
    post = create_page(admin, space["key"], "Labelled post", type="blogpost")
    names = [f"l{tag}{i}" for i in range(5)]
    _label(admin, page["id"], *names)
    _label(admin, post["id"], names[0])
    got = walk(v2, f"/pages/{page['id']}/labels", {"limit": 2})
    assert [x["name"] for x in got] == names and all(x["prefix"] == "global" and x["id"].isdigit() for x in got)
    assert [x["name"] for x in walk(v2, f"/pages/{page['id']}/labels", {"sort": "-name"})] == names[::-1]
    assert walk(v2, f"/pages/{page['id']}/labels", {"prefix": "my"}) == []
    assert [x["name"] for x in walk(v2, f"/blogposts/{post['id']}/labels")] == [names[0]]
    assert v2.get(f"/blogposts/{page['id']}/labels").status_code == 404
    assert v2.get(f"/pages/{page['id']}/labels", params={"prefix": "odd"}).status_code == 400
    assert v2.get(f"/pages/{page['id']}/labels", params={"sort": "colour"}).status_code == 400
    assert v2.get(f"/pages/{page['id']}/labels", params={"cursor": "zz"}).status_code == 400
    file = attach(admin, page["id"], "l.txt", b"x")
    _label(admin, file["id"], names[1])
    assert [x["name"] for x in walk(v2, f"/attachments/{file['id']}/labels")] == [names[1]]
    assert v2.get(f"/custom-content/{page['id']}/labels").status_code == 404

    content_labels = walk(v2, f"/spaces/{space['id']}/content/labels")
    assert {x["name"] for x in content_labels} == set(names)
    admin.api.post(f"/space/{space['key']}/label", json=[{"prefix": "team", "name": f"s{tag}"}])
    assert [(x["prefix"], x["name"]) for x in walk(v2, f"/spaces/{space['id']}/labels")] == [("team", f"s{tag}")]

    by_id = walk(v2, "/labels", {"label-id": ",".join(x["id"] for x in got[:2])})
    assert [x["name"] for x in by_id] == names[:2]

    label_id = got[0]["id"]
    pages = walk(v2, f"/labels/{label_id}/pages", {"body-format": "storage", "limit": 1})
    assert [p["id"] for p in pages] == [page["id"]] and pages[0]["body"]["storage"]["value"]
    assert [p["id"] for p in walk(v2, f"/labels/{label_id}/blogposts")] == [post["id"]]
    assert v2.get("/labels/99999999/pages").status_code == 404


def test_labels_of_invisible_content_do_not_leak(
    v2: httpx.Client, server: RunningServer, admin: Person, alice: Person
) -> None:
    key = "LB" + uuid.uuid4().hex[:6].upper()
    admin.api.post("/space/_private", json={"key": key, "name": "Private"})
    page = create_page(admin, key, "Secret")
    secret = f"secret{uuid.uuid4().hex[:6]}"
    _label(admin, page["id"], secret)
    label_id = walk(v2, f"/pages/{page['id']}/labels")[0]["id"]
    assert [x["name"] for x in walk(v2, "/labels", {"label-id": label_id})] == [secret]
    with v2_client(server, alice) as as_alice:
        assert as_alice.get(f"/pages/{page['id']}/labels").status_code == 404
        assert walk(as_alice, "/labels", {"label-id": label_id}) == []
        assert as_alice.get(f"/labels/{label_id}/pages").status_code == 404
