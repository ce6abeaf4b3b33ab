"""Content states: suggested and custom states, setting and removing them, the bulk tasks."""

from __future__ import annotations

import httpx

from tests.api.metadata_helpers import private_space, reader_space
from tests.conftest import Person, create_page
from tests.server import RunningServer
from tests.tasks import wait_for_state_task


def test_space_states_and_settings(admin: Person, alice: Person, space: dict) -> None:
    states = admin.api.get(f"/space/{space['key']}/state").json()
    assert [s["id"] for s in states] == [0, 1, 2]
    assert all(s["name"] and s["color"].startswith("#") for s in states)
    settings = admin.api.get(f"/space/{space['key']}/state/settings").json()
    assert settings["contentStatesAllowed"] and settings["customContentStatesAllowed"]
    assert settings["spaceContentStates"] == states
    assert alice.api.get(f"/space/{space['key']}/state").status_code == 200
    assert alice.api.get(f"/space/{space['key']}/state/settings").status_code == 403
    assert admin.api.get("/space/NOSUCHKEY3/state").status_code == 404


def test_set_get_remove_state_publishes_versions(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], body="<p>Keep me</p>")
    assert admin.api.get(f"/content/{page['id']}/state").json() == {"contentState": None, "lastUpdated": None}
    set_space_state = admin.api.put(f"/content/{page['id']}/state", params={"status": "current"}, json={"id": 1})
    assert set_space_state.status_code == 200, set_space_state.text
    assert set_space_state.json()["contentState"]["id"] == 1
    after = admin.api.get(f"/content/{page['id']}", params={"expand": "version,body.storage"}).json()
    assert after["version"]["number"] == 2 and after["body"]["storage"]["value"] == "<p>Keep me</p>"
    got = admin.api.get(f"/content/{page['id']}/state").json()
    assert got["contentState"]["name"] == "In progress" and got["lastUpdated"]

    custom = admin.api.put(f"/content/{page['id']}/state", json={"name": "Legal review", "color": "#FF7452"})
    assert custom.status_code == 200
    state = custom.json()["contentState"]
    assert state["id"] >= 1000 and state["color"] == "#ff7452"
    again = admin.api.put(f"/content/{page['id']}/state", json={"name": "Legal review", "color": "#ff7452"}).json()
    assert again["contentState"]["id"] == state["id"]
    assert [s["id"] for s in admin.api.get("/content-states").json()].count(state["id"]) == 1
    available = admin.api.get(f"/content/{page['id']}/state/available").json()
    assert len(available["spaceContentStates"]) == 3 and state["id"] in [
        s["id"] for s in available["customContentStates"]
    ]

    removed = admin.api.delete(f"/content/{page['id']}/state", params={"status": "current"})
    assert removed.status_code == 200 and removed.json()["contentState"] is None
    assert admin.api.get(f"/content/{page['id']}/state").json()["contentState"] is None
    assert admin.api.get(f"/content/{page['id']}").json()["version"]["number"] == 5


