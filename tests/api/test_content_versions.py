"""Content versions (tag "Content versions") and the content history."""

from __future__ import annotations

import pytest

from tests.api.pages import assert_error, get, update, updated, walk
from tests.api.shapes import assert_shape
from tests.conftest import Person, create_page


@pytest.fixture
def page(admin: Person, space: dict) -> dict:
    """A page with three versions: bodies <p>v1</p>..<p>v3</p>, titles T1..T3."""
    page = create_page(admin, space["key"], "T1", body="<p>v1</p>")
    page = updated(admin, page, title="T2", body="<p>v2</p>")
    return updated(admin, page, title="T3", body="<p>v3</p>")


def numbers(listing: dict) -> list[int]:
    return [v["number"] for v in listing["results"]]


def test_list_versions_newest_first(admin: Person, page: dict) -> None:
    listing = admin.api.get(f"/content/{page['id']}/version").json()
    assert_shape(listing, "VersionArray")
    assert numbers(listing) == [3, 2, 1]
    assert listing["limit"] == 200
    assert all(v["by"]["accountId"] == admin.account_id for v in listing["results"])
    first = admin.api.get(f"/content/{page['id']}/version", params={"limit": 1}).json()
    assert numbers(first) == [3]
    assert "next" in first["_links"]
    assert [v["number"] for v in walk(admin.api, f"/content/{page['id']}/version", limit=2)] == [3, 2, 1]


def test_get_one_version(admin: Person, page: dict) -> None:
    response = admin.api.get(f"/content/{page['id']}/version/2")
    assert response.status_code == 200, response.text
    version = response.json()
    assert_shape(version, "Version")
    assert (version["number"], version["minorEdit"]) == (2, False)
    assert version["_links"]["self"].endswith(f"/rest/api/content/{page['id']}/version/2")
    assert "content" in version["_expandable"]
    with_content = admin.api.get(f"/content/{page['id']}/version/2", params={"expand": "content.body.storage"}).json()
    assert with_content["content"]["title"] == "T2"
    assert with_content["content"]["body"]["storage"]["value"] == "<p>v2</p>"
    assert_error(admin.api.get(f"/content/{page['id']}/version/7"), 404)
    assert_error(admin.api.get(f"/content/{page['id']}/version/two"), 400)


def test_restore_an_older_version(admin: Person, page: dict) -> None:
    response = admin.api.post(
        f"/content/{page['id']}/version",
        json={"operationKey": "restore", "params": {"versionNumber": 1, "message": "back to one"}},
    )
    assert response.status_code == 200, response.text
    version = response.json()
    assert_shape(version, "Version")
    assert (version["number"], version["message"]) == (4, "back to one")
    after = get(admin, page["id"], expand="body.storage,version")
    assert (after["version"]["number"], after["body"]["storage"]["value"]) == (4, "<p>v1</p>")
    assert after["title"] == "T3"  # restoreTitle defaults to false


def test_restore_with_title(admin: Person, page: dict) -> None:
    response = admin.api.post(
        f"/content/{page['id']}/version",
        json={"operationKey": "restore", "params": {"versionNumber": 2, "message": "", "restoreTitle": True}},
    )
    assert response.status_code == 200, response.text
    assert get(admin, page["id"])["title"] == "T2"


def test_restore_refusals(admin: Person, page: dict) -> None:
    path = f"/content/{page['id']}/version"
    for number in (3, 9, 0):
        response = admin.api.post(path, json={"operationKey": "restore", "params": {"versionNumber": number}})
        assert_error(response, 400)
    assert_error(admin.api.post(path, json={"operationKey": "erase", "params": {"versionNumber": 1}}), 400)
    assert_error(admin.api.post(path, json={"operationKey": "restore"}), 400)
    assert get(admin, page["id"])["version"]["number"] == 3


def test_delete_a_version_renumbers_the_later_ones(admin: Person, page: dict) -> None:
    assert admin.api.delete(f"/content/{page['id']}/version/2").status_code == 204
    listing = admin.api.get(f"/content/{page['id']}/version").json()
    assert numbers(listing) == [2, 1]
    current = get(admin, page["id"], expand="body.storage,version")
    assert (current["version"]["number"], current["body"]["storage"]["value"]) == (2, "<p>v3</p>")
    assert get(admin, page["id"], version=1, expand="body.storage")["body"]["storage"]["value"] == "<p>v1</p>"
    # Updates continue from the new current number.
    assert_error(update(admin, current, version=4), 409, "Current version is: 2")
    assert updated(admin, current, body="<p>v4</p>")["version"]["number"] == 3


def test_delete_version_refusals(admin: Person, page: dict) -> None:
    assert_error(admin.api.delete(f"/content/{page['id']}/version/3"), 400)
    assert_error(admin.api.delete(f"/content/{page['id']}/version/8"), 400)
    assert_error(admin.api.delete("/content/987654321/version/1"), 404)
    assert numbers(admin.api.get(f"/content/{page['id']}/version").json()) == [3, 2, 1]


def test_history_of_content(admin: Person, alice: Person, page: dict) -> None:
    updated(alice, page, body="<p>by alice</p>")
    response = admin.api.get(f"/content/{page['id']}/history")
    assert response.status_code == 200, response.text
    history = response.json()
    assert_shape(history, "ContentHistory")
    assert history["latest"] is True
    assert history["createdBy"]["accountId"] == admin.account_id
    assert history["_links"]["self"].endswith(f"/rest/api/content/{page['id']}/history")
    assert history["_links"]["base"].endswith("/wiki")
    # lastUpdated comes by default: clients compute the next version number from it.
    assert history["lastUpdated"]["number"] == 4
    assert {"previousVersion", "contributors", "nextVersion"} <= set(history["_expandable"])
    params = {"expand": "lastUpdated,previousVersion,contributors.publishers,nextVersion"}
    full = admin.api.get(f"/content/{page['id']}/history", params=params).json()
    assert_shape(full, "ContentHistory")
    assert full["lastUpdated"]["number"] == 4
    assert full["lastUpdated"]["by"]["accountId"] == alice.account_id
    assert full["previousVersion"]["number"] == 3
    assert full["contributors"]["publishers"]["userAccountIds"] == [admin.account_id, alice.account_id]
    assert "nextVersion" not in full


def test_history_of_an_older_version_points_both_ways(admin: Person, page: dict) -> None:
    body = get(admin, page["id"], version=2, expand="history.previousVersion,history.nextVersion")
    assert body["history"]["latest"] is False
    assert body["history"]["previousVersion"]["number"] == 1
    assert body["history"]["nextVersion"]["number"] == 3


def test_versions_of_trashed_content_stay_readable(admin: Person, page: dict) -> None:
    assert admin.api.delete(f"/content/{page['id']}").status_code == 204
    assert numbers(admin.api.get(f"/content/{page['id']}/version").json())[:3] == [3, 2, 1]
    assert_error(admin.api.get("/content/987654321/version"), 404)
    assert_error(admin.api.get("/content/987654321/history"), 404)
