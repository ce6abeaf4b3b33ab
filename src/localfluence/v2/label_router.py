"""v2 labels (tag "Label") and the pages and blog posts carrying a label: v1's label tables, read
through the one visibility rule. A label is listed only where the reader can see something it is on,
so label names never leak from restricted content."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import Select, or_, select
from starlette.responses import Response

from localfluence.access.visibility import content_is_visible, space_is_readable
from localfluence.api import Context
from localfluence.content import repository as repo
from localfluence.context import Ctx
from localfluence.errors import BadRequest, NotFound
from localfluence.kit.ids import MAX_LIST_SPACE_IDS, parse_id, parse_id_list
from localfluence.labels import service as label_service
from localfluence.models import Content, ContentLabel, Label, SpaceLabel
from localfluence.v2.content_router import order_by_sort as content_order
from localfluence.v2.lookup import get_kind
from localfluence.v2.paging import cursor_page, decode_cursor, parse_limit
from localfluence.v2.serialize import check_body_format, serialize_content_v2
from localfluence.v2.space_router import label_json, space_by_id

router = APIRouter(tags=["Label"])
label_content_router = APIRouter(tags=["Page", "Blog Post"])

# Labels keep no creation time; their ids grow with creation, so created-date sorts by id.
LABEL_SORTS = {"id": (Label.id,), "created-date": (Label.id,), "name": (Label.name, Label.prefix, Label.id)}


def _label_page(
    request: Request, ctx: Ctx, query: Select[tuple[Label]], prefix: str | None, sort: str | None, limit: int | None
) -> Response:
    wanted = label_service.parse_prefix(prefix)
    if wanted:
        query = query.where(Label.prefix == wanted)
    descending = bool(sort and sort.startswith("-"))
    columns = LABEL_SORTS.get((sort or "name").lstrip("-"))
    if columns is None:
        raise BadRequest(f"Invalid sort: {sort}")
    size = parse_limit(limit)
    offset = decode_cursor(request)
    query = query.order_by(*(c.desc() if descending else c.asc() for c in columns))
    rows = list(ctx.session.scalars(query.offset(offset).limit(size + 1)))
    results = [label_json(label) for label in rows[:size]]
    return cursor_page(request, results, offset=offset, limit=size, has_more=len(rows) > size, base=ctx.links.base)


def _content_labels(
    request: Request, ctx: Ctx, kind: str, raw_id: str, prefix: str | None, sort: str | None, limit: int | None
) -> Response:
    content = get_kind(ctx, kind, raw_id)
    query = (
        select(Label).join(ContentLabel, ContentLabel.label_id == Label.id).where(ContentLabel.content_id == content.id)
    )
    return _label_page(request, ctx, query, prefix, sort, limit)


Prefix = Annotated[str | None, Query()]


@router.get("/attachments/{id}/labels", operation_id="getAttachmentLabels")
async def get_attachment_labels(
    id: str,
    request: Request,
    ctx: Context,
    prefix: Prefix = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    return _content_labels(request, ctx, "attachment", id, prefix, sort, limit)


@router.get("/blogposts/{id}/labels", operation_id="getBlogPostLabels")
async def get_blog_post_labels(
    id: str,
    request: Request,
    ctx: Context,
    prefix: Prefix = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    return _content_labels(request, ctx, "blogpost", id, prefix, sort, limit)


@router.get("/custom-content/{id}/labels", operation_id="getCustomContentLabels")
async def get_custom_content_labels(
    id: str,
    request: Request,
    ctx: Context,
    prefix: Prefix = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    return _content_labels(request, ctx, "custom-content", id, prefix, sort, limit)


@router.get("/pages/{id}/labels", operation_id="getPageLabels")
async def get_page_labels(
    id: str,
    request: Request,
    ctx: Context,
    prefix: Prefix = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    return _content_labels(request, ctx, "page", id, prefix, sort, limit)


@router.get("/spaces/{id}/labels", operation_id="getSpaceLabels")
async def get_space_labels(
    id: str,
    request: Request,
    ctx: Context,
    prefix: Prefix = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    space = space_by_id(ctx, id)
    query = select(Label).join(SpaceLabel, SpaceLabel.label_id == Label.id).where(SpaceLabel.space_id == space.id)
    return _label_page(request, ctx, query, prefix, sort, limit)


@router.get("/spaces/{id}/content/labels", operation_id="getSpaceContentLabels")
async def get_space_content_labels(
    id: str,
    request: Request,
    ctx: Context,
    prefix: Prefix = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    space = space_by_id(ctx, id)
    used = (
        select(ContentLabel.label_id)
        .join(Content, Content.id == ContentLabel.content_id)
        .where(Content.space_id == space.id, content_is_visible(ctx.principal))
    )
    return _label_page(request, ctx, select(Label).where(Label.id.in_(used)), prefix, sort, limit)


def _visible_labels(ctx: Ctx) -> Any:
    on_content = (
        select(ContentLabel.label_id)
        .join(Content, Content.id == ContentLabel.content_id)
        .where(content_is_visible(ctx.principal))
    )
    on_spaces = select(SpaceLabel.label_id).where(space_is_readable(ctx.principal, SpaceLabel.space_id))
    return or_(Label.id.in_(on_content), Label.id.in_(on_spaces))


@router.get("/labels", operation_id="getLabels")
async def get_labels(
    request: Request,
    ctx: Context,
    label_id: Annotated[list[str] | None, Query(alias="label-id")] = None,
    prefix: Annotated[list[str] | None, Query()] = None,
    cursor: str | None = None,
    sort: str | None = None,
    limit: int | None = None,
) -> Response:
    query = select(Label).where(_visible_labels(ctx))
    if (ids := parse_id_list(label_id, "label-id")) is not None:
        query = query.where(Label.id.in_(ids))
    prefixes = [p for value in prefix or [] for p in value.split(",") if p]
    if prefixes:
        query = query.where(Label.prefix.in_([label_service.parse_prefix(p) for p in prefixes]))
    return _label_page(request, ctx, query, None, sort, limit)


def visible_label(ctx: Ctx, raw_id: str) -> Label:
    """A label the reader can see somewhere; others are 404 like missing ones."""
    label_id = parse_id(raw_id)
    label = (
        ctx.session.scalar(select(Label).where(Label.id == label_id, _visible_labels(ctx)))
        if label_id is not None
        else None
    )
    if label is None:
        raise NotFound(f"No label with id {raw_id}")
    return label


def labelled(ctx: Ctx, label: Label, content_type: str) -> Select[tuple[Content]]:
    return repo.visible(ctx.principal).where(
        Content.type == content_type,
        Content.id.in_(select(ContentLabel.content_id).where(ContentLabel.label_id == label.id)),
    )


def _labelled_content(
    request: Request,
    ctx: Ctx,
    raw_id: str,
    content_type: str,
    space_id: list[str] | None,
    body_format: str | None,
    sort: str | None,
    limit: int | None,
) -> Response:
    check_body_format(body_format, ("storage", "atlas_doc_format"))
    label = visible_label(ctx, raw_id)
    query = labelled(ctx, label, content_type).where(Content.status == "current")
    if (spaces := parse_id_list(space_id, "space-id", limit=MAX_LIST_SPACE_IDS)) is not None:
        query = query.where(Content.space_id.in_(spaces))
    size = parse_limit(limit)
    offset = decode_cursor(request)
    rows = list(ctx.session.scalars(query.order_by(*content_order(sort)).offset(offset).limit(size + 1)))
    results = serialize_content_v2(ctx, rows[:size], body_format=body_format)
    return cursor_page(request, results, offset=offset, limit=size, has_more=len(rows) > size, base=ctx.links.base)


@label_content_router.get("/labels/{id}/pages", operation_id="getLabelPages")
async def get_label_pages(
    id: str,
    request: Request,
    ctx: Context,
    space_id: Annotated[list[str] | None, Query(alias="space-id")] = None,
    body_format: Annotated[str | None, Query(alias="body-format")] = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    return _labelled_content(request, ctx, id, "page", space_id, body_format, sort, limit)


@label_content_router.get("/labels/{id}/blogposts", operation_id="getLabelBlogPosts")
async def get_label_blog_posts(
    id: str,
    request: Request,
    ctx: Context,
    space_id: Annotated[list[str] | None, Query(alias="space-id")] = None,
    body_format: Annotated[str | None, Query(alias="body-format")] = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    return _labelled_content(request, ctx, id, "blogpost", space_id, body_format, sort, limit)
