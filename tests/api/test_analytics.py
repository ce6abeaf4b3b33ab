"""Page views: recorded on reads with body.view or trigger=viewed; counted with fromDate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.api.metadata_helpers import private_space
from tests.conftest import Person, create_page


def test_views_and_viewers(admin: Person, alice: Person, bob: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    pid = page["id"]
    assert admin.api.get(f"/analytics/content/{pid}/views").json() == {"id": int(pid), "count": 0}
    # A plain API read is not a view; body.view and trigger=viewed are.
    alice.api.get(f"/content/{pid}")
    alice.api.get(f"/content/{pid}", params={"expand": "body.storage"})
    assert admin.api.get(f"/analytics/content/{pid}/views").json()["count"] == 0
    alice.api.get(f"/content/{pid}", params={"expand": "body.view"})
    alice.api.get(f"/content/{pid}", params={"trigger": "viewed"})
    bob.api.get(f"/content/{pid}", params={"trigger": "viewed"})
    assert admin.api.get(f"/analytics/content/{pid}/views").json() == {"id": int(pid), "count": 3}
    assert admin.api.get(f"/analytics/content/{pid}/viewers").json() == {"id": int(pid), "count": 2}
    assert admin.server_api.get(f"/analytics/content/{pid}/views").json()["count"] == 3


def test_from_date(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    admin.api.get(f"/content/{page['id']}", params={"trigger": "viewed"})
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert admin.api.get(f"/analytics/content/{page['id']}/views", params={"fromDate": tomorrow}).json()["count"] == 0
    assert admin.api.get(f"/analytics/content/{page['id']}/views", params={"fromDate": yesterday}).json()["count"] == 1
    instant = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert admin.api.get(f"/analytics/content/{page['id']}/viewers", params={"fromDate": instant}).json()["count"] == 1
    assert admin.api.get(f"/analytics/content/{page['id']}/views", params={"fromDate": "last week"}).status_code == 400


def test_unknown_and_invisible_content(admin: Person, bob: Person) -> None:
    hidden = create_page(admin, private_space(admin)["key"])
    assert bob.api.get(f"/analytics/content/{hidden['id']}/views").status_code == 404
    assert bob.api.get(f"/analytics/content/{hidden['id']}/viewers").status_code == 404
    assert admin.api.get("/analytics/content/999999999/views").status_code == 404
    assert admin.api.get("/analytics/content/nope/views").status_code == 400


def test_metadata_currentuser(admin: Person, alice: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    expand = {"expand": "metadata.currentuser"}
    fresh = alice.api.get(f"/content/{page['id']}", params=expand).json()["metadata"]["currentuser"]
    assert fresh["favourited"] == {"isFavourite": False}
    assert "viewed" not in fresh and "lastmodified" not in fresh
    alice.api.get(f"/content/{page['id']}", params={"trigger": "viewed"})
    update = {
        "version": {"number": 2},
        "title": page["title"],
        "type": "page",
        "body": {"storage": {"value": "<p>Alice was here</p>", "representation": "storage"}},
    }
    assert alice.api.put(f"/content/{page['id']}", json=update).status_code == 200
    seen = alice.api.get(f"/content/{page['id']}", params=expand).json()["metadata"]["currentuser"]
    assert seen["viewed"]["lastSeen"] and seen["viewed"]["friendlyLastSeen"]
    assert seen["lastmodified"]["version"]["number"] == 2
    assert seen["lastmodified"]["version"]["by"]["accountId"] == alice.account_id
    assert seen["lastcontributed"]["status"] == "current"
    only = alice.api.get(f"/content/{page['id']}", params={"expand": "metadata.currentuser.viewed"}).json()
    assert set(only["metadata"]["currentuser"]) == {"viewed", "_expandable"}
