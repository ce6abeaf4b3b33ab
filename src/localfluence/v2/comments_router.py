"""v2 footer and inline comments (tag "Comment") over v1's storage: content rows of type "comment"
created, edited and deleted through the v1 content service, their placement (footer or inline,
the inline marker, the resolution) in CommentPlacement through the v1 comment hooks.

A top-level comment's parent is what it comments on; a reply's parent is the comment it answers,
so the object a comment belongs to is its nearest ancestor that is not a comment."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import func, select
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.comments import service as comments
from localfluence.content import queries, service
from localfluence.content import repository as repo
from localfluence.content.schemas import BodyValue, ContentCreate, ContentRef, ContentUpdate, VersionIn
from localfluence.content.types import is_custom
from localfluence.context import Ctx
from localfluence.errors import BadRequest
from localfluence.kit.clock import iso
from localfluence.kit.requestbody import RequestBody as Body
from localfluence.models import CommentPlacement, Content, ContentVersion
from localfluence.people.serialize import load_users
from localfluence.v2 import optional_fields
from localfluence.v2.paging import cursor_page, decode_cursor, parse_limit
from localfluence.v2.serialize import check_body_format, serialize_content_v2

router = APIRouter(tags=["Comment"])

# Which v2 field names the object a comment belongs to, by that object's content type.
CONTAINER_FIELDS = {"page": "pageId", "blogpost": "blogPostId", "attachment": "attachmentId"}
CUSTOM_FIELD = "customContentId"
LIST_STATUSES = ("current", "archived", "trashed", "deleted", "historical", "draft")
RESOLUTION_STATUSES = ("open", "reopened", "resolved", "dangling")
BODY_FORMATS = ("storage", "atlas_doc_format", "view")


class CommentBodyWrite(Body):
    representation: str | None = None
    value: str | None = None
    # CommentNestedBodyWrite: {"storage": {"representation", "value"}, ...}
    storage: dict[str, Any] | None = None
    atlas_doc_format: dict[str, Any] | None = None
    wiki: dict[str, Any] | None = None


class FooterCommentCreate(Body):
    blogPostId: str | None = None
    pageId: str | None = None
    parentCommentId: str | None = None
    attachmentId: str | None = None
    customContentId: str | None = None
    body: CommentBodyWrite | None = None


class InlineCommentCreate(Body):
    blogPostId: str | None = None
    pageId: str | None = None
    parentCommentId: str | None = None
    body: CommentBodyWrite | None = None
    inlineCommentProperties: dict[str, Any] | None = None


class CommentVersionWrite(Body):
    number: int | None = None
    message: str | None = None


class CommentUpdate(Body):
    version: CommentVersionWrite | None = None
    body: CommentBodyWrite | None = None
    resolved: bool | None = None


# --- reading ------------------------------------------------------------------------------------


def _ancestors(ctx: Ctx, rows: Sequence[Content]) -> dict[int, Content]:
    """The rows' parents, and theirs while they are comments, by id: one query per level, not per comment."""
    found: dict[int, Content] = {}
    wanted = {r.parent_id for r in rows if r.parent_id}
    while wanted:
        for parent in ctx.session.scalars(select(Content).where(Content.id.in_(wanted))):
            found[parent.id] = parent
        wanted = {p.parent_id for p in found.values() if p.type == "comment" and p.parent_id} - found.keys()
    return found


def _container_of(ctx: Ctx, comment: Content, known: dict[int, Content] | None = None) -> Content | None:
    known = known or {}

    def get(content_id: int | None) -> Content | None:
        if not content_id:
            return None
        return known.get(content_id) or ctx.session.get(Content, content_id)

    parent = get(comment.parent_id)
    while parent is not None and parent.type == "comment":
        parent = get(parent.parent_id)
    return parent


def _container_field(content_type: str) -> str | None:
    if is_custom(content_type):
        return CUSTOM_FIELD
    return CONTAINER_FIELDS.get(content_type)


def _inline_properties(placement: CommentPlacement | None) -> dict[str, Any]:
    stored = json.loads(placement.inline_properties) if placement else {}
    marker = stored.get("markerRef")
    selection = stored.get("originalSelection")
    return {
        "inlineMarkerRef": marker,
        "inlineOriginalSelection": selection,
        "inline-marker-ref": marker,
        "inline-original-selection": selection,
    }


