"""Long-running task records: submitted by requests (checked, then queued), run by the worker
(tasks/worker.py), reported by the status API."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.errors import NotAuthenticated, NotFound
from localfluence.kit.clock import clock
from localfluence.models import LongTask
from localfluence.tasks.completion import completion
from localfluence.tasks.jobs import JOBS

# session.info keys: wake this process's worker when the transaction commits (WAKE_TASKS: a task
# was queued; WAKE_WORKER: other work, such as webhook deliveries).
WAKE_WORKER = "localfluence.wake_worker"
WAKE_TASKS = "localfluence.wake_tasks"
# session.info key: the server's settings, in the worker's transactions (jobs have no request).
SETTINGS = "localfluence.settings"


def submit(
    session: Session, principal: Principal, kind: str, params: dict[str, Any], *, task_id: str | None = None
) -> LongTask:
    """Check the request now (4xx at once), queue the work for the worker; it starts as soon as
    this transaction commits (the worker of this process is woken then, others poll)."""
    job = JOBS[kind]
    job.check(session, principal, params)
    task = LongTask(
        id=task_id or str(uuid.uuid4().int >> 64),
        name=job.name,
        owner_id=principal.user_id,
        created_at=clock.now(),
        state="queued",
        kind=kind,
        params=json.dumps(params),
        scopes=json.dumps(sorted(principal.scopes)) if principal.scopes is not None else None,
        messages="[]",
        result="{}",
    )
    session.add(task)
    session.flush()
    session.info[WAKE_TASKS] = True
    return task


def record_completed_task(
    session: Session, principal: Principal, name: str, *, messages: list[str] | None = None, result: Any = None
) -> LongTask:
    now = clock.now()
    # The work is done by now; unless told otherwise (tasks/completion.py) the status says so too.
    done = completion.immediate
    task = LongTask(
        id=str(uuid.uuid4().int >> 64),
        name=name,
        owner_id=principal.user_id,
        created_at=now,
        finished_at=now if done else None,
        percentage=100 if done else 0,
        finished=done,
        successful=done,
        messages=json.dumps(messages or []),
        result=json.dumps(result or {}),
    )
    session.add(task)
    session.flush()
    if not done:
        completion.plan(task.id, now)
    return task


def _advance(task: LongTask, *, poll: bool) -> None:
    # Only work the worker has done can be held back by the completion policy; queued and running
    # tasks report the worker's own progress.
    if task.finished or task.state != "done":
        return
    now = clock.now()
    percentage = completion.progress(task.id, now, poll=poll)
    if percentage is None:
        task.finished, task.successful, task.percentage, task.finished_at = True, True, 100, now
    else:
        task.percentage = percentage


def get_task(session: Session, principal: Principal, task_id: str) -> LongTask:
    _require_login(principal)
    task = session.get(LongTask, task_id)
    # Tasks are visible to whoever started them and to site admins.
    if task is None or not (principal.is_admin or (task.owner_id is not None and task.owner_id == principal.user_id)):
        raise NotFound(f"No long running task found with id: {task_id}")
    _advance(task, poll=True)
    return task


def list_tasks(session: Session, principal: Principal, *, start: int, limit: int) -> list[LongTask]:
    _require_login(principal)
    query = select(LongTask).order_by(LongTask.created_at.desc(), LongTask.id)
    if not principal.is_admin:
        query = query.where(LongTask.owner_id == principal.user_id)
    tasks = list(session.scalars(query.offset(start).limit(limit + 1)))
    for task in tasks:
        _advance(task, poll=False)
    return tasks


def _require_login(principal: Principal) -> None:
    # Spec (getTasks, getTask): 401 when the caller is not logged in.
    if principal.is_anonymous:
        raise NotAuthenticated("Long-running tasks are visible to logged-in users only")
