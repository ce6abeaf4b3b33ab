"""v2 tasks over v1's inline tasks: filters, paging, single task and completion through PUT."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.api.test_inline_tasks import task, tasks_page
from tests.conftest import Person
from tests.server import RunningServer
from tests.v2.support import v2_client, walk


@pytest.fixture
def v2(server: RunningServer, admin: Person):  # type: ignore[no-untyped-def]
    with v2_client(server, admin) as client:
        yield client


def test_tasks_listed_filtered_and_completed(v2: httpx.Client, admin: Person, alice: Person, space: dict) -> None:
    mention = f'<ac:link><ri:user ri:account-id="{alice.account_id}"/></ac:link>'
    page = tasks_page(
        admin,
        space["key"],
        task("Plan ", number=1, extra=f'{mention} by <time datetime="2030-05-17"/>'),
        *[task(f"Step {i}", number=i) for i in range(2, 6)],
        task("Done", number=6, done=True),
    )
    mine = walk(v2, "/tasks", {"page-id": page["id"], "limit": 2, "body-format": "storage"})
    assert [t["localId"] for t in mine] == [str(i) for i in range(1, 7)]
    first = mine[0]
    assert first["pageId"] == page["id"] and first["blogPostId"] is None and first["spaceId"] == str(space["id"])
    assert first["status"] == "incomplete" and first["createdBy"] == admin.account_id
    assert first["assignedTo"] == alice.account_id and first["dueAt"].startswith("2030-05-17")
    assert "<ac:link>" in first["body"]["storage"]["value"]
    done = walk(v2, "/tasks", {"page-id": page["id"], "status": "complete"})
    assert [t["localId"] for t in done] == ["6"] and done[0]["completedBy"] == admin.account_id
    assigned = walk(v2, "/tasks", {"assigned-to": alice.account_id, "space-id": space["id"]})
    assert [t["id"] for t in assigned] == [first["id"]]
    assert walk(v2, "/tasks", {"blogpost-id": page["id"]}) == []
    for params in ({"status": "odd"}, {"cursor": "x"}, {"body-format": "view"}, {"space-id": "abc"}):
        assert v2.get("/tasks", params=params).status_code == 400, params

    single = v2.get(f"/tasks/{first['id']}").json()
    assert single["id"] == first["id"] and "body" not in single
    updated = v2.put(f"/tasks/{first['id']}", json={"status": "complete"})
    assert updated.status_code == 200, updated.text
    assert updated.json()["status"] == "complete" and updated.json()["completedBy"] == admin.account_id
    v1 = admin.api.get(f"/content/{page['id']}", params={"expand": "body.storage,version"}).json()
    assert v1["version"]["number"] == 2
    assert v2.put(f"/tasks/{first['id']}", json={"status": "maybe"}).status_code == 400
    assert v2.get("/tasks/99999999").status_code == 404


def test_tasks_of_invisible_pages(v2: httpx.Client, server: RunningServer, admin: Person, alice: Person) -> None:
    key = "TK" + uuid.uuid4().hex[:6].upper()
    admin.api.post("/space/_private", json={"key": key, "name": "Private"})
    page = tasks_page(admin, key, task("Secret", number=1))
    secret = walk(v2, "/tasks", {"page-id": page["id"]})[0]
    with v2_client(server, alice) as as_alice:
        assert as_alice.get(f"/tasks/{secret['id']}").status_code == 404
        assert walk(as_alice, "/tasks", {"page-id": page["id"]}) == []
        assert as_alice.put(f"/tasks/{secret['id']}", json={"status": "complete"}).status_code == 404


def test_non_ascii_digit_ids_are_refused_not_500(v2: httpx.Client) -> None:
    # "²" is a digit to str.isdigit() but int() refuses it.
    assert v2.get("/tasks/²").status_code == 400
    assert v2.get("/whiteboards/²/ancestors").status_code == 400
    assert v2.post("/content/convert-ids-to-types", json={"contentIds": ["²"]}).status_code == 400
