"""v2 tasks (tag "Task"): the inline tasks v1's inlinetasks package extracts from page storage,
through the same visibility rule and the same status update (a new page version)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.content.serialize import BODY_CONVERTERS
from localfluence.context import Ctx
from localfluence.errors import BadRequest
from localfluence.inlinetasks import service as tasks
from localfluence.inlinetasks.service import users_by_id
from localfluence.kit.clock import iso
from localfluence.kit.ids import parse_id, parse_id_list
from localfluence.kit.requestbody import RequestBody as Body
from localfluence.models import Content, InlineTask, User
from localfluence.v2.paging import cursor_page, decode_cursor, parse_limit
from localfluence.v2.serialize import check_body_format
from localfluence.v2.space_router import split_list

router = APIRouter(tags=["Task"])

PRIMARY_FORMATS = ("storage", "atlas_doc_format")


def serialize_tasks_v2(ctx: Ctx, rows: Sequence[InlineTask], body_format: str | None) -> list[dict[str, Any]]:
    people = users_by_id(ctx.session, {u for t in rows for u in (t.creator_id, t.assignee_id, t.completed_by_id)})
    contents = {
        c.id: c for c in ctx.session.scalars(select(Content).where(Content.id.in_({t.content_id for t in rows})))
    }
    out = []
    for task in rows:
        content = contents[task.content_id]
        item: dict[str, Any] = {
            "id": str(task.id),
            "localId": str(task.task_id),
            "spaceId": str(content.space_id),
            "pageId": str(content.id) if content.type == "page" else None,
            "blogPostId": str(content.id) if content.type == "blogpost" else None,
            "status": task.status,
        }
        if body_format is not None:
            value = BODY_CONVERTERS[body_format](ctx, content, task.body)
            item["body"] = {body_format: {"representation": body_format, "value": value}}
        item.update(
            {
                "createdBy": people.get(task.creator_id or -1, ""),
                "assignedTo": people.get(task.assignee_id or -1),
                "completedBy": people.get(task.completed_by_id or -1),
                "createdAt": iso(task.created_at),
                "updatedAt": iso(task.updated_at),
                "dueAt": iso(task.due_date) if task.due_date else None,
                "completedAt": iso(task.completed_at) if task.completed_at else None,
            }
        )
        out.append(item)
    return out


def _when(value: int | None) -> datetime | None:
    """Epoch milliseconds, as v2's task filters take them."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        raise BadRequest(f"Invalid time: {value}") from None


IdList = Annotated[list[str] | None, Query()]


@router.get("/tasks", operation_id="getTasks")
async def get_tasks(
    request: Request,
    ctx: Context,
    body_format: Annotated[str | None, Query(alias="body-format")] = None,
    include_blank_tasks: Annotated[bool, Query(alias="include-blank-tasks")] = True,
    status: str | None = None,
    task_id: Annotated[list[str] | None, Query(alias="task-id")] = None,
    space_id: Annotated[list[str] | None, Query(alias="space-id")] = None,
    page_id: Annotated[list[str] | None, Query(alias="page-id")] = None,
    blogpost_id: Annotated[list[str] | None, Query(alias="blogpost-id")] = None,
    created_by: Annotated[list[str] | None, Query(alias="created-by")] = None,
    assigned_to: Annotated[list[str] | None, Query(alias="assigned-to")] = None,
    completed_by: Annotated[list[str] | None, Query(alias="completed-by")] = None,
    created_at_from: Annotated[int | None, Query(alias="created-at-from")] = None,
    created_at_to: Annotated[int | None, Query(alias="created-at-to")] = None,
    due_at_from: Annotated[int | None, Query(alias="due-at-from")] = None,
    due_at_to: Annotated[int | None, Query(alias="due-at-to")] = None,
    completed_at_from: Annotated[int | None, Query(alias="completed-at-from")] = None,
    completed_at_to: Annotated[int | None, Query(alias="completed-at-to")] = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    check_body_format(body_format, PRIMARY_FORMATS)
    if status is not None and status not in tasks.STATUSES:
        raise BadRequest(f"Invalid status: {status}; use complete or incomplete")
    size = parse_limit(limit)
    offset = decode_cursor(request)
    query = tasks.visible_tasks(ctx.principal)
    if status is not None:
        query = query.where(InlineTask.status == status)
    if not include_blank_tasks:
        query = query.where(InlineTask.description != "")
    for values, column, name in (
        (task_id, InlineTask.id, "task-id"),
        (space_id, Content.space_id, "space-id"),
    ):
        if (ids := parse_id_list(values, name)) is not None:
            query = query.where(column.in_(ids))
    containers = [(parse_id_list(page_id, "page-id"), "page"), (parse_id_list(blogpost_id, "blogpost-id"), "blogpost")]
    if page_id is not None or blogpost_id is not None:
        ids = [i for wanted, _ in containers for i in wanted or ()]
        types = [t for wanted, t in containers if wanted is not None]
        query = query.where(Content.id.in_(ids), Content.type.in_(types))
    for accounts, column in (
        (created_by, InlineTask.creator_id),
        (assigned_to, InlineTask.assignee_id),
        (completed_by, InlineTask.completed_by_id),
    ):
        if accounts is not None:
            query = query.where(column.in_(select(User.id).where(User.account_id.in_(split_list(accounts)))))
    for low, high, column in (
        (created_at_from, created_at_to, InlineTask.created_at),
        (due_at_from, due_at_to, InlineTask.due_date),
        (completed_at_from, completed_at_to, InlineTask.completed_at),
    ):
        if low is not None:
            query = query.where(column >= _when(low))
        if high is not None:
            query = query.where(column <= _when(high))
    rows = list(ctx.session.scalars(query.order_by(InlineTask.id).offset(offset).limit(size + 1)))
    results = serialize_tasks_v2(ctx, rows[:size], body_format)
    return cursor_page(request, results, offset=offset, limit=size, has_more=len(rows) > size, base=ctx.links.base)


def _task_id(raw: str) -> str:
    if parse_id(raw, "task id") is None:
        raise tasks.not_found(raw)
    return raw


@router.get("/tasks/{id}", operation_id="getTaskById")
async def get_task_by_id(
    id: str, ctx: Context, body_format: Annotated[str | None, Query(alias="body-format")] = None
) -> Response:
    check_body_format(body_format, PRIMARY_FORMATS)
    task = tasks.get_task(ctx.session, ctx.principal, _task_id(id))
    return ok(serialize_tasks_v2(ctx, [task], body_format)[0])


class TaskUpdate(Body):
    status: str


@router.put("/tasks/{id}", operation_id="updateTask")
async def update_task(
    id: str, ctx: Context, body: TaskUpdate, body_format: Annotated[str | None, Query(alias="body-format")] = None
) -> Response:
    check_body_format(body_format, PRIMARY_FORMATS)
    task = tasks.update_task_status(ctx.session, ctx.principal, _task_id(id), body.status)
    return ok(serialize_tasks_v2(ctx, [task], body_format)[0])
