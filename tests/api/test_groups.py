"""Tag "Group": list, create, delete, get and members by name and by id, add / remove members,
the group picker; the default groups; site-admin-only changes; the last administrator."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Person, make_person
from tests.server import ADMIN_EMAIL, ADMIN_TOKEN, RunningServer, database_for_worker, start_server


def new_group(admin: Person, prefix: str = "Team") -> dict:
    response = admin.api.post("/group", json={"name": f"{prefix}-{uuid.uuid4().hex[:8]}"})
    assert response.status_code == 201, response.text
    return response.json()


def member_ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [u["accountId"] for u in response.json()["results"]]


def test_default_groups_exist_and_list_in_name_order(alice: Person) -> None:
    response = alice.api.get("/group")
    assert response.status_code == 200
    body = response.json()
    names = [g["name"] for g in body["results"]]
    assert {"confluence-administrators", "confluence-users"} <= set(names)
    assert names == sorted(names)
    assert body["start"] == 0 and body["limit"] == 200 and body["size"] == len(names)
    assert {"base", "context", "self"} <= body["_links"].keys()
    group = body["results"][0]
    assert set(group) == {"type", "name", "id", "_links"}
    assert group["type"] == "group"


def test_group_list_paging_and_access_type(admin: Person, alice: Person) -> None:
    new_group(admin)
    page = alice.api.get("/group", params={"limit": 1}).json()
    assert page["size"] == 1
    assert page["_links"]["next"] == "/rest/api/group?limit=1&start=1"
    second = alice.api.get("/group", params={"limit": 1, "start": 1}).json()
    assert second["results"][0]["name"] > page["results"][0]["name"]
    assert "prev" in second["_links"]
    capped = alice.api.get("/group", params={"limit": 5000}).json()
    assert capped["limit"] == 200
    site_admins = alice.api.get("/group", params={"accessType": "site-admin"}).json()
    assert [g["name"] for g in site_admins["results"]] == ["confluence-administrators"]
    users = alice.api.get("/group", params={"accessType": "user"}).json()
    assert [g["name"] for g in users["results"]] == ["confluence-users"]
    assert alice.api.get("/group", params={"accessType": "nobody"}).status_code == 400
    assert alice.api.get("/group", params={"limit": -1}).status_code == 400


def test_create_group_stores_lower_case_names(admin: Person) -> None:
    name = f"Platform-Team-{uuid.uuid4().hex[:6]}"
    response = admin.api.post("/group", json={"name": f"  {name} "})
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == name.lower()
    assert body["type"] == "group"
    assert len(body["id"]) == 36
    assert body["_links"]["self"].endswith(f"/wiki/rest/api/group/{name.lower()}")
    # Duplicates are refused, whatever their case.
    duplicate = admin.api.post("/group", json={"name": name.upper()})
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.json()["message"]


@pytest.mark.parametrize(
    "payload",
    [{}, {"name": ""}, {"name": "   "}, {"name": None}, {"name": 12}, [], "x", {"name": "a" * 256}, {"name": "a\nb"}],
)
def test_create_group_bad_bodies(admin: Person, payload: object) -> None:
    response = admin.api.post("/group", json=payload)
    assert response.status_code == 400, response.text
    assert response.json()["statusCode"] == 400


def test_create_group_malformed_json(admin: Person) -> None:
    response = admin.api.post("/group", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400


def test_only_site_admins_create_groups(alice: Person, anonymous: httpx.Client) -> None:
    assert alice.api.post("/group", json={"name": f"g-{uuid.uuid4().hex[:6]}"}).status_code == 403
    assert anonymous.post("/group", json={"name": f"g-{uuid.uuid4().hex[:6]}"}).status_code == 401


def test_get_group_by_name_and_id(admin: Person, alice: Person) -> None:
    group = new_group(admin)
    for path, params in [
        (f"/group/{group['name']}", None),
        (f"/group/{group['name'].upper()}", None),
        ("/group/by-name", {"name": group["name"]}),
        ("/group/by-id", {"id": group["id"]}),
    ]:
        response = alice.api.get(path, params=params)
        assert response.status_code == 200, (path, response.text)
        assert response.json()["id"] == group["id"]
        assert response.json()["name"] == group["name"]
    assert alice.server_api.get("/group/by-id", params={"id": group["id"]}).json()["_links"]["context"] == ""


def test_get_group_errors(alice: Person, anonymous: httpx.Client) -> None:
    assert alice.api.get("/group/no-such-group").status_code == 404
    assert alice.api.get("/group/by-name", params={"name": "no-such-group"}).status_code == 404
    missing = alice.api.get("/group/by-id", params={"id": str(uuid.uuid4())})
    assert missing.status_code == 404
    assert missing.json()["statusCode"] == 404
    assert alice.api.get("/group/by-id").status_code == 400
    assert alice.api.get("/group/by-name").status_code == 400
    assert anonymous.get("/group").status_code == 401
    assert anonymous.get("/group/confluence-users").status_code == 401


def test_add_and_list_members_by_name_and_id(admin: Person, alice: Person, bob: Person) -> None:
    group = new_group(admin)
    added = admin.api.post("/group/user", params={"name": group["name"]}, json={"accountId": alice.account_id})
    assert added.status_code == 201
    assert added.content == b""
    added = admin.api.post("/group/userByGroupId", params={"groupId": group["id"]}, json={"accountId": bob.account_id})
    assert added.status_code == 201
    expected = sorted([alice.account_id, bob.account_id])
    by_name = bob.api.get(f"/group/{group['name']}/member")
    assert sorted(member_ids(by_name)) == expected
    by_query = bob.api.get("/group/member", params={"name": group["name"]})
    assert sorted(member_ids(by_query)) == expected
    by_id = bob.api.get(f"/group/{group['id']}/membersByGroupId")
    assert sorted(member_ids(by_id)) == expected
    # Members are ordered by display name.
    assert member_ids(by_id) == [alice.account_id, bob.account_id]
    body = by_id.json()
    assert body["start"] == 0 and body["limit"] == 200 and body["size"] == 2
    assert "totalSize" not in body
    assert body["results"][0]["type"] == "known"
    # Memberships show on the user too.
    memberof = alice.api.get("/user/memberof", params={"accountId": alice.account_id}).json()
    assert group["name"] in [g["name"] for g in memberof["results"]]


def test_member_paging_total_size_and_expand(admin: Person, alice: Person, bob: Person) -> None:
    group = new_group(admin)
    for person in (alice, bob):
        admin.api.post("/group/userByGroupId", params={"groupId": group["id"]}, json={"accountId": person.account_id})
    page = alice.api.get(
        f"/group/{group['id']}/membersByGroupId",
        params={"limit": 1, "shouldReturnTotalSize": "true", "expand": "operations"},
    ).json()
    assert page["size"] == 1 and page["totalSize"] == 2
    assert page["results"][0]["operations"][0] == {"operation": "use", "targetType": "application"}
    assert page["_links"]["next"].startswith(f"/rest/api/group/{group['id']}/membersByGroupId?")
    rest = alice.api.get(f"/group/{group['id']}/membersByGroupId", params={"limit": 1, "start": 1}).json()
    assert rest["size"] == 1 and "next" not in rest["_links"]
    by_query = alice.api.get("/group/member", params={"name": group["name"], "shouldReturnTotalSize": True}).json()
    assert by_query["totalSize"] == 2
    # atlassian-python-api asks for 1000 at a time; Cloud caps members at 200.
    assert alice.api.get(f"/group/{group['name']}/member", params={"limit": 1000}).json()["limit"] == 200


def test_members_of_unknown_group_are_404(alice: Person) -> None:
    assert alice.api.get("/group/nope-nope/member").status_code == 404
    assert alice.api.get("/group/member", params={"name": "nope-nope"}).status_code == 404
    assert alice.api.get(f"/group/{uuid.uuid4()}/membersByGroupId").status_code == 404
    assert alice.api.get("/group/member").status_code == 400


def test_add_member_errors(admin: Person, alice: Person, anonymous: httpx.Client) -> None:
    group = new_group(admin)
    by_name = {"name": group["name"]}
    assert admin.api.post("/group/user", params=by_name, json={"accountId": alice.account_id}).status_code == 201
    duplicate = admin.api.post("/group/user", params=by_name, json={"accountId": alice.account_id})
    assert duplicate.status_code == 400
    assert "already a member" in duplicate.json()["message"]
    unknown_user = admin.api.post("/group/user", params=by_name, json={"accountId": "557058:nobody"})
    assert unknown_user.status_code == 404
    unknown_group = admin.api.post("/group/user", params={"name": "nope-nope"}, json={"accountId": alice.account_id})
    assert unknown_group.status_code == 404
    unknown_id = admin.api.post(
        "/group/userByGroupId", params={"groupId": str(uuid.uuid4())}, json={"accountId": alice.account_id}
    )
    assert unknown_id.status_code == 404
    assert admin.api.post("/group/user", params=by_name, json={}).status_code == 400
    assert admin.api.post("/group/user", params=by_name, json={"accountId": ""}).status_code == 400
    assert admin.api.post("/group/user", params=by_name, json=["x"]).status_code == 400
    assert admin.api.post("/group/user", json={"accountId": alice.account_id}).status_code == 400
    assert admin.api.post("/group/userByGroupId", json={"accountId": alice.account_id}).status_code == 400
    # Site admins only.
    assert alice.api.post("/group/user", params=by_name, json={"accountId": alice.account_id}).status_code == 403
    assert anonymous.post("/group/user", params=by_name, json={"accountId": alice.account_id}).status_code == 401


def test_remove_members_by_name_and_id(admin: Person, alice: Person, bob: Person) -> None:
    group = new_group(admin)
    for person in (alice, bob):
        admin.api.post("/group/userByGroupId", params={"groupId": group["id"]}, json={"accountId": person.account_id})
    removed = admin.api.delete("/group/user", params={"name": group["name"], "accountId": alice.account_id})
    assert removed.status_code == 204
    removed = admin.api.delete("/group/userByGroupId", params={"groupId": group["id"], "accountId": bob.account_id})
    assert removed.status_code == 204
    assert member_ids(admin.api.get(f"/group/{group['id']}/membersByGroupId")) == []
    # Removing someone who is not a member is quietly fine (spec: removeMemberFromGroup).
    again = admin.api.delete("/group/user", params={"name": group["name"], "accountId": alice.account_id})
    assert again.status_code == 204
    # The deprecated username parameter still names a user.
    admin.api.post("/group/user", params={"name": group["name"]}, json={"accountId": alice.account_id})
    by_username = admin.api.delete("/group/user", params={"name": group["name"], "username": alice.email})
    assert by_username.status_code == 204
    assert member_ids(admin.api.get(f"/group/{group['id']}/membersByGroupId")) == []


def test_remove_member_errors(admin: Person, alice: Person) -> None:
    group = new_group(admin)
    assert admin.api.delete("/group/user", params={"name": group["name"]}).status_code == 400
    assert admin.api.delete("/group/userByGroupId", params={"groupId": group["id"]}).status_code == 400
    assert (
        admin.api.delete("/group/user", params={"name": group["name"], "accountId": "557058:nobody"}).status_code == 404
    )
    assert (
        admin.api.delete("/group/user", params={"name": "nope-nope", "accountId": alice.account_id}).status_code == 404
    )
    assert (
        admin.api.delete(
            "/group/userByGroupId", params={"groupId": str(uuid.uuid4()), "accountId": alice.account_id}
        ).status_code
        == 404
    )
    assert admin.api.delete("/group/user", params={"accountId": alice.account_id}).status_code == 400
    assert (
        alice.api.delete("/group/user", params={"name": group["name"], "accountId": alice.account_id}).status_code
        == 403
    )


def test_delete_group_by_name_and_by_id(admin: Person, alice: Person) -> None:
    first, second = new_group(admin), new_group(admin)
    admin.api.post("/group/userByGroupId", params={"groupId": first["id"]}, json={"accountId": alice.account_id})
    assert alice.api.delete("/group", params={"name": first["name"]}).status_code == 403
    assert admin.api.delete("/group", params={"name": first["name"]}).status_code == 204
    assert admin.api.delete("/group/by-id", params={"id": second["id"]}).status_code == 204
    for group in (first, second):
        assert alice.api.get("/group/by-id", params={"id": group["id"]}).status_code == 404
        assert alice.api.get(f"/group/{group['name']}").status_code == 404
        assert group["name"] not in [g["name"] for g in alice.api.get("/group").json()["results"]]
    memberof = alice.api.get("/user/memberof", params={"accountId": alice.account_id}).json()
    assert first["name"] not in [g["name"] for g in memberof["results"]]
    # The name is free again, for a new group with a new id.
    again = admin.api.post("/group", json={"name": first["name"]})
    assert again.status_code == 201
    assert again.json()["id"] != first["id"]
    assert member_ids(alice.api.get(f"/group/{again.json()['id']}/membersByGroupId")) == []


def test_delete_group_errors(admin: Person) -> None:
    assert admin.api.delete("/group", params={"name": "nope-nope"}).status_code == 404
    assert admin.api.delete("/group/by-id", params={"id": str(uuid.uuid4())}).status_code == 404
    assert admin.api.delete("/group").status_code == 400
    assert admin.api.delete("/group/by-id").status_code == 400
    for name in ("confluence-users", "confluence-administrators"):
        refused = admin.api.delete("/group", params={"name": name})
        assert refused.status_code == 400
        assert "default group" in refused.json()["message"]


def test_group_picker(admin: Person, alice: Person) -> None:
    marker = uuid.uuid4().hex[:8]
    for suffix in ("alpha", "beta", "gamma"):
        admin.api.post("/group", json={"name": f"pick-{marker}-{suffix}"})
    response = alice.api.get("/group/picker", params={"query": marker.upper()})
    assert response.status_code == 200
    body = response.json()
    assert [g["name"] for g in body["results"]] == [f"pick-{marker}-{s}" for s in ("alpha", "beta", "gamma")]
    assert "totalSize" not in body
    paged = alice.api.get("/group/picker", params={"query": marker, "limit": 2, "shouldReturnTotalSize": True}).json()
    assert paged["size"] == 2 and paged["totalSize"] == 3
    assert "next" in paged["_links"]
    assert alice.api.get("/group/picker", params={"query": f"{marker}-be"}).json()["size"] == 1
    # LIKE wildcards in the query are literal characters.
    assert alice.api.get("/group/picker", params={"query": "%"}).json()["size"] == 0
    assert alice.api.get("/group/picker", params={"query": "_"}).json()["size"] == 0
    assert alice.api.get("/group/picker").status_code == 400


def test_admin_group_membership_makes_a_site_admin(admin: Person, alice: Person) -> None:
    name = f"g-{uuid.uuid4().hex[:6]}"
    assert alice.api.post("/group", json={"name": name}).status_code == 403
    admins = {"name": "confluence-administrators"}
    assert admin.api.post("/group/user", params=admins, json={"accountId": alice.account_id}).status_code == 201
    assert alice.api.post("/group", json={"name": name}).status_code == 201
    assert admin.api.delete("/group/user", params={**admins, "accountId": alice.account_id}).status_code == 204
    assert alice.api.post("/group", json={"name": name + "x"}).status_code == 403


@pytest.fixture(scope="module")
def lonely_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A site of its own, whose only administrator is the bootstrap admin."""
    data_dir: Path = tmp_path_factory.mktemp("lonely-site")
    running = start_server(data_dir, database_for_worker(data_dir))
    yield running
    running.stop()


