"""Relations: favourites and custom relations between users, content and spaces."""

from __future__ import annotations

import httpx

from tests.api.metadata_helpers import private_space
from tests.conftest import Person, create_page


def test_favourite_content_lifecycle(admin: Person, alice: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    path = f"/relation/favourite/from/user/current/to/content/{page['id']}"
    assert alice.api.get(path).status_code == 404
    created = alice.api.put(path)
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["name"] == "favourite"
    assert body["_links"]["self"].endswith(f"/relation/favourite/from/user/{alice.account_id}/to/content/{page['id']}")
    assert set(body["_expandable"]) == {"relationData", "source", "target"}
    assert alice.api.put(path).status_code == 200
    fetched = alice.api.get(path, params={"expand": "relationData,source,target"}).json()
    assert fetched["source"]["accountId"] == alice.account_id
    assert fetched["target"]["id"] == page["id"]
    assert fetched["relationData"]["createdBy"]["accountId"] == alice.account_id
    current = alice.api.get(f"/content/{page['id']}", params={"expand": "metadata.currentuser.favourited"}).json()
    assert current["metadata"]["currentuser"]["favourited"]["isFavourite"] is True
    assert current["metadata"]["currentuser"]["favourited"]["favouritedDate"]
    others = admin.api.get(f"/content/{page['id']}", params={"expand": "metadata.currentuser.favourited"}).json()
    assert others["metadata"]["currentuser"]["favourited"] == {"isFavourite": False}
    assert alice.api.delete(path).status_code == 204
    assert alice.api.delete(path).status_code == 204
    assert alice.api.get(path).status_code == 404


def test_favourite_spaces_and_listing(admin: Person, alice: Person, space: dict) -> None:
    assert alice.api.put(f"/relation/favourite/from/user/current/to/space/{space['key']}").status_code == 200
    listed = alice.api.get("/relation/favourite/from/user/current/to/space", params={"expand": "target"}).json()
    assert [r["target"]["key"] for r in listed["results"]] == [space["key"]]
    by_account = alice.api.get(f"/relation/favourite/from/user/{alice.account_id}/to/space").json()
    assert by_account["size"] == 1


def test_favourite_rules(admin: Person, alice: Person, bob: Person, space: dict, anonymous: httpx.Client) -> None:
    page = create_page(admin, space["key"])
    other = create_page(admin, space["key"])
    assert alice.api.put(f"/relation/favourite/from/content/{page['id']}/to/content/{other['id']}").status_code == 400
    assert alice.api.put(f"/relation/favourite/from/user/current/to/user/{bob.account_id}").status_code == 400
    assert alice.api.put(f"/relation/favourite/from/user/{bob.account_id}/to/content/{page['id']}").status_code == 403
    assert admin.api.put(f"/relation/favourite/from/user/{bob.account_id}/to/content/{page['id']}").status_code == 200
    assert bob.api.get(f"/relation/favourite/from/user/current/to/content/{page['id']}").status_code == 200
    assert anonymous.put(f"/relation/favourite/from/user/current/to/content/{page['id']}").status_code == 401
    assert alice.api.put(f"/relation/favourite/from/thing/x/to/content/{page['id']}").status_code == 400
    assert alice.api.put(f"/relation/bad name!/from/user/current/to/content/{page['id']}").status_code == 400
    assert alice.api.put("/relation/favourite/from/user/current/to/content/999999999").status_code == 404
    assert alice.api.put("/relation/favourite/from/user/current/to/space/NOSUCHKEY7").status_code == 404
    assert alice.api.put("/relation/favourite/from/user/557058:nobody/to/space/NOSUCHKEY7").status_code == 404


def test_custom_relations_from_and_to(admin: Person, alice: Person, bob: Person, space: dict) -> None:
    a = create_page(admin, space["key"])
    b = create_page(admin, space["key"])
    c = create_page(admin, space["key"])
    for target in (b, c):
        assert admin.api.put(f"/relation/sibling/from/content/{a['id']}/to/content/{target['id']}").status_code == 200
    targets = admin.api.get(f"/relation/sibling/from/content/{a['id']}/to/content", params={"expand": "target"}).json()
    assert [r["target"]["id"] for r in targets["results"]] == [b["id"], c["id"]]
    paged = admin.api.get(f"/relation/sibling/from/content/{a['id']}/to/content", params={"limit": 1}).json()
    assert paged["size"] == 1 and "next" in paged["_links"]
    sources = admin.api.get(f"/relation/sibling/to/content/{c['id']}/from/content", params={"expand": "source"}).json()
    assert [r["source"]["id"] for r in sources["results"]] == [a["id"]]
    assert alice.api.put(f"/relation/collaborator/from/user/current/to/content/{a['id']}").status_code == 200
    assert bob.api.put(f"/relation/collaborator/from/user/current/to/content/{a['id']}").status_code == 200
    people = admin.api.get(f"/relation/collaborator/to/content/{a['id']}/from/user", params={"expand": "source"}).json()
    assert {r["source"]["accountId"] for r in people["results"]} == {alice.account_id, bob.account_id}


def test_listings_hide_what_the_caller_cannot_see(admin: Person, bob: Person, space: dict) -> None:
    hidden_space = private_space(admin)
    hidden = create_page(admin, hidden_space["key"])
    shown = create_page(admin, space["key"])
    for target in (hidden, shown):
        admin.api.put(f"/relation/related/from/user/{bob.account_id}/to/content/{target['id']}")
    seen = bob.api.get("/relation/related/from/user/current/to/content", params={"expand": "target"}).json()
    assert [r["target"]["id"] for r in seen["results"]] == [shown["id"]]
    assert bob.api.get(f"/relation/related/from/user/current/to/content/{hidden['id']}").status_code == 404
    assert bob.api.get(f"/relation/related/to/content/{hidden['id']}/from/user").status_code == 404
