"""Tag "Space permissions": add (and custom content), remove, validation, and the `permissions`
expansion on space."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import Person, create_page
from tests.security.helpers import grant, make_group, users_group_id
from tests.security.spec import assert_matches
from tests.server import RunningServer


def _private_space(admin: Person) -> dict:
    response = admin.api.post("/space/_private", json={"key": f"P{uuid.uuid4().hex[:9].upper()}", "name": "Private"})
    assert response.status_code == 200, response.text
    return response.json()


def _body(subject_type: str, identifier: str, key: str, target: str) -> dict:
    return {"subject": {"type": subject_type, "identifier": identifier}, "operation": {"key": key, "target": target}}


def test_add_permission_shape_and_effect(admin: Person, alice: Person) -> None:
    space = _private_space(admin)
    assert alice.api.get(f"/space/{space['key']}").status_code == 404
    response = admin.api.post(
        f"/space/{space['key']}/permission", json=_body("user", alice.account_id, "read", "space")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert_matches(body, "SpacePermissionV2")
    assert isinstance(body["id"], int)
    assert body["subject"] == {"type": "user", "identifier": alice.account_id}
    assert body["operation"] == {"key": "read", "target": "space"}
    assert body["_links"]["self"].endswith(f"/rest/api/space/{space['key']}/permission/{body['id']}")
    assert alice.api.get(f"/space/{space['key']}").status_code == 200
    # Read alone does not let alice write.
    page = {"type": "page", "title": "Alice's page", "space": {"key": space["key"]}}
    assert alice.api.post("/content", json=page).status_code == 403
    grant(admin, space["key"], "user", alice.account_id, "create", "page")
    assert alice.api.post("/content", json=page).status_code == 200


def test_group_subject_by_id_and_by_name(admin: Person, alice: Person, server: RunningServer) -> None:
    space = _private_space(admin)
    group = make_group(server, alice)
    by_name = admin.api.post(f"/space/{space['key']}/permission", json=_body("group", group["name"], "read", "space"))
    assert by_name.status_code == 200, by_name.text
    assert by_name.json()["subject"] == {"type": "group", "identifier": group["id"]}
    by_id = admin.api.post(f"/space/{space['key']}/permission", json=_body("group", group["id"], "export", "space"))
    assert by_id.status_code == 200
    assert alice.api.get(f"/space/{space['key']}").status_code == 200


@pytest.mark.parametrize(
    ("key", "target"),
    [
        ("create", "page"),
        ("create", "blogpost"),
        ("create", "comment"),
        ("create", "attachment"),
        ("delete", "page"),
        ("delete", "blogpost"),
        ("delete", "comment"),
        ("delete", "attachment"),
        ("delete", "space"),
        ("export", "space"),
        ("administer", "space"),
        ("archive", "page"),
        ("restrict_content", "space"),
    ],
)
def test_every_valid_pair(admin: Person, alice: Person, key: str, target: str) -> None:
    space = _private_space(admin)
    grant(admin, space["key"], "user", alice.account_id, "read", "space")
    response = admin.api.post(f"/space/{space['key']}/permission", json=_body("user", alice.account_id, key, target))
    assert response.status_code == 200, response.text
    assert response.json()["operation"] == {"key": key, "target": target}


@pytest.mark.parametrize(
    ("key", "target"),
    [
        ("read", "page"),
        ("create", "space"),
        ("administer", "page"),
        ("export", "page"),
        ("archive", "blogpost"),
        ("restrict_content", "page"),
        ("use", "space"),
        ("purge", "page"),
        ("copy", "page"),
        ("frobnicate", "space"),
        ("read", "galaxy"),
    ],
)
def test_invalid_pairs_are_400(admin: Person, alice: Person, key: str, target: str) -> None:
    space = _private_space(admin)
    grant(admin, space["key"], "user", alice.account_id, "read", "space")
    response = admin.api.post(f"/space/{space['key']}/permission", json=_body("user", alice.account_id, key, target))
    assert response.status_code == 400, response.text


def test_bad_requests(admin: Person, alice: Person) -> None:
    space = _private_space(admin)
    url = f"/space/{space['key']}/permission"
    # Anything but read needs read space first.
    assert admin.api.post(url, json=_body("user", alice.account_id, "create", "page")).status_code == 400
    assert admin.api.post(url, json=_body("user", alice.account_id, "read", "space")).status_code == 200
    duplicate = admin.api.post(url, json=_body("user", alice.account_id, "read", "space"))
    assert duplicate.status_code == 400 and "already exists" in duplicate.json()["message"]
    assert admin.api.post(url, json=_body("user", "557058:nobody", "read", "space")).status_code == 400
    assert admin.api.post(url, json=_body("group", "no-such-group", "read", "space")).status_code == 400
    assert admin.api.post(url, json=_body("robot", "x", "read", "space")).status_code == 400
    assert admin.api.post(url, json={"subject": {"type": "user"}}).status_code == 400
    assert admin.api.post(url, json=[]).status_code == 400
    assert admin.api.post(url, content=b"nope", headers={"Content-Type": "application/json"}).status_code == 400
    assert (
        admin.api.post(
            "/space/NOSUCHSPACE/permission", json=_body("user", alice.account_id, "read", "space")
        ).status_code
        == 404
    )


def test_anonymous_subject(admin: Person) -> None:
    space = _private_space(admin)
    url = f"/space/{space['key']}/permission"
    read = admin.api.post(url, json=_body("user", "anonymous", "read", "space"))
    assert read.status_code == 200
    assert read.json()["subject"] == {"type": "user", "identifier": "anonymous"}
    assert admin.api.post(url, json=_body("user", "anonymous", "create", "comment")).status_code == 200
    assert admin.api.post(url, json=_body("user", "anonymous", "administer", "space")).status_code == 400
    assert admin.api.post(url, json=_body("user", "anonymous", "read", "space")).status_code == 400


def test_only_space_admins_change_permissions(admin: Person, alice: Person, bob: Person) -> None:
    space = _private_space(admin)
    url = f"/space/{space['key']}/permission"
    grant(admin, space["key"], "user", alice.account_id, "read", "space")
    # alice reads the space but does not administer it: 403. bob does not even see it: 404.
    assert alice.api.post(url, json=_body("user", bob.account_id, "read", "space")).status_code == 403
    assert bob.api.post(url, json=_body("user", bob.account_id, "read", "space")).status_code == 404
    admin_grant = grant(admin, space["key"], "user", alice.account_id, "administer", "space")
    assert alice.api.post(url, json=_body("user", bob.account_id, "read", "space")).status_code == 200
    assert alice.api.delete(f"{url}/{admin_grant['id']}").status_code == 204
    assert alice.api.post(url, json=_body("user", bob.account_id, "export", "space")).status_code == 403


def test_remove_permission(admin: Person, alice: Person, anonymous) -> None:
    space = _private_space(admin)
    url = f"/space/{space['key']}/permission"
    read = grant(admin, space["key"], "user", alice.account_id, "read", "space")
    create = grant(admin, space["key"], "user", alice.account_id, "create", "page")
    assert admin.api.delete(f"{url}/{create['id']}").status_code == 204
    assert admin.api.delete(f"{url}/{create['id']}").status_code == 404
    again = grant(admin, space["key"], "user", alice.account_id, "create", "page")
    # Removing read space removes every permission of that subject (spec: removePermission).
    assert admin.api.delete(f"{url}/{read['id']}").status_code == 204
    assert admin.api.delete(f"{url}/{again['id']}").status_code == 404
    assert alice.api.get(f"/space/{space['key']}").status_code == 404
    assert admin.api.delete(f"{url}/999999999").status_code == 404
    assert admin.api.delete(f"{url}/not-a-number").status_code == 400
    assert anonymous.delete(f"{url}/1").status_code == 404


def test_permission_of_another_space_is_404(admin: Person, alice: Person) -> None:
    one, two = _private_space(admin), _private_space(admin)
    row = grant(admin, one["key"], "user", alice.account_id, "read", "space")
    assert admin.api.delete(f"/space/{two['key']}/permission/{row['id']}").status_code == 404


def test_last_admin_cannot_be_removed(admin: Person, alice: Person) -> None:
    space = _private_space(admin)
    perms = admin.api.get(f"/space/{space['key']}", params={"expand": "permissions"}).json()["permissions"]
    admin_rows = [p for p in perms if p["operation"] == {"operation": "administer", "targetType": "space"}]
    assert len(admin_rows) == 1
    url = f"/space/{space['key']}/permission"
    refused = admin.api.delete(f"{url}/{admin_rows[0]['id']}")
    assert refused.status_code == 400 and "admin" in refused.json()["message"]
    read_row = next(p for p in perms if p["operation"] == {"operation": "read", "targetType": "space"})
    assert admin.api.delete(f"{url}/{read_row['id']}").status_code == 400
    # With a second administrator, the first may go.
    grant(admin, space["key"], "user", alice.account_id, "read", "space")
    grant(admin, space["key"], "user", alice.account_id, "administer", "space")
    assert admin.api.delete(f"{url}/{admin_rows[0]['id']}").status_code == 204


def test_permissions_expansion(admin: Person, alice: Person, space: dict, server: RunningServer) -> None:
    grant(admin, space["key"], "user", "anonymous", "read", "space")
    response = admin.api.get(f"/space/{space['key']}", params={"expand": "permissions"})
    assert response.status_code == 200
    body = response.json()
    assert "permissions" not in body["_expandable"]
    perms = body["permissions"]
    for permission in perms:
        assert_matches(permission, "SpacePermission")
    users_group = users_group_id(server)
    creator = [p for p in perms if "user" in p.get("subjects", {})]
    assert {p["operation"]["operation"] for p in creator} >= {"read", "administer", "restrict_content"}
    assert all(p["subjects"]["user"]["results"][0]["accountId"] == admin.account_id for p in creator)
    assert all(p["subjects"]["user"]["size"] == 1 and p["subjects"]["_expandable"] == {"group": ""} for p in creator)
    groups = [p for p in perms if "group" in p.get("subjects", {})]
    assert {p["subjects"]["group"]["results"][0]["id"] for p in groups} == {users_group}
    assert groups[0]["subjects"]["group"]["results"][0]["name"] == "confluence-users"
    anonymous = [p for p in perms if p["anonymousAccess"]]
    assert [p["operation"] for p in anonymous] == [{"operation": "read", "targetType": "space"}]
    assert all(p["unlicensedAccess"] is False and isinstance(p["id"], int) for p in perms)
    # Readers who do not administer the space see no grants.
    assert alice.api.get(f"/space/{space['key']}", params={"expand": "permissions"}).json()["permissions"] == []
    listed = admin.api.get("/space", params={"spaceKey": space["key"], "expand": "permissions"}).json()
    assert len(listed["results"][0]["permissions"]) == len(perms)


def test_custom_content_permissions(admin: Person, alice: Person) -> None:
    space = _private_space(admin)
    url = f"/space/{space['key']}/permission/custom-content"
    body = {
        "subject": {"type": "user", "identifier": alice.account_id},
        "operations": [{"key": "read", "target": "ac:app:note", "access": True}],
    }
    assert admin.api.post(url, json=body).status_code == 400  # no read space yet
    grant(admin, space["key"], "user", alice.account_id, "read", "space")
    granted = admin.api.post(url, json=body)
    assert granted.status_code == 200 and granted.content == b""
    perms = admin.api.get(f"/space/{space['key']}", params={"expand": "permissions"}).json()["permissions"]
    assert {"operation": "read", "targetType": "ac:app:note"} in [p["operation"] for p in perms]
    body["operations"][0]["access"] = False
    assert admin.api.post(url, json=body).status_code == 200
    perms = admin.api.get(f"/space/{space['key']}", params={"expand": "permissions"}).json()["permissions"]
    assert {"operation": "read", "targetType": "ac:app:note"} not in [p["operation"] for p in perms]
    bad = dict(body, operations=[{"key": "administer", "target": "ac:app:note", "access": True}])
    assert admin.api.post(url, json=bad).status_code == 400
    assert admin.api.post(url, json=dict(body, operations=[])).status_code == 400
    assert alice.api.post(url, json=body).status_code == 403


def test_group_grant_lets_members_create(admin: Person, alice: Person, bob: Person, server: RunningServer) -> None:
    space = _private_space(admin)
    group = make_group(server, alice)
    for key, target in (("read", "space"), ("create", "page")):
        grant(admin, space["key"], "group", group["id"], key, target)
    create_page(alice, space["key"], "Group grant works")
    response = bob.api.post("/content", json={"type": "page", "title": "No", "space": {"key": space["key"]}})
    assert response.status_code == 403