def serialize_comments_v2(
    ctx: Ctx,
    rows: Sequence[Content],
    *,
    body_format: str | None,
    single: bool = False,
    include_version: bool = True,
) -> list[dict[str, Any]]:
    """FooterCommentModel / InlineCommentModel (and their list and children shapes)."""
    base = serialize_content_v2(ctx, rows, body_format=body_format, single=single)
    placements = comments.placements_of_many(ctx.session, [r.id for r in rows])
    resolvers = load_users(ctx, [p.resolved_by_id for p in placements.values()])
    ancestors = _ancestors(ctx, rows)
    out = []
    for row, shaped in zip(rows, base, strict=True):
        placement = placements.get(row.id)
        item: dict[str, Any] = {"id": shaped["id"], "status": shaped["status"], "title": shaped["title"]}
        container = _container_of(ctx, row, ancestors)
        field = _container_field(container.type) if container is not None else None
        if field is not None and container is not None:
            item[field] = str(container.id)
        parent_is_comment = row.parent_id is not None and (container is None or container.id != row.parent_id)
        item["parentCommentId"] = str(row.parent_id) if parent_is_comment else None
        if include_version:
            item["version"] = shaped["version"]
        item["body"] = shaped["body"]
        if placement is not None and placement.location == "inline":
            item["resolutionStatus"] = placement.resolution or "open"
            resolver = resolvers.get(placement.resolved_by_id) if placement.resolved_by_id else None
            item["resolutionLastModifierId"] = resolver.account_id if resolver is not None else None
            item["resolutionLastModifiedAt"] = iso(placement.resolved_at) if placement.resolved_at else None
            item["properties"] = _inline_properties(placement)
        item["_links"] = {"webui": shaped["_links"].get("webui", "")}
        if single:
            item["_links"]["base"] = ctx.links.base
        out.append(item)
    return out


def _location(ctx: Ctx, comment: Content) -> str:
    placement = ctx.session.get(CommentPlacement, comment.id)
    return placement.location if placement is not None else "footer"


def _get_comment(ctx: Ctx, raw_id: str, location: str, statuses: Sequence[str] = ("current", "draft")) -> Content:
    content = repo.get_content(ctx.session, ctx.principal, service.parse_content_id(raw_id), statuses)
    if content.type != "comment" or _location(ctx, content) != location:
        raise repo.not_found(raw_id)
    return content


def _get_container(ctx: Ctx, raw_id: str, accepts: Sequence[str]) -> Content:
    content = repo.get_content(
        ctx.session, ctx.principal, service.parse_content_id(raw_id), ("current", "archived", "draft")
    )
    matches = any(content.type == t or (t == "custom" and is_custom(content.type)) for t in accepts)
    if not matches:
        raise repo.not_found(raw_id)
    return content


SORTS = ("created-date", "-created-date", "modified-date", "-modified-date")


def _order(sort: str | None) -> tuple[Any, ...]:
    sort = sort or "created-date"
    if sort not in SORTS:
        raise BadRequest(f"Invalid sort: {sort}; use one of {', '.join(SORTS)}")
    if sort.endswith("modified-date"):
        column: Any = (
            select(func.max(ContentVersion.created_at)).where(ContentVersion.content_id == Content.id).scalar_subquery()
        )
    else:
        column = Content.created_at
    if sort.startswith("-"):
        return (column.desc(), Content.id.desc())
    return (column.asc(), Content.id.asc())


def _list(
    request: Request,
    ctx: Ctx,
    *,
    location: str | None,
    parent_id: int | None = None,
    body_format: str | None,
    sort: str | None,
    limit: int | None,
    status: Sequence[str] | None = None,
    resolution: Sequence[str] | None = None,
) -> Response:
    check_body_format(body_format, BODY_FORMATS)
    statuses = tuple(status or ["current"])
    for s in statuses:
        if s not in LIST_STATUSES:
            raise BadRequest(f"Invalid status: {s}")
    for r in resolution or ():
        if r not in RESOLUTION_STATUSES:
            raise BadRequest(f"Invalid resolution-status: {r}")
    size = parse_limit(limit)
    offset = decode_cursor(request)
    placement = select(CommentPlacement).subquery()
    query = (
        repo.visible(ctx.principal)
        .where(Content.type == "comment", Content.status.in_(statuses))
        .outerjoin(placement, placement.c.content_id == Content.id)
    )
    if parent_id is not None:
        query = query.where(Content.parent_id == parent_id)
    if location is not None:
        query = query.where(func.coalesce(placement.c.location, "footer") == location)
    if resolution:
        query = query.where(func.coalesce(placement.c.resolution, "open").in_(tuple(resolution)))
    query = query.order_by(*_order(sort))
    rows = list(ctx.session.scalars(query.offset(offset).limit(size + 1)))
    results = serialize_comments_v2(ctx, rows[:size], body_format=body_format)
    return cursor_page(request, results, offset=offset, limit=size, has_more=len(rows) > size, base=ctx.links.base)


