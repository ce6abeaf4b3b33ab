"""Tag "Content restrictions": all 15 operations, who may change them, inheritance, and bad input."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import Person, create_page
from tests.security.helpers import grant, group_ids, make_group, restrict, user_ids
from tests.security.spec import assert_matches
from tests.server import RunningServer


@pytest.fixture
def page(admin: Person, space: dict) -> dict:
    return create_page(admin, space["key"], "Restricted target")


def _by_op(person: Person, content_id: str) -> dict:
    response = person.api.get(f"/content/{content_id}/restriction/byOperation")
    assert response.status_code == 200, response.text
    return response.json()


def test_unrestricted_content_has_empty_read_and_update(admin: Person, page: dict) -> None:
    body = _by_op(admin, page["id"])
    assert set(body) == {"read", "update", "_links"}
    assert_matches(body["read"], "ContentRestriction")
    for op in ("read", "update"):
        assert body[op]["operation"] == op
        assert body[op]["restrictions"]["user"] == {"results": [], "start": 0, "limit": 100, "size": 0}
        assert body[op]["restrictions"]["group"]["results"] == []
        assert body[op]["_expandable"] == {"content": f"/rest/api/content/{page['id']}"}
        assert body[op]["_links"]["self"].endswith(f"/rest/api/content/{page['id']}/restriction/byOperation/{op}")
    assert body["_links"]["base"].endswith("/wiki")


def test_put_get_and_shapes(admin: Person, alice: Person, page: dict, server: RunningServer) -> None:
    group = make_group(server, alice)
    out = restrict(admin, page["id"], read_users=[alice.account_id], read_groups=[group["id"]])
    assert_matches(out, "ContentRestrictionArray")
    assert out["size"] == 2 and out["start"] == 0 and out["limit"] == 100
    assert isinstance(out["restrictionsHash"], str) and out["restrictionsHash"]
    read, update = out["results"]
    assert read["operation"] == "read" and update["operation"] == "update"
    # Confluence adds whoever sets a restriction, so nobody restricts themselves out.
    assert set(user_ids(read)) == {alice.account_id, admin.account_id}
    assert group_ids(read) == [group["id"]]
    assert read["restrictions"]["group"]["results"][0] == {
        "type": "group",
        "name": group["name"],
        "id": group["id"],
        "_links": read["restrictions"]["group"]["results"][0]["_links"],
    }
    assert user_ids(update) == []

    listed = admin.api.get(f"/content/{page['id']}/restriction").json()
    assert listed["restrictionsHash"] == out["restrictionsHash"]
    assert set(user_ids(listed["results"][0])) == {alice.account_id, admin.account_id}

    one = admin.api.get(f"/content/{page['id']}/restriction/byOperation/read").json()
    assert_matches(one, "ContentRestriction")
    assert one["operation"] == "read" and group_ids(one) == [group["id"]]
    assert one["_links"]["context"] == "/wiki"


def test_put_replaces_only_the_operations_it_names(admin: Person, alice: Person, bob: Person, page: dict) -> None:
    restrict(admin, page["id"], read_users=[alice.account_id], update_users=[alice.account_id])
    response = admin.api.put(
        f"/content/{page['id']}/restriction",
        json=[{"operation": "update", "restrictions": {"user": [{"type": "known", "accountId": bob.account_id}]}}],
    )
    assert response.status_code == 200, response.text
    body = _by_op(admin, page["id"])
    assert set(user_ids(body["read"])) == {alice.account_id, admin.account_id}
    assert set(user_ids(body["update"])) == {bob.account_id, admin.account_id}
    # An empty list lifts the restriction of that operation.
    lifted = admin.api.put(
        f"/content/{page['id']}/restriction", json={"results": [{"operation": "update", "restrictions": {"user": []}}]}
    )
    assert lifted.status_code == 200
    assert user_ids(_by_op(admin, page["id"])["update"]) == []


def test_post_adds_and_delete_removes_everything(admin: Person, alice: Person, bob: Person, page: dict) -> None:
    restrict(admin, page["id"], read_users=[alice.account_id])
    response = admin.api.post(
        f"/content/{page['id']}/restriction",
        json=[{"operation": "read", "restrictions": {"user": {"results": [{"accountId": bob.account_id}]}}}],
    )
    assert response.status_code == 200, response.text
    assert set(user_ids(response.json()["results"][0])) == {alice.account_id, bob.account_id, admin.account_id}
    gone = admin.api.delete(f"/content/{page['id']}/restriction")
    assert gone.status_code == 200
    assert all(user_ids(r) == [] for r in gone.json()["results"])
    assert bob.api.get(f"/content/{page['id']}").status_code == 200


def test_user_endpoints(admin: Person, alice: Person, page: dict) -> None:
    base = f"/content/{page['id']}/restriction/byOperation"
    assert admin.api.get(f"{base}/read/user", params={"accountId": alice.account_id}).status_code == 404
    added = admin.api.put(f"{base}/read/user", params={"accountId": alice.account_id})
    assert added.status_code == 200 and added.content == b""
    assert admin.api.get(f"{base}/read/user", params={"accountId": alice.account_id}).status_code == 200
    # The caller was added too, so they keep their access.
    assert admin.api.get(f"{base}/read/user", params={"accountId": admin.account_id}).status_code == 200
    assert alice.api.get(f"/content/{page['id']}").status_code == 200
    removed = admin.api.delete(f"{base}/read/user", params={"accountId": alice.account_id})
    assert removed.status_code == 200
    assert admin.api.get(f"{base}/read/user", params={"accountId": alice.account_id}).status_code == 404
    assert admin.api.delete(f"{base}/read/user", params={"accountId": alice.account_id}).status_code == 404
    # Bad lookups.
    assert admin.api.get(f"{base}/read/user").status_code == 400
    assert admin.api.put(f"{base}/read/user", params={"accountId": "557058:nobody"}).status_code == 400
    assert admin.api.get(f"{base}/read/user", params={"accountId": "557058:nobody"}).status_code == 404
    assert admin.api.get(f"{base}/write/user", params={"accountId": alice.account_id}).status_code == 404


def test_group_endpoints_by_name_and_id(admin: Person, alice: Person, bob: Person, page: dict, server) -> None:
    group = make_group(server, alice)
    base = f"/content/{page['id']}/restriction/byOperation"
    assert admin.api.get(f"{base}/update/group/{group['name']}").status_code == 404
    assert admin.api.put(f"{base}/update/group/{group['name']}").status_code == 200
    assert admin.api.get(f"{base}/update/group/{group['name']}").status_code == 200
    assert admin.api.get(f"{base}/update/byGroupId/{group['id']}").status_code == 200
    # Only the group (and the admin who set it) may edit now.
    assert (
        bob.api.put(
            f"/content/{page['id']}",
            json={"type": "page", "title": "Edited by bob", "version": {"number": 2}},
        ).status_code
        == 403
    )
    assert admin.api.delete(f"{base}/update/byGroupId/{group['id']}").status_code == 200
    assert admin.api.get(f"{base}/update/byGroupId/{group['id']}").status_code == 404
    assert admin.api.put(f"{base}/read/byGroupId/{group['id']}").status_code == 200
    assert admin.api.delete(f"{base}/read/group/{group['name']}").status_code == 200
    assert admin.api.delete(f"{base}/read/group/{group['name']}").status_code == 404
    # Unknown groups and operations.
    assert admin.api.put(f"{base}/read/byGroupId/no-such-group").status_code == 400
    assert admin.api.put(f"{base}/read/group/no-such-group").status_code == 404
    assert admin.api.get(f"{base}/read/byGroupId/no-such-group").status_code == 404
    assert admin.api.get(f"{base}/delete/group/{group['name']}").status_code == 404
    assert admin.api.get(f"/content/{page['id']}/restriction/byOperation/delete").status_code == 400


def test_read_restrictions_inherit_and_update_restrictions_do_not(
    admin: Person, alice: Person, bob: Person, space: dict
) -> None:
    parent = create_page(admin, space["key"], "Parent of inheritance")
    child = create_page(admin, space["key"], "Child of inheritance", parent=parent["id"])
    restrict(admin, parent["id"], update_users=[alice.account_id])
    # bob cannot edit the parent but can edit the child: update restrictions do not inherit.
    assert (
        bob.api.put(
            f"/content/{parent['id']}", json={"type": "page", "title": parent["title"], "version": {"number": 2}}
        ).status_code
        == 403
    )
    assert (
        bob.api.put(
            f"/content/{child['id']}", json={"type": "page", "title": "Child edited", "version": {"number": 2}}
        ).status_code
        == 200
    )
    restrict(admin, parent["id"], read_users=[alice.account_id])
    for content_id in (parent["id"], child["id"]):
        assert bob.api.get(f"/content/{content_id}").status_code == 404
        assert alice.api.get(f"/content/{content_id}").status_code == 200
    # The child itself carries no restriction: inheritance is computed, not copied.
    assert user_ids(_by_op(admin, child["id"])["read"]) == []


def test_who_may_change_restrictions(admin: Person, alice: Person, bob: Person, server: RunningServer) -> None:
    key = admin.api.post("/space/_private", json={"key": f"R{alice.account_id[-8:].upper()}", "name": "R"})
    assert key.status_code == 200, key.text
    space_key = key.json()["key"]
    for op, target in (("read", "space"), ("create", "page")):
        grant(admin, space_key, "user", alice.account_id, op, target)
    page = create_page(alice, space_key, "Alice can edit")
    body = [{"operation": "read", "restrictions": {"user": [{"accountId": alice.account_id}]}}]
    # Editing is not enough: Add/Delete Restrictions (restrict_content) is needed too.
    assert alice.api.put(f"/content/{page['id']}/restriction", json=body).status_code == 403
    assert alice.api.get(f"/content/{page['id']}/restriction").status_code == 200
    grant(admin, space_key, "user", alice.account_id, "restrict_content", "space")
    assert alice.api.put(f"/content/{page['id']}/restriction", json=body).status_code == 200
    # bob cannot see the space at all: 404, never 403.
    assert bob.api.put(f"/content/{page['id']}/restriction", json=body).status_code == 404
    assert bob.api.get(f"/content/{page['id']}/restriction").status_code == 404
    assert bob.api.get(f"/content/{page['id']}/restriction/byOperation/read").status_code == 404
    assert (
        bob.api.get(
            f"/content/{page['id']}/restriction/byOperation/read/user", params={"accountId": alice.account_id}
        ).status_code
        == 404
    )


def test_update_restriction_blocks_restriction_changes(admin: Person, alice: Person, bob: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Locked for edits")
    grant(admin, space["key"], "user", bob.account_id, "read", "space")
    grant(admin, space["key"], "user", bob.account_id, "restrict_content", "space")
    restrict(admin, page["id"], update_users=[alice.account_id])
    body = [{"operation": "update", "restrictions": {"user": [{"accountId": bob.account_id}]}}]
    assert bob.api.put(f"/content/{page['id']}/restriction", json=body).status_code == 403


def test_cannot_remove_own_access(admin: Person, alice: Person, bob: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Self lockout")
    grant(admin, space["key"], "user", alice.account_id, "read", "space")
    grant(admin, space["key"], "user", alice.account_id, "restrict_content", "space")
    response = alice.api.put(
        f"/content/{page['id']}/restriction",
        json=[{"operation": "read", "restrictions": {"user": [{"accountId": bob.account_id}]}}],
    )
    assert response.status_code == 200
    assert set(user_ids(response.json()["results"][0])) == {alice.account_id, bob.account_id}
    base = f"/content/{page['id']}/restriction/byOperation/read/user"
    refused = alice.api.delete(base, params={"accountId": alice.account_id})
    assert refused.status_code == 400
    assert alice.api.get(f"/content/{page['id']}").status_code == 200


def test_anonymous_cannot_see_or_change_restrictions(anonymous, page: dict) -> None:
    assert anonymous.put(f"/content/{page['id']}/restriction", json=[]).status_code == 404
    assert anonymous.get(f"/content/{page['id']}/restriction").status_code == 404


def test_comments_and_attachments_cannot_be_restricted(admin: Person, page: dict) -> None:
    comment = admin.api.post(
        "/content",
        json={
            "type": "comment",
            "container": {"id": page["id"], "type": "page"},
            "body": {"storage": {"value": "<p>c</p>", "representation": "storage"}},
        },
    )
    assert comment.status_code == 200, comment.text
    response = admin.api.put(f"/content/{comment.json()['id']}/restriction", json=[])
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"operation": "read"},
        "read",
        42,
        {"results": "nope"},
        [{"operation": "read"}],
        [{"operation": "delete", "restrictions": {"user": []}}],
        [{"operation": "frobnicate", "restrictions": {}}],
        [{"operation": "read", "restrictions": {"user": [{"type": "known"}]}}],
        [{"operation": "read", "restrictions": {"user": "alice"}}],
        [{"operation": "read", "restrictions": {"group": [{"type": "group"}]}}],
        [{"operation": "read", "restrictions": {"group": [{"type": "user", "name": "x"}]}}],
        [{"operation": "read", "restrictions": {"user": [{"accountId": "557058:nobody"}]}}],
        [{"operation": "read", "restrictions": {"group": [{"name": "no-such-group"}]}}],
        [{"operation": "read", "restrictions": {"group": [{"id": "no-such-id"}]}}],
        [None],
    ],
)
def test_malformed_bodies_are_400_and_change_nothing(admin: Person, alice: Person, page: dict, body) -> None:
    restrict(admin, page["id"], read_users=[alice.account_id])
    before = admin.api.get(f"/content/{page['id']}/restriction").json()["restrictionsHash"]
    for method in ("put", "post"):
        response = getattr(admin.api, method)(f"/content/{page['id']}/restriction", json=body)
        assert response.status_code == 400, (method, body, response.text)
        assert response.json()["statusCode"] == 400
        assert response.json()["message"]
    after = admin.api.get(f"/content/{page['id']}/restriction").json()["restrictionsHash"]
    assert after == before


def test_not_json_is_400(admin: Person, page: dict) -> None:
    response = admin.api.put(
        f"/content/{page['id']}/restriction", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


def test_restrictions_expansion_on_content(admin: Person, alice: Person, space: dict, server) -> None:
    group = make_group(server, alice)
    first = create_page(admin, space["key"], "Expand one")
    second = create_page(admin, space["key"], "Expand two")
    restrict(admin, first["id"], read_users=[alice.account_id], update_groups=[group["id"]])
    response = admin.api.get(
        "/content",
        params={
            "spaceKey": space["key"],
            "expand": "restrictions.read.restrictions.user,restrictions.update.restrictions.group",
            "limit": 50,
        },
    )
    assert response.status_code == 200
    by_id = {c["id"]: c for c in response.json()["results"]}
    one = by_id[first["id"]]["restrictions"]
    assert set(user_ids(one["read"])) == {alice.account_id, admin.account_id}
    assert "group" not in one["read"]["restrictions"]
    assert one["read"]["restrictions"]["_expandable"] == {"group": ""}
    assert group_ids(one["update"]) == [group["id"]]
    assert by_id[second["id"]]["restrictions"]["read"]["restrictions"]["user"]["results"] == []
    assert_matches(one["read"], "ContentRestriction")
    single = admin.api.get(f"/content/{first['id']}", params={"expand": "restrictions"}).json()["restrictions"]
    assert set(single) == {"read", "update", "_expandable", "_links"}
    assert "restrictions" in single["read"]["_expandable"]
    assert "restrictions" not in admin.api.get(f"/content/{first['id']}").json()


def test_expansion_is_batched(admin: Person, alice: Person, space: dict, server: RunningServer) -> None:
    from sqlalchemy import event

    pages = [create_page(admin, space["key"], f"Batch {i}") for i in range(6)]
    for p in pages:
        restrict(admin, p["id"], read_users=[alice.account_id])
    counts = []
    statements: list[str] = []

    def count(*_args) -> None:
        # The background worker (tasks, webhooks) polls on its own thread: not the listing's cost.
        if not threading.current_thread().name.startswith("localfluence-worker"):
            statements.append("x")

    engine = server.runtime.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for limit in (2, 6):
            # Warm the authentication cache so that only the listing's statements are counted.
            assert admin.api.get("/user/current").status_code == 200
            statements.clear()
            response = admin.api.get(
                "/content",
                params={"spaceKey": space["key"], "limit": limit, "expand": "restrictions.read.restrictions.user"},
            )
            assert response.status_code == 200
            counts.append(len(statements))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert counts[0] == counts[1]


def test_server_style_prefix_and_atlassian_client(admin: Person, alice: Person, page: dict, server, people) -> None:
    from atlassian import Confluence

    client = Confluence(url=server.url, username=admin.email, password=admin.token, cloud=False)
    client.set_restrictions_for_content(
        page["id"],
        [{"operation": "read", "restrictions": {"user": [{"type": "known", "accountId": alice.account_id}]}}],
    )
    body = client.get_all_restrictions_for_content(page["id"])
    assert set(user_ids(body["read"])) == {alice.account_id, admin.account_id}
    assert people("Carol").api.get(f"/content/{page['id']}").status_code == 404
