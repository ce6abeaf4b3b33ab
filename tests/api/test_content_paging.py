"""Pagination boundaries on every start/limit listing of the content and space APIs."""

from __future__ import annotations

import pytest

from tests.api.pages import assert_error, ids, walk
from tests.conftest import Person, create_page, unique_key

COUNT = 7


@pytest.fixture(scope="module")
def filled(admin: Person) -> dict:
    """A parent with COUNT child pages (two with a grandchild), COUNT blog posts, a page with COUNT versions.
    Module-scoped: every test here only reads."""
    response = admin.api.post("/space", json={"key": unique_key(), "name": "Paging"})
    assert response.status_code == 200, response.text
    space = response.json()
    key = space["key"]
    parent = create_page(admin, key, "Parent")
    children = [create_page(admin, key, f"Child {i}", parent=parent["id"]) for i in range(COUNT)]
    for child in children[:2]:
        create_page(admin, key, f"Grandchild of {child['title']}", parent=child["id"])
    for i in range(COUNT):
        create_page(admin, key, f"Post {i}", type="blogpost")
    versioned = create_page(admin, key, "Versioned")
    for n in range(2, COUNT + 1):
        response = admin.api.put(
            f"/content/{versioned['id']}", json={"type": "page", "title": "Versioned", "version": {"number": n}}
        )
        assert response.status_code == 200, response.text
    return {"space": space, "parent": parent, "children": children, "versioned": versioned}


def listings(filled: dict) -> list[tuple[str, dict, int]]:
    """(path, params, expected total) for each paged listing."""
    key, parent, versioned = filled["space"]["key"], filled["parent"]["id"], filled["versioned"]["id"]
    return [
        ("/content", {"spaceKey": key, "type": "blogpost"}, COUNT),
        (f"/content/{parent}/child/page", {}, COUNT),
        (f"/content/{parent}/descendant/page", {}, COUNT + 2),
        (f"/content/{versioned}/version", {}, COUNT),
        (f"/space/{key}/content/blogpost", {}, COUNT),
        (f"/space/{key}/content/page", {"depth": "root"}, 3),  # homepage, Parent, Versioned
    ]


def test_following_next_visits_every_item_once(admin: Person, filled: dict) -> None:
    for path, params, total in listings(filled):
        for limit in (1, 2, 3, COUNT, 200):
            items = walk(admin.api, path, limit=limit, **params)
            keys = [item.get("id", item.get("number")) for item in items]
            assert len(keys) == total, (path, limit)
            assert len(set(keys)) == total, (path, limit)


def test_next_only_when_there_is_more(admin: Person, filled: dict) -> None:
    for path, params, total in listings(filled):
        exact = admin.api.get(path, params={**params, "limit": total}).json()
        assert exact["size"] == total and "next" not in exact["_links"], path
        short = admin.api.get(path, params={**params, "limit": total - 1}).json()
        assert short["size"] == total - 1 and "next" in short["_links"], path
        assert short["_links"]["next"].startswith("/rest/api/"), path
        last = admin.api.get(path, params={**params, "limit": 2, "start": total - 1}).json()
        assert last["size"] == 1 and "next" not in last["_links"] and "prev" in last["_links"], path
        assert last["start"] == total - 1


def test_start_past_the_end_is_an_empty_page(admin: Person, filled: dict) -> None:
    for path, params, _total in listings(filled):
        for start in (500, 2**31, 10**30):
            response = admin.api.get(path, params={**params, "start": start})
            assert response.status_code == 200, (path, start, response.text)
            body = response.json()
            assert body["results"] == [] and body["size"] == 0 and "next" not in body["_links"]


def test_limit_zero_gives_an_empty_page_without_next(admin: Person, filled: dict) -> None:
    for path, params, _total in listings(filled):
        body = admin.api.get(path, params={**params, "limit": 0}).json()
        assert (body["results"], body["size"], body["limit"]) == ([], 0, 0), path
        assert "next" not in body["_links"], path


def test_limit_over_the_maximum_is_capped(admin: Person, filled: dict) -> None:
    for path, params, total in listings(filled):
        for limit in (1000, 10**30):
            response = admin.api.get(path, params={**params, "limit": limit})
            assert response.status_code == 200, (path, limit, response.text)
            body = response.json()
            assert body["size"] == total
            assert 25 <= body["limit"] < 1000, (path, body["limit"])
    assert admin.api.get("/content", params={"limit": 10**6}).json()["limit"] == 200
    assert admin.api.get("/space", params={"limit": 10**6}).json()["limit"] <= 500


def test_negative_or_non_numeric_start_and_limit_are_400(admin: Person, filled: dict) -> None:
    for path, params, _total in listings(filled):
        for bad in ({"start": -1}, {"limit": -1}, {"start": "x"}, {"limit": "1.5"}, {"limit": ""}):
            assert_error(admin.api.get(path, params={**params, **bad}), 400)
    for path in ("/space", "/longtask"):
        assert_error(admin.api.get(path, params={"start": -5}), 400)


def test_default_limits(admin: Person, filled: dict) -> None:
    parent = filled["parent"]["id"]
    assert admin.api.get(f"/content/{parent}/child/page").json()["limit"] == 25
    assert admin.api.get("/content", params={"spaceKey": filled["space"]["key"]}).json()["limit"] == 25
    assert admin.api.get(f"/content/{filled['versioned']['id']}/version").json()["limit"] == 200
    assert admin.api.get("/space").json()["limit"] == 25
    assert admin.api.get("/longtask").json()["limit"] == 100


def test_next_keeps_the_filters_and_expansions(admin: Person, filled: dict) -> None:
    key = filled["space"]["key"]
    first = admin.api.get("/content", params={"spaceKey": key, "type": "blogpost", "limit": 2, "expand": "version"})
    next_link = first.json()["_links"]["next"]
    assert f"spaceKey={key}" in next_link and "type=blogpost" in next_link and "expand=version" in next_link
    second = admin.api.get(first.json()["_links"]["base"] + next_link).json()
    assert second["start"] == 2 and all("version" in item for item in second["results"])
    assert set(ids(second)).isdisjoint(ids(first.json()))


def test_nested_children_expansion_pages_too(admin: Person, filled: dict) -> None:
    parent = filled["parent"]["id"]
    body = admin.api.get(f"/content/{parent}", params={"expand": "children.page"}).json()
    nested = body["children"]["page"]
    assert nested["size"] == COUNT and "next" not in nested["_links"]
