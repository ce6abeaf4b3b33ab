"""Long-running task status routes (tag "Long-running task")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.kit.paging import Paging, page_envelope
from localfluence.tasks import service
from localfluence.tasks.serialize import task_status

router = APIRouter(tags=["Long-running task"])


@router.get("/longtask", operation_id="getTasks")
async def get_tasks(
    ctx: Context,
    start: Annotated[int | None, Query()] = None,
    limit: Annotated[int | None, Query()] = None,
) -> Response:
    paging = Paging.of(start, limit, default=100, maximum=100)
    rows = service.list_tasks(ctx.session, ctx.principal, start=paging.start, limit=paging.limit)
    results = [task_status(ctx, t) for t in rows[: paging.limit]]
    return ok(
        page_envelope(
            results,
            paging,
            has_more=len(rows) > paging.limit,
            path="/rest/api/longtask",
            query={},
            links=ctx.links.top(),
        )
    )


@router.get("/longtask/{id}", operation_id="getTask")
async def get_task(id: str, ctx: Context) -> Response:
    return ok(task_status(ctx, service.get_task(ctx.session, ctx.principal, id)))
