"""Tag "Users": /user, /user/current, /user/anonymous, /user/memberof, /user/bulk, /user/email(/bulk)."""

from __future__ import annotations

import httpx
import pytest

from localfluence.db.session import transaction
from localfluence.kit.clock import clock
from localfluence.models import Space, SpacePermission, User
from tests.conftest import Person
from tests.server import RunningServer

USER_KEYS = {
    "type",
    "accountId",
    "accountType",
    "email",
    "publicName",
    "profilePicture",
    "displayName",
    "timeZone",
    "isExternalCollaborator",
    "externalCollaborator",
    "_expandable",
    "_links",
}


def test_get_user_by_account_id_has_the_spec_shape(admin: Person, alice: Person) -> None:
    response = admin.api.get("/user", params={"accountId": alice.account_id})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == USER_KEYS
    assert body["type"] == "known"
    assert body["accountId"] == alice.account_id
    assert body["accountType"] == "atlassian"
    assert body["displayName"] == body["publicName"] == "Alice"
    assert body["profilePicture"].keys() == {"path", "width", "height", "isDefault"}
    assert body["timeZone"] == "UTC"
    assert body["isExternalCollaborator"] is False
    assert body["_expandable"] == {"operations": "", "personalSpace": "", "details": ""}
    assert body["_links"]["self"].endswith(f"/wiki/rest/api/user?accountId={alice.account_id.replace(':', '%3A')}")
    assert body["_links"]["context"] == "/wiki"
    # Site admins see email addresses.
    assert body["email"] == alice.email


def test_email_is_private_to_the_user_and_admins(alice: Person, bob: Person) -> None:
    assert bob.api.get("/user", params={"accountId": alice.account_id}).json()["email"] == ""
    assert alice.api.get("/user", params={"accountId": alice.account_id}).json()["email"] == alice.email
    assert alice.api.get("/user/current").json()["email"] == alice.email


def test_server_prefix_serves_the_same_user(alice: Person) -> None:
    response = alice.server_api.get("/user", params={"accountId": alice.account_id})
    assert response.status_code == 200
    assert response.json()["_links"]["context"] == ""


def test_get_user_by_deprecated_username_and_key(alice: Person, bob: Person) -> None:
    by_username = bob.api.get("/user", params={"username": alice.email})
    assert by_username.status_code == 200
    assert by_username.json()["accountId"] == alice.account_id
    by_key = bob.api.get("/user", params={"key": alice.account_id})
    assert by_key.status_code == 200
    assert by_key.json()["accountId"] == alice.account_id


def test_get_user_errors(alice: Person, anonymous: httpx.Client) -> None:
    missing = alice.api.get("/user")
    assert missing.status_code == 400
    assert missing.json()["statusCode"] == 400
    unknown = alice.api.get("/user", params={"accountId": "557058:no-such-user"})
    assert unknown.status_code == 404
    assert "557058:no-such-user" in unknown.json()["message"]
    assert alice.api.get("/user", params={"username": "nobody@example.com"}).status_code == 404
    assert anonymous.get("/user", params={"accountId": alice.account_id}).status_code == 401


def test_current_user_expansions(admin: Person, alice: Person) -> None:
    body = alice.api.get("/user/current", params={"expand": "operations,details"}).json()
    assert body["operations"] == [
        {"operation": "use", "targetType": "application"},
        {"operation": "create", "targetType": "space"},
    ]
    assert body["details"]["personal"]["email"] == alice.email
    assert body["details"]["business"] == {"position": "", "department": "", "location": ""}
    assert body["_expandable"] == {"personalSpace": ""}
    admin_ops = admin.api.get("/user/current", params={"expand": "operations"}).json()["operations"]
    assert {"operation": "administer", "targetType": "application"} in admin_ops


def test_operations_of_another_user_are_theirs(alice: Person, bob: Person, admin: Person) -> None:
    ops = alice.api.get("/user", params={"accountId": admin.account_id, "expand": "operations"}).json()["operations"]
    assert {"operation": "administer", "targetType": "application"} in ops


def test_personal_space_expansion(server: RunningServer, alice: Person, bob: Person) -> None:
    # No personal space yet: the expansion answers nothing and the key disappears.
    body = alice.api.get("/user/current", params={"expand": "personalSpace"}).json()
    assert "personalSpace" not in body
    assert "personalSpace" not in body["_expandable"]
    with transaction(server.runtime.sessions, write=True) as session:
        user_id = session.query(User.id).filter(User.account_id == alice.account_id).scalar()
        space = Space(key="~" + alice.account_id, name="Alice", type="personal", created_at=clock.now())
        session.add(space)
        session.flush()
        session.add(
            SpacePermission(
                space_id=space.id, operation="read", target_type="space", subject_type="user", user_id=user_id
            )
        )
    body = alice.api.get("/user/current", params={"expand": "personalSpace"}).json()
    assert body["personalSpace"]["key"] == "~" + alice.account_id
    assert body["personalSpace"]["type"] == "personal"
    # Bob may not read Alice's personal space, so it is not shown to him.
    seen_by_bob = bob.api.get("/user", params={"accountId": alice.account_id, "expand": "personalSpace"}).json()
    assert "personalSpace" not in seen_by_bob


def test_anonymous_user(anonymous: httpx.Client, alice: Person) -> None:
    for client in (anonymous, alice.api):
        response = client.get("/user/anonymous")
        assert response.status_code == 200
        body = response.json()
        assert body["type"] == "anonymous"
        assert body["displayName"] == "Anonymous"
        assert body["_expandable"] == {"operations": ""}
        assert {"self", "base", "context"} <= body["_links"].keys()
    expanded = anonymous.get("/user/anonymous", params={"expand": "operations"}).json()
    assert expanded["operations"] == []
    assert anonymous.get("/user/current").json()["type"] == "anonymous"


