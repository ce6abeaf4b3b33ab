"""v2 permitted operations follow the checks that enforce them."""

from __future__ import annotations

import httpx

from tests.api.metadata_helpers import reader_space
from tests.conftest import Person, create_page
from tests.server import RunningServer


def _client(server: RunningServer, person: Person) -> httpx.Client:
    return httpx.Client(base_url=server.url + "/wiki/api/v2", auth=(person.email, person.token), timeout=30)


def _ops(client: httpx.Client, path: str) -> set[tuple[str, str]]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return {(o["operation"], o["targetType"]) for o in response.json()["operations"]}


def test_operations_per_object_and_caller(server: RunningServer, admin: Person, alice: Person, bob: Person) -> None:
    readable = reader_space(server, admin, alice)
    page = create_page(admin, readable["key"], "Ops page")
    post = create_page(admin, readable["key"], "Ops post", type="blogpost")
    with _client(server, admin) as v2:
        folder = v2.post("/folders", json={"spaceId": str(readable["id"])}).json()
        comment = v2.post(
            "/footer-comments", json={"pageId": page["id"], "body": {"representation": "storage", "value": "<p>c</p>"}}
        ).json()
        assert _ops(v2, f"/pages/{page['id']}/operations") == {
            ("read", "page"),
            ("update", "page"),
            ("delete", "page"),
        }
        assert ("delete", "folder") in _ops(v2, f"/folders/{folder['id']}/operations")
        assert ("update", "comment") in _ops(v2, f"/footer-comments/{comment['id']}/operations")
        assert ("administer", "space") in _ops(v2, f"/spaces/{readable['id']}/operations")
        assert v2.get(f"/blogposts/{page['id']}/operations").status_code == 404
        assert v2.get(f"/inline-comments/{comment['id']}/operations").status_code == 404
    with _client(server, alice) as v2:
        assert _ops(v2, f"/pages/{page['id']}/operations") == {("read", "page")}
        assert _ops(v2, f"/blogposts/{post['id']}/operations") == {("read", "blogpost")}
        assert _ops(v2, f"/spaces/{readable['id']}/operations") == {("read", "space")}
        # What the answer says is what the enforcement does.
        edit = {"id": page["id"], "status": "current", "title": "Changed", "version": {"number": 2}}
        assert v2.put(f"/pages/{page['id']}", json=edit).status_code == 403
    with _client(server, bob) as v2:
        for path in (f"/pages/{page['id']}/operations", f"/spaces/{readable['id']}/operations"):
            response = v2.get(path)
            assert response.status_code == 404 and response.json()["errors"][0]["code"] == "NOT_FOUND"
