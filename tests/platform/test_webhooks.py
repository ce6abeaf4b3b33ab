"""Webhooks: the admin API, Confluence payload shapes, signatures, retries and the delivery log."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.api.pages import assert_error
from tests.conftest import Person, create_page
from tests.platform.receiver import Receiver
from tests.server import RunningServer
from tests.tasks import wait_for_task

PREFIX = "/_localfluence"
ROOT = "/webhooks"


@pytest.fixture
def hooks(server: RunningServer, admin: Person) -> Iterator[httpx.Client]:
    client = httpx.Client(base_url=server.url + PREFIX, auth=(admin.email, admin.token), timeout=30)
    yield client
    for hook in client.get(ROOT).json()["results"]:
        client.delete(f"/webhooks/{hook['id']}")
    client.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


def register(hooks: httpx.Client, receiver: Receiver, events: list[str]) -> dict:
    response = hooks.post(ROOT, json={"name": "test", "url": receiver.url, "events": events, "secret": receiver.secret})
    assert response.status_code == 201, response.text
    return response.json()


def test_page_lifecycle_is_delivered_signed_in_confluence_shapes(
    hooks: httpx.Client, receiver: Receiver, admin: Person, space: dict
) -> None:
    register(hooks, receiver, ["page_created", "page_updated", "page_trashed", "label_added"])
    page = create_page(admin, space["key"], "Hooked")
    update = {"type": "page", "title": "Hooked 2", "version": {"number": 2}}
    assert admin.api.put(f"/content/{page['id']}", json=update).status_code == 200
    assert admin.api.post(f"/content/{page['id']}/label", json=[{"prefix": "global", "name": "hot"}]).status_code == 200
    assert admin.api.delete(f"/content/{page['id']}").status_code == 204
    receiver.wait_for(lambda r: len(r.unique) >= 4)
    assert all(receiver.valid(item) for item in receiver.received)
    created = receiver.of_type("page_created")[0]
    assert created["userAccountId"] == admin.account_id
    assert isinstance(created["timestamp"], int) and created["timestamp"] > 1_600_000_000_000
    assert created["page"]["id"] == page["id"] and created["page"]["spaceKey"] == space["key"]
    assert created["page"]["idAsString"] == page["id"] and created["page"]["spaceId"] == int(space["id"])
    assert created["page"]["self"].endswith(f"/wiki/spaces/{space['key']}/pages/{page['id']}/Hooked")
    assert "updateTrigger" not in created and "status" not in created["page"]
    assert created["page"]["title"] == "Hooked" and created["page"]["contentType"] == "page"
    assert created["page"]["creatorAccountId"] == admin.account_id
    updated = receiver.of_type("page_updated")[0]
    assert (updated["page"]["title"], updated["page"]["version"], updated["updateTrigger"]) == (
        "Hooked 2",
        2,
        "edit_page",
    )
    label = receiver.of_type("label_added")[0]
    assert label["label"]["name"] == "hot" and label["labeled"]["id"] == page["id"]
    trashed = receiver.of_type("page_trashed")[0]
    assert trashed["page"]["id"] == page["id"] and "updateTrigger" not in trashed


def test_space_and_comment_and_blog_events(hooks: httpx.Client, receiver: Receiver, admin: Person, space: dict) -> None:
    register(hooks, receiver, ["blog_created", "comment_created", "space_updated"])
    blog = admin.api.post("/content", json={"type": "blogpost", "title": "News", "space": {"key": space["key"]}})
    assert blog.status_code == 200, blog.text
    comment = {
        "type": "comment",
        "container": {"id": blog.json()["id"], "type": "blogpost"},
        "body": {"storage": {"value": "<p>hi</p>", "representation": "storage"}},
    }
    posted = admin.api.post("/content", json=comment)
    assert posted.status_code == 200
    assert admin.api.put(f"/space/{space['key']}", json={"name": "Renamed"}).status_code == 200
    receiver.wait_for(lambda r: len(r.unique) >= 3)
    assert receiver.of_type("blog_created")[0]["blog"]["title"] == "News"
    made = receiver.of_type("comment_created")[0]["comment"]
    assert (made["contentType"], made["id"], made["version"]) == ("comment", posted.json()["id"], 1)
    # A comment carries the content it is on, and its address focuses it there.
    assert (made["parent"]["id"], made["parent"]["contentType"]) == (blog.json()["id"], "blogpost")
    assert made["self"].endswith(f"?focusedCommentId={made['id']}") and "title" not in made
    space_body = receiver.of_type("space_updated")[0]["space"]
    assert (space_body["key"], space_body["name"]) == (space["key"], "Renamed")


def test_failed_deliveries_retry_with_backoff_and_are_logged(
    server: RunningServer, hooks: httpx.Client, receiver: Receiver, admin: Person, space: dict
) -> None:
    server.runtime.settings.webhook_backoff_seconds = 0.05
    try:
        receiver.fail_next = 2
        hook = register(hooks, receiver, ["page_created"])
        create_page(admin, space["key"], "Retried")
        receiver.wait_for(lambda r: len(r.unique) >= 1)
        assert receiver.received[0].retry == "2"
        deadline = time.monotonic() + 10
        while True:
            log = hooks.get(f"/webhooks/{hook['id']}/deliveries").json()
            if log["results"] and log["results"][0]["state"] == "delivered":
                break
            assert time.monotonic() < deadline, log
            time.sleep(0.02)
        entry = log["results"][0]
        assert (entry["eventType"], entry["attempts"], entry["lastStatus"]) == ("page_created", 3, 204)
        assert entry["eventId"] == receiver.received[0].event_id
        assert hooks.get(f"/webhooks/{hook['id']}/deliveries", params={"state": "pending"}).json()["results"] == []
    finally:
        server.runtime.settings.webhook_backoff_seconds = 1.0


def test_a_receiver_that_is_down_gets_the_event_later(
    server: RunningServer, hooks: httpx.Client, admin: Person, space: dict
) -> None:
    server.runtime.settings.webhook_backoff_seconds = 0.05
    down = Receiver().start()
    url, port = down.url, int(down.url.split(":")[2].split("/")[0])
    down.stop()
    try:
        hooks.post(ROOT, json={"url": url, "events": ["page_created"], "secret": "s3cret"})
        create_page(admin, space["key"], "While down")
        time.sleep(0.3)  # lets a few attempts fail against the closed port (the assertion is below)
        back = Receiver().start(port)
        try:
            back.wait_for(lambda r: len(r.unique) >= 1)
            assert back.of_type("page_created")[0]["page"]["title"] == "While down"
            assert int(back.received[0].retry) >= 1
        finally:
            back.stop()
    finally:
        server.runtime.settings.webhook_backoff_seconds = 1.0


def test_task_work_emits_events_as_the_submitter(
    hooks: httpx.Client, receiver: Receiver, admin: Person, alice: Person
) -> None:
    register(hooks, receiver, ["space_removed"])
    key = "WH" + str(int(time.time() * 1000))[-8:]
    assert alice.api.post("/space", json={"key": key, "name": "Hers"}).status_code == 200
    response = alice.api.delete(f"/space/{key}")
    assert response.status_code == 202
    assert wait_for_task(alice.api, response.json()["id"])["successful"] is True
    receiver.wait_for(lambda r: len(r.unique) >= 1)
    removed = receiver.of_type("space_removed")[0]
    assert (removed["space"]["key"], removed["userAccountId"]) == (key, alice.account_id)


def test_malformed_webhook_urls_are_400(hooks: httpx.Client) -> None:
    for url in ("http://[::1/", "http://127.0.0.1:99999/", "http://127.0.0.1:port/", "http://:80/"):
        assert_error(hooks.post(ROOT, json={"url": url, "events": ["*"]}), 400, "Invalid webhook URL")


def test_admin_api_validation_and_access(hooks: httpx.Client, server: RunningServer, alice: Person) -> None:
    assert_error(hooks.post(ROOT, json={"url": "ftp://x", "events": ["page_created"]}), 400, "Invalid webhook URL")
    assert_error(hooks.post(ROOT, json={"url": "http://127.0.0.1:1/", "events": ["nope"]}), 400, "Unknown event types")
    assert_error(hooks.post(ROOT, json={"url": "http://127.0.0.1:1/", "events": []}), 400)
    assert_error(hooks.get("/webhooks/987654"), 404)
    assert_error(hooks.get("/webhooks/1/deliveries", params={"state": "bogus"}), 404)
    created = hooks.post(ROOT, json={"url": "http://127.0.0.1:1/", "events": ["*"]}).json()
    assert created["configuration"]["secret"] and "configuration" not in hooks.get(f"/webhooks/{created['id']}").json()
    assert_error(hooks.get(f"/webhooks/{created['id']}/deliveries", params={"state": "bogus"}), 400)
    as_alice = httpx.Client(base_url=server.url + PREFIX, auth=(alice.email, alice.token))
    with as_alice:
        assert_error(as_alice.get(ROOT), 403)
        assert_error(as_alice.post(ROOT, json={"url": "http://127.0.0.1:1/", "events": ["*"]}), 403)
    assert hooks.delete(f"/webhooks/{created['id']}").status_code == 204
    assert_error(hooks.get(f"/webhooks/{created['id']}"), 404)
    assert "/_localfluence/webhooks" in httpx.get(server.url + "/openapi.json", timeout=120).json()["paths"]


@pytest.fixture
def fast_retries(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> RunningServer:
    monkeypatch.setattr(server.settings, "webhook_backoff_seconds", 0.01)
    monkeypatch.setattr(server.settings, "webhook_backoff_max_seconds", 0.02)
    return server


def deliveries(hooks: httpx.Client, hook: dict, until, timeout: float = 20.0) -> list[dict]:  # type: ignore[no-untyped-def]
    """The delivery log once `until(results)` holds (bounded polling)."""
    deadline = time.monotonic() + timeout
    while True:
        results = hooks.get(f"/webhooks/{hook['id']}/deliveries").json()["results"]
        if until(results):
            return results
        assert time.monotonic() < deadline, results
        time.sleep(0.02)


def test_a_receiver_down_for_many_attempts_still_gets_the_event(
    fast_retries: RunningServer, hooks: httpx.Client, receiver: Receiver, admin: Person, space: dict
) -> None:
    # Twelve failures: more than the eight attempts that used to be the end of a delivery.
    receiver.fail_next = 12
    hook = register(hooks, receiver, ["page_created"])
    create_page(admin, space["key"], "Patient")
    receiver.wait_for(lambda r: len(r.unique) >= 1)
    assert receiver.received[0].retry == "12"
    entry = deliveries(hooks, hook, lambda rs: rs and rs[0]["state"] == "delivered")[0]
    assert (entry["attempts"], entry["lastStatus"], entry["lastError"]) == (13, 204, None)


def test_after_the_retry_window_a_delivery_fails_and_can_be_redelivered(
    fast_retries: RunningServer,
    hooks: httpx.Client,
    receiver: Receiver,
    admin: Person,
    alice: Person,
    space: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fast_retries.settings, "webhook_retry_seconds", 0.3)
    receiver.fail_next = 10**6
    hook = register(hooks, receiver, ["page_created"])
    for title in ("Lost 1", "Lost 2", "Lost 3"):
        create_page(admin, space["key"], title)
    failed = deliveries(hooks, hook, lambda rs: len(rs) == 3 and all(r["state"] == "failed" for r in rs))
    assert all(r["lastStatus"] == 500 and r["lastError"] == "HTTP 500" and r["attempts"] > 1 for r in failed)
    assert receiver.unique == {}

    # The receiver is back: one delivery redelivered on its own, then every failed one.
    receiver.fail_next = 0
    first = hooks.post(f"/webhooks/{hook['id']}/deliveries/{failed[0]['id']}/redeliver")
    assert first.status_code == 200, first.text
    assert (first.json()["state"], first.json()["eventId"]) == ("pending", failed[0]["eventId"])
    receiver.wait_for(lambda r: len(r.unique) >= 1)
    assert list(receiver.unique) == [failed[0]["eventId"]]
    rest = hooks.post(f"/webhooks/{hook['id']}/redeliver")
    assert rest.json()["redelivered"] == 2
    receiver.wait_for(lambda r: len(r.unique) >= 3)
    assert sorted(receiver.unique) == sorted(r["eventId"] for r in failed)
    log = deliveries(hooks, hook, lambda rs: all(r["state"] == "delivered" for r in rs))
    assert all(r["retryUntilDate"] is not None for r in log)

    assert_error(hooks.post(f"/webhooks/{hook['id']}/deliveries/987654321/redeliver"), 404)
    assert_error(hooks.post("/webhooks/987654/redeliver"), 404)
    as_alice = httpx.Client(base_url=fast_retries.url + PREFIX, auth=(alice.email, alice.token))
    with as_alice:
        assert_error(as_alice.post(f"/webhooks/{hook['id']}/redeliver"), 403)


def test_a_pending_delivery_is_not_redelivered(
    hooks: httpx.Client, receiver: Receiver, admin: Person, space: dict
) -> None:
    # Still within its retry window, a pending delivery may be in a poster's hands: queueing it
    # again would let a second worker post it meanwhile.
    receiver.fail_next = 10**6
    hook = register(hooks, receiver, ["page_created"])
    create_page(admin, space["key"], "Still trying")
    log = deliveries(hooks, hook, lambda rs: rs and rs[0]["attempts"] >= 1)
    assert log[0]["state"] == "pending"
    assert_error(hooks.post(f"/webhooks/{hook['id']}/deliveries/{log[0]['id']}/redeliver"), 409, "pending")
    assert hooks.post(f"/webhooks/{hook['id']}/redeliver").json()["redelivered"] == 0