def test_memberof(admin: Person, alice: Person) -> None:
    response = alice.api.get("/user/memberof", params={"accountId": admin.account_id})
    assert response.status_code == 200
    body = response.json()
    names = [g["name"] for g in body["results"]]
    assert names == sorted(names)
    assert {"confluence-administrators", "confluence-users"} <= set(names)
    assert body["start"] == 0 and body["limit"] == 200 and body["size"] == len(names)
    assert body["results"][0]["type"] == "group"
    paged = alice.api.get("/user/memberof", params={"accountId": admin.account_id, "limit": 1}).json()
    assert paged["size"] == 1 and "next" in paged["_links"]
    assert alice.api.get("/user/memberof").status_code == 400
    assert alice.api.get("/user/memberof", params={"accountId": "557058:nobody"}).status_code == 404
    assert alice.api.get("/user/memberof", params={"accountId": admin.account_id, "start": -1}).status_code == 400


def test_bulk_lookup(alice: Person, bob: Person, admin: Person) -> None:
    ids = f"{bob.account_id},557058:unknown,{admin.account_id}"
    response = alice.api.get("/user/bulk", params={"accountId": ids})
    assert response.status_code == 200
    body = response.json()
    assert [u["accountId"] for u in body["results"]] == [bob.account_id, admin.account_id]
    assert body["size"] == 2
    assert set(body) >= {"results", "start", "limit", "size", "_links"}
    # Repeated parameters work as well, and limit is 1..200.
    repeated = alice.api.get(
        "/user/bulk", params=[("accountId", bob.account_id), ("accountId", admin.account_id), ("limit", "1")]
    ).json()
    assert [u["accountId"] for u in repeated["results"]] == [bob.account_id]
    assert alice.api.get("/user/bulk", params={"accountId": bob.account_id, "limit": 0}).status_code == 400
    assert alice.api.get("/user/bulk", params={"accountId": bob.account_id, "limit": 201}).status_code == 400
    assert alice.api.get("/user/bulk").status_code == 400
    assert alice.api.get("/user/bulk", params={"accountId": " , "}).status_code == 400
    expanded = alice.api.get("/user/bulk", params={"accountId": bob.account_id, "expand": "operations"}).json()
    assert expanded["results"][0]["operations"][0] == {"operation": "use", "targetType": "application"}


def test_email_lookup(admin: Person, alice: Person, bob: Person) -> None:
    response = admin.api.get("/user/email", params={"accountId": alice.account_id})
    assert response.status_code == 200
    assert response.json() == {"accountId": alice.account_id, "email": alice.email}
    assert alice.api.get("/user/email", params={"accountId": alice.account_id}).status_code == 200
    assert bob.api.get("/user/email", params={"accountId": alice.account_id}).status_code == 400
    assert admin.api.get("/user/email", params={"accountId": "557058:nobody"}).status_code == 404
    assert admin.api.get("/user/email").status_code == 400


def test_email_bulk_lookup(admin: Person, alice: Person, bob: Person) -> None:
    params = [("accountId", alice.account_id), ("accountId", bob.account_id), ("accountId", "557058:nobody")]
    assert admin.api.get("/user/email/bulk", params=params).json() == [
        {"accountId": alice.account_id, "email": alice.email},
        {"accountId": bob.account_id, "email": bob.email},
    ]
    # Accounts the caller may not see the email of are left out, like unknown ones.
    assert bob.api.get("/user/email/bulk", params=params).json() == [{"accountId": bob.account_id, "email": bob.email}]
    assert admin.api.get("/user/email/bulk").status_code == 400


@pytest.mark.parametrize("path", ["/user/memberof", "/user/bulk", "/user/email", "/user/email/bulk"])
def test_anonymous_cannot_look_up_people(anonymous: httpx.Client, alice: Person, path: str) -> None:
    assert anonymous.get(path, params={"accountId": alice.account_id}).status_code == 401


CURRENT_USER_EXPANDS = [
    None,
    "operations",
    "details",
    "personalSpace",
    "personalSpace.homepage,personalSpace.description.plain",
    "operations,personalSpace,details",
    "nonsense",
]


def _give_personal_space(server: RunningServer, person: Person) -> None:
    with transaction(server.runtime.sessions, write=True) as session:
        user_id = session.query(User.id).filter(User.account_id == person.account_id).scalar()
        space = Space(key="~" + person.account_id, name="Personal", type="personal", created_at=clock.now())
        session.add(space)
        session.flush()
        session.add(
            SpacePermission(
                space_id=space.id, operation="read", target_type="space", subject_type="user", user_id=user_id
            )
        )


def test_current_user_answers_as_the_lookup_of_the_same_user(
    server: RunningServer, admin: Person, alice: Person, anonymous: httpx.Client
) -> None:
    # /user/current reads its user as a plain row; GET /user?accountId= loads the entity. Same bytes.
    _give_personal_space(server, alice)
    for person in (alice, admin):
        for expand in CURRENT_USER_EXPANDS:
            params = {"expand": expand} if expand else {}
            current = person.api.get("/user/current", params=params)
            looked_up = person.api.get("/user", params={**params, "accountId": person.account_id})
            assert current.status_code == looked_up.status_code == 200
            assert current.content == looked_up.content, (person.account_id, expand)
    assert "personalSpace" in alice.api.get("/user/current", params={"expand": "personalSpace"}).json()
    for expand in (None, "operations", "details"):
        params = {"expand": expand} if expand else {}
        assert anonymous.get("/user/current", params=params).content == (
            anonymous.get("/user/anonymous", params=params).content
        )
