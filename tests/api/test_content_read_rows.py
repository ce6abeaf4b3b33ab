"""Read routes take rows that bring their space, current version and people along (one statement);
other routes load those separately. Both ways must give the same JSON, and the same content, for
every caller."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Person, create_page, make_person, unique_key
from tests.security.helpers import grant, restrict
from tests.server import RunningServer
from tests.v2.support import v2_client

EXPAND = "version,history.lastUpdated,space,body.storage"


@pytest.fixture
def pages(server: RunningServer, admin: Person, alice: Person) -> dict[str, Any]:
    """A private space (only those granted may read it) with a parent and children: one edited by
    somebody else (creator ≠ last author, version 2), one restricted to the admin, one left alone;
    alice may read the space."""
    key = unique_key("RR")
    created = admin.api.post("/space/_private", json={"key": key, "name": "Read rows"})
    assert created.status_code == 200, created.text
    grant(admin, key, "user", alice.account_id, "read", "space")
    editor = make_person(server, "Editor")
    grant(admin, key, "user", editor.account_id, "read", "space")
    grant(admin, key, "user", editor.account_id, "create", "page")
    parent = create_page(admin, key, "Parent")
    edited = create_page(admin, key, "Edited", parent=parent["id"])
    response = editor.api.put(
        f"/content/{edited['id']}",
        json={
            "type": "page",
            "title": "Edited",
            "version": {"number": 2, "message": "second"},
            "body": {"storage": {"value": "<p>v2</p>", "representation": "storage"}},
        },
    )
    assert response.status_code == 200, response.text
    hidden = create_page(admin, key, "Hidden", parent=parent["id"])
    restrict(admin, hidden["id"], read_users=[admin.account_id])
    plain = create_page(admin, key, "Plain", parent=parent["id"])
    editor.close()
    return {"key": key, "parent": parent["id"], "edited": edited["id"], "hidden": hidden["id"], "plain": plain["id"]}


def _single(person: Person, content_id: str, expand: str) -> dict[str, Any]:
    response = person.api.get(f"/content/{content_id}", params={"expand": expand})
    assert response.status_code == 200, response.text
    item = response.json()
    # A single content's _links carry base and context; items of a listing do not.
    item["_links"].pop("base")
    item["_links"].pop("context")
    return item


def _results(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return response.json()["results"]


@pytest.mark.parametrize("who", ["admin", "alice"])
def test_listings_with_versions_match_single_reads(who: str, admin: Person, alice: Person, pages: dict) -> None:
    person = {"admin": admin, "alice": alice}[who]
    listed = _results(person.api.get("/content", params={"spaceKey": pages["key"], "expand": EXPAND, "limit": 50}))
    bare = _results(person.api.get("/content", params={"spaceKey": pages["key"], "limit": 50}))
    children = _results(person.api.get(f"/content/{pages['parent']}/child/page", params={"expand": EXPAND}))
    bare_children = _results(person.api.get(f"/content/{pages['parent']}/child/page"))

    expected_children = ["edited", "plain"] if who == "alice" else ["edited", "hidden", "plain"]
    assert [c["id"] for c in children] == [c["id"] for c in bare_children] == [pages[k] for k in expected_children]
    assert [c["id"] for c in listed] == [c["id"] for c in bare]
    assert (
        pages["hidden"] not in {c["id"] for c in listed}
        if who == "alice"
        else pages["hidden"] in {c["id"] for c in listed}
    )
    for item in listed + children:
        assert item == _single(person, item["id"], EXPAND)
    edited = next(c for c in children if c["id"] == pages["edited"])
    assert edited["version"]["number"] == 2
    assert edited["version"]["by"]["displayName"] == "Editor"
    assert edited["history"]["createdBy"]["accountId"] == admin.account_id


@pytest.mark.parametrize("who", ["admin", "alice"])
def test_v2_page_matches_the_v2_listing(
    who: str, server: RunningServer, admin: Person, alice: Person, pages: dict
) -> None:
    person = {"admin": admin, "alice": alice}[who]
    with v2_client(server, person) as v2:
        for key in ("parent", "edited", "plain"):
            single = v2.get(f"/pages/{pages[key]}", params={"body-format": "storage"})
            assert single.status_code == 200, single.text
            item = single.json()
            listed = v2.get("/pages", params={"id": pages[key], "body-format": "storage"})
            assert listed.status_code == 200, listed.text
            (expected,) = listed.json()["results"]
            assert item["_links"].pop("base")
            assert item == expected
        edited = v2.get(f"/pages/{pages['edited']}").json()
        assert edited["parentType"] == "page"
        assert edited["authorId"] == admin.account_id
        assert edited["version"]["authorId"] != admin.account_id
        hidden = v2.get(f"/pages/{pages['hidden']}")
        assert hidden.status_code == (200 if who == "admin" else 404)


def test_a_missing_or_unreadable_space_lists_nothing(alice: Person, bob: Person, pages: dict) -> None:
    # bob holds no grant in the space: its listing is as empty as a missing space's.
    assert _results(bob.api.get("/content", params={"spaceKey": pages["key"], "expand": "version"})) == []
    assert _results(bob.api.get("/content", params={"spaceKey": pages["key"]})) == []
    assert _results(alice.api.get("/content", params={"spaceKey": "NOSUCHSPACE", "expand": "version"})) == []
    # The general listing (by title) names the space the same way.
    titled = alice.api.get("/content", params={"spaceKey": pages["key"], "title": "Plain"})
    assert [c["id"] for c in _results(titled)] == [pages["plain"]]
    assert _results(bob.api.get("/content", params={"spaceKey": pages["key"], "title": "Plain"})) == []
    # A bad postingDay in a space nobody can read is still an empty listing, as before.
    bad_day = {"spaceKey": "NOSUCHSPACE", "type": "blogpost", "postingDay": "not-a-day"}
    assert _results(alice.api.get("/content", params=bad_day)) == []
    bad_day["spaceKey"] = pages["key"]
    assert alice.api.get("/content", params=bad_day).status_code == 400
