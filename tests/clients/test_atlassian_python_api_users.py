"""atlassian-python-api, unchanged, against localfluence: groups, members and user details.

The Cloud client (cloud=True) exposes get_all_groups, get_group, get_group_members and
get_all_members by group id; it has no methods to change memberships or read user details, so
those go through the same client's own request methods, and the user-details helpers through
the library's Server/Data Center class, which calls the same /rest/api/user paths."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from atlassian import Confluence
from atlassian.errors import ApiNotFoundError

from tests.conftest import Person
from tests.server import RunningServer


@pytest.fixture
def cloud(server: RunningServer, admin: Person) -> Iterator[Confluence]:
    client = Confluence(url=server.url + "/wiki", username=admin.email, password=admin.token, cloud=True)
    yield client
    client.close()


@pytest.fixture
def classic(server: RunningServer, admin: Person) -> Iterator[Confluence]:
    client = Confluence(url=server.url + "/wiki", username=admin.email, password=admin.token, cloud=False)
    yield client
    client.close()


def _group(cloud: Confluence) -> dict:
    name = f"client-{uuid.uuid4().hex[:8]}"
    return cloud.post("rest/api/group", data={"name": name})


def test_get_all_groups(cloud: Confluence) -> None:
    groups = cloud.get_all_groups()
    names = [g["name"] for g in groups]
    assert {"confluence-users", "confluence-administrators"} <= set(names)
    assert names == sorted(names)


def test_get_group_and_members_by_id(cloud: Confluence, admin: Person) -> None:
    admins = next(g for g in cloud.get_all_groups() if g["name"] == "confluence-administrators")
    assert cloud.get_group(admins["id"])["name"] == "confluence-administrators"
    page = cloud.get_group_members(admins["id"])
    assert admin.account_id in [u["accountId"] for u in page["results"]]
    every = cloud.get_all_members(admins["id"])
    assert admin.account_id in [u["accountId"] for u in every]


def test_add_and_remove_a_member_with_the_cloud_client(cloud: Confluence, alice: Person) -> None:
    group = _group(cloud)
    assert group["type"] == "group"
    cloud.post("rest/api/group/userByGroupId", params={"groupId": group["id"]}, data={"accountId": alice.account_id})
    assert [u["accountId"] for u in cloud.get_all_members(group["id"])] == [alice.account_id]
    cloud.delete("rest/api/group/userByGroupId", params={"groupId": group["id"], "accountId": alice.account_id})
    assert cloud.get_all_members(group["id"]) == []
    cloud.post("rest/api/group/user", params={"name": group["name"]}, data={"accountId": alice.account_id})
    assert [u["accountId"] for u in cloud.get_group_members(group["id"])["results"]] == [alice.account_id]
    cloud.delete("rest/api/group/user", params={"name": group["name"], "accountId": alice.account_id})
    cloud.delete("rest/api/group/by-id", params={"id": group["id"]})
    assert group["name"] not in [g["name"] for g in cloud.get_all_groups()]


def test_get_user_details_by_accountid(classic: Confluence, alice: Person) -> None:
    user = classic.get_user_details_by_accountid(alice.account_id)
    assert user["accountId"] == alice.account_id
    assert user["displayName"] == "Alice"
    assert user["type"] == "known"
    with pytest.raises(ApiNotFoundError):
        classic.get_user_details_by_accountid("557058:nobody")


def test_get_user_details_by_username_and_userkey(classic: Confluence, alice: Person) -> None:
    # Cloud dropped usernames; localfluence still answers them (the username is the email).
    assert classic.get_user_details_by_username(alice.email)["accountId"] == alice.account_id
    assert classic.get_user_details_by_userkey(alice.account_id)["accountId"] == alice.account_id
    with pytest.raises(ApiNotFoundError):
        classic.get_user_details_by_username("nobody@example.com")


def test_group_members_by_name_with_the_server_client(classic: Confluence, admin: Person) -> None:
    members = classic.get_all_members("confluence-administrators")
    assert admin.account_id in [u["accountId"] for u in members]
    assert "confluence-users" in [g["name"] for g in classic.get_all_groups(limit=200)]
