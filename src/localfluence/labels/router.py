"""Label routes (tags "Content labels", "Label info" and the experimental space labels)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.content import repository as content_repo
from localfluence.content.service import parse_content_id
from localfluence.context import Ctx
from localfluence.errors import BadRequest, NotFound
from localfluence.kit.expand import Expand
from localfluence.kit.paging import Paging
from localfluence.labels import service
from localfluence.labels.schemas import parse_label_body
from localfluence.labels.serialize import label_array, label_details, label_page
from localfluence.models import Space
from localfluence.spaces import repository as space_repo
from localfluence.spaces.serialize import space_expander

router = APIRouter(tags=["Content labels"])

Start = Annotated[int | None, Query()]
Limit = Annotated[int | None, Query()]


@router.get("/content/{id}/label", operation_id="getLabelsForContent")
async def get_labels_for_content(
    id: str, ctx: Context, prefix: Annotated[str | None, Query()] = None, start: Start = None, limit: Limit = None
) -> Response:
    content = content_repo.get_content(ctx.session, ctx.principal, parse_content_id(id), service.READABLE_STATUSES)
    paging = Paging.of(start, limit, default=200, maximum=200)
    wanted = service.parse_prefix(prefix)
    rows = service.content_labels(ctx.session, content.id, prefix=wanted, start=paging.start, limit=paging.limit)
    return ok(label_page(ctx, rows, paging, f"/rest/api/content/{content.id}/label", {"prefix": wanted}))


@router.post("/content/{id}/label", operation_id="addLabelsToContent")
async def add_labels_to_content(id: str, ctx: Context, body: Annotated[Any, Body()]) -> Response:
    content = service.add_to_content(ctx.session, ctx.principal, parse_content_id(id), parse_label_body(body))
    paging = Paging.of(0, None, default=200, maximum=200)
    rows = service.content_labels(ctx.session, content.id, prefix=None, start=0, limit=paging.limit)
    return ok(label_page(ctx, rows, paging, f"/rest/api/content/{content.id}/label", {}))


@router.delete("/content/{id}/label", operation_id="removeLabelFromContentUsingQueryParameter", status_code=204)
async def remove_label_from_content_using_query_parameter(
    id: str, ctx: Context, name: Annotated[str | None, Query()] = None
) -> Response:
    service.remove_from_content(ctx.session, ctx.principal, parse_content_id(id), name)
    return Response(status_code=204)


@router.delete("/content/{id}/label/{label}", operation_id="removeLabelFromContent", status_code=204)
async def remove_label_from_content(id: str, label: str, ctx: Context) -> Response:
    if "/" in label:
        raise BadRequest("A label name with '/' must be removed with ?name=")
    service.remove_from_content(ctx.session, ctx.principal, parse_content_id(id), label)
    return Response(status_code=204)


info_router = APIRouter(tags=["Label info"])


@info_router.get("/label", operation_id="getAllLabelContent")
async def get_all_label_content(
    ctx: Context,
    name: Annotated[str | None, Query()] = None,
    type: Annotated[str | None, Query()] = None,
    start: Start = None,
    limit: Limit = None,
) -> Response:
    prefix, label_name = service.parse_reference(name)
    if type is not None and type not in service.LABEL_INFO_TYPES:
        raise BadRequest(f"Invalid content type: {type}; use one of {', '.join(service.LABEL_INFO_TYPES)}")
    label = service.find_label(ctx.session, prefix, label_name)
    if label is None:
        raise NotFound(f"No label found with name: {name}")
    paging = Paging.of(start, limit, default=200, maximum=200)
    types = (type,) if type else ("page", "blogpost", "attachment")
    rows = service.labelled_content(
        ctx.session, ctx.principal, label.id, types=types, start=paging.start, limit=paging.limit
    )
    return ok(label_details(label, rows, paging))


space_router = APIRouter(tags=["Experimental"])


@space_router.get("/space/{spaceKey}/label", operation_id="getLabelsForSpace")
async def get_labels_for_space(
    spaceKey: str, ctx: Context, prefix: Annotated[str | None, Query()] = None, start: Start = None, limit: Limit = None
) -> Response:
    space = space_repo.get_space(ctx.session, ctx.principal, spaceKey)
    paging = Paging.of(start, limit, default=200, maximum=200)
    wanted = service.parse_prefix(prefix)
    rows = service.space_labels(ctx.session, space.id, prefix=wanted, start=paging.start, limit=paging.limit)
    return ok(label_page(ctx, rows, paging, f"/rest/api/space/{space.key}/label", {"prefix": wanted}))


@space_router.post("/space/{spaceKey}/label", operation_id="addLabelsToSpace")
async def add_labels_to_space(spaceKey: str, ctx: Context, body: Annotated[Any, Body()]) -> Response:
    space = service.add_to_space(ctx.session, ctx.principal, spaceKey, parse_label_body(body))
    paging = Paging.of(0, None, default=200, maximum=200)
    rows = service.space_labels(ctx.session, space.id, prefix=None, start=0, limit=paging.limit)
    return ok(label_page(ctx, rows, paging, f"/rest/api/space/{space.key}/label", {}))


@space_router.delete("/space/{spaceKey}/label", operation_id="deleteLabelFromSpace", status_code=204)
async def delete_label_from_space(
    spaceKey: str,
    ctx: Context,
    name: Annotated[str | None, Query()] = None,
    prefix: Annotated[str | None, Query()] = None,
) -> Response:
    service.remove_from_space(ctx.session, ctx.principal, spaceKey, name, prefix)
    return Response(status_code=204)


@space_expander("metadata")
def _space_metadata(ctx: Ctx, spaces: Sequence[Space], sub: Expand) -> dict[int, Any]:
    """Space `metadata.labels`, batch-loaded."""
    labels = service.space_labels_of_many(ctx.session, [s.id for s in spaces]) if "labels" in sub else None
    out = {}
    for space in spaces:
        item: dict[str, Any] = {}
        if labels is not None:
            item["labels"] = label_array(ctx, labels[space.id], f"/rest/api/space/{space.key}/label")
        item["_expandable"] = {k: "" for k in ("labels",) if k not in item}
        out[space.id] = item
    return out
