"""Inline task routes (tag "Inline tasks")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.errors import BadRequest
from localfluence.inlinetasks import service
from localfluence.inlinetasks.serialize import serialize_tasks
from localfluence.kit.paging import Paging, page_envelope

router = APIRouter(tags=["Inline tasks"])

Millis = Annotated[int | None, Query()]


class TaskStatusUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    status: str


def _when(value: int | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise BadRequest(f"Invalid date: {value}; use milliseconds since the epoch") from None


def _page_id(value: str | None) -> int | None:
    if value is None:
        return None
    # A page id is a long: digits only (int() would also take signs, spaces and underscores).
    if not (value.isascii() and value.isdigit() and len(value) <= 19):
        raise BadRequest(f"Invalid pageId: {value}")
    return int(value)


@router.get("/inlinetasks/search", operation_id="searchTasks")
async def search_tasks(
    ctx: Context,
    start: Annotated[int | None, Query()] = None,
    limit: Annotated[int | None, Query()] = None,
    spaceKey: Annotated[str | None, Query()] = None,
    pageId: Annotated[str | None, Query()] = None,
    assignee: Annotated[str | None, Query()] = None,
    creator: Annotated[str | None, Query()] = None,
    completedUser: Annotated[str | None, Query()] = None,
    duedateFrom: Millis = None,
    duedateTo: Millis = None,
    createdateFrom: Millis = None,
    createdateTo: Millis = None,
    completedateFrom: Millis = None,
    completedateTo: Millis = None,
    status: Annotated[str | None, Query()] = None,
) -> Response:
    paging = Paging.of(start, limit, default=20, maximum=1000)
    wanted = service.TaskFilter(
        space_key=spaceKey,
        page_id=_page_id(pageId),
        assignee=assignee,
        creator=creator,
        completed_user=completedUser,
        due_from=_when(duedateFrom),
        due_to=_when(duedateTo),
        created_from=_when(createdateFrom),
        created_to=_when(createdateTo),
        completed_from=_when(completedateFrom),
        completed_to=_when(completedateTo),
        status=status,
    )
    rows = service.search_tasks(ctx.session, ctx.principal, wanted, start=paging.start, limit=paging.limit)
    query = {
        "spaceKey": spaceKey,
        "pageId": pageId,
        "assignee": assignee,
        "creator": creator,
        "completedUser": completedUser,
        "duedateFrom": duedateFrom,
        "duedateTo": duedateTo,
        "createdateFrom": createdateFrom,
        "createdateTo": createdateTo,
        "completedateFrom": completedateFrom,
        "completedateTo": completedateTo,
        "status": status,
    }
    return ok(
        page_envelope(
            serialize_tasks(ctx, rows[: paging.limit]),
            paging,
            has_more=len(rows) > paging.limit,
            path="/rest/api/inlinetasks/search",
            query=query,
            links=ctx.links.top(),
        )
    )


@router.get("/inlinetasks/{inlineTaskId}", operation_id="getTaskById")
async def get_task_by_id(inlineTaskId: str, ctx: Context) -> Response:
    task = service.get_task(ctx.session, ctx.principal, inlineTaskId)
    return ok(serialize_tasks(ctx, [task])[0])


@router.put("/inlinetasks/{inlineTaskId}", operation_id="updateTaskById")
async def update_task_by_id(inlineTaskId: str, body: TaskStatusUpdate, ctx: Context) -> Response:
    task = service.update_task_status(ctx.session, ctx.principal, inlineTaskId, body.status)
    return ok(serialize_tasks(ctx, [task])[0])
