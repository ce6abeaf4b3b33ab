"""Long-running task records. Work runs to completion inside the request for now and the record
says so; the status API is the same one a background runner will feed."""

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


def record_completed_task(
    session: Session, principal: Principal, name: str, *, messages: list[str] | None = None, result: Any = None
) -> LongTask:
    now = clock.now()
    task = LongTask(
        id=str(uuid.uuid4().int >> 64),
        name=name,
        owner_id=principal.user_id,
        created_at=now,
        finished_at=now,
        percentage=100,
        finished=True,
        successful=True,
        messages=json.dumps(messages or []),
        result=json.dumps(result or {}),
    )
    session.add(task)
    session.flush()
    return task


def get_task(session: Session, principal: Principal, task_id: str) -> LongTask:
    _require_login(principal)
    task = session.get(LongTask, task_id)
    # Tasks are visible to whoever started them and to site admins.
    if task is None or not (principal.is_admin or (task.owner_id is not None and task.owner_id == principal.user_id)):
        raise NotFound(f"No long running task found with id: {task_id}")
    return task


def list_tasks(session: Session, principal: Principal, *, start: int, limit: int) -> list[LongTask]:
    _require_login(principal)
    query = select(LongTask).order_by(LongTask.created_at.desc(), LongTask.id)
    if not principal.is_admin:
        query = query.where(LongTask.owner_id == principal.user_id)
    return list(session.scalars(query.offset(start).limit(limit + 1)))


def _require_login(principal: Principal) -> None:
    # Spec (getTasks, getTask): 401 when the caller is not logged in.
    if principal.is_anonymous:
        raise NotAuthenticated("Long-running tasks are visible to logged-in users only")
