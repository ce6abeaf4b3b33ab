"""Our admin user API under /_localfluence/users: create, list, deactivate, reactivate, delete,
issue tokens; deactivated users cannot authenticate; deleted users' content keeps its author."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Person, create_page
from tests.server import ADMIN_EMAIL, ADMIN_TOKEN, RunningServer, database_for_worker, start_server

ROOT = "/_localfluence/users"


@pytest.fixture
def users(server: RunningServer, admin: Person) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, auth=(admin.email, admin.token)) as client:
        yield client


def new_email() -> str:
    return f"carol-{uuid.uuid4().hex[:8]}@example.com"


def test_create_user_and_sign_in_with_a_token(server: RunningServer, users: httpx.Client) -> None:
    email = new_email()
    created = users.post(ROOT, json={"email": email.upper(), "displayName": "Carol"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["email"] == email
    assert body["displayName"] == "Carol"
    assert body["active"] is True and body["deleted"] is False
    assert body["_links"]["self"].endswith(f"/_localfluence/users/{body['accountId']}")
    token = users.post(f"{ROOT}/{body['accountId']}/tokens", json={"label": "ci"})
    assert token.status_code == 201
    assert token.json()["scopes"] == []
    me = httpx.get(server.url + "/wiki/rest/api/user/current", auth=(email, token.json()["token"]))
    assert me.status_code == 200
    assert me.json()["accountId"] == body["accountId"]
    memberof = httpx.get(
        server.url + "/wiki/rest/api/user/memberof",
        params={"accountId": body["accountId"]},
        auth=(email, token.json()["token"]),
    ).json()
    assert [g["name"] for g in memberof["results"]] == ["confluence-users"]
    assert users.get(f"{ROOT}/{body['accountId']}").json()["email"] == email


def test_create_site_admin_and_password(server: RunningServer, users: httpx.Client) -> None:
    email = new_email()
    body = users.post(
        ROOT, json={"email": email, "displayName": "Dee", "siteAdmin": True, "password": "s3cret!"}
    ).json()
    response = httpx.get(
        server.url + "/rest/api/user/current", params={"expand": "operations"}, auth=(email, "s3cret!")
    )
    assert response.status_code == 200
    assert {"operation": "administer", "targetType": "application"} in response.json()["operations"]
    assert body["accountId"] == response.json()["accountId"]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"email": "no-at-sign", "displayName": "X"},
        {"email": "a@b.c"},
        {"email": "a@b.c", "displayName": ""},
        {"email": "a@b.c", "displayName": "   "},
        {"email": "a b@c.d", "displayName": "X"},
        {"email": "a@b.c", "displayName": "X", "siteAdmin": "perhaps"},
        [],
    ],
)
def test_create_user_bad_bodies(users: httpx.Client, payload: object) -> None:
    response = users.post(ROOT, json=payload)
    assert response.status_code == 400, response.text
    assert response.json()["statusCode"] == 400


def test_create_user_duplicate_email(users: httpx.Client, alice: Person) -> None:
    response = users.post(ROOT, json={"email": alice.email, "displayName": "Again"})
    assert response.status_code == 400
    assert "already exists" in response.json()["message"]


def test_list_users(users: httpx.Client, alice: Person, bob: Person) -> None:
    body = users.get(ROOT, params={"limit": 1000}).json()
    emails = [u["email"] for u in body["results"]]
    assert ADMIN_EMAIL in emails and alice.email in emails and bob.email in emails
    page = users.get(ROOT, params={"limit": 1}).json()
    assert page["size"] == 1 and "next" in page["_links"]


def test_admin_api_is_for_site_admins_only(server: RunningServer, alice: Person, bob: Person) -> None:
    root = server.url + "/_localfluence/users"
    for method, path, payload in [
        ("GET", "", None),
        ("POST", "", {"email": new_email(), "displayName": "X"}),
        ("GET", f"/{bob.account_id}", None),
        ("POST", f"/{bob.account_id}/deactivate", None),
        ("POST", f"/{bob.account_id}/activate", None),
        ("DELETE", f"/{bob.account_id}", None),
        ("POST", f"/{bob.account_id}/tokens", {}),
    ]:
        as_alice = httpx.request(method, root + path, json=payload, auth=(alice.email, alice.token))
        assert as_alice.status_code == 403, (method, path)
        as_nobody = httpx.request(method, root + path, json=payload)
        assert as_nobody.status_code == 401, (method, path)
    assert bob.api.get("/user/current").status_code == 200


def test_unknown_users_are_404(users: httpx.Client) -> None:
    for method, path in [
        ("GET", "/557058:nobody"),
        ("POST", "/557058:nobody/deactivate"),
        ("POST", "/557058:nobody/activate"),
        ("DELETE", "/557058:nobody"),
        ("POST", "/557058:nobody/tokens"),
    ]:
        response = users.request(method, ROOT + path, json={} if path.endswith("tokens") else None)
        assert response.status_code == 404, (method, path)


def test_deactivated_users_cannot_authenticate(server: RunningServer, users: httpx.Client, alice: Person) -> None:
    deactivated = users.post(f"{ROOT}/{alice.account_id}/deactivate")
    assert deactivated.status_code == 200
    assert deactivated.json()["active"] is False
    for client in (alice.api, alice.server_api):
        refused = client.get("/user/current")
        assert refused.status_code == 401
        assert refused.json()["statusCode"] == 401
    bearer = httpx.get(server.url + "/wiki/rest/api/space", headers={"Authorization": f"Bearer {alice.token}"})
    assert bearer.status_code == 401
    # Others still see the account; its groups stay.
    assert users.get(f"{ROOT}/{alice.account_id}").json()["active"] is False
    reactivated = users.post(f"{ROOT}/{alice.account_id}/activate")
    assert reactivated.status_code == 200 and reactivated.json()["active"] is True
    assert alice.api.get("/user/current").status_code == 200
    memberof = alice.api.get("/user/memberof", params={"accountId": alice.account_id}).json()
    assert "confluence-users" in [g["name"] for g in memberof["results"]]


def test_deleted_users_content_keeps_working(
    server: RunningServer, users: httpx.Client, admin: Person, alice: Person, space: dict
) -> None:
    page = create_page(alice, space["key"], "Written by Alice")
    assert users.delete(f"{ROOT}/{alice.account_id}").status_code == 204
    assert alice.api.get("/user/current").status_code == 401
    content = admin.api.get(f"/content/{page['id']}", params={"expand": "history,version"})
    assert content.status_code == 200
    body = content.json()
    assert body["title"] == "Written by Alice"
    created_by = body["history"]["createdBy"]
    assert created_by["accountId"] == alice.account_id
    assert created_by["displayName"] == created_by["publicName"] == "Former user"
    assert created_by["email"] == ""
    assert body["version"]["by"]["displayName"] == "Former user"
    # The account id still resolves, as a former user; personal data is gone.
    former = admin.api.get("/user", params={"accountId": alice.account_id})
    assert former.status_code == 200
    assert former.json()["displayName"] == "Former user"
    assert former.json()["email"] == ""
    assert admin.api.get("/user", params={"username": alice.email}).status_code == 404
    assert admin.api.get("/user/email", params={"accountId": alice.account_id}).status_code == 404
    # Gone from every group; the email is free for a new account.
    members = admin.api.get("/group/member", params={"name": "confluence-users", "limit": 200}).json()
    assert alice.account_id not in [u["accountId"] for u in members["results"]]
    again = users.post(ROOT, json={"email": alice.email, "displayName": "Alice again"})
    assert again.status_code == 201
    assert again.json()["accountId"] != alice.account_id
    # A deleted user cannot be changed any more.
    assert users.post(f"{ROOT}/{alice.account_id}/activate").status_code == 404
    assert users.delete(f"{ROOT}/{alice.account_id}").status_code == 404
    listed = users.get(ROOT, params={"includeDeleted": True, "limit": 1000}).json()
    gone = [u for u in listed["results"] if u["accountId"] == alice.account_id]
    assert gone and gone[0]["deleted"] is True
    assert alice.account_id not in [u["accountId"] for u in users.get(ROOT, params={"limit": 1000}).json()["results"]]


def test_token_scopes_are_validated(users: httpx.Client, alice: Person) -> None:
    response = users.post(
        f"{ROOT}/{alice.account_id}/tokens", json={"scopes": ["read:confluence-user", "write:everything"]}
    )
    assert response.status_code == 400
    assert "write:everything" in response.json()["message"]
    assert users.post(f"{ROOT}/{alice.account_id}/tokens", json={"scopes": [" "]}).status_code == 400
    assert users.post(f"{ROOT}/{alice.account_id}/tokens", json={"scopes": "read:confluence-user"}).status_code == 400
    ok = users.post(
        f"{ROOT}/{alice.account_id}/tokens", json={"scopes": ["read:confluence-user read:confluence-groups"]}
    )
    assert ok.status_code == 201
    assert ok.json()["scopes"] == ["read:confluence-user", "read:confluence-groups"]


def test_admin_api_is_documented(server: RunningServer) -> None:
    paths = httpx.get(server.url + "/openapi.json", timeout=120).json()["paths"]
    assert {"/_localfluence/users", "/_localfluence/users/{accountId}/deactivate"} <= paths.keys()
    assert "delete" in paths["/_localfluence/users/{accountId}"]


@pytest.fixture(scope="module")
def lonely_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp("lonely-admin")
    running = start_server(data_dir, database_for_worker(data_dir))
    yield running
    running.stop()


def test_the_last_administrator_cannot_be_deactivated_or_deleted(lonely_site: RunningServer) -> None:
    with httpx.Client(base_url=lonely_site.url, auth=(ADMIN_EMAIL, ADMIN_TOKEN)) as api:
        me = api.get("/wiki/rest/api/user/current").json()["accountId"]
        for method, path in [
            ("POST", f"/_localfluence/users/{me}/deactivate"),
            ("DELETE", f"/_localfluence/users/{me}"),
        ]:
            refused = api.request(method, path)
            assert refused.status_code == 400
            assert "at least one active administrator" in refused.json()["message"]
        assert api.get("/wiki/rest/api/user/current").status_code == 200
