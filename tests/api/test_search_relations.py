"""CQL fields over what other packages store: watchers, favourites, views, space categories and
content properties."""

from __future__ import annotations

from tests.conftest import Person, create_page

XSRF = {"X-Atlassian-Token": "no-check"}


def ids(person: Person, cql: str) -> set[str]:
    response = person.api.get("/content/search", params={"cql": cql, "limit": 100})
    assert response.status_code == 200, response.text
    return {c["id"] for c in response.json()["results"]}


def test_watcher_and_favourite(admin: Person, alice: Person, space: dict) -> None:
    key = space["key"]
    watched = create_page(admin, key, "Watched by alice")
    liked = create_page(admin, key, "Favourite of alice")
    other = create_page(admin, key, "Nobody cares")
    assert alice.api.post(f"/user/watch/content/{watched['id']}", headers=XSRF).status_code == 204
    assert alice.api.put(f"/relation/favourite/from/user/current/to/content/{liked['id']}").status_code == 200

    assert ids(alice, f'space = "{key}" and watcher = currentUser()') == {watched["id"]}
    assert ids(admin, f'space = "{key}" and watcher = "{alice.account_id}"') == {watched["id"]}
    assert ids(alice, f'space = "{key}" and favourite = currentUser()') == {liked["id"]}
    assert other["id"] not in ids(alice, f'space = "{key}" and (watcher = currentUser() or favorite = currentUser())')


def test_favourite_and_recently_viewed_spaces(admin: Person, alice: Person, space: dict) -> None:
    key = space["key"]
    page = create_page(admin, key, "Viewed page")
    assert alice.api.put(f"/relation/favourite/from/user/current/to/space/{key}").status_code == 200
    assert page["id"] in ids(alice, "space in favouriteSpaces() and type = page")
    assert ids(alice, "id in recentlyViewedContent()") == set()
    assert alice.api.get(f"/content/{page['id']}", params={"trigger": "viewed"}).status_code == 200
    assert ids(alice, "id in recentlyViewedContent()") == {page["id"]}
    assert page["id"] in ids(alice, "space in recentlyViewedSpaces() and type = page")


def test_space_category(admin: Person, space: dict) -> None:
    key = space["key"]
    page = create_page(admin, key, "In a categorised space")
    response = admin.api.post(f"/space/{key}/label", json=[{"prefix": "team", "name": "handbook"}])
    assert response.status_code == 200, response.text
    assert page["id"] in ids(admin, "space.category = handbook and type = page")
    assert page["id"] not in ids(admin, "space.category = elsewhere and type = page")


def test_content_property(admin: Person, space: dict) -> None:
    key = space["key"]
    high = create_page(admin, key, "High priority")
    low = create_page(admin, key, "Low priority")
    for page, level, owner in ((high, 9, "ops"), (low, 2, "docs")):
        response = admin.api.post(
            f"/content/{page['id']}/property", json={"key": "meta", "value": {"priority": level, "owner": owner}}
        )
        assert response.status_code == 200, response.text
    scoped = f'space = "{key}" and '
    assert ids(admin, scoped + 'content.property[meta].owner = "ops"') == {high["id"]}
    assert ids(admin, scoped + "content.property[meta].priority > 5") == {high["id"]}
    # Negation is the complement, as for labels: content without the property matches too.
    others = ids(admin, scoped + 'content.property[meta].owner != "ops"')
    assert low["id"] in others and high["id"] not in others
