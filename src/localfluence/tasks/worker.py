"""The in-process worker: a daemon thread that claims queued long-running tasks (and hands out
webhook deliveries, see webhooks/delivery.py) from the database, so any process of a deployment
may run any task. Claims are row locks with SKIP LOCKED on PostgreSQL and a conditional UPDATE on
SQLite; a claim is a lease, so a task whose process died is resumed (its transaction rolled back
with the process, so running it again is safe) or, after task_max_attempts, marked failed."""

from __future__ import annotations

import contextvars
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.db.checkpoint import checkpoint
from localfluence.db.session import transaction
from localfluence.errors import ConfluenceError
from localfluence.events.record import ACTOR
from localfluence.kit.clock import clock
from localfluence.models import LongTask, User
from localfluence.runtime import Runtime
from localfluence.tasks.completion import completion
from localfluence.tasks.jobs import JOBS, Job
from localfluence.tasks.service import SETTINGS, WAKE_TASKS, WAKE_WORKER

log = logging.getLogger("localfluence.worker")
WORKER = "localfluence.worker"
# The longest pause between two slices of a stepped task on SQLite (see _run_steps).
SLICE_GAP_MAX = 0.1
INTERRUPTED = "The task was interrupted (the server stopped) and could not be resumed"

# Further kinds of work the worker does between tasks (webhook deliveries); each returns whether
# it did something, and when it next has something due (None: nothing known).
Step = Callable[["Worker"], "tuple[bool, datetime | None]"]


def checkpoint_wal(worker: Worker) -> tuple[bool, datetime | None]:
    """SQLite: move the write-ahead log into the database here, not in a request's commit."""
    checkpoint(worker.runtime.engine)
    return False, None


