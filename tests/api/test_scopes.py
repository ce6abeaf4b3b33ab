"""OAuth-style token scopes: a scoped token reaches only the operations its scopes cover (classic
or granular set), refused with Atlassian's bare 401; unscoped tokens act with full permissions."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.conftest import Person, create_page
from tests.server import RunningServer

SCOPE_MISMATCH = {"code": 401, "message": "Unauthorized; scope does not match"}

TokenFactory = Callable[..., httpx.Client]


@pytest.fixture
def scoped(server: RunningServer, admin: Person) -> TokenFactory:
    """scoped(person, *scopes, prefix=...) → a client using a new token limited to those scopes."""
    clients: list[httpx.Client] = []

    def make(person: Person, *scopes: str, prefix: str = "/wiki/rest/api", bearer: bool = False) -> httpx.Client:
        response = httpx.post(
            f"{server.url}/_localfluence/users/{person.account_id}/tokens",
            json={"scopes": list(scopes)},
            auth=(admin.email, admin.token),
        )
        assert response.status_code == 201, response.text
        token = response.json()["token"]
        if bearer:
            client = httpx.Client(base_url=server.url + prefix, headers={"Authorization": f"Bearer {token}"})
        else:
            client = httpx.Client(base_url=server.url + prefix, auth=(person.email, token))
        clients.append(client)
        return client

    yield make  # type: ignore[misc]
    for client in clients:
        client.close()


def assert_scope_refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json() == SCOPE_MISMATCH


def test_classic_scope_admits_its_operations_only(scoped: TokenFactory, alice: Person) -> None:
    api = scoped(alice, "read:confluence-user")
    assert api.get("/user/current").status_code == 200
    assert api.get("/user", params={"accountId": alice.account_id}).status_code == 200
    assert_scope_refused(api.get("/group"))
    assert_scope_refused(api.get("/space"))
    assert_scope_refused(api.post("/group", json={"name": "x"}))


def test_granular_scope_set_needs_every_scope(scoped: TokenFactory, admin: Person, alice: Person) -> None:
    group_id = admin.api.get("/group/by-name", params={"name": "confluence-users"}).json()["id"]
    path = f"/group/{group_id}/membersByGroupId"
    # getGroupMembersByGroupId: classic read:confluence-groups, or granular read:group + read:user.
    assert_scope_refused(scoped(alice, "read:group:confluence").get(path))
    assert scoped(alice, "read:group:confluence", "read:user:confluence").get(path).status_code == 200
    assert scoped(alice, "read:confluence-groups").get(path).status_code == 200
    # Either set alone is enough for an operation; holding more does no harm.
    api = scoped(alice, "read:confluence-groups", "read:confluence-user", "read:content-details:confluence")
    assert api.get("/group").status_code == 200
    assert api.get("/user/current").status_code == 200


def test_deprecated_operations_take_their_successors_scopes(scoped: TokenFactory, alice: Person) -> None:
    api = scoped(alice, "read:confluence-groups")
    assert api.get("/group/confluence-users").status_code == 200
    assert api.get("/group/confluence-users/member").status_code == 200


def test_scopes_never_widen_permissions(scoped: TokenFactory, alice: Person) -> None:
    api = scoped(alice, "write:confluence-groups")
    response = api.post("/group", json={"name": "not-for-alice"})
    assert response.status_code == 403


def test_write_scope_for_an_admin(scoped: TokenFactory, admin: Person) -> None:
    import uuid

    writer = scoped(admin, "write:confluence-groups")
    name = f"scoped-{uuid.uuid4().hex[:8]}"
    assert writer.post("/group", json={"name": name}).status_code == 201
    assert writer.delete("/group", params={"name": name}).status_code == 204
    reader = scoped(admin, "read:confluence-groups")
    assert_scope_refused(reader.post("/group", json={"name": name}))


def test_content_scopes(scoped: TokenFactory, admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    reader = scoped(admin, "read:confluence-content.summary")
    assert reader.get(f"/content/{page['id']}").status_code == 200
    assert_scope_refused(reader.post("/content", json={"type": "page", "title": "x", "space": {"key": space["key"]}}))
    writer = scoped(admin, "write:confluence-content")
    created = writer.post("/content", json={"type": "page", "title": "by scoped token", "space": {"key": space["key"]}})
    assert created.status_code == 200, created.text
    assert_scope_refused(writer.get(f"/content/{page['id']}"))
    granular = scoped(admin, "read:content-details:confluence", "write:content:confluence")
    assert granular.get(f"/content/{page['id']}").status_code == 200
    assert (
        granular.post("/content", json={"type": "page", "title": "granular", "space": {"key": space["key"]}}).json()[
            "title"
        ]
        == "granular"
    )


def test_scopes_apply_on_both_prefixes_and_to_bearer_tokens(scoped: TokenFactory, alice: Person) -> None:
    server_style = scoped(alice, "read:confluence-user", prefix="/rest/api")
    assert server_style.get("/user/current").status_code == 200
    assert_scope_refused(server_style.get("/group"))
    bearer = scoped(alice, "read:confluence-user", bearer=True)
    assert bearer.get("/user/current").status_code == 200
    assert_scope_refused(bearer.get("/group"))


def test_operations_outside_the_spec_refuse_scoped_tokens(
    server: RunningServer, scoped: TokenFactory, admin: Person, alice: Person
) -> None:
    # Our admin API and the privacy-unsafe email lookups carry no scopes in the spec.
    api = scoped(admin, *_every_scope(server))
    assert api.get("/user/current").status_code == 200
    assert_scope_refused(api.get(f"{server.url}/_localfluence/users"))
    assert_scope_refused(api.get("/user/email", params={"accountId": alice.account_id}))


def test_unscoped_tokens_act_with_full_permissions(server: RunningServer, admin: Person, alice: Person) -> None:
    assert alice.api.get("/group").status_code == 200
    assert alice.api.get("/user/current").status_code == 200
    assert admin.api.get(f"{server.url}/_localfluence/users").status_code == 200
    assert admin.api.get("/user/email", params={"accountId": alice.account_id}).status_code == 200


def test_anonymous_requests_are_not_scope_checked(anonymous: httpx.Client) -> None:
    assert anonymous.get("/user/anonymous").status_code == 200


def _every_scope(server: RunningServer) -> list[str]:
    from localfluence.auth.scopes import known_scopes

    return sorted(known_scopes())
