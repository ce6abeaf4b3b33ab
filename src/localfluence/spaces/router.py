"""Space routes (tag "Space")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field
from starlette.responses import Response

from localfluence.api import Context, ExpandParam, ok
from localfluence.content import repository as content_repo
from localfluence.content.serialize import serialize_contents
from localfluence.errors import BadRequest
from localfluence.kit.expand import Expand
from localfluence.kit.paging import Paging, page_envelope
from localfluence.spaces import repository as repo
from localfluence.spaces import service
from localfluence.spaces.schemas import SpaceCreate, SpaceUpdate
from localfluence.spaces.serialize import serialize_space, serialize_spaces
from localfluence.tasks import service as tasks
from localfluence.tasks.serialize import task_reference

router = APIRouter(tags=["Space"])

Start = Annotated[int | None, Query()]
Limit = Annotated[int | None, Query()]
CONTENT_TYPES_IN_SPACE = ("page", "blogpost")
# What Confluence returns after a space write.
_CREATED_EXPAND = Expand.parse("description.plain,homepage")


@router.get("/space", operation_id="getSpaces")
async def get_spaces(
    ctx: Context,
    expand: ExpandParam,
    spaceKey: Annotated[list[str] | None, Query()] = None,
    spaceId: Annotated[list[Annotated[int, Field(ge=1, le=2**63 - 1)]] | None, Query()] = None,
    type: Annotated[str | None, Query()] = None,
    status: Annotated[str | None, Query()] = None,
    start: Start = None,
    limit: Limit = None,
) -> Response:
    if type is not None and type not in ("global", "personal"):
        raise BadRequest(f"Invalid space type: {type}")
    if status is not None and status not in ("current", "archived"):
        raise BadRequest(f"Invalid space status: {status}")
    keys = [k for chunk in spaceKey or [] for k in chunk.split(",") if k]
    paging = Paging.of(start, limit, default=25, maximum=250)
    rows = repo.list_spaces(
        ctx.session,
        ctx.principal,
        keys=keys,
        ids=spaceId or [],
        type=type,
        status=status,
        start=paging.start,
        limit=paging.limit,
    )
    results = serialize_spaces(ctx, rows[: paging.limit], expand)
    query = {"spaceKey": keys or None, "type": type, "status": status, "expand": expand.render() or None}
    return ok(
        page_envelope(
            results,
            paging,
            has_more=len(rows) > paging.limit,
            path="/rest/api/space",
            query=query,
            links=ctx.links.top(),
        )
    )


@router.post("/space", operation_id="createSpace")
async def create_space(ctx: Context, body: SpaceCreate) -> Response:
    space = service.create_space(ctx.session, ctx.principal, body)
    return ok(serialize_space(ctx, space, _CREATED_EXPAND, top=True))


@router.post("/space/_private", operation_id="createPrivateSpace")
async def create_private_space(ctx: Context, body: SpaceCreate) -> Response:
    space = service.create_space(ctx.session, ctx.principal, body, private=True)
    return ok(serialize_space(ctx, space, _CREATED_EXPAND, top=True))


@router.get("/space/{spaceKey}", operation_id="getSpace")
async def get_space(spaceKey: str, ctx: Context, expand: ExpandParam) -> Response:
    return ok(serialize_space(ctx, repo.get_space(ctx.session, ctx.principal, spaceKey), expand, top=True))


@router.put("/space/{spaceKey}", operation_id="updateSpace")
async def update_space(spaceKey: str, ctx: Context, body: SpaceUpdate) -> Response:
    space = service.update_space(ctx.session, ctx.principal, spaceKey, body)
    return ok(serialize_space(ctx, space, _CREATED_EXPAND, top=True))


@router.delete("/space/{spaceKey}", operation_id="deleteSpace", status_code=202)
async def delete_space(spaceKey: str, ctx: Context) -> Response:
    task = tasks.submit(ctx.session, ctx.principal, "space.delete", {"spaceKey": spaceKey})
    return ok(task_reference(ctx, task), status=202)


@router.get("/space/{spaceKey}/content", operation_id="getContentForSpace")
async def get_content_for_space(
    spaceKey: str,
    ctx: Context,
    expand: ExpandParam,
    depth: Annotated[str, Query()] = "all",
    start: Start = None,
    limit: Limit = None,
) -> Response:
    space, paging, root_only = _space_listing_args(ctx, spaceKey, depth, start, limit)
    out: dict[str, object] = {}
    for content_type in CONTENT_TYPES_IN_SPACE:
        out[content_type] = _space_content(ctx, space, content_type, paging, root_only, expand, top=False)
    out["_links"] = {**ctx.links.top(), "self": ctx.links.api(f"/rest/api/space/{spaceKey}/content")}
    return ok(out)


@router.get("/space/{spaceKey}/content/{type}", operation_id="getContentByTypeForSpace")
async def get_content_by_type_for_space(
    spaceKey: str,
    type: str,
    ctx: Context,
    expand: ExpandParam,
    depth: Annotated[str, Query()] = "all",
    start: Start = None,
    limit: Limit = None,
) -> Response:
    if type not in CONTENT_TYPES_IN_SPACE:
        raise BadRequest(f"Invalid content type: {type}")
    space, paging, root_only = _space_listing_args(ctx, spaceKey, depth, start, limit)
    return ok(_space_content(ctx, space, type, paging, root_only, expand, top=True))


def _space_listing_args(ctx, key, depth, start, limit):  # type: ignore[no-untyped-def]
    if depth not in ("all", "root"):
        raise BadRequest(f"Invalid depth: {depth}; use all or root")
    space = repo.get_space(ctx.session, ctx.principal, key)
    return space, Paging.of(start, limit, default=25, maximum=200), depth == "root"


def _space_content(ctx, space, content_type, paging, root_only, expand, *, top):  # type: ignore[no-untyped-def]
    rows = content_repo.list_space_content(
        ctx.session,
        ctx.principal,
        space.id,
        content_type,
        root_only=root_only,
        start=paging.start,
        limit=paging.limit,
    )
    results = serialize_contents(ctx, rows[: paging.limit], expand)
    links = ctx.links.top() if top else {"base": ctx.links.base, "context": ctx.links.context}
    envelope = page_envelope(
        results,
        paging,
        has_more=len(rows) > paging.limit,
        path=f"/rest/api/space/{space.key}/content/{content_type}",
        query={"depth": "root" if root_only else None, "expand": expand.render() or None},
        links=links,
    )
    if not top:
        envelope["_links"].pop("base")
        envelope["_links"].pop("context")
    return envelope
