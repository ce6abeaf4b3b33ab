"""Inline task rules: keeping the task table in step with bodies, searching, completing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, insert, select
from sqlalchemy.orm import Session

from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.access.visibility import content_is_visible
from localfluence.content import repository as content_repo
from localfluence.errors import BadRequest, NotFound
from localfluence.kit.ids import MAX_STORED_ID, stored_id
from localfluence.models import Content, InlineTask, Space, User
from localfluence.xhtml.tasks import TaskInfo, set_task_status

STATUSES = ("complete", "incomplete")


# --- extraction on save -----------------------------------------------------------------------


def sync_tasks(
    session: Session,
    content_id: int,
    tasks: Sequence[TaskInfo],
    users: Mapping[str, int],
    *,
    author_id: int | None,
    when: datetime,
    has_rows: bool = True,
) -> None:
    """Make the task rows of a content match its body: the body's author creates new tasks and
    completes (or reopens) the ones whose status changed. `has_rows` False: the caller knows the
    content has no task rows yet (new content, or none held), so the new ones go in as one insert."""
    if not has_rows:
        if tasks:
            session.execute(_ADD_TASKS, [_new_task(content_id, info, users, author_id, when) for info in tasks])
        return
    existing = {t.task_id: t for t in session.scalars(select(InlineTask).where(InlineTask.content_id == content_id))}
    for info in tasks:
        status = "complete" if info.complete else "incomplete"
        assignee = users.get(info.assignee) if info.assignee else None
        due = _due(info)
        row = existing.pop(info.task_id, None)
        if row is None:
            session.add(InlineTask(**_new_task(content_id, info, users, author_id, when)))
            continue
        if (row.status, row.body, row.assignee_id, _day(row.due_date)) == (status, info.body, assignee, info.due):
            continue
        if row.status != status:
            row.completed_at = when if info.complete else None
            row.completed_by_id = author_id if info.complete else None
        row.status = status
        row.body = info.body
        row.description = info.text
        row.assignee_id = assignee
        row.due_date = due
        row.updated_at = when
    for gone in existing.values():
        session.delete(gone)


# New tasks as a plain insert: nothing in the request reads them back as objects.
_ADD_TASKS = insert(InlineTask.__table__)


def _new_task(
    content_id: int, info: TaskInfo, users: Mapping[str, int], author_id: int | None, when: datetime
) -> dict[str, object]:
    return {
        "content_id": content_id,
        "task_id": info.task_id,
        "status": "complete" if info.complete else "incomplete",
        "body": info.body,
        "description": info.text,
        "creator_id": author_id,
        "assignee_id": users.get(info.assignee) if info.assignee else None,
        "completed_by_id": author_id if info.complete else None,
        "created_at": when,
        "updated_at": when,
        "completed_at": when if info.complete else None,
        "due_date": _due(info),
    }


def _due(info: TaskInfo) -> datetime | None:
    return datetime(info.due.year, info.due.month, info.due.day, tzinfo=UTC) if info.due else None


def _day(value: datetime | None):  # type: ignore[no-untyped-def]
    return value.date() if value is not None else None


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskFilter:
    space_key: str | None = None
    page_id: int | None = None
    assignee: str | None = None
    creator: str | None = None
    completed_user: str | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    completed_from: datetime | None = None
    completed_to: datetime | None = None
    status: str | None = None


def visible_tasks(principal: Principal) -> Select[tuple[InlineTask]]:
    # Tasks are as visible as the content that holds them; trashed and draft content hides them.
    return (
        select(InlineTask)
        .join(Content, Content.id == InlineTask.content_id)
        .where(content_is_visible(principal), Content.status == "current")
    )


def search_tasks(
    session: Session, principal: Principal, wanted: TaskFilter, *, start: int, limit: int
) -> list[InlineTask]:
    if wanted.status is not None and wanted.status not in STATUSES:
        raise BadRequest(f"Invalid status: {wanted.status}; use complete or incomplete")
    query = visible_tasks(principal)
    if wanted.space_key is not None:
        query = query.where(Content.space_id.in_(select(Space.id).where(Space.key == wanted.space_key)))
    if wanted.page_id is not None:
        if not 0 < wanted.page_id <= MAX_STORED_ID:
            return []
        query = query.where(InlineTask.content_id == wanted.page_id)
    for account, column in (
        (wanted.assignee, InlineTask.assignee_id),
        (wanted.creator, InlineTask.creator_id),
        (wanted.completed_user, InlineTask.completed_by_id),
    ):
        if account is not None:
            query = query.where(column.in_(select(User.id).where(User.account_id == account)))
    for low, high, column in (
        (wanted.due_from, wanted.due_to, InlineTask.due_date),
        (wanted.created_from, wanted.created_to, InlineTask.created_at),
        (wanted.completed_from, wanted.completed_to, InlineTask.completed_at),
    ):
        if low is not None:
            query = query.where(column >= low)
        if high is not None:
            query = query.where(column <= high)
    if wanted.status is not None:
        query = query.where(InlineTask.status == wanted.status)
    query = query.order_by(InlineTask.id).offset(start).limit(limit + 1)
    return list(session.scalars(query))


def not_found(task_id: str | int) -> NotFound:
    # A task on content the caller cannot see is as missing as a task that does not exist.
    return NotFound(f"No inline task found with id: {task_id}")


def get_task(session: Session, principal: Principal, global_id: str) -> InlineTask:
    number = stored_id(str(global_id))
    if number is None:
        raise not_found(global_id)
    task = session.scalar(visible_tasks(principal).where(InlineTask.id == number))
    if task is None:
        raise not_found(global_id)
    return task


def update_task_status(session: Session, principal: Principal, global_id: str, status: str) -> InlineTask:
    """Complete or reopen a task: the page's storage changes and gets a new version."""
    from localfluence.content import service as content_service
    from localfluence.content.schemas import BodyValue, ContentUpdate, VersionIn

    if status not in STATUSES:
        raise BadRequest(f"Invalid status: {status}; use complete or incomplete")
    task = get_task(session, principal, global_id)
    if task.status == status:
        return task
    content = content_repo.get_content(session, principal, task.content_id, ("current",))
    checks.require_edit_content(session, principal, content)
    current = content_repo.get_version(session, content.id, content.version)
    storage = set_task_status(current.body if current else "", task.task_id, status == "complete")
    if storage is None:
        raise not_found(global_id)
    content_service.update_content(
        session,
        principal,
        content.id,
        ContentUpdate(
            version=VersionIn(number=content.version + 1, message="", minorEdit=True),
            title=content.title,
            type=content.type,
            status=content.status,
            body={"storage": BodyValue(value=storage, representation="storage")},
        ),
        None,
    )
    # Extraction on save (the content_changed listener) has updated this very row.
    session.flush()
    return task


def users_by_id(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.account_id).where(User.id.in_(wanted))).all())


def titles_by_id(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Content.id, Content.title).where(Content.id.in_(ids))).all())
