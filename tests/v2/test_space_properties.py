"""v2 space properties over v1's: create, list, get, update with versions, delete, permissions."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Person
from tests.server import RunningServer
from tests.v2.support import v2_client, walk


@pytest.fixture
def v2(server: RunningServer, admin: Person):  # type: ignore[no-untyped-def]
    with v2_client(server, admin) as client:
        yield client


def test_space_property_lifecycle(v2: httpx.Client, admin: Person, space: dict) -> None:
    base = f"/spaces/{space['id']}/properties"
    made = []
    for i in range(4):
        response = v2.post(base, json={"key": f"k{i}", "value": {"n": i}})
        assert response.status_code == 201, response.text
        made.append(response.json())
    assert made[0]["key"] == "k0" and made[0]["value"] == {"n": 0} and made[0]["version"]["number"] == 1
    assert made[0]["createdBy"] == admin.account_id
    assert v2.post(base, json={"key": "k0", "value": 1}).status_code == 409
    assert v2.post(base, json={"value": 1}).status_code == 400
    assert [p["key"] for p in walk(v2, base, {"limit": 3})] == ["k0", "k1", "k2", "k3"]
    assert [p["id"] for p in walk(v2, base, {"key": "k2"})] == [made[2]["id"]]
    assert v2.get(base, params={"cursor": "bad"}).status_code == 400

    one = f"{base}/{made[1]['id']}"
    assert v2.get(one).json()["value"] == {"n": 1}
    updated = v2.put(one, json={"key": "k1", "value": "new", "version": {"number": 2}})
    assert updated.status_code == 200, updated.text
    assert updated.json()["value"] == "new" and updated.json()["version"]["number"] == 2
    assert v2.put(one, json={"key": "k1", "value": "stale", "version": {"number": 2}}).status_code == 409
    v1 = admin.api.get(f"/space/{space['key']}/property/k1").json()
    assert v1["value"] == "new" and v1["version"]["number"] == 2

    assert v2.delete(one).status_code == 204
    assert v2.get(one).status_code == 404
    assert admin.api.get(f"/space/{space['key']}/property/k1").status_code == 404


def test_space_property_permissions(v2: httpx.Client, server: RunningServer, alice: Person, space: dict) -> None:
    base = f"/spaces/{space['id']}/properties"
    prop = v2.post(base, json={"key": "guarded", "value": True}).json()
    with v2_client(server, alice) as as_alice:
        assert as_alice.get(f"{base}/{prop['id']}").json()["value"] is True
        assert as_alice.post(base, json={"key": "mine", "value": 1}).status_code == 403
        assert as_alice.delete(f"{base}/{prop['id']}").status_code == 403
        denied = as_alice.put(f"{base}/{prop['id']}", json={"key": "guarded", "value": 0, "version": {"number": 2}})
        assert denied.status_code == 403 and denied.json()["errors"][0]["code"] == "PERMISSION_DENIED"
    assert v2.get(f"{base}/99999").status_code == 404
    assert v2.get("/spaces/99999999/properties").status_code == 404