def _single(
    ctx: Ctx,
    raw_id: str,
    location: str,
    *,
    body_format: str | None,
    version: int | None,
    include_properties: bool,
    include_version: bool,
    include_operations: bool = False,
    include_versions: bool = False,
) -> Response:
    check_body_format(body_format)
    content = _get_comment(ctx, raw_id, location)
    current = content
    if version is not None and version != content.version:
        found = repo.get_version(ctx.session, content.id, version)
        if found is None:
            raise repo.not_found(raw_id)
        content = queries.content_at_version(content, found)
    shaped = serialize_comments_v2(
        ctx,
        [content],
        body_format=body_format,
        single=True,
        include_version=include_version,
    )[0]
    collection = f"/{location}-comments/{current.id}"
    if include_properties:
        shaped["properties"] = {
            **shaped.get("properties", {}),
            **optional_fields.properties_field(ctx, current, f"/comments/{current.id}/properties"),
        }
    if include_operations:
        shaped["operations"] = optional_fields.operations_field(ctx, current, "comment", f"{collection}/operations")
    if include_versions:
        shaped["versions"] = optional_fields.versions_field(ctx, current, f"{collection}/versions")
    return ok(shaped)


# --- writing ------------------------------------------------------------------------------------


def _body(body: CommentBodyWrite | None) -> tuple[dict[str, BodyValue] | None, str]:
    """The v1 body dict for a v2 comment body, and the representation it came in."""
    if body is None:
        return None, "storage"
    if body.representation is not None:
        if body.value is None:
            raise BadRequest("body.value is required")
        return {body.representation: BodyValue(value=body.value, representation=body.representation)}, (
            body.representation
        )
    for name in ("storage", "atlas_doc_format", "wiki"):
        nested = getattr(body, name)
        if nested is not None:
            value = nested.get("value")
            if not isinstance(value, str):
                raise BadRequest(f"body.{name}.value is required")
            return {name: BodyValue(value=value, representation=name)}, name
    raise BadRequest("The comment needs a body")


def _written_format(representation: str) -> str:
    return representation if representation in ("storage", "atlas_doc_format") else "storage"


def _create(ctx: Ctx, location: str, data: FooterCommentCreate | InlineCommentCreate) -> Response:
    targets = {
        "pageId": ("page",),
        "blogPostId": ("blogpost",),
        "attachmentId": ("attachment",),
        "customContentId": ("custom",),
    }
    given = [(name, getattr(data, name, None)) for name in (*targets, "parentCommentId")]
    given = [(name, value) for name, value in given if value is not None]
    if len(given) != 1:
        raise BadRequest("Give exactly one of pageId, blogPostId, attachmentId, customContentId or parentCommentId")
    name, raw_id = given[0]
    extensions: dict[str, Any] = {"location": location}
    if name == "parentCommentId":
        parent = _get_comment(ctx, raw_id, location, ("current",))
        ancestors = [ContentRef(id=str(parent.id))]
        container = None
    else:
        target = _get_container(ctx, raw_id, targets[name])
        container = ContentRef(id=str(target.id))
        ancestors = None
        if location == "inline":
            extensions["inlineProperties"] = _inline_marker(getattr(data, "inlineCommentProperties", None))
    body, representation = _body(data.body)
    if body is None:
        raise BadRequest("The comment needs a body")
    create = ContentCreate(type="comment", container=container, ancestors=ancestors, body=body, extensions=extensions)
    content = service.create_content(ctx.session, ctx.principal, create, "current")
    shaped = serialize_comments_v2(ctx, [content], body_format=_written_format(representation), single=True)
    return ok(shaped[0], 201)


def _inline_marker(given: dict[str, Any] | None) -> dict[str, Any]:
    """What v1 stores for an inline comment's anchor, from v2's textSelection properties."""
    if not given or not isinstance(given.get("textSelection"), str) or not given["textSelection"]:
        raise BadRequest("An inline comment needs inlineCommentProperties.textSelection")
    stored: dict[str, Any] = {"markerRef": str(uuid.uuid4()), "originalSelection": given["textSelection"]}
    for key in ("textSelectionMatchCount", "textSelectionMatchIndex"):
        if key in given:
            if not isinstance(given[key], int) or isinstance(given[key], bool):
                raise BadRequest(f"inlineCommentProperties.{key} must be a number")
            stored[key] = given[key]
    return stored


