"""POST /content/{id}/permission/check answers what the enforcement does: each verdict here is
compared with what the same subject actually gets from a real request."""

from __future__ import annotations

import pytest

from tests.conftest import Person, create_page
from tests.security.helpers import anonymous_access, grant, leave_users_group, make_group, restrict
from tests.security.spec import assert_matches
from tests.server import RunningServer


def _check(caller: Person, content_id: str, subject_type: str, identifier: str, operation: str) -> dict:
    response = caller.api.post(
        f"/content/{content_id}/permission/check",
        json={"subject": {"type": subject_type, "identifier": identifier}, "operation": operation},
    )
    assert response.status_code == 200, response.text
    assert_matches(response.json(), "PermissionCheckResponse")
    return response.json()


def _can_edit(person: Person, page: dict) -> bool:
    current = person.api.get(f"/content/{page['id']}")
    if current.status_code != 200:
        return False
    version = current.json()["version"]["number"]
    response = person.api.put(
        f"/content/{page['id']}",
        json={"type": "page", "title": current.json()["title"], "version": {"number": version + 1}},
    )
    assert response.status_code in (200, 403), response.text
    return response.status_code == 200


def test_verdicts_match_enforcement(admin: Person, alice: Person, bob: Person, space: dict) -> None:
    open_page = create_page(admin, space["key"], "Check open")
    read_only = create_page(admin, space["key"], "Check update-restricted")
    secret = create_page(admin, space["key"], "Check read-restricted")
    secret_child = create_page(admin, space["key"], "Check read-restricted child", parent=secret["id"])
    restrict(admin, read_only["id"], update_users=[alice.account_id])
    restrict(admin, secret["id"], read_users=[alice.account_id])
    for person in (alice, bob):
        for page in (open_page, read_only, secret, secret_child):
            read = _check(admin, page["id"], "user", person.account_id, "read")
            assert read["hasPermission"] == (person.api.get(f"/content/{page['id']}").status_code == 200)
            update = _check(admin, page["id"], "user", person.account_id, "update")
            assert update["hasPermission"] == _can_edit(person, page), (person, page["title"])
    assert _check(admin, secret["id"], "user", bob.account_id, "read")["errors"] == [
        {"translation": "User does not have permission to the content", "args": []}
    ]
    ok = _check(admin, open_page["id"], "user", bob.account_id, "read")
    assert ok["hasPermission"] is True and ok["errors"] == []


def test_delete_follows_space_permission(admin: Person, alice: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Check delete")
    # confluence-users may create pages but not delete them by default.
    verdict = _check(admin, page["id"], "user", alice.account_id, "delete")
    assert verdict["hasPermission"] is False
    assert verdict["errors"][0]["translation"] == "User does not have permission to the space"
    assert alice.api.delete(f"/content/{page['id']}").status_code == 403
    grant(admin, space["key"], "user", alice.account_id, "read", "space")
    grant(admin, space["key"], "user", alice.account_id, "delete", "page")
    assert _check(admin, page["id"], "user", alice.account_id, "delete")["hasPermission"] is True
    assert alice.api.delete(f"/content/{page['id']}").status_code == 204


def test_group_subjects(admin: Person, alice: Person, space: dict, server: RunningServer) -> None:
    group = make_group(server, alice)
    page = create_page(admin, space["key"], "Check group")
    restrict(admin, page["id"], read_groups=[group["id"]])
    # The group itself holds no space grant; confluence-users does.
    assert _check(admin, page["id"], "group", group["id"], "read")["errors"] == [
        {"translation": "Group does not have permission to the space", "args": []}
    ]
    grant(admin, space["key"], "group", group["id"], "read", "space")
    assert _check(admin, page["id"], "group", group["id"], "read")["hasPermission"] is True
    users = _check(admin, page["id"], "group", "confluence-users", "read")
    assert users["errors"] == [{"translation": "Group does not have permission to the content", "args": []}]
    assert _check(admin, page["id"], "group", "confluence-administrators", "update")["hasPermission"] is True


def test_anonymous_subject(admin: Person, space: dict, server: RunningServer, anonymous) -> None:
    page = create_page(admin, space["key"], "Check anonymous")
    verdict = _check(admin, page["id"], "user", "anonymous", "read")
    assert verdict["errors"] == [{"translation": "Anonymous users are not allowed to use Confluence", "args": []}]
    with anonymous_access(admin, server):
        assert _check(admin, page["id"], "user", "anonymous", "read")["errors"] == [
            {"translation": "Anonymous user does not have permission to the space", "args": []}
        ]
        grant(admin, space["key"], "user", "anonymous", "read", "space")
        assert _check(admin, page["id"], "user", "anonymous", "read")["hasPermission"] is True
        assert anonymous.get(f"/content/{page['id']}").status_code == 200
        assert _check(admin, page["id"], "user", "anonymous", "update")["hasPermission"] is False


def test_user_without_can_use(admin: Person, alice: Person, space: dict, server: RunningServer) -> None:
    page = create_page(admin, space["key"], "Check can-use")
    leave_users_group(server, alice)
    assert _check(admin, page["id"], "user", alice.account_id, "read")["errors"] == [
        {"translation": "User is not allowed to use Confluence", "args": []}
    ]


def test_who_may_check(admin: Person, alice: Person, bob: Person, space: dict, anonymous) -> None:
    page = create_page(admin, space["key"], "Check who")
    # Yourself: fine. Someone else: site admins only.
    assert _check(alice, page["id"], "user", alice.account_id, "update")["hasPermission"] is True
    body = {"subject": {"type": "user", "identifier": bob.account_id}, "operation": "read"}
    assert alice.api.post(f"/content/{page['id']}/permission/check", json=body).status_code == 403
    assert anonymous.post(f"/content/{page['id']}/permission/check", json=body).status_code == 401
    restrict(admin, page["id"], read_users=[bob.account_id])
    mine = {"subject": {"type": "user", "identifier": alice.account_id}, "operation": "read"}
    # Content the caller cannot see does not exist for them.
    assert alice.api.post(f"/content/{page['id']}/permission/check", json=mine).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"subject": {"type": "user", "identifier": "x"}},
        {"operation": "read"},
        {"subject": {"type": "robot", "identifier": "x"}, "operation": "read"},
        {"subject": {"type": "user", "identifier": "557058:nobody"}, "operation": "read"},
        {"subject": {"type": "group", "identifier": "no-such-group"}, "operation": "read"},
        {"subject": {"type": "user", "identifier": "ADMIN"}, "operation": "fly"},
        [],
    ],
)
def test_bad_requests(admin: Person, space: dict, body) -> None:
    page = create_page(admin, space["key"])
    response = admin.api.post(f"/content/{page['id']}/permission/check", json=body)
    assert response.status_code == 400, response.text


def test_missing_content_is_404(admin: Person) -> None:
    body = {"subject": {"type": "user", "identifier": admin.account_id}, "operation": "read"}
    assert admin.api.post("/content/999999999/permission/check", json=body).status_code == 404
    assert admin.server_api.post("/content/999999999/permission/check", json=body).status_code == 404
