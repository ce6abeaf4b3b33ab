"""Content state routes (tag "Content states")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from starlette.responses import Response

from localfluence.access import checks
from localfluence.api import Context, ExpandParam, ok
from localfluence.content.serialize import serialize_contents
from localfluence.content.service import parse_content_id
from localfluence.errors import BadRequest
from localfluence.kit.paging import Paging, page_envelope
from localfluence.spaces import repository as space_repo
from localfluence.states import service

router = APIRouter(tags=["Content states"])

Status = Annotated[str | None, Query()]
JsonBody = Annotated[Any, Body()]


@router.get("/content/{id}/state", operation_id="getContentState")
async def get_content_state(id: str, ctx: Context, status: Status = None) -> Response:
    which = service.side(status, allow_archived=True)
    content = service.readable(ctx.session, ctx.principal, parse_content_id(id))
    return ok(service.response(service.state_of(ctx.session, content.id, which)))


@router.put("/content/{id}/state", operation_id="setContentState")
async def set_content_state(id: str, ctx: Context, body: JsonBody, status: Status = None) -> Response:
    which = service.side(status, allow_archived=False)
    content = service.editable(ctx.session, ctx.principal, parse_content_id(id))
    state = service.resolve_input(ctx.session, ctx.principal, body)
    return ok(service.response(service.apply(ctx.session, ctx.principal, content, which, state)))


@router.delete("/content/{id}/state", operation_id="removeContentState")
async def remove_content_state(id: str, ctx: Context, status: Status = None) -> Response:
    which = service.side(status, allow_archived=False)
    content = service.editable(ctx.session, ctx.principal, parse_content_id(id))
    service.clear(ctx.session, ctx.principal, content, which)
    return ok(service.response(None))


@router.get("/content/{id}/state/available", operation_id="getAvailableContentStates")
async def get_available_content_states(id: str, ctx: Context) -> Response:
    service.editable(ctx.session, ctx.principal, parse_content_id(id))
    return ok(
        {
            "spaceContentStates": [s.json() for s in service.SPACE_STATES],
            "customContentStates": [
                s.json() for s in service.custom_states(ctx.session, ctx.principal, service.RECENT_CUSTOM)
            ],
        }
    )


@router.get("/content-states", operation_id="getCustomContentStates")
async def get_custom_content_states(ctx: Context) -> Response:
    if ctx.principal.is_anonymous:
        checks.refuse(ctx.principal, "You must be logged in to have custom content states")
    return ok([s.json() for s in service.custom_states(ctx.session, ctx.principal)])


@router.put("/content-states", operation_id="bulkSetContentStates")
async def bulk_set_content_states(ctx: Context, body: JsonBody, status: Status = None) -> Response:
    if status is None:
        raise BadRequest("status is required: current or draft")
    which = service.side(status, allow_archived=False)
    if not isinstance(body, dict):
        raise BadRequest("The body needs ids and a contentState")
    ids = service.bulk_ids(body.get("ids"))
    if body.get("contentState") is None:
        raise BadRequest("contentState is required")
    state = service.resolve_input(ctx.session, ctx.principal, body["contentState"])
    task = service.bulk(ctx.session, ctx.principal, ids, which, state)
    return ok({"asyncId": task.id})


@router.post("/content-states/delete", operation_id="bulkRemoveContentStates")
async def bulk_remove_content_states(ctx: Context, body: JsonBody, status: Status = None) -> Response:
    if status is None:
        raise BadRequest("status is required: current or draft")
    which = service.side(status, allow_archived=False)
    if not isinstance(body, dict):
        raise BadRequest("The body needs ids")
    task = service.bulk(ctx.session, ctx.principal, service.bulk_ids(body.get("ids")), which, None)
    return ok({"asyncId": task.id})


@router.get("/content-states/task/{taskId}", operation_id="getTaskUpdate")
async def get_task_update(taskId: str, ctx: Context) -> Response:
    if ctx.principal.is_anonymous:
        checks.refuse(ctx.principal, "You must be logged in to follow a task")
    return ok(service.task_update(ctx.session, ctx.principal, taskId))


@router.get("/space/{spaceKey}/state", operation_id="getSpaceContentStates")
async def get_space_content_states(spaceKey: str, ctx: Context) -> Response:
    space_repo.get_space(ctx.session, ctx.principal, spaceKey)
    return ok([s.json() for s in service.SPACE_STATES])


@router.get("/space/{spaceKey}/state/settings", operation_id="getContentStateSettings")
async def get_content_state_settings(spaceKey: str, ctx: Context) -> Response:
    space = space_repo.get_space(ctx.session, ctx.principal, spaceKey)
    return ok(service.space_settings(ctx.session, ctx.principal, space.id))


@router.get("/space/{spaceKey}/state/content", operation_id="getContentsWithState")
async def get_contents_with_state(
    spaceKey: str,
    ctx: Context,
    expand: ExpandParam,
    state_id: Annotated[int | None, Query(alias="state-id")] = None,
    limit: Annotated[int | None, Query()] = None,
    start: Annotated[int | None, Query()] = None,
) -> Response:
    if state_id is None:
        raise BadRequest("state-id is required")
    if limit is not None and limit > 100:
        raise BadRequest("limit must be at most 100")
    space = space_repo.get_space(ctx.session, ctx.principal, spaceKey)
    paging = Paging.of(start, limit, default=25, maximum=100)
    rows = service.contents_with_state(
        ctx.session, ctx.principal, space.id, state_id, start=paging.start, limit=paging.limit
    )
    return ok(
        page_envelope(
            serialize_contents(ctx, rows[: paging.limit], expand),
            paging,
            has_more=len(rows) > paging.limit,
            path=f"/rest/api/space/{space.key}/state/content",
            query={"state-id": state_id, "expand": expand.render() or None},
            links=ctx.links.top(),
        )
    )
