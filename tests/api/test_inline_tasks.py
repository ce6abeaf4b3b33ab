"""Inline tasks (tag "Inline tasks"): extracted on save, searched with filters, completed through
PUT, which changes the page's storage and makes a new version."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx

from tests.api.bodies import restrict
from tests.api.spec import assert_schema
from tests.conftest import Person, create_page
from tests.server import RunningServer


def task(text: str, *, number: int | None = None, done: bool = False, extra: str = "") -> str:
    task_id = f"<ac:task-id>{number}</ac:task-id>" if number is not None else ""
    status = "complete" if done else "incomplete"
    body = f"<ac:task-body>{text}{extra}</ac:task-body>"
    return f"<ac:task>{task_id}<ac:task-status>{status}</ac:task-status>{body}</ac:task>"


def tasks_page(person: Person, space_key: str, *tasks: str, title: str | None = None) -> dict:
    return create_page(person, space_key, title, body="<ac:task-list>" + "".join(tasks) + "</ac:task-list>")


def search(person: Person, **params: object) -> dict:
    response = person.api.get("/inlinetasks/search", params=params)
    assert response.status_code == 200, response.text
    assert_schema(response.json(), "TaskPageResponse")
    return response.json()


def ms(year: int, month: int, day: int) -> int:
    return int(datetime(year, month, day, tzinfo=UTC).timestamp() * 1000)


def test_tasks_are_extracted_on_save(admin: Person, alice: Person, space: dict) -> None:
    mention = f'<ac:link><ri:user ri:account-id="{alice.account_id}"/></ac:link>'
    page = tasks_page(
        admin,
        space["key"],
        task("Write the plan ", number=1, extra=f'{mention} by <time datetime="2030-05-17"/>'),
        task("Already done", number=2, done=True),
    )
    found = search(admin, pageId=page["id"])
    assert found["size"] == 2 and found["start"] == 0 and found["limit"] == 20
    first, second = found["results"]
    assert first["id"] == 1 and first["contentId"] == int(page["id"])
    assert first["status"] == "incomplete"
    assert first["creator"] == admin.account_id
    assert first["assignee"] == alice.account_id
    assert first["dueDate"] == ms(2030, 5, 17)
    assert first["description"] == "Write the plan by"
    assert "<ac:link>" in first["body"]
    assert first["title"] == page["title"]
    assert isinstance(first["globalId"], int) and isinstance(first["createDate"], int)
    assert "completeDate" not in first and "completeUser" not in first
    assert second["status"] == "complete"
    assert second["completeUser"] == admin.account_id
    assert "assignee" not in second and "dueDate" not in second


def test_tasks_without_ids_get_them_on_save(admin: Person, space: dict) -> None:
    page = tasks_page(admin, space["key"], task("a"), task("b"), task("c", number=5))
    ids = sorted(t["id"] for t in search(admin, pageId=page["id"])["results"])
    assert ids == [5, 6, 7]


def test_search_filters(admin: Person, alice: Person, bob: Person, space: dict) -> None:
    key = space["key"]
    mention = f'<ac:link><ri:user ri:account-id="{alice.account_id}"/></ac:link>'
    page = tasks_page(
        admin,
        key,
        task("early ", number=1, extra=f'{mention} <time datetime="2030-01-10"/>'),
        task("late", number=2, extra='<time datetime="2030-03-10"/>'),
        task("done", number=3, done=True),
    )
    other = tasks_page(alice, key, task("alice's own", number=1))
    assert {t["id"] for t in search(admin, pageId=page["id"], assignee=alice.account_id)["results"]} == {1}
    assert search(admin, pageId=page["id"], assignee=bob.account_id)["size"] == 0
    assert {t["contentId"] for t in search(admin, spaceKey=key, creator=alice.account_id)["results"]} == {
        int(other["id"])
    }
    assert {t["id"] for t in search(admin, pageId=page["id"], status="complete")["results"]} == {3}
    assert {t["id"] for t in search(admin, pageId=page["id"], status="incomplete")["results"]} == {1, 2}
    due = search(admin, pageId=page["id"], duedateFrom=ms(2030, 2, 1), duedateTo=ms(2030, 4, 1))["results"]
    assert {t["id"] for t in due} == {2}
    assert {t["id"] for t in search(admin, pageId=page["id"], completedUser=admin.account_id)["results"]} == {3}
    now = int(time.time() * 1000)
    assert search(admin, pageId=page["id"], createdateFrom=now + 3_600_000)["size"] == 0
    assert search(admin, pageId=page["id"], createdateTo=now + 3_600_000)["size"] == 3
    assert search(admin, pageId=page["id"], completedateFrom=now - 3_600_000)["size"] == 1
    assert search(admin, spaceKey="NOSUCHSPACE")["size"] == 0
    assert admin.api.get("/inlinetasks/search", params={"status": "maybe"}).status_code == 400


def test_search_pages_and_links_next(admin: Person, space: dict) -> None:
    page = tasks_page(admin, space["key"], *(task(f"t{i}", number=i) for i in range(1, 6)))
    first = search(admin, pageId=page["id"], limit=2)
    assert first["size"] == 2 and "next" in first["_links"]
    last = search(admin, pageId=page["id"], limit=2, start=4)
    assert last["size"] == 1 and "next" not in last["_links"]


def test_tasks_follow_content_visibility(server: RunningServer, admin: Person, bob: Person, space: dict) -> None:
    page = tasks_page(admin, space["key"], task("secret task", number=1))
    global_id = search(admin, pageId=page["id"])["results"][0]["globalId"]
    assert bob.api.get(f"/inlinetasks/{global_id}").status_code == 200
    restrict(server, page["id"], "read", admin.account_id)
    assert search(bob, pageId=page["id"])["size"] == 0
    hidden = bob.api.get(f"/inlinetasks/{global_id}")
    assert hidden.status_code == 404
    assert admin.api.get("/inlinetasks/999999999").status_code == 404
    assert admin.api.get("/inlinetasks/not-a-number").status_code == 404


def test_get_task_by_id(admin: Person, space: dict) -> None:
    page = tasks_page(admin, space["key"], task("one", number=4))
    listed = search(admin, pageId=page["id"])["results"][0]
    got = admin.api.get(f"/inlinetasks/{listed['globalId']}")
    assert got.status_code == 200
    assert_schema(got.json(), "Task")
    assert got.json() == listed
    assert admin.server_api.get(f"/inlinetasks/{listed['globalId']}").json()["id"] == 4


def test_completing_a_task_changes_the_page_and_makes_a_version(admin: Person, alice: Person, space: dict) -> None:
    page = tasks_page(admin, space["key"], task("finish me", number=1), task("leave me", number=2))
    global_id = search(admin, pageId=page["id"])["results"][0]["globalId"]
    done = alice.api.put(f"/inlinetasks/{global_id}", json={"status": "complete"})
    assert done.status_code == 200, done.text
    assert_schema(done.json(), "Task")
    assert done.json()["status"] == "complete"
    assert done.json()["completeUser"] == alice.account_id
    assert isinstance(done.json()["completeDate"], int)
    content = admin.api.get(f"/content/{page['id']}", params={"expand": "body.storage,version"}).json()
    assert content["version"]["number"] == 2
    assert content["version"]["by"]["accountId"] == alice.account_id
    storage = content["body"]["storage"]["value"]
    assert "<ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status>" in storage
    assert "<ac:task-id>2</ac:task-id><ac:task-status>incomplete</ac:task-status>" in storage
    # Completing a complete task changes nothing.
    assert alice.api.put(f"/inlinetasks/{global_id}", json={"status": "complete"}).status_code == 200
    assert admin.api.get(f"/content/{page['id']}", params={"expand": "version"}).json()["version"]["number"] == 2
    reopened = admin.api.put(f"/inlinetasks/{global_id}", json={"status": "incomplete"}).json()
    assert reopened["status"] == "incomplete"
    assert "completeUser" not in reopened and "completeDate" not in reopened
    assert admin.api.get(f"/content/{page['id']}", params={"expand": "version"}).json()["version"]["number"] == 3


def test_updating_a_task_needs_edit_permission(
    server: RunningServer, admin: Person, bob: Person, anonymous: httpx.Client, space: dict
) -> None:
    page = tasks_page(admin, space["key"], task("guarded", number=1))
    global_id = search(admin, pageId=page["id"])["results"][0]["globalId"]
    restrict(server, page["id"], "update", admin.account_id)
    assert bob.api.put(f"/inlinetasks/{global_id}", json={"status": "complete"}).status_code == 403
    assert anonymous.put(f"/inlinetasks/{global_id}", json={"status": "complete"}).status_code in (401, 404)
    assert admin.api.put(f"/inlinetasks/{global_id}", json={"status": "finished"}).status_code == 400
    assert admin.api.put(f"/inlinetasks/{global_id}", json={}).status_code == 400
    assert search(admin, pageId=page["id"])["results"][0]["status"] == "incomplete"


def test_tasks_leave_with_their_body_and_their_page(admin: Person, space: dict) -> None:
    page = tasks_page(admin, space["key"], task("stays", number=1), task("goes", number=2))
    admin.api.put(
        f"/content/{page['id']}",
        json={
            "type": "page",
            "title": page["title"],
            "version": {"number": 2},
            "body": {
                "storage": {
                    "value": "<ac:task-list>" + task("stays", number=1) + "</ac:task-list>",
                    "representation": "storage",
                }
            },
        },
    )
    assert [t["id"] for t in search(admin, pageId=page["id"])["results"]] == [1]
    assert admin.api.delete(f"/content/{page['id']}").status_code == 204
    assert search(admin, pageId=page["id"])["size"] == 0


def test_a_body_without_tasks_removes_them_all(admin: Person, space: dict) -> None:
    page = tasks_page(admin, space["key"], task("one", number=1), task("two", number=2))
    assert search(admin, pageId=page["id"])["size"] == 2
    updated = admin.api.put(
        f"/content/{page['id']}",
        json={
            "type": "page",
            "title": page["title"],
            "version": {"number": 2},
            "body": {"storage": {"value": "<p>No tasks any more</p>", "representation": "storage"}},
        },
    )
    assert updated.status_code == 200, updated.text
    assert search(admin, pageId=page["id"])["size"] == 0


def test_ids_beyond_what_is_stored_name_nothing(admin: Person) -> None:
    # Ids past the 32-bit column would make the database error; they must answer like any missing id.
    huge = "9" * 19
    assert admin.api.get(f"/inlinetasks/{huge}").status_code == 404
    assert admin.api.put(f"/inlinetasks/{huge}", json={"status": "complete"}).status_code == 404
    assert search(admin, pageId=huge)["size"] == 0
    assert search(admin, pageId="4294967296")["size"] == 0
    assert admin.api.get("/inlinetasks/search", params={"pageId": "-1"}).status_code == 400
