"""v2 ancestors and children over v1's content tree."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.conftest import Person, create_page
from tests.server import RunningServer
from tests.v2.support import v2_client, walk


@pytest.fixture
def v2(server: RunningServer, admin: Person):  # type: ignore[no-untyped-def]
    with v2_client(server, admin) as client:
        yield client


def test_ancestors_top_down_and_limited(v2: httpx.Client, admin: Person, space: dict) -> None:
    home = str(space["homepage"]["id"])
    a = create_page(admin, space["key"], "A", parent=home)
    b = create_page(admin, space["key"], "B", parent=a["id"])
    c = create_page(admin, space["key"], "C", parent=b["id"])
    got = v2.get(f"/pages/{c['id']}/ancestors")
    assert got.status_code == 200, got.text
    assert got.json()["results"] == [{"id": i, "type": "page"} for i in (home, a["id"], b["id"])]
    assert [x["id"] for x in v2.get(f"/pages/{c['id']}/ancestors", params={"limit": 2}).json()["results"]] == [
        a["id"],
        b["id"],
    ]
    assert v2.get(f"/pages/{home}/ancestors").json()["results"] == []
    assert v2.get("/pages/99999999/ancestors").status_code == 404
    assert v2.get(f"/pages/{c['id']}/ancestors", params={"limit": 0}).status_code == 400
    # No whiteboards, databases, smart links or folders here: their ancestors are 404 alike.
    for kind in ("whiteboards", "databases", "embeds", "folders"):
        assert v2.get(f"/{kind}/{c['id']}/ancestors").status_code == 404, kind


def test_children_paged_sorted_and_visible(
    v2: httpx.Client, server: RunningServer, admin: Person, alice: Person, space: dict
) -> None:
    parent = create_page(admin, space["key"], "Parent")
    kids = [create_page(admin, space["key"], f"Kid {i}", parent=parent["id"]) for i in range(5)]
    create_page(admin, space["key"], "Grandkid", parent=kids[0]["id"])
    seen = walk(v2, f"/pages/{parent['id']}/children", {"limit": 2})
    assert [c["id"] for c in seen] == [k["id"] for k in kids]
    assert seen[0] == {
        "id": kids[0]["id"],
        "status": "current",
        "title": "Kid 0",
        "spaceId": str(space["id"]),
        "childPosition": seen[0]["childPosition"],
    }
    newest_first = walk(v2, f"/pages/{parent['id']}/children", {"sort": "-id"})
    assert [c["id"] for c in newest_first] == [k["id"] for k in reversed(kids)]
    assert v2.get(f"/pages/{parent['id']}/children", params={"sort": "title"}).status_code == 400
    assert v2.get(f"/pages/{parent['id']}/children", params={"cursor": "bad"}).status_code == 400

    hidden = kids[1]
    restriction = admin.api.put(
        f"/content/{hidden['id']}/restriction",
        json=[{"operation": "read", "restrictions": {"user": [{"type": "known", "accountId": admin.account_id}]}}],
    )
    assert restriction.status_code == 200, restriction.text
    with v2_client(server, alice) as as_alice:
        ids = [c["id"] for c in walk(as_alice, f"/pages/{parent['id']}/children")]
        assert hidden["id"] not in ids and len(ids) == 4
        assert as_alice.get(f"/pages/{hidden['id']}/ancestors").status_code == 404

    key = "TR" + uuid.uuid4().hex[:6].upper()
    admin.api.post("/space/_private", json={"key": key, "name": "Private"})
    secret = create_page(admin, key, "Secret")
    with v2_client(server, alice) as as_alice:
        assert as_alice.get(f"/pages/{secret['id']}/children").status_code == 404
    assert v2.get(f"/custom-content/{parent['id']}/children").status_code == 404