def _update(ctx: Ctx, raw_id: str, location: str, data: CommentUpdate) -> Response:
    content = _get_comment(ctx, raw_id, location)
    if data.version is None or data.version.number is None:
        raise BadRequest("version.number is required")
    body, representation = _body(data.body) if data.body is not None else (None, "storage")
    extensions = None
    if data.resolved is not None:
        if location != "inline":
            raise BadRequest("Only inline comments can be resolved")
        current = ctx.session.get(CommentPlacement, content.id)
        was_resolved = current is not None and current.resolution == "resolved"
        if data.resolved:
            extensions = {"resolution": "resolved"}
        elif was_resolved:
            extensions = {"resolution": "reopened"}
    update = ContentUpdate(
        version=VersionIn(number=data.version.number, message=data.version.message),
        title=content.title,
        type="comment",
        status=content.status,
        body=body,
        extensions=extensions,
    )
    updated = service.update_content(ctx.session, ctx.principal, content.id, update, content.status)
    shaped = serialize_comments_v2(ctx, [updated], body_format=_written_format(representation), single=True)
    return ok(shaped[0])


def _delete(ctx: Ctx, raw_id: str, location: str) -> Response:
    content = _get_comment(ctx, raw_id, location)
    service.delete_content(ctx.session, ctx.principal, content.id, None)
    return Response(status_code=204)


# --- routes -------------------------------------------------------------------------------------

BodyFormat = Annotated[str | None, Query(alias="body-format")]
Statuses = Annotated[list[str] | None, Query()]
Resolutions = Annotated[list[str] | None, Query(alias="resolution-status")]


@router.get("/attachments/{id}/footer-comments", operation_id="getAttachmentComments")
async def get_attachment_comments(
    id: str,
    request: Request,
    ctx: Context,
    body_format: BodyFormat = None,
    cursor: str | None = None,
    limit: int | None = None,
    sort: str | None = None,
    version: int | None = None,
) -> Response:
    return _container_list(request, ctx, id, "attachment", "footer", body_format, None, sort, limit)


