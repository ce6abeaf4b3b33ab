"""The in-process worker: a daemon thread that claims queued long-running tasks (and hands out
webhook deliveries, see webhooks/delivery.py) from the database, so any process of a deployment
may run any task. Claims are row locks with SKIP LOCKED on PostgreSQL and a conditional UPDATE on
SQLite; a claim is a lease, so a task whose process died is resumed (its transaction rolled back
with the process, so running it again is safe) or, after task_max_attempts, marked failed."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.db.checkpoint import checkpoint
from localfluence.db.engine import SQLITE_BEGIN
from localfluence.db.session import transaction
from localfluence.errors import ConfluenceError
from localfluence.events.record import ACTOR
from localfluence.kit.clock import clock
from localfluence.models import LongTask, User
from localfluence.runtime import Runtime
from localfluence.tasks.completion import completion
from localfluence.tasks.jobs import JOBS
from localfluence.tasks.service import WAKE_WORKER

log = logging.getLogger("localfluence.worker")
WORKER = "localfluence.worker"
INTERRUPTED = "The task was interrupted (the server stopped) and could not be resumed"

# Further kinds of work the worker does between tasks (webhook deliveries); each returns whether
# it did something, and when it next has something due (None: nothing known).
Step = Callable[["Worker"], "tuple[bool, datetime | None]"]


def checkpoint_wal(worker: Worker) -> tuple[bool, datetime | None]:
    """SQLite: move the write-ahead log into the database here, not in a request's commit."""
    checkpoint(worker.runtime.engine)
    return False, None


STEPS: list[Step] = [checkpoint_wal]


def write(session: Session) -> None:
    """Begin a transaction that will write as a writer (BEGIN IMMEDIATE on SQLite), so it waits for
    the lock instead of failing when a read turns into a write."""
    session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


def real_now() -> datetime:
    # Leases and retries use real time: the test-double clock may be frozen.
    return datetime.now(UTC)


class Worker:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.id = f"{uuid.uuid4().hex[:12]}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.postgres = runtime.engine.dialect.name == "postgresql"
        # What steps keep between rounds (webhook HTTP client), and how to release it.
        self.resources: dict[str, Any] = {}
        self.on_stop: list[Callable[[], object]] = []

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name=f"localfluence-worker-{self.id}", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        for release in self.on_stop:
            release()
        self.on_stop.clear()

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            busy, due = False, None
            try:
                if self.tasks_waiting():
                    self.recover()
                    busy = self.run_one_task()
                for step in STEPS:
                    did, when = step(self)
                    busy = busy or did
                    if when is not None and (due is None or when < due):
                        due = when
            except Exception:  # a broken database or a bug: log, back off, keep serving
                log.exception("worker step failed")
                busy = False
            if busy:
                continue
            wait = self.settings.worker_idle_seconds
            if due is not None:
                wait = max(0.0, min(wait, (due - real_now()).total_seconds()))
            self._wake.wait(wait)
            self._wake.clear()

    # --- tasks ---------------------------------------------------------------------------------

    def tasks_waiting(self) -> bool:
        """A read-only look first: an idle worker never takes SQLite's write lock."""
        with transaction(self.runtime.sessions) as session:
            waiting = (LongTask.state == "queued") | (
                (LongTask.state == "running") & (LongTask.lease_until < real_now())
            )
            return session.scalar(select(LongTask.id).where(waiting).limit(1)) is not None

    def recover(self) -> None:
        """Running tasks whose lease ran out were interrupted: queue them again, or give up."""
        now = real_now()
        with transaction(self.runtime.sessions) as session:
            write(session)
            expired = (LongTask.state == "running") & (LongTask.lease_until < now)
            session.execute(
                update(LongTask)
                .where(expired, LongTask.attempts < self.settings.task_max_attempts)
                .values(state="queued", claimed_by=None, lease_until=None)
            )
            for task in session.scalars(select(LongTask).where(expired)):
                self._finish(task, successful=False, messages=[INTERRUPTED], result={})

    def claim(self) -> str | None:
        now = real_now()
        lease = now + timedelta(seconds=self.settings.task_lease_seconds)
        with transaction(self.runtime.sessions) as session:
            write(session)
            query = select(LongTask.id).where(LongTask.state == "queued").order_by(LongTask.created_at, LongTask.id)
            if self.postgres:
                task_id = session.scalar(query.limit(1).with_for_update(skip_locked=True))
                candidates = [task_id] if task_id is not None else []
            else:
                candidates = list(session.scalars(query.limit(5)))
            for task_id in candidates:
                # On SQLite the WHERE state='queued' is the claim: only one UPDATE can match.
                claimed = session.execute(
                    update(LongTask)
                    .where(LongTask.id == task_id, LongTask.state == "queued")
                    .values(
                        state="running",
                        claimed_by=self.id,
                        lease_until=lease,
                        attempts=LongTask.attempts + 1,
                        messages=json.dumps(["Started"]),
                    )
                ).rowcount
                if claimed:
                    return task_id
        return None

    def run_one_task(self) -> bool:
        task_id = self.claim()
        if task_id is None:
            return False
        try:
            with transaction(self.runtime.sessions) as session:
                write(session)
                task = session.get(LongTask, task_id)
                if task is None or task.state != "running" or task.claimed_by != self.id:
                    return True  # recovered and taken over by another worker meanwhile
                job = JOBS[task.kind or ""]
                principal = self._principal(session, task)
                session.info[ACTOR] = principal.account_id
                messages, result = job.run(session, principal, json.loads(task.params))
                # The work and its completion commit together: a task is done exactly once.
                self._finish(task, successful=True, messages=messages, result=result)
        except ConfluenceError as exc:
            self._fail(task_id, exc.message if hasattr(exc, "message") else str(exc))
        except Exception as exc:
            log.exception("task %s failed", task_id)
            self._fail(task_id, f"The task failed: {type(exc).__name__}")
        return True

    def _fail(self, task_id: str, message: str) -> None:
        with transaction(self.runtime.sessions) as session:
            write(session)
            task = session.get(LongTask, task_id)
            if task is not None and task.state == "running" and task.claimed_by == self.id:
                self._finish(task, successful=False, messages=[message], result={})

    def _principal(self, session: Session, task: LongTask) -> Principal:
        from localfluence.auth.credentials import principal_for
        from localfluence.errors import Forbidden

        user = session.get(User, task.owner_id) if task.owner_id is not None else None
        if user is None or not user.active:
            raise Forbidden("The user who started this task can no longer act")
        scopes = json.loads(task.scopes) if task.scopes else None
        return principal_for(session, user, " ".join(scopes) if scopes is not None else None)

    @staticmethod
    def _finish(task: LongTask, *, successful: bool, messages: list[str], result: dict) -> None:
        now = clock.now()
        task.state = "done" if successful else "failed"
        task.claimed_by, task.lease_until = None, None
        task.messages, task.result = json.dumps(messages), json.dumps(result)
        task.successful = successful
        if successful and not completion.immediate:
            # The test double holds the reported status back (tasks/completion.py).
            task.percentage = 0
            completion.plan(task.id, _aware(task.created_at))
            return
        task.finished, task.percentage, task.finished_at = True, 100, now


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(WAKE_WORKER, False):
        worker = session.info.get(WORKER)
        if worker is not None:
            worker.wake()
