"""The task worker: queued work runs as the submitter, interrupted work resumes or fails with a
message, and concurrent claims never hand one task to two workers."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta

from localfluence.db.session import transaction
from localfluence.kit.clock import clock
from localfluence.models import LongTask
from localfluence.tasks.jobs import JOBS
from localfluence.tasks.worker import INTERRUPTED, Worker
from tests.conftest import Person
from tests.server import RunningServer
from tests.tasks import wait_for_task


def queued(server: RunningServer, owner: Person, kind: str, params: dict, **fields: object) -> str:
    """A task row as a request (or a crashed worker) leaves it."""
    from localfluence.people.service import get_user_by_email

    task_id = str(uuid.uuid4().int >> 64)
    with transaction(server.runtime.sessions, write=True) as session:
        session.add(
            LongTask(
                id=task_id,
                name=JOBS[kind].name if kind in JOBS else kind,
                owner_id=get_user_by_email(session, owner.email).id,
                created_at=clock.now(),
                kind=kind,
                params=json.dumps(params),
                **{"state": "queued", "messages": "[]", "result": "{}", **fields},
            )
        )
    server.runtime.worker.wake()
    return task_id


def test_an_interrupted_task_resumes(server: RunningServer, admin: Person, space: dict) -> None:
    expired = datetime.now(UTC) - timedelta(seconds=1)
    task_id = queued(
        server,
        admin,
        "space.delete",
        {"spaceKey": space["key"]},
        state="running",
        attempts=1,
        lease_until=expired,
        claimed_by="dead",
    )
    status = wait_for_task(admin.api, task_id)
    assert (status["finished"], status["successful"]) == (True, True)
    assert admin.api.get(f"/space/{space['key']}").status_code == 404


def test_a_task_interrupted_too_often_fails_with_a_message(server: RunningServer, admin: Person, space: dict) -> None:
    expired = datetime.now(UTC) - timedelta(seconds=1)
    attempts = server.settings.task_max_attempts
    task_id = queued(
        server,
        admin,
        "space.delete",
        {"spaceKey": space["key"]},
        state="running",
        attempts=attempts,
        lease_until=expired,
    )
    status = wait_for_task(admin.api, task_id)
    assert (status["finished"], status["successful"], status["status"]) == (True, False, "FAILED")
    assert status["messages"][0]["translation"] == INTERRUPTED
    assert admin.api.get(f"/space/{space['key']}").status_code == 200


def test_the_worker_acts_with_the_submitters_permissions(
    server: RunningServer, admin: Person, bob: Person, space: dict
) -> None:
    task_id = queued(server, bob, "space.delete", {"spaceKey": space["key"]})
    status = wait_for_task(bob.api, task_id)
    assert (status["finished"], status["successful"]) == (True, False)
    assert "permission" in status["messages"][0]["translation"]
    assert admin.api.get(f"/space/{space['key']}").status_code == 200


def test_refused_submissions_queue_nothing(admin: Person, bob: Person, space: dict) -> None:
    before = len(bob.api.get("/longtask").json()["results"])
    assert bob.api.delete(f"/space/{space['key']}").status_code in (403, 404)
    assert len(bob.api.get("/longtask").json()["results"]) == before


def test_concurrent_claims_never_share_a_task(server: RunningServer, admin: Person) -> None:
    # Workers that are never started: only their claim() runs, from several threads at once.
    workers = [Worker(server.runtime) for _ in range(4)]
    ids = [queued(server, admin, "space.delete", {"spaceKey": f"NOPE{i}"}) for i in range(12)]
    claimed: list[str] = []
    lock = threading.Lock()

    def drain(worker: Worker) -> None:
        while (task_id := worker.claim()) is not None:
            with lock:
                claimed.append(task_id)

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    mine = [t for t in claimed if t in ids]
    assert len(mine) == len(set(mine))
    # The server's own worker may have taken some; together nothing ran twice and all were taken.
    with transaction(server.runtime.sessions, write=True) as session:
        rows = [session.get(LongTask, t) for t in ids]
        assert all(r is not None and r.state != "queued" and r.attempts == 1 for r in rows)
        for r in rows:  # leave nothing running for a worker that does not exist
            if r is not None and r.state == "running":
                r.state, r.finished, r.successful = "failed", True, False