def test_the_last_administrator_cannot_be_removed(lonely_site: RunningServer) -> None:
    with httpx.Client(base_url=lonely_site.url + "/wiki/rest/api", auth=(ADMIN_EMAIL, ADMIN_TOKEN)) as api:
        me = api.get("/user/current").json()["accountId"]
        admins = api.get("/group/by-name", params={"name": "confluence-administrators"}).json()
        refused = api.delete("/group/user", params={"name": "confluence-administrators", "accountId": me})
        assert refused.status_code == 400
        assert "last active member of confluence-administrators" in refused.json()["message"]
        refused = api.delete("/group/userByGroupId", params={"groupId": admins["id"], "accountId": me})
        assert refused.status_code == 400
        assert me in member_ids(api.get(f"/group/{admins['id']}/membersByGroupId"))
        # With a second, active administrator the first may leave.
        other = make_person(lonely_site, "Second")
        api.post("/group/userByGroupId", params={"groupId": admins["id"]}, json={"accountId": other.account_id})
        # A deactivated administrator does not count.
        assert api.post(f"{lonely_site.url}/_localfluence/users/{other.account_id}/deactivate").status_code == 200
        refused = api.delete("/group/user", params={"name": "confluence-administrators", "accountId": me})
        assert refused.status_code == 400
        assert api.post(f"{lonely_site.url}/_localfluence/users/{other.account_id}/activate").status_code == 200
        left = other.api.delete("/group/user", params={"name": "confluence-administrators", "accountId": me})
        assert left.status_code == 204
        other.api.post("/group/user", params={"name": "confluence-administrators"}, json={"accountId": me})
        other.api.close()
        other.server_api.close()
