"""The issue's "done when": kill -9 a server in the middle of a long task and while webhook
deliveries are pending; after a restart every task reaches a final state and every event reaches a
deduplicating receiver exactly once. Two server processes on one database share the task queue
without running a task twice."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text

from localfluence.models import Event, LongTask, WebhookDelivery
from tests.platform.processes import ServerProcess
from tests.platform.receiver import Receiver
from tests.server import database_for_worker

# Deliveries keep retrying every second at most while the receiver is down, however long the first
# server takes (a slow machine must not exhaust the attempts and turn the test into a timing race).
FAST = {
    "task_lease_seconds": "1.5",
    "webhook_backoff_seconds": "0.1",
    "webhook_backoff_max_seconds": "1",
    "webhook_max_attempts": "100",
    # A killed server's claimed deliveries wait out their lease (timeout × rounds + 5 s) before the
    # second server retries them.
    "webhook_timeout_seconds": "0.5",
    "worker_idle_seconds": "0.2",
}


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    url = database_for_worker(tmp_path)
    yield url or f"sqlite:///{tmp_path / 'localfluence.db'}"


def until(predicate, timeout: float = 30.0, what: str = "condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def make_space(api: httpx.Client, pages: int = 0) -> str:
    key = "F" + uuid.uuid4().hex[:8].upper()
    response = api.post("/space", json={"key": key, "name": key})
    assert response.status_code == 200, response.text
    for i in range(pages):
        page = {"type": "page", "title": f"{key} page {i}", "space": {"key": key}}
        assert api.post("/content", json=page).status_code == 200
    return key


def test_kill_9_mid_task_and_with_deliveries_pending(tmp_path: Path, database: str) -> None:
    engine = create_engine(database)
    postgres = engine.dialect.name == "postgresql"
    down = Receiver().start()
    port = int(down.url.split(":")[2].split("/")[0])
    down.stop()  # the receiver is down while the first server runs
    first = ServerProcess(tmp_path, database, **FAST)
    blocker = None
    try:
        hook = first.admin.post("/webhooks", json={"url": down.url, "events": ["*"], "secret": "s3cret"})
        assert hook.status_code == 201, hook.text
        keys = [make_space(first.api, pages=3) for _ in range(4)]
        if postgres:
            # Hold the first space's row: its deletion claims the task, then waits on the lock, so
            # the kill lands in the middle of the task for certain.
            blocker = engine.connect()
            blocker.begin()
            blocker.execute(text("SELECT id FROM space WHERE key = :k FOR UPDATE"), {"k": keys[0]})
        task_ids = [first.api.delete(f"/space/{key}").json()["id"] for key in keys]
        if postgres:
            until(lambda: first.api.get(f"/longtask/{task_ids[0]}").json()["messages"], what="task start")
        first.kill()
        with engine.connect() as conn:
            states = dict(conn.execute(select(LongTask.id, LongTask.state).where(LongTask.id.in_(task_ids))).all())
            pending = conn.scalar(select(func.count()).where(WebhookDelivery.state == "pending"))
        if blocker is not None:
            blocker.rollback()
            blocker.close()
            blocker = None
            assert states[task_ids[0]] == "running"
        assert pending > 0
    finally:
        if blocker is not None:
            blocker.close()
        first.kill()

    receiver = Receiver().start(port)
    second = ServerProcess(tmp_path, database, **FAST)
    try:
        for task_id in task_ids:
            status = until(
                lambda t=task_id: (s := second.api.get(f"/longtask/{t}").json())["finished"] and s, what=task_id
            )
            assert status["successful"] is True, status
        for key in keys:
            assert second.api.get(f"/space/{key}").status_code == 404
        with engine.connect() as conn:
            event_ids = {str(i) for i in conn.scalars(select(Event.id))}

        def all_delivered() -> bool:
            with engine.connect() as conn:
                return conn.scalar(select(func.count()).where(WebhookDelivery.state != "delivered")) == 0

        until(all_delivered, timeout=60, what="deliveries")
        with engine.connect() as conn:
            delivered = {str(i) for i in conn.scalars(select(WebhookDelivery.event_id))}
        # Every event (of the ones recorded after the webhook existed) reached the receiver, once
        # after deduplication; nothing arrived that is not an event.
        assert delivered <= event_ids
        assert set(receiver.unique) == delivered
        removed = {b["space"]["key"] for b in receiver.of_type("space_removed")}
        assert removed == set(keys)
        assert all(receiver.valid(r) for r in receiver.received)
    finally:
        second.kill()
        receiver.stop()
        engine.dispose()


def test_two_processes_share_the_queue_without_running_a_task_twice(tmp_path: Path, database: str) -> None:
    engine = create_engine(database)
    one = ServerProcess(tmp_path, database, worker_idle_seconds="0.2")
    two = ServerProcess(tmp_path, database, worker_idle_seconds="0.2")
    try:
        keys = [make_space(one.api) for _ in range(16)]
        # Submitted to both processes; each process's worker wakes on its own submissions and polls
        # for the other's.
        task_ids = [(one if i % 2 else two).api.delete(f"/space/{k}").json()["id"] for i, k in enumerate(keys)]

        def finished() -> bool:
            with engine.connect() as conn:
                states = conn.scalars(select(LongTask.state).where(LongTask.id.in_(task_ids))).all()
            return all(s in ("done", "failed") for s in states)

        until(finished, what="tasks")
        with engine.connect() as conn:
            rows = conn.execute(select(LongTask.state, LongTask.attempts).where(LongTask.id.in_(task_ids))).all()
            removed = conn.scalar(select(func.count()).where(Event.type == "space_removed"))
        # A task run twice would have failed (its space gone) or been claimed twice (attempts 2).
        assert rows and all(state == "done" and attempts == 1 for state, attempts in rows), rows
        assert removed == len(keys)
    finally:
        one.kill()
        two.kill()
        engine.dispose()