def test_draft_state_does_not_publish(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    assert admin.api.put(f"/content/{page['id']}/state", params={"status": "draft"}, json={"id": 0}).status_code == 200
    assert admin.api.get(f"/content/{page['id']}/state", params={"status": "draft"}).json()["contentState"]["id"] == 0
    assert admin.api.get(f"/content/{page['id']}/state").json()["contentState"] is None
    assert admin.api.get(f"/content/{page['id']}").json()["version"]["number"] == 1


def test_invalid_state_input(admin: Person, alice: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    path = f"/content/{page['id']}/state"
    assert admin.api.put(path, json={"name": "x" * 21, "color": "#ffffff"}).status_code == 400
    assert admin.api.put(path, json={"name": "Fine", "color": "red"}).status_code == 400
    assert admin.api.put(path, json={"name": "Fine"}).status_code == 400
    assert admin.api.put(path, json={"id": 999999}).status_code == 400
    assert admin.api.put(path, json={}).status_code == 400
    assert admin.api.put(path, params={"status": "archived"}, json={"id": 0}).status_code == 400
    assert admin.api.get(path, params={"status": "bogus"}).status_code == 400
    mine = alice.api.put(path, json={"name": "Alice only", "color": "#8777d9"}).json()["contentState"]
    assert admin.api.put(path, json={"id": mine["id"]}).status_code == 400
    assert admin.api.get(f"/content/{page['id']}").json()["version"]["number"] == 2


def test_permissions(server: RunningServer, admin: Person, alice: Person, bob: Person, anonymous: httpx.Client) -> None:
    readable = reader_space(server, admin, alice)
    page = create_page(admin, readable["key"])
    admin.api.put(f"/content/{page['id']}/state", json={"id": 2})
    assert alice.api.get(f"/content/{page['id']}/state").json()["contentState"]["id"] == 2
    assert alice.api.put(f"/content/{page['id']}/state", json={"id": 0}).status_code == 403
    assert alice.api.delete(f"/content/{page['id']}/state").status_code == 403
    assert alice.api.get(f"/content/{page['id']}/state/available").status_code == 403
    assert bob.api.get(f"/content/{page['id']}/state").status_code == 404
    assert anonymous.get("/content-states").status_code == 401
    assert admin.api.get("/content/999999999/state").status_code == 404


def test_contents_with_state(admin: Person, bob: Person, space: dict) -> None:
    pages = [create_page(admin, space["key"]) for _ in range(3)]
    for page in pages[:2]:
        admin.api.put(f"/content/{page['id']}/state", json={"id": 2})
    found = admin.api.get(f"/space/{space['key']}/state/content", params={"state-id": 2, "expand": "version"}).json()
    assert [c["id"] for c in found["results"]] == [p["id"] for p in pages[:2]]
    assert found["results"][0]["version"]["number"] == 2
    assert admin.api.get(f"/space/{space['key']}/state/content").status_code == 400
    assert (
        admin.api.get(f"/space/{space['key']}/state/content", params={"state-id": 2, "limit": 101}).status_code == 400
    )
    hidden = private_space(admin)
    assert bob.api.get(f"/space/{hidden['key']}/state/content", params={"state-id": 2}).status_code == 404


def test_bulk_set_and_remove(server: RunningServer, admin: Person, alice: Person, space: dict) -> None:
    pages = [create_page(admin, space["key"]) for _ in range(3)]
    ids = [p["id"] for p in pages]
    response = admin.api.put(
        "/content-states", params={"status": "current"}, json={"ids": ids, "contentState": {"id": 1}}
    )
    assert response.status_code == 200, response.text
    task_id = response.json()["asyncId"]
    update = wait_for_state_task(admin.api, task_id)
    assert sorted(update["set"]) == sorted(ids) and update["failed"] == [] and update["percentage"] == 100
    assert update["success"] is True and update["state"]["id"] == 1
    assert all(admin.api.get(f"/content/{i}/state").json()["contentState"]["id"] == 1 for i in ids)
    assert alice.api.get(f"/content-states/task/{task_id}").status_code == 404

    removal = admin.api.post("/content-states/delete", params={"status": "current"}, json={"ids": ids[:2]})
    assert removal.status_code == 200
    assert wait_for_state_task(admin.api, removal.json()["asyncId"])["set"] == ids[:2]
    assert admin.api.get(f"/content/{ids[0]}/state").json()["contentState"] is None
    assert admin.api.get(f"/content/{ids[2]}/state").json()["contentState"]["id"] == 1

    # Alice may read but not edit one of them: it fails, the others are set.
    readable = reader_space(server, admin, alice)
    locked = create_page(admin, readable["key"])
    own = create_page(alice, space["key"])
    mixed = alice.api.put(
        "/content-states",
        params={"status": "current"},
        json={"ids": [own["id"], locked["id"]], "contentState": {"id": 0}},
    ).json()
    result = wait_for_state_task(alice.api, mixed["asyncId"])
    assert result["set"] == [own["id"]] and [f["contentId"] for f in result["failed"]] == [locked["id"]]
    assert result["success"] is False


def test_bulk_bad_input_changes_nothing(admin: Person, bob: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    hidden = create_page(admin, private_space(admin)["key"])
    put = admin.api.put
    assert put("/content-states", json={"ids": [page["id"]], "contentState": {"id": 1}}).status_code == 400
    assert (
        put("/content-states", params={"status": "current"}, json={"ids": [], "contentState": {"id": 1}}).status_code
        == 400
    )
    assert put("/content-states", params={"status": "current"}, json={"ids": [page["id"]]}).status_code == 400
    too_many = {"ids": [str(i) for i in range(1, 302)], "contentState": {"id": 1}}
    assert put("/content-states", params={"status": "current"}, json=too_many).status_code == 400
    missing = bob.api.put(
        "/content-states",
        params={"status": "current"},
        json={"ids": [page["id"], hidden["id"]], "contentState": {"id": 1}},
    )
    assert missing.status_code == 404
    assert admin.api.get(f"/content/{page['id']}/state").json()["contentState"] is None
    assert admin.api.get(f"/content/{page['id']}").json()["version"]["number"] == 1
    assert admin.api.post("/content-states/delete", params={"status": "current"}, json={}).status_code == 400
    assert admin.api.get("/content-states/task/123456").status_code == 404
