"""v2 users, content id conversion, data policies and classification levels."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.conftest import Person, create_page
from tests.server import RunningServer
from tests.v2.support import attach, comment, v2_client, walk


@pytest.fixture
def v2(server: RunningServer, admin: Person):  # type: ignore[no-untyped-def]
    with v2_client(server, admin) as client:
        yield client


def test_users_bulk_and_access(
    v2: httpx.Client, server: RunningServer, admin: Person, alice: Person, bob: Person
) -> None:
    got = v2.post("/users-bulk", json={"accountIds": [alice.account_id, "nobody", bob.account_id]})
    assert got.status_code == 200, got.text
    users = got.json()["results"]
    assert [u["accountId"] for u in users] == [alice.account_id, bob.account_id]
    assert users[0]["accountStatus"] == "active" and users[0]["email"] == alice.email
    with v2_client(server, bob) as as_bob:
        seen = as_bob.post("/users-bulk", json={"accountIds": [alice.account_id]}).json()["results"][0]
        assert seen["email"] == "" and seen["displayName"]
        checked = as_bob.post(
            "/user/access/check-access-by-email", json={"emails": [alice.email, "stranger@example.com", "not-an-email"]}
        ).json()
        assert checked == {"emailsWithoutAccess": ["stranger@example.com"], "invalidEmails": ["not-an-email"]}
        assert as_bob.post("/user/access/invite-by-email", json={"emails": ["new@example.com"]}).status_code == 200
    assert v2.post("/users-bulk", json={"accountIds": []}).status_code == 400
    assert v2.post("/users-bulk", json={}).status_code == 400
    with httpx.Client(base_url=server.url + "/wiki/api/v2") as anonymous:
        assert anonymous.post("/user/access/check-access-by-email", json={"emails": [alice.email]}).status_code == 401


def test_convert_ids_to_types(
    v2: httpx.Client, server: RunningServer, admin: Person, alice: Person, space: dict
) -> None:
    page = create_page(admin, space["key"], "Typed")
    post = create_page(admin, space["key"], "Typed post", type="blogpost")
    footer = comment(admin, page["id"], "f")
    inline = comment(admin, page["id"], "i", inline=True)
    file = attach(admin, page["id"], "t.txt", b"t")
    ids = [page["id"], int(post["id"]), footer["id"], inline["id"], file["id"], "99999999", page["id"]]
    got = v2.post("/content/convert-ids-to-types", json={"contentIds": ids})
    assert got.status_code == 200, got.text
    assert got.json()["results"] == {
        page["id"]: "page",
        post["id"]: "blogpost",
        footer["id"]: "footer-comment",
        inline["id"]: "inline-comment",
        file["id"]: "attachment",
    }
    assert v2.post("/content/convert-ids-to-types", json={"contentIds": ["abc"]}).status_code == 400
    key = "CV" + uuid.uuid4().hex[:6].upper()
    admin.api.post("/space/_private", json={"key": key, "name": "Private"})
    secret = create_page(admin, key, "Secret")
    with v2_client(server, alice) as as_alice:
        assert as_alice.post("/content/convert-ids-to-types", json={"contentIds": [secret["id"]]}).json() == {
            "results": {}
        }


def test_no_data_policies_and_no_classification(
    v2: httpx.Client, server: RunningServer, alice: Person, admin: Person, space: dict
) -> None:
    assert v2.get("/data-policies/metadata").json() == {"anyContentBlocked": False}
    spaces = walk(v2, "/data-policies/spaces", {"keys": space["key"]})
    assert [(s["id"], s["dataPolicy"]) for s in spaces] == [(str(space["id"]), {"anyContentBlocked": False})]
    assert v2.get("/data-policies/spaces", params={"cursor": "x"}).status_code == 400

    assert v2.get("/classification-levels").json() == []
    page = create_page(admin, space["key"], "Unclassified")
    post = create_page(admin, space["key"], "Unclassified post", type="blogpost")
    for path in (f"/pages/{page['id']}", f"/blogposts/{post['id']}"):
        assert v2.get(f"{path}/classification-level").status_code == 404
        assert v2.put(f"{path}/classification-level", json={"id": "x", "status": "published"}).status_code == 404
        assert v2.post(f"{path}/classification-level/reset", json={}).status_code == 204
    assert v2.get(f"/pages/{post['id']}/classification-level").status_code == 404
    assert v2.get(f"/whiteboards/{page['id']}/classification-level").status_code == 404
    assert v2.get(f"/databases/{page['id']}/classification-level").status_code == 404
    base = f"/spaces/{space['id']}/classification-level/default"
    assert v2.get(base).status_code == 404
    assert v2.put(base, json={"id": "x", "status": "published"}).status_code == 404
    assert v2.delete(base).status_code == 204
    with v2_client(server, alice) as as_alice:
        assert as_alice.delete(base).status_code == 403
        assert as_alice.put(base, json={"id": "x"}).status_code == 403
        assert as_alice.put(base, json={}).status_code == 403
    assert v2.put(base, json={}).status_code == 400
