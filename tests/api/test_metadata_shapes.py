"""The metadata operations answer in the shapes the spec's schemas define."""

from __future__ import annotations

from tests.api.spec_shapes import assert_shape
from tests.conftest import Person, create_page
from tests.tasks import wait_for_state_task

XSRF = {"X-Atlassian-Token": "no-check"}


def test_shapes(admin: Person, alice: Person, space: dict) -> None:
    key = space["key"]
    page = create_page(admin, key)
    pid = page["id"]
    labels = admin.api.post(f"/content/{pid}/label", json=[{"prefix": "global", "name": "shape"}]).json()
    assert_shape(labels, "LabelArray")
    assert_shape(admin.api.get(f"/content/{pid}/label").json(), "LabelArray")
    assert_shape(admin.api.get("/label", params={"name": "shape"}).json(), "LabelDetails")
    assert_shape(admin.api.post(f"/space/{key}/label", json=[{"prefix": "team", "name": "s"}]).json(), "LabelArray")

    prop = admin.api.post(f"/content/{pid}/property", json={"key": "k", "value": {"a": 1}}).json()
    assert_shape(prop, "ContentProperty")
    assert_shape(admin.api.get(f"/content/{pid}/property").json(), "ContentPropertyArray")
    space_prop = admin.api.post(f"/space/{key}/property", json={"key": "k", "value": ["x"]}).json()
    assert_shape(space_prop, "SpaceProperty")
    assert_shape(admin.api.get(f"/space/{key}/property").json(), "SpacePropertyArray")
    admin.api.post(f"/user/{admin.account_id}/property/shape", json={"value": {"a": 1}})
    assert_shape(admin.api.get(f"/user/{admin.account_id}/property/shape").json(), "UserProperty")
    assert_shape(admin.api.get(f"/user/{admin.account_id}/property").json(), "UserPropertyKeyArray")

    alice.api.post(f"/user/watch/content/{pid}", headers=XSRF)
    alice.api.post(f"/user/watch/space/{key}", headers=XSRF)
    assert_shape(alice.api.get(f"/user/watch/content/{pid}").json(), "UserWatch")
    assert_shape(admin.api.get(f"/content/{pid}/notification/child-created").json(), "WatchArray")
    assert_shape(admin.api.get(f"/content/{pid}/notification/created").json(), "SpaceWatchArray")
    assert_shape(admin.api.get(f"/space/{key}/watch").json(), "SpaceWatchArray")

    relation = admin.api.put(f"/relation/favourite/from/user/current/to/content/{pid}").json()
    assert_shape(relation, "Relation")
    listed = admin.api.get("/relation/favourite/from/user/current/to/content", params={"expand": "relationData"}).json()
    assert_shape(listed, "RelationArray")

    state = admin.api.put(f"/content/{pid}/state", json={"name": "Shape", "color": "#123456"}).json()
    assert_shape(state, "ContentStateResponse")
    assert_shape(admin.api.get(f"/content/{pid}/state/available").json(), "AvailableContentStates")
    assert_shape(admin.api.get(f"/space/{key}/state/settings").json(), "ContentStateSettings")
    task = admin.api.put(
        "/content-states", params={"status": "current"}, json={"ids": [pid], "contentState": {"id": 0}}
    )
    assert_shape(task.json(), "AsyncId")
    assert_shape(wait_for_state_task(admin.api, task.json()["asyncId"]), "ContentStateBulkSetTaskUpdate")
    for item in admin.api.get(f"/space/{key}/state").json():
        assert_shape(item, "ContentState")
