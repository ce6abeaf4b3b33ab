"""Global permissions: site admin, "can use", "create space", and anonymous access (off by default,
switched by a site admin under /_localfluence/settings)."""

from __future__ import annotations

import httpx

from tests.conftest import Person, create_page
from tests.security.helpers import anonymous_access, grant, leave_users_group
from tests.server import RunningServer

SETTINGS = "/_localfluence/settings"


def _as(person: Person, server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, auth=(person.email, person.token), timeout=30)


def test_anonymous_access_is_off_by_default_and_admin_only(
    admin: Person, alice: Person, server: RunningServer, anonymous
) -> None:
    with _as(admin, server) as client:
        assert client.get(f"{SETTINGS}/anonymous-access").json() == {"enabled": False}
    with _as(alice, server) as client:
        assert client.get(f"{SETTINGS}/anonymous-access").status_code == 403
        assert client.put(f"{SETTINGS}/anonymous-access", json={"enabled": True}).status_code == 403
    assert httpx.put(f"{server.url}{SETTINGS}/anonymous-access", json={"enabled": True}).status_code == 401
    with _as(admin, server) as client:
        assert client.put(f"{SETTINGS}/anonymous-access", json={"enabled": "maybe"}).status_code == 400
        assert client.put(f"{SETTINGS}/anonymous-access", json={}).status_code == 400


def test_anonymous_needs_both_the_site_switch_and_a_space_grant(
    admin: Person, space: dict, anonymous, server: RunningServer
) -> None:
    page = create_page(admin, space["key"], "Public one day")
    assert anonymous.get(f"/content/{page['id']}").status_code == 404
    with anonymous_access(admin, server):
        # The site allows anonymous users, but the space does not grant them read yet.
        assert anonymous.get(f"/content/{page['id']}").status_code == 404
        assert anonymous.get(f"/space/{space['key']}").status_code == 404
        grant(admin, space["key"], "user", "anonymous", "read", "space")
        assert anonymous.get(f"/content/{page['id']}").status_code == 200
        assert space["key"] in [s["key"] for s in anonymous.get("/space", params={"limit": 250}).json()["results"]]
        # Reading is not writing: anonymous writes are 401.
        response = anonymous.post("/content", json={"type": "page", "title": "anon", "space": {"key": space["key"]}})
        assert response.status_code == 401
    assert anonymous.get(f"/content/{page['id']}").status_code == 404
    assert anonymous.get("/user/current").json()["type"] == "anonymous"


def test_users_without_can_use_get_403_except_current_user(
    admin: Person, alice: Person, space: dict, server: RunningServer
) -> None:
    page = create_page(admin, space["key"], "Can use")
    assert alice.api.get(f"/content/{page['id']}").status_code == 200
    leave_users_group(server, alice)
    for path in (f"/content/{page['id']}", "/space", f"/space/{space['key']}", "/content"):
        response = alice.api.get(path)
        assert response.status_code == 403, path
        assert response.json()["statusCode"] == 403
    assert alice.server_api.get("/space").status_code == 403
    assert alice.api.get("/user/current").status_code == 200
    assert alice.server_api.get("/user/current").json()["accountId"] == alice.account_id
    # A direct "use" grant lets alice back in; confluence-users' space grants are still gone.
    with _as(admin, server) as client:
        granted = client.post(
            f"{SETTINGS}/global-permissions",
            json={"permission": "use", "subject": {"type": "user", "identifier": alice.account_id}},
        )
        assert granted.status_code == 200, granted.text
        assert granted.json()["permission"] == "use"
        assert granted.json()["subject"] == {"type": "user", "identifier": alice.account_id}
    assert alice.api.get("/space").status_code == 200
    assert alice.api.get(f"/content/{page['id']}").status_code == 404
    with _as(admin, server) as client:
        assert client.delete(f"{SETTINGS}/global-permissions/{granted.json()['id']}").status_code == 204
    assert alice.api.get("/space").status_code == 403


def test_create_space_global_permission(admin: Person, alice: Person, server: RunningServer) -> None:
    leave_users_group(server, alice)
    with _as(admin, server) as client:
        use = client.post(
            f"{SETTINGS}/global-permissions",
            json={"permission": "use", "subject": {"type": "user", "identifier": alice.account_id}},
        )
        assert use.status_code == 200
    body = {"key": f"CS{alice.account_id[-6:].upper().replace('-', '')}", "name": "Alice's"}
    assert alice.api.post("/space", json=body).status_code == 403
    with _as(admin, server) as client:
        create = client.post(
            f"{SETTINGS}/global-permissions",
            json={"permission": "createspace", "subject": {"type": "user", "identifier": alice.account_id}},
        )
        assert create.status_code == 200
    created = alice.api.post("/space", json=body)
    assert created.status_code == 200, created.text
    # The creator holds everything in the new space.
    perms = alice.api.get(f"/space/{body['key']}", params={"expand": "permissions"}).json()["permissions"]
    mine = {
        (p["operation"]["operation"], p["operation"]["targetType"]) for p in perms if "user" in p.get("subjects", {})
    }
    assert {("administer", "space"), ("read", "space"), ("restrict_content", "space"), ("create", "page")} <= mine


def test_global_permission_api_validation(admin: Person, alice: Person, server: RunningServer) -> None:
    with _as(admin, server) as client:
        url = f"{SETTINGS}/global-permissions"
        listed = client.get(url).json()
        assert {"use", "createspace", "administer"} <= {r["permission"] for r in listed["results"]}
        subject = {"type": "group", "identifier": "confluence-users"}
        assert client.post(url, json={"permission": "use", "subject": subject}).status_code == 400  # duplicate
        assert client.post(url, json={"permission": "administer", "subject": subject}).status_code == 400
        assert client.post(url, json={"permission": "fly", "subject": subject}).status_code == 400
        bad_subject = {"type": "group", "identifier": "no-such-group"}
        assert client.post(url, json={"permission": "use", "subject": bad_subject}).status_code == 400
        anon = {"type": "user", "identifier": "anonymous"}
        assert client.post(url, json={"permission": "use", "subject": anon}).status_code == 400
        admin_row = next(r for r in listed["results"] if r["permission"] == "administer")
        assert client.delete(f"{url}/{admin_row['id']}").status_code == 400
        assert client.delete(f"{url}/999999999").status_code == 404
    with _as(alice, server) as client:
        assert client.get(f"{SETTINGS}/global-permissions").status_code == 403


def test_site_admin_bypasses_space_permissions_and_restrictions(admin: Person, alice: Person) -> None:
    created = alice.api.post("/space/_private", json={"key": f"A{alice.account_id[-8:].upper()}", "name": "Mine"})
    assert created.status_code == 200, created.text
    key = created.json()["key"]
    page = create_page(alice, key, "Alice only")
    assert admin.api.get(f"/content/{page['id']}").status_code == 200
    assert admin.api.get(f"/space/{key}").status_code == 200


def test_settings_are_in_our_openapi(server: RunningServer) -> None:
    schema = httpx.get(f"{server.url}/openapi.json", timeout=120).json()
    assert f"{SETTINGS}/anonymous-access" in schema["paths"]
    assert "put" in schema["paths"][f"{SETTINGS}/anonymous-access"]
    assert f"{SETTINGS}/global-permissions" in schema["paths"]
