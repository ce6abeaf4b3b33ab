"""Watching content, spaces and labels; watch listings."""

from __future__ import annotations

import httpx

from tests.api.metadata_helpers import private_space
from tests.conftest import Person, create_page

XSRF = {"X-Atlassian-Token": "no-check"}


def test_watch_and_unwatch_content(admin: Person, alice: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    path = f"/user/watch/content/{page['id']}"
    assert alice.api.get(path).json() == {"watching": False}
    assert alice.api.post(path, headers=XSRF).status_code == 204
    assert alice.api.post(path, headers={"X-Atlassian-Token": "nocheck"}).status_code == 204
    assert alice.api.get(path).json() == {"watching": True}
    watches = admin.api.get(f"/content/{page['id']}/notification/child-created").json()
    assert watches["size"] == 1
    watch = watches["results"][0]
    assert watch["contentId"] == int(page["id"]) and watch["watcher"]["accountId"] == alice.account_id
    assert "_links" not in watch["watcher"] and watch["watcher"]["type"] == "known"
    assert alice.api.delete(path, headers=XSRF).status_code == 204
    assert alice.api.get(path).json() == {"watching": False}
    assert admin.api.get(f"/content/{page['id']}/notification/child-created").json()["size"] == 0


def test_xsrf_header_is_required_for_changes(admin: Person, alice: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    for method, path in (
        ("POST", f"/user/watch/content/{page['id']}"),
        ("DELETE", f"/user/watch/content/{page['id']}"),
        ("POST", f"/user/watch/space/{space['key']}"),
        ("DELETE", f"/user/watch/space/{space['key']}"),
    ):
        response = alice.api.request(method, path)
        assert response.status_code == 403, (method, path)
        assert response.json()["message"] == "XSRF check failed"
        assert alice.api.request(method, path, headers={"X-Atlassian-Token": "yes"}).status_code == 403
    assert alice.api.get(f"/user/watch/content/{page['id']}").json() == {"watching": False}


def test_watching_for_someone_else_needs_admin(admin: Person, alice: Person, bob: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    path = f"/user/watch/content/{page['id']}"
    assert alice.api.post(path, params={"accountId": bob.account_id}, headers=XSRF).status_code == 403
    assert alice.api.get(path, params={"accountId": bob.account_id}).status_code == 403
    assert admin.api.post(path, params={"accountId": bob.account_id}, headers=XSRF).status_code == 204
    assert admin.api.get(path, params={"accountId": bob.account_id}).json() == {"watching": True}
    assert bob.api.get(path).json() == {"watching": True}
    assert alice.api.get(path, params={"accountId": alice.account_id}).json() == {"watching": False}
    assert admin.api.get(path, params={"accountId": "557058:nobody"}).status_code == 404


def test_unknown_or_invisible_targets_are_refused(admin: Person, bob: Person, anonymous: httpx.Client) -> None:
    hidden_space = private_space(admin)
    hidden = create_page(admin, hidden_space["key"])
    assert bob.api.get(f"/user/watch/content/{hidden['id']}").status_code == 403
    assert bob.api.post(f"/user/watch/content/{hidden['id']}", headers=XSRF).status_code == 403
    assert bob.api.get("/user/watch/content/999999999").status_code == 403
    assert bob.api.get(f"/user/watch/space/{hidden_space['key']}").status_code == 403
    assert bob.api.get("/user/watch/label/nosuchlabelanywhere").status_code == 403
    assert anonymous.get(f"/user/watch/content/{hidden['id']}").status_code == 401
    assert bob.api.get(f"/content/{hidden['id']}/notification/child-created").status_code == 404
    assert anonymous.get(f"/content/{hidden['id']}/notification/created").status_code == 401


def test_space_watches(admin: Person, alice: Person, bob: Person, space: dict) -> None:
    key = space["key"]
    page = create_page(admin, key)
    assert alice.api.post(f"/user/watch/space/{key}", headers=XSRF).status_code == 204
    assert bob.api.post(f"/user/watch/space/{key}", headers=XSRF).status_code == 204
    assert alice.api.get(f"/user/watch/space/{key}").json() == {"watching": True}
    watchers = admin.api.get(f"/space/{key}/watch").json()
    assert [w["watcher"]["accountId"] for w in watchers["results"]] == [alice.account_id, bob.account_id]
    assert all(w["spaceKey"] == key for w in watchers["results"])
    paged = admin.api.get(f"/space/{key}/watch", params={"limit": "1"}).json()
    assert paged["size"] == 1 and "next" in paged["_links"]
    assert admin.api.get(f"/space/{key}/watch", params={"limit": "many"}).status_code == 400
    via_content = admin.api.get(f"/content/{page['id']}/notification/created").json()
    assert {w["watcher"]["accountId"] for w in via_content["results"]} == {alice.account_id, bob.account_id}
    assert alice.api.delete(f"/user/watch/space/{key}", headers=XSRF).status_code == 204
    assert alice.api.get(f"/user/watch/space/{key}").json() == {"watching": False}
    assert admin.api.get("/space/NOSUCHKEY9/watch").status_code == 404


def test_label_watches(admin: Person, alice: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    admin.api.post(f"/content/{page['id']}/label", json={"prefix": "global", "name": "watchme"})
    assert alice.api.get("/user/watch/label/watchme").json() == {"watching": False}
    assert alice.api.post("/user/watch/label/watchme", headers=XSRF).status_code == 204
    assert alice.api.get("/user/watch/label/watchme").json() == {"watching": True}
    assert alice.api.get("/user/watch/label/global:watchme").json() == {"watching": True}
    assert alice.api.delete("/user/watch/label/watchme", headers=XSRF).status_code == 204
    assert alice.api.get("/user/watch/label/watchme").json() == {"watching": False}