@router.get("/custom-content/{id}/footer-comments", operation_id="getCustomContentComments")
async def get_custom_content_comments(
    id: str,
    request: Request,
    ctx: Context,
    body_format: BodyFormat = None,
    cursor: str | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> Response:
    return _container_list(request, ctx, id, "custom", "footer", body_format, None, sort, limit)


def _container_list(
    request: Request,
    ctx: Ctx,
    id: str,
    content_type: str,
    location: str,
    body_format: str | None,
    status: list[str] | None,
    sort: str | None,
    limit: int | None,
    resolution: list[str] | None = None,
) -> Response:
    container = _get_container(ctx, id, (content_type,))
    return _list(
        request,
        ctx,
        location=location,
        parent_id=container.id,
        body_format=body_format,
        sort=sort,
        limit=limit,
        status=status,
        resolution=resolution,
    )


@router.get("/pages/{id}/footer-comments", operation_id="getPageFooterComments")
async def get_page_footer_comments(
    id: str,
    request: Request,
    ctx: Context,
    body_format: BodyFormat = None,
    status: Statuses = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    return _container_list(request, ctx, id, "page", "footer", body_format, status, sort, limit)


@router.get("/pages/{id}/inline-comments", operation_id="getPageInlineComments")
async def get_page_inline_comments(
    id: str,
    request: Request,
    ctx: Context,
    body_format: BodyFormat = None,
    status: Statuses = None,
    resolution_status: Resolutions = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    return _container_list(request, ctx, id, "page", "inline", body_format, status, sort, limit, resolution_status)


@router.get("/blogposts/{id}/footer-comments", operation_id="getBlogPostFooterComments")
async def get_blog_post_footer_comments(
    id: str,
    request: Request,
    ctx: Context,
    body_format: BodyFormat = None,
    status: Statuses = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    return _container_list(request, ctx, id, "blogpost", "footer", body_format, status, sort, limit)


@router.get("/blogposts/{id}/inline-comments", operation_id="getBlogPostInlineComments")
async def get_blog_post_inline_comments(
    id: str,
    request: Request,
    ctx: Context,
    body_format: BodyFormat = None,
    status: Statuses = None,
    resolution_status: Resolutions = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    return _container_list(request, ctx, id, "blogpost", "inline", body_format, status, sort, limit, resolution_status)


@router.get("/footer-comments", operation_id="getFooterComments")
async def get_footer_comments(
    request: Request,
    ctx: Context,
    body_format: BodyFormat = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    return _list(request, ctx, location="footer", body_format=body_format, sort=sort, limit=limit)


@router.post("/footer-comments", operation_id="createFooterComment", status_code=201)
async def create_footer_comment(ctx: Context, body: FooterCommentCreate) -> Response:
    return _create(ctx, "footer", body)


@router.get("/footer-comments/{comment_id}", operation_id="getFooterCommentById")
async def get_footer_comment_by_id(
    comment_id: str,
    ctx: Context,
    body_format: BodyFormat = None,
    version: int | None = None,
    include_properties: Annotated[bool, Query(alias="include-properties")] = False,
    include_operations: Annotated[bool, Query(alias="include-operations")] = False,
    include_likes: Annotated[bool, Query(alias="include-likes")] = False,
    include_versions: Annotated[bool, Query(alias="include-versions")] = False,
    include_version: Annotated[bool, Query(alias="include-version")] = True,
) -> Response:
    return _single(
        ctx,
        comment_id,
        "footer",
        body_format=body_format,
        version=version,
        include_properties=include_properties,
        include_version=include_version,
        include_operations=include_operations,
        include_versions=include_versions,
    )


@router.put("/footer-comments/{comment_id}", operation_id="updateFooterComment")
async def update_footer_comment(comment_id: str, ctx: Context, body: CommentUpdate) -> Response:
    return _update(ctx, comment_id, "footer", body)


@router.delete("/footer-comments/{comment_id}", operation_id="deleteFooterComment", status_code=204)
async def delete_footer_comment(comment_id: str, ctx: Context) -> Response:
    return _delete(ctx, comment_id, "footer")


@router.get("/footer-comments/{id}/children", operation_id="getFooterCommentChildren")
async def get_footer_comment_children(
    id: str,
    request: Request,
    ctx: Context,
    body_format: BodyFormat = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    parent = _get_comment(ctx, id, "footer")
    return _list(request, ctx, location="footer", parent_id=parent.id, body_format=body_format, sort=sort, limit=limit)


@router.get("/inline-comments", operation_id="getInlineComments")
async def get_inline_comments(
    request: Request,
    ctx: Context,
    body_format: BodyFormat = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    return _list(request, ctx, location="inline", body_format=body_format, sort=sort, limit=limit)


@router.post("/inline-comments", operation_id="createInlineComment", status_code=201)
async def create_inline_comment(ctx: Context, body: InlineCommentCreate) -> Response:
    return _create(ctx, "inline", body)


@router.get("/inline-comments/{comment_id}", operation_id="getInlineCommentById")
async def get_inline_comment_by_id(
    comment_id: str,
    ctx: Context,
    body_format: BodyFormat = None,
    version: int | None = None,
    include_properties: Annotated[bool, Query(alias="include-properties")] = False,
    include_operations: Annotated[bool, Query(alias="include-operations")] = False,
    include_likes: Annotated[bool, Query(alias="include-likes")] = False,
    include_versions: Annotated[bool, Query(alias="include-versions")] = False,
    include_version: Annotated[bool, Query(alias="include-version")] = True,
) -> Response:
    return _single(
        ctx,
        comment_id,
        "inline",
        body_format=body_format,
        version=version,
        include_properties=include_properties,
        include_version=include_version,
        include_operations=include_operations,
        include_versions=include_versions,
    )


@router.put("/inline-comments/{comment_id}", operation_id="updateInlineComment")
async def update_inline_comment(comment_id: str, ctx: Context, body: CommentUpdate) -> Response:
    return _update(ctx, comment_id, "inline", body)


@router.delete("/inline-comments/{comment_id}", operation_id="deleteInlineComment", status_code=204)
async def delete_inline_comment(comment_id: str, ctx: Context) -> Response:
    return _delete(ctx, comment_id, "inline")


@router.get("/inline-comments/{id}/children", operation_id="getInlineCommentChildren")
async def get_inline_comment_children(
    id: str,
    request: Request,
    ctx: Context,
    body_format: BodyFormat = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    parent = _get_comment(ctx, id, "inline")
    return _list(request, ctx, location="inline", parent_id=parent.id, body_format=body_format, sort=sort, limit=limit)
