"""Comment listing (tag "Content comments"). Served before the generic /child/{type} route."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

import localfluence.comments.serialize  # noqa: F401  (registers the comment extensions)
from localfluence.api import Context, ExpandParam, ok
from localfluence.comments import service
from localfluence.content import queries
from localfluence.content import repository as content_repo
from localfluence.content.serialize import serialize_contents
from localfluence.content.service import CREATE_HOOKS, UPDATE_HOOKS, parse_content_id
from localfluence.errors import BadRequest
from localfluence.kit.paging import Paging, page_envelope

router = APIRouter(tags=["Content comments"])


@router.get("/content/{id}/child/comment", operation_id="getContentComments")
async def get_content_comments(
    id: str,
    ctx: Context,
    expand: ExpandParam,
    parentVersion: Annotated[int | None, Query()] = None,
    start: Annotated[int | None, Query()] = None,
    limit: Annotated[int | None, Query()] = None,
    location: Annotated[list[str] | None, Query()] = None,
    depth: Annotated[str | None, Query()] = None,
) -> Response:
    if parentVersion is not None and parentVersion < 0:
        raise BadRequest("parentVersion must be zero or a positive number")
    locations = service.parse_locations(location)
    all_depths = service.parse_depth(depth)
    content = content_repo.get_content(ctx.session, ctx.principal, parse_content_id(id), queries.ANY_STATUS)
    paging = Paging.of(start, limit, default=25, maximum=100)
    rows = service.list_comments(
        ctx.session,
        ctx.principal,
        content.id,
        locations=locations,
        all_depths=all_depths,
        start=paging.start,
        limit=paging.limit,
    )
    results = serialize_contents(ctx, rows[: paging.limit], expand)
    query = {
        "location": list(locations) or None,
        "depth": depth or None,
        "parentVersion": parentVersion,
        "expand": expand.render() or None,
    }
    return ok(
        page_envelope(
            results,
            paging,
            has_more=len(rows) > paging.limit,
            path=f"/rest/api/content/{content.id}/child/comment",
            query=query,
            links=ctx.links.top(),
        )
    )


if service.placement_on_create not in CREATE_HOOKS:
    CREATE_HOOKS.append(service.placement_on_create)
if service.resolution_on_update not in UPDATE_HOOKS:
    UPDATE_HOOKS.append(service.resolution_on_update)
