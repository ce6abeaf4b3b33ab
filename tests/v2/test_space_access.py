"""v2 space permissions and roles, derived from and written to v1's space permission grants."""

from __future__ import annotations

import httpx
import orjson
import pytest
from sqlalchemy import select

from localfluence.db.session import transaction
from localfluence.models import Event
from tests.conftest import Person
from tests.server import RunningServer
from tests.v2.support import v2_client, walk


@pytest.fixture
def v2(server: RunningServer, admin: Person):  # type: ignore[no-untyped-def]
    with v2_client(server, admin) as client:
        yield client


def test_available_permissions_and_roles(v2: httpx.Client) -> None:
    permissions = walk(v2, "/space-permissions", {"limit": 5})
    ids = [p["id"] for p in permissions]
    assert "read/space" in ids and "administer/space" in ids and len(ids) == len(set(ids))
    roles = walk(v2, "/space-roles", {"limit": 2})
    assert [r["displayName"] for r in roles] == ["Admin", "Collaborator", "Viewer"]
    assert all(r["type"] == "SYSTEM" for r in roles)
    assert v2.get("/space-roles/1").json()["displayName"] == "Admin"
    assert v2.get("/space-roles/77").status_code == 404
    assert v2.get("/space-roles", params={"role-type": "CUSTOM"}).json()["results"] == []
    assert v2.get("/space-roles", params={"principal-id": "x"}).status_code == 400
    assert v2.get("/space-permissions", params={"cursor": "nope"}).status_code == 400


def test_assignments_follow_v1_grants(
    v2: httpx.Client, server: RunningServer, admin: Person, alice: Person, space: dict
) -> None:
    base = f"/spaces/{space['id']}"
    grants = walk(v2, f"{base}/permissions", {"limit": 7})
    mine = {
        (g["operation"]["key"], g["operation"]["targetType"])
        for g in grants
        if g["principal"]["id"] == admin.account_id
    }
    assert ("administer", "space") in mine and all(g["principal"]["type"] in ("user", "group") for g in grants)
    roles = {
        (a["principal"]["principalType"], a["principal"]["principalId"]): a["roleId"]
        for a in walk(v2, f"{base}/role-assignments")
    }
    assert roles[("USER", admin.account_id)] == "1"
    assert "2" in {r for (kind, _), r in roles.items() if kind == "GROUP"}
    with v2_client(server, alice) as as_alice:
        # Readers who do not administer the space see no one's grants, as in v1.
        assert walk(as_alice, f"{base}/permissions") == []
        assert walk(as_alice, f"{base}/role-assignments") == []
        denied = as_alice.post(
            f"{base}/role-assignments",
            json={"principal": {"principalType": "USER", "principalId": alice.account_id}, "roleId": "1"},
        )
        assert denied.status_code == 403
        # The permission check comes first: a non-administrator learns nothing about who exists.
        nobody = {"principal": {"principalType": "USER", "principalId": "557058:no-such-user"}, "roleId": "1"}
        assert as_alice.post(f"{base}/role-assignments", json=nobody).status_code == 403
        unknown_role = {"principal": {"principalType": "USER", "principalId": alice.account_id}, "roleId": "99"}
        assert as_alice.post(f"{base}/role-assignments", json=unknown_role).status_code == 403

    made = v2.post(
        f"{base}/role-assignments",
        json=[{"principal": {"principalType": "USER", "principalId": alice.account_id}, "roleId": "3"}],
    )
    assert made.status_code == 200, made.text
    assert {"principal": {"principalType": "USER", "principalId": alice.account_id}, "roleId": "3"} in made.json()[
        "results"
    ]
    v1 = admin.api.get(f"/space/{space['key']}", params={"expand": "permissions"}).json()["permissions"]
    alice_ops = {
        (p["operation"]["operation"], p["operation"]["targetType"])
        for p in v1
        if p.get("subjects", {}).get("user", {}).get("results", [{}])[0].get("accountId") == alice.account_id
    }
    assert alice_ops == {("read", "space")}
    filtered = walk(v2, f"{base}/role-assignments", {"principal-type": "USER", "principal-id": alice.account_id})
    assert [a["roleId"] for a in filtered] == ["3"]
    v2.post(f"{base}/role-assignments", json={"principal": {"principalType": "USER", "principalId": alice.account_id}})
    assert walk(v2, f"{base}/role-assignments", {"principal-type": "USER", "principal-id": alice.account_id}) == []
    orphan = v2.post(
        f"{base}/role-assignments",
        json={"principal": {"principalType": "USER", "principalId": admin.account_id}, "roleId": "3"},
    )
    assert orphan.status_code == 400
    assert (
        walk(v2, f"{base}/role-assignments", {"principal-type": "USER", "principal-id": admin.account_id})[0]["roleId"]
        == "1"
    )
    included = v2.get(f"{base}", params={"include-role-assignments": "true", "include-permissions": "true"}).json()
    assert included["roleAssignments"]["results"] and included["permissions"]["results"]


def test_role_assignments_record_a_permission_event(
    v2: httpx.Client, server: RunningServer, alice: Person, space: dict
) -> None:
    """As v1's permission changes do: webhooks and the audit trail hear of v2 role changes too."""
    assignment = {"principal": {"principalType": "USER", "principalId": alice.account_id}, "roleId": "3"}
    assert v2.post(f"/spaces/{space['id']}/role-assignments", json=[assignment]).status_code == 200
    with transaction(server.runtime.sessions) as session:
        payloads = [
            orjson.loads(p)
            for p in session.scalars(select(Event.payload).where(Event.type == "space_permissions_updated"))
        ]
    mine = [p for p in payloads if p["space"]["key"] == space["key"] and "assigned" in p]
    assert mine and mine[-1]["assigned"] == [
        {
            "subject": {"type": "user", "identifier": alice.account_id},
            "operations": [{"key": "read", "target": "space"}],
        }
    ]
