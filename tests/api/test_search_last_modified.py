"""content.last_modified_at (what CQL's lastmodified reads) stays the current version's created_at on
every write path: the database keeps it (migration 0007_searchperf), so these go through HTTP and
then look at the rows."""

from __future__ import annotations

from sqlalchemy import text

from tests.api.attachments_support import uploaded
from tests.api.pages import updated
from tests.conftest import Person, create_page
from tests.server import RunningServer

DRIFT = (
    "SELECT c.id, c.last_modified_at, v.created_at FROM content c "
    "LEFT JOIN content_version v ON v.content_id = c.id AND v.number = c.version "
    "WHERE c.space_id = (SELECT id FROM space WHERE key = :key) "
    "AND (c.last_modified_at IS NULL OR v.created_at IS NULL OR c.last_modified_at != v.created_at)"
)


def assert_kept(server: RunningServer, space_key: str) -> None:
    with server.runtime.engine.connect() as conn:
        drifted = conn.execute(text(DRIFT), {"key": space_key}).all()
    assert drifted == []


def last_modified_order(person: Person, space_key: str, status: str = "current") -> list[str]:
    response = person.api.get(
        "/content/search",
        params={
            "cql": f"space = {space_key} and type = page order by lastmodified desc",
            "cqlcontext": f'{{"contentStatuses": ["{status}"]}}',
            "limit": 50,
        },
    )
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["results"]]


def test_every_write_path_keeps_last_modified(server: RunningServer, admin: Person, space: dict) -> None:
    key = space["key"]
    first = create_page(admin, key, "First", body="<p>one</p>")
    second = create_page(admin, key, "Second", body="<p>two</p>")
    assert_kept(server, key)
    assert last_modified_order(admin, key)[:2] == [second["id"], first["id"]]

    first = updated(admin, first, body="<p>one, again</p>")
    assert_kept(server, key)
    assert last_modified_order(admin, key)[:2] == [first["id"], second["id"]]

    second = updated(admin, second, body="<p>two, again</p>")
    first = updated(admin, first, body="<p>one, a third time</p>")
    restore = {"operationKey": "restore", "params": {"versionNumber": 1, "message": "back"}}
    assert admin.api.post(f"/content/{second['id']}/version", json=restore).status_code == 200
    assert_kept(server, key)
    assert last_modified_order(admin, key)[:2] == [second["id"], first["id"]]

    assert admin.api.put(f"/content/{first['id']}/move/append/{second['id']}").status_code == 200
    assert_kept(server, key)

    assert admin.api.delete(f"/content/{first['id']}").status_code == 204
    assert_kept(server, key)
    assert first["id"] in last_modified_order(admin, key, "trashed")
    version = admin.api.get(f"/content/{first['id']}", params={"status": "trashed", "expand": "version"}).json()
    number = version["version"]["number"] + 1
    restore_page = {"type": "page", "title": "First", "status": "current", "version": {"number": number}}
    restored = admin.api.put(f"/content/{first['id']}", json=restore_page)
    assert restored.status_code == 200, restored.text
    assert_kept(server, key)

    copied = admin.api.post(
        f"/content/{second['id']}/copy",
        json={"destination": {"type": "parent_page", "value": first["id"]}, "pageTitle": "Second copy"},
    )
    assert copied.status_code == 200, copied.text
    attachment = uploaded(admin.api, second["id"], "a.txt", b"one")
    uploaded(admin.api, second["id"], "a.txt", b"two", method="PUT")
    comment = admin.api.post(
        "/content",
        json={"type": "comment", "container": {"id": second["id"], "type": "page"},
              "body": {"storage": {"value": "<p>hi</p>", "representation": "storage"}}},
    )  # fmt: skip
    assert comment.status_code == 200, comment.text
    assert attachment["id"]
    assert_kept(server, key)


def test_lastmodified_filters_read_the_kept_column(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Dated")
    when = admin.api.get(f"/content/{page['id']}", params={"expand": "version"}).json()["version"]["when"]
    day = when[:10]
    found = admin.api.get("/content/search", params={"cql": f'id = {page["id"]} and lastmodified >= "{day}"'}).json()
    assert [r["id"] for r in found["results"]] == [page["id"]]
    none = admin.api.get("/content/search", params={"cql": f'id = {page["id"]} and lastmodified < "{day}"'}).json()
    assert none["results"] == []
