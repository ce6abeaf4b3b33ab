"""Stepped tasks (bulk content states): progress as they go, resumption from the last committed
slice, and a lease renewed while they run; async body conversions run through the task queue."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from localfluence.db.session import transaction
from localfluence.kit.clock import clock
from localfluence.models import AsyncConversion, LongTask
from localfluence.states import service as states
from localfluence.tasks.jobs import JOBS, Job, Outcome, Progress
from localfluence.tasks.worker import INTERRUPTED, Worker
from tests.conftest import Person, create_page
from tests.platform.test_task_worker import queued
from tests.server import RunningServer
from tests.tasks import wait_for_conversion, wait_for_state_task, wait_for_task


def _row(server: RunningServer, task_id: str) -> LongTask:
    with transaction(server.runtime.sessions) as session:
        task = session.get(LongTask, task_id)
        assert task is not None
        session.expunge(task)
        return task


def test_a_bulk_state_task_resumes_after_its_last_committed_slice(
    server: RunningServer, admin: Person, space: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(states, "BULK_SLICE", 2)
    ids = [create_page(admin, space["key"])["id"] for _ in range(5)]
    # The first slice was done (and committed with the task's progress) before the server died.
    first = admin.api.put(
        "/content-states", params={"status": "current"}, json={"ids": ids[:2], "contentState": {"id": 1}}
    )
    wait_for_state_task(admin.api, first.json()["asyncId"])
    state = {"id": 1, "name": "In progress", "color": "#2684ff"}
    task_id = queued(
        server,
        admin,
        "contentstate.bulk.set",
        {"ids": [int(i) for i in ids], "status": "current", "state": state},
        state="running",
        attempts=1,
        lease_until=datetime.now(UTC) - timedelta(seconds=1),
        claimed_by="dead",
        result=json.dumps({"set": ids[:2], "failed": [], "state": state}),
    )
    update = wait_for_state_task(admin.api, task_id)
    assert update["set"] == ids and update["failed"] == [] and update["success"] is True
    assert update["message"] == "Content state set on 5 of 5 contents"
    versions = [admin.api.get(f"/content/{i}").json()["version"]["number"] for i in ids]
    # Each page got exactly one new version: the resumed task did not redo the first slice.
    assert versions == [2] * 5
    assert all(admin.api.get(f"/content/{i}/state").json()["contentState"]["id"] == 1 for i in ids)


def test_a_bulk_state_task_reports_a_page_deleted_meanwhile_as_failed(
    server: RunningServer, admin: Person, space: dict
) -> None:
    ids = [create_page(admin, space["key"])["id"] for _ in range(2)]
    assert admin.api.delete(f"/content/{ids[1]}").status_code == 204
    assert admin.api.delete(f"/content/{ids[1]}", params={"status": "trashed"}).status_code == 204
    task_id = queued(
        server,
        admin,
        "contentstate.bulk.set",
        {
            "ids": [int(i) for i in ids],
            "status": "current",
            "state": {"id": 0, "name": "Rough draft", "color": "#ffc400"},
        },
    )
    update = wait_for_state_task(admin.api, task_id)
    assert update["set"] == [ids[0]] and [f["contentId"] for f in update["failed"]] == [ids[1]]
    assert update["success"] is False


def _slow_steps(log: list[int]):  # type: ignore[no-untyped-def]
    def step(session, principal, params, done) -> Progress:  # type: ignore[no-untyped-def]
        n = done.get("n", 0) + 1
        log.append(n)
        time.sleep(0.25)  # the slice's work: the whole task takes longer than its lease
        return Progress({"n": n}, n * 20, f"{n} of 5", finished=n >= 5)

    return step


def _contend(server: RunningServer, task_id: str) -> list[int]:
    """Another worker looking for interrupted tasks (and claiming them) until the task is done;
    returns the percentages the status API showed meanwhile."""
    contender = Worker(server.runtime)
    seen: list[int] = []
    deadline = time.monotonic() + 20
    while _row(server, task_id).state == "queued":  # the server's own worker takes it first
        assert time.monotonic() < deadline
        time.sleep(0.01)
    while _row(server, task_id).state == "running":
        assert time.monotonic() < deadline
        contender.recover()
        assert contender.claim() != task_id, "another worker took over a task that was still running"
        seen.append(_row(server, task_id).percentage)
        time.sleep(0.05)  # how often the contender looks, not a synchronisation
    return seen


def test_a_stepped_task_longer_than_its_lease_is_not_taken_over(
    server: RunningServer, admin: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    log: list[int] = []
    monkeypatch.setitem(JOBS, "test.slow.steps", Job("test.slow.steps", lambda *a: None, step=_slow_steps(log)))
    monkeypatch.setattr(server.settings, "task_lease_seconds", 0.5)
    task_id = queued(server, admin, "test.slow.steps", {})
    seen = _contend(server, task_id)
    status = wait_for_task(admin.api, task_id)
    assert (status["finished"], status["successful"]) == (True, True)
    assert log == [1, 2, 3, 4, 5]
    assert _row(server, task_id).attempts == 1
    # Progress was visible while it ran, and only grew.
    assert any(0 < p < 100 for p in seen) and seen == sorted(seen), seen


def test_a_single_transaction_task_longer_than_its_lease_is_not_taken_over(
    server: RunningServer, admin: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[int] = []

    def slow(session, principal, params) -> Outcome:  # type: ignore[no-untyped-def]
        runs.append(1)
        time.sleep(1.2)
        return ["Done"], {}

    monkeypatch.setitem(JOBS, "test.slow.whole", Job("test.slow.whole", lambda *a: None, run=slow))
    monkeypatch.setattr(server.settings, "task_lease_seconds", 0.3)
    task_id = queued(server, admin, "test.slow.whole", {})
    _contend(server, task_id)
    assert (wait_for_task(admin.api, task_id)["successful"], len(runs), _row(server, task_id).attempts) == (True, 1, 1)


def test_async_conversion_goes_through_the_task_queue(server: RunningServer, admin: Person, anonymous) -> None:
    started = admin.api.post(
        "/contentbody/convert/async/export_view", json={"value": "<p>queued</p>", "representation": "storage"}
    )
    async_id = started.json()["asyncId"]
    assert wait_for_conversion(admin.api, async_id)["value"].count("queued") == 1
    # It is a long-running task of its requester, under the same id.
    assert admin.api.get(f"/longtask/{async_id}").json()["successful"] is True


def test_a_conversion_whose_task_is_interrupted_too_often_fails(server: RunningServer, admin: Person) -> None:
    from localfluence.people.service import get_user_by_email

    async_id = uuid.uuid4().hex
    with transaction(server.runtime.sessions, write=True) as session:
        now = clock.now()
        owner = get_user_by_email(session, admin.email).id
        session.add(
            AsyncConversion(
                id=async_id,
                owner_id=owner,
                representation="export_view",
                status="QUEUED",
                value="",
                created_at=now,
                expires_at=now + timedelta(days=1),
            )
        )
        session.add(
            LongTask(
                id=async_id,
                name="com.atlassian.confluence.contentbody.convert.async",
                owner_id=owner,
                created_at=now,
                state="running",
                kind="contentbody.convert",
                params=json.dumps({"asyncId": async_id}),
                attempts=server.settings.task_max_attempts,
                lease_until=datetime.now(UTC) - timedelta(seconds=1),
                messages="[]",
                result="{}",
            )
        )
    assert admin.api.get(f"/contentbody/convert/async/{async_id}").json()["status"] == "WORKING"
    server.runtime.worker.wake()
    result = wait_for_conversion(admin.api, async_id)
    assert (result["status"], result["error"]) == ("FAILED", INTERRUPTED)
