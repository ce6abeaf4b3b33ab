"""v2 ancestors and children (tags "Ancestors", "Children"): the content tree v1 keeps, through the
one visibility rule. Ancestors are listed top-down and `limit` keeps the nearest ones, as Cloud does
(the caller asks again from the highest ancestor for the rest)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.content import repository as repo
from localfluence.context import Ctx
from localfluence.errors import BadRequest
from localfluence.models import Content, ContentAncestor, ContentVersion
from localfluence.v2.lookup import custom_type_clause, get_kind
from localfluence.v2.paging import cursor_page, decode_cursor, parse_limit

router = APIRouter(tags=["Ancestors", "Children"])

ANCESTOR_TYPES = ("page", "whiteboard", "database", "embed", "folder")
CHILD_STATUSES = ("current",)


# The statuses a whiteboard, database, embed or folder is found in by id.
TREE_STATUSES = ("current", "archived", "draft")


def _ancestors(ctx: Ctx, content: Content, limit: int | None) -> Response:
    size = parse_limit(limit)
    rows = ctx.session.execute(
        repo.visible(ctx.principal)
        .with_only_columns(Content.id, Content.type)
        .join(ContentAncestor, ContentAncestor.ancestor_id == Content.id)
        .where(ContentAncestor.descendant_id == content.id, ContentAncestor.depth > 0)
        .order_by(ContentAncestor.depth.asc())
        .limit(size)
    ).all()
    results = [{"id": str(row.id), "type": row.type if row.type in ANCESTOR_TYPES else "page"} for row in rows]
    results.reverse()
    return ok({"results": results, "_links": {"base": ctx.links.base}})


@router.get("/pages/{id}/ancestors", operation_id="getPageAncestors")
async def get_page_ancestors(id: str, ctx: Context, limit: int | None = None) -> Response:
    return _ancestors(ctx, get_kind(ctx, "page", id), limit)


@router.get("/whiteboards/{id}/ancestors", operation_id="getWhiteboardAncestors")
async def get_whiteboard_ancestors(id: str, ctx: Context, limit: int | None = None) -> Response:
    return _ancestors(ctx, get_kind(ctx, "whiteboard", id, TREE_STATUSES), limit)


@router.get("/databases/{id}/ancestors", operation_id="getDatabaseAncestors")
async def get_database_ancestors(id: str, ctx: Context, limit: int | None = None) -> Response:
    return _ancestors(ctx, get_kind(ctx, "database", id, TREE_STATUSES), limit)


@router.get("/embeds/{id}/ancestors", operation_id="getSmartLinkAncestors")
async def get_smart_link_ancestors(id: str, ctx: Context, limit: int | None = None) -> Response:
    return _ancestors(ctx, get_kind(ctx, "embed", id, TREE_STATUSES), limit)


@router.get("/folders/{id}/ancestors", operation_id="getFolderAncestors")
async def get_folder_ancestors(id: str, ctx: Context, limit: int | None = None) -> Response:
    return _ancestors(ctx, get_kind(ctx, "folder", id, TREE_STATUSES), limit)


def _child_order(sort: str | None) -> tuple[Any, ...]:
    name = (sort or "child-position").lstrip("-")
    descending = bool(sort and sort.startswith("-"))
    if name == "child-position":
        columns: tuple[Any, ...] = (Content.position, Content.id)
    elif name == "id":
        columns = (Content.id,)
    elif name == "created-date":
        columns = (Content.created_at, Content.id)
    elif name == "modified-date":
        modified = (
            select(func.max(ContentVersion.created_at)).where(ContentVersion.content_id == Content.id).scalar_subquery()
        )
        columns = (modified, Content.id)
    else:
        raise BadRequest(f"Invalid sort: {sort}")
    return tuple(c.desc() if descending else c.asc() for c in columns)


# What a page's direct children can be (Cloud's /direct-children): the tree's own types.
TREE_TYPES = ("page", "folder", "whiteboard", "database", "embed")


def _children(
    request: Request,
    ctx: Ctx,
    parent: Content,
    *,
    custom: bool,
    sort: str | None,
    limit: int | None,
    types: tuple[str, ...] = ("page",),
) -> Response:
    size = parse_limit(limit)
    offset = decode_cursor(request)
    query = repo.visible(ctx.principal).where(Content.parent_id == parent.id, Content.status.in_(CHILD_STATUSES))
    if custom:
        query = query.where(custom_type_clause())
    else:
        query = query.where(Content.type.in_(types))
    rows = list(ctx.session.scalars(query.order_by(*_child_order(sort)).offset(offset).limit(size + 1)))
    results = []
    for row in rows[:size]:
        item: dict[str, Any] = {"id": str(row.id), "status": row.status, "title": row.title}
        if custom or len(types) > 1:
            item["type"] = row.type
        item["spaceId"] = str(row.space_id)
        if not custom:
            item["childPosition"] = row.position
        results.append(item)
    return cursor_page(request, results, offset=offset, limit=size, has_more=len(rows) > size, base=ctx.links.base)


@router.get("/pages/{id}/children", operation_id="getChildPages")
async def get_child_pages(
    id: str,
    request: Request,
    ctx: Context,
    cursor: str | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> Response:
    return _children(request, ctx, get_kind(ctx, "page", id), custom=False, sort=sort, limit=limit)


@router.get("/pages/{id}/direct-children", operation_id="getPageDirectChildren")
async def get_page_direct_children(
    id: str,
    request: Request,
    ctx: Context,
    cursor: str | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> Response:
    """Newer than our copy of the spec, and what atlassian-python-api's v2 client asks for
    children: every tree type below the page, in position order."""
    parent = get_kind(ctx, "page", id)
    return _children(request, ctx, parent, custom=False, sort=sort, limit=limit, types=TREE_TYPES)


@router.get("/custom-content/{id}/children", operation_id="getChildCustomContent")
async def get_child_custom_content(
    id: str,
    request: Request,
    ctx: Context,
    cursor: str | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> Response:
    return _children(request, ctx, get_kind(ctx, "custom-content", id), custom=True, sort=sort, limit=limit)