STEPS: list[Step] = [checkpoint_wal]


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
        # Whether tasks may be waiting: set by a local submission, or after the idle interval
        # (other processes' submissions, expired leases); spares the loop a read per round.
        self._tasks_hint = True
        self._tasks_looked = 0.0

    def start(self, context: contextvars.Context | None = None) -> None:
        """`context`: the context variables the loop runs in (a site's clock, sites/)."""
        if self._thread is None:
            target = self._loop if context is None else partial(context.run, self._loop)
            self._thread = threading.Thread(target=target, name=f"localfluence-worker-{self.id}", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        for release in self.on_stop:
            release()
        self.on_stop.clear()

    def wake(self, *, tasks: bool = True) -> None:
        if tasks:
            self._tasks_hint = True
        self._wake.set()

    def _look_for_tasks(self) -> bool:
        if not self._tasks_hint and time.monotonic() - self._tasks_looked < self.settings.worker_idle_seconds:
            return False
        self._tasks_hint, self._tasks_looked = False, time.monotonic()
        if not self.tasks_waiting():
            return False
        self.recover()
        ran = self.run_one_task()
        self._tasks_hint = self._tasks_hint or ran  # there may be more
        return ran

    def _loop(self) -> None:
        while not self._stop.is_set():
            busy, due = False, None
            try:
                busy = self._look_for_tasks()
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
        """Running tasks whose lease ran out were interrupted: queue them again, or give up. A task
        still being worked on is never taken: its worker holds the row lock (PostgreSQL; skipped
        here) or the write lock (SQLite; this waits for it, and then sees the task's new state)."""
        now = real_now()
        with transaction(self.runtime.sessions, write=True) as session:
            expired = (LongTask.state == "running") & (LongTask.lease_until < now)
            query = select(LongTask).where(expired)
            if self.postgres:
                query = query.with_for_update(skip_locked=True)
            for task in session.scalars(query):
                if task.attempts < self.settings.task_max_attempts:
                    task.state, task.claimed_by, task.lease_until = "queued", None, None
                    continue
                job = JOBS.get(task.kind or "")
                if job is not None and job.on_failed is not None:
                    job.on_failed(session, json.loads(task.params), INTERRUPTED)
                self._finish(task, successful=False, messages=[INTERRUPTED], result=json.loads(task.result))

    def claim(self) -> str | None:
        now = real_now()
        lease = now + timedelta(seconds=self.settings.task_lease_seconds)
        with transaction(self.runtime.sessions, write=True) as session:
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
            job = self._job(task_id)
            if job.step is not None:
                self._run_steps(task_id, job)
            else:
                self._run_whole(task_id, job)
        except ConfluenceError as exc:
            self._fail(task_id, exc.message if hasattr(exc, "message") else str(exc))
        except Exception as exc:
            log.exception("task %s failed", task_id)
            self._fail(task_id, f"The task failed: {type(exc).__name__}")
        return True

    def _job(self, task_id: str) -> Job:
        with transaction(self.runtime.sessions) as session:
            kind = session.scalar(select(LongTask.kind).where(LongTask.id == task_id))
        return JOBS[kind or ""]

    def _mine(self, session: Session, task_id: str) -> LongTask | None:
        """The task, locked for this transaction, if this worker still holds it (else it was
        recovered and taken over by another worker meanwhile)."""
        task = session.get(LongTask, task_id, with_for_update=self.postgres)
        if task is None or task.state != "running" or task.claimed_by != self.id:
            return None
        return task

    def _resume(self, session: Session, task_id: str, job: Job) -> tuple[LongTask, Principal] | None:
        """The task this worker still holds and the principal it acts as, with the session set up
        for the job's writes (audit actor, settings); None when the task was taken over."""
        task = self._mine(session, task_id)
        if task is None:
            return None
        principal = self._principal(session, task, job)
        session.info[ACTOR] = principal.account_id
        session.info[SETTINGS] = self.settings
        return task, principal

    def _run_whole(self, task_id: str, job: Job) -> None:
        assert job.run is not None
        with transaction(self.runtime.sessions, write=True) as session:
            held = self._resume(session, task_id, job)
            if held is None:
                return
            task, principal = held
            messages, result = job.run(session, principal, json.loads(task.params))
            # The work and its completion commit together: a task is done exactly once.
            self._finish(task, successful=True, messages=messages, result=result)

    def _run_steps(self, task_id: str, job: Job) -> None:
        assert job.step is not None
        while not self._stop.is_set():
            began = time.monotonic()
            with transaction(self.runtime.sessions, write=True) as session:
                held = self._resume(session, task_id, job)
                if held is None:
                    return
                task, principal = held
                progress = job.step(session, principal, json.loads(task.params), json.loads(task.result))
                if progress.finished:
                    self._finish(task, successful=True, messages=[progress.message], result=progress.result)
                    return
                # The heartbeat: each slice commits with a fresh lease, so a task that takes longer
                # than task_lease_seconds in all is never taken for an interrupted one.
                task.result = json.dumps(progress.result)
                task.percentage = max(0, min(99, progress.percentage))
                task.messages = json.dumps(["Started", progress.message])
                task.lease_until = real_now() + timedelta(seconds=self.settings.task_lease_seconds)
            if not self.postgres:
                # SQLite has one writer at a time, and a writer waiting for the lock polls for it:
                # leave gaps between slices so requests that write are not starved by a long task.
                self._stop.wait(min(SLICE_GAP_MAX, time.monotonic() - began))
        # Stopping between slices: the lease runs out and the task resumes where it stopped.

    def _fail(self, task_id: str, message: str) -> None:
        with transaction(self.runtime.sessions, write=True) as session:
            task = self._mine(session, task_id)
            if task is not None:
                job = JOBS.get(task.kind or "")
                if job is not None and job.on_failed is not None:
                    job.on_failed(session, json.loads(task.params), message)
                self._finish(task, successful=False, messages=[message], result=json.loads(task.result))

    def _principal(self, session: Session, task: LongTask, job: Job) -> Principal:
        from localfluence.auth.credentials import anonymous_access_enabled, principal_for
        from localfluence.errors import Forbidden

        if task.owner_id is None and job.anonymous:
            return Principal.anonymous(anonymous_access=anonymous_access_enabled(session))
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
    tasks = session.info.pop(WAKE_TASKS, False)
    if session.info.pop(WAKE_WORKER, False) or tasks:
        worker = session.info.get(WORKER)
        if worker is not None:
            worker.wake(tasks=tasks)
