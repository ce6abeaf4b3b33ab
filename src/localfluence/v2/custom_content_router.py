"""v2 custom content (tag "Custom Content"): content rows whose type is the app's own
("ac:<app>:<module>", "forge:<app-id>:<environment-id>:<module-key>"; content/types.py), created,
versioned and deleted through the v1 content service, so v1 reads and writes them too. Its
container is its parent row: a page, a blog post or other custom content; custom content right in
a space has no parent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.content import queries, service
from localfluence.content import repository as repo
from localfluence.content.schemas import BodyValue, ContentCreate, ContentRef, ContentUpdate, SpaceRef, VersionIn
from localfluence.content.types import check_custom_type
from localfluence.context import Ctx
from localfluence.errors import BadRequest
from localfluence.kit.ids import MAX_LIST_SPACE_IDS, parse_id_list
from localfluence.kit.requestbody import RequestBody as Body
from localfluence.models import Content
from localfluence.v2 import optional_fields
from localfluence.v2.paging import cursor_page, decode_cursor, parse_limit
from localfluence.v2.serialize import check_body_format, serialize_content_v2
from localfluence.v2.space_router import space_by_id

router = APIRouter(tags=["Custom Content"])

BODY_FORMATS = ("raw", "storage", "atlas_doc_format")
CONTAINER_FIELDS = {"page": "pageId", "blogpost": "blogPostId"}
SORTS = {
    "id": (Content.id,),
    "created-date": (Content.created_at, Content.id),
    "title": (Content.title, Content.id),
}


class CustomBodyWrite(Body):
    representation: str | None = None
    value: str | None = None
    storage: dict[str, Any] | None = None
    atlas_doc_format: dict[str, Any] | None = None
    raw: dict[str, Any] | None = None


class CustomContentCreate(Body):
    type: str
    status: str | None = None
    spaceId: str | None = None
    pageId: str | None = None
    blogPostId: str | None = None
    customContentId: str | None = None
    title: str
    body: CustomBodyWrite


class CustomVersionWrite(Body):
    number: int
    message: str | None = None


class CustomContentUpdate(Body):
    id: str
    type: str
    status: str
    spaceId: str | None = None
    pageId: str | None = None
    blogPostId: str | None = None
    customContentId: str | None = None
    title: str
    body: CustomBodyWrite
    version: CustomVersionWrite


def stored_type(custom_type: str) -> str:
    return check_custom_type(custom_type)


def _body(body: CustomBodyWrite) -> tuple[dict[str, BodyValue], str]:
    # "raw" is the custom type's own format: kept as storage text, unchanged.
    if body.representation is not None:
        if body.value is None:
            raise BadRequest("body.value is required")
        name = "storage" if body.representation == "raw" else body.representation
        return {name: BodyValue(value=body.value, representation=name)}, name
    for name in ("storage", "atlas_doc_format", "raw"):
        nested = getattr(body, name)
        if nested is not None:
            value = nested.get("value")
            if not isinstance(value, str):
                raise BadRequest(f"body.{name}.value is required")
            stored = "storage" if name == "raw" else name
            return {stored: BodyValue(value=value, representation=stored)}, stored
    raise BadRequest("Custom content needs a body")


def serialize_custom_v2(
    ctx: Ctx,
    rows: Sequence[Content],
    *,
    body_format: str | None,
    single: bool = False,
    include_properties: bool = False,
) -> list[dict[str, Any]]:
    """CustomContentSingle / CustomContentBulk."""
    wanted = "storage" if body_format == "raw" else body_format
    base = serialize_content_v2(ctx, rows, body_format=wanted, single=single)
    # Whoever sees a content sees its parent (restrictions inherit).
    parents = repo.contents_by_id_unchecked(ctx.session, {r.parent_id for r in rows if r.parent_id})
    out = []
    for row, shaped in zip(rows, base, strict=True):
        item: dict[str, Any] = {
            "id": shaped["id"],
            "type": row.type,
            "status": shaped["status"],
            "title": shaped["title"],
            "spaceId": shaped["spaceId"],
        }
        parent = parents.get(row.parent_id) if row.parent_id else None
        if parent is not None:
            field = "customContentId" if service.is_custom(parent.type) else CONTAINER_FIELDS.get(parent.type)
            if field:
                item[field] = str(parent.id)
        item["authorId"] = shaped["authorId"]
        item["createdAt"] = shaped["createdAt"]
        item["version"] = shaped["version"]
        body = shaped["body"]
        if body_format == "raw" and "storage" in body:
            body = {"raw": {"representation": "raw", "value": body["storage"]["value"]}}
        item["body"] = body
        item["_links"] = {"webui": shaped["_links"].get("webui", "")}
        if single:
            item["_links"]["base"] = ctx.links.base
        out.append(item)
    return out


def _get(ctx: Ctx, raw_id: str, statuses: Sequence[str] = ("current", "archived", "draft")) -> Content:
    content = repo.get_content(ctx.session, ctx.principal, service.parse_content_id(raw_id), statuses)
    if not service.is_custom(content.type):
        raise repo.not_found(raw_id)
    return content


def _container(ctx: Ctx, data: CustomContentCreate | CustomContentUpdate) -> tuple[str, Content | None]:
    """The space key and the parent row of the container the body names (exactly one)."""
    named = [(k, getattr(data, k)) for k in ("spaceId", "pageId", "blogPostId", "customContentId")]
    named = [(k, v) for k, v in named if v is not None]
    if len(named) != 1:
        raise BadRequest("Give exactly one of spaceId, pageId, blogPostId or customContentId")
    field, raw_id = named[0]
    if field == "spaceId":
        return space_by_id(ctx, raw_id).key, None
    parent = repo.get_content(ctx.session, ctx.principal, service.parse_content_id(raw_id), ("current",))
    expected = {"pageId": "page", "blogPostId": "blogpost"}.get(field)
    if (expected and parent.type != expected) or (field == "customContentId" and not service.is_custom(parent.type)):
        raise repo.not_found(raw_id)
    return repo.space_of(ctx.session, parent).key, parent


def _order(sort: str | None) -> tuple[Any, ...]:
    if sort is None:
        return (Content.id.asc(),)
    name = sort.lstrip("-")
    if name not in SORTS:
        raise BadRequest(f"Invalid sort: {sort}")
    return tuple(c.desc() if sort.startswith("-") else c.asc() for c in SORTS[name])  # type: ignore[attr-defined]


def _list(
    request: Request,
    ctx: Ctx,
    custom_type: str | None,
    *,
    ids: list[int] | None = None,
    space_ids: list[int] | None = None,
    parent_id: int | None = None,
    sort: str | None,
    body_format: str | None,
    limit: int | None,
) -> Response:
    if not custom_type:
        raise BadRequest("The type parameter is required")
    check_body_format(body_format, BODY_FORMATS)
    size = parse_limit(limit)
    offset = decode_cursor(request)
    query = repo.visible(ctx.principal).where(Content.type == stored_type(custom_type), Content.status == "current")
    if ids is not None:
        query = query.where(Content.id.in_(ids))
    if space_ids is not None:
        query = query.where(Content.space_id.in_(space_ids))
    if parent_id is not None:
        query = query.where(Content.parent_id == parent_id)
    rows = list(ctx.session.scalars(query.order_by(*_order(sort)).offset(offset).limit(size + 1)))
    results = serialize_custom_v2(ctx, rows[:size], body_format=body_format)
    return cursor_page(request, results, offset=offset, limit=size, has_more=len(rows) > size, base=ctx.links.base)


BodyFormat = Annotated[str | None, Query(alias="body-format")]


@router.get("/custom-content", operation_id="getCustomContentByType")
async def get_custom_content_by_type(
    request: Request,
    ctx: Context,
    type: str | None = None,
    id: Annotated[list[str] | None, Query()] = None,
    space_id: Annotated[list[str] | None, Query(alias="space-id")] = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    body_format: BodyFormat = None,
) -> Response:
    ids = parse_id_list(id, "id")
    space_ids = parse_id_list(space_id, "space-id", limit=MAX_LIST_SPACE_IDS)
    return _list(request, ctx, type, ids=ids, space_ids=space_ids, sort=sort, body_format=body_format, limit=limit)


@router.post("/custom-content", operation_id="createCustomContent", status_code=201)
async def create_custom_content(ctx: Context, body: CustomContentCreate) -> Response:
    content_type = stored_type(body.type)
    space_key, parent = _container(ctx, body)
    value, representation = _body(body.body)
    create = ContentCreate(
        type=content_type,
        title=body.title,
        space=SpaceRef(key=space_key),
        status=body.status or "current",
        ancestors=[ContentRef(id=str(parent.id))] if parent is not None else None,
        body=value,
    )
    content = service.create_content(ctx.session, ctx.principal, create, body.status or "current")
    shaped = serialize_custom_v2(ctx, [content], body_format=representation, single=True)
    return ok(shaped[0], 201)


@router.get("/custom-content/{id}", operation_id="getCustomContentById")
async def get_custom_content_by_id(
    id: str,
    ctx: Context,
    body_format: BodyFormat = None,
    version: int | None = None,
    include_labels: Annotated[bool, Query(alias="include-labels")] = False,
    include_properties: Annotated[bool, Query(alias="include-properties")] = False,
    include_operations: Annotated[bool, Query(alias="include-operations")] = False,
    include_versions: Annotated[bool, Query(alias="include-versions")] = False,
    include_version: Annotated[bool, Query(alias="include-version")] = True,
) -> Response:
    check_body_format(body_format, BODY_FORMATS)
    content = _get(ctx, id)
    current = content
    if version is not None and version != content.version:
        found = repo.get_version(ctx.session, content.id, version)
        if found is None:
            raise repo.not_found(id)
        content = queries.content_at_version(content, found)
    shaped = serialize_custom_v2(ctx, [content], body_format=body_format, single=True)[0]
    if not include_version:
        shaped.pop("version", None)
    path = f"/custom-content/{current.id}"
    if include_properties:
        shaped["properties"] = optional_fields.properties_field(ctx, current, f"{path}/properties")
    if include_operations:
        shaped["operations"] = optional_fields.operations_field(ctx, current, "custom-content", f"{path}/operations")
    if include_versions:
        shaped["versions"] = optional_fields.versions_field(ctx, current, f"{path}/versions")
    return ok(shaped)


@router.put("/custom-content/{id}", operation_id="updateCustomContent")
async def update_custom_content(id: str, ctx: Context, body: CustomContentUpdate) -> Response:
    if body.id != id:
        raise BadRequest(f"The id in the body ({body.id}) does not match the path ({id})")
    current = _get(ctx, id, ("current", "draft", "archived"))
    if stored_type(body.type) != current.type:
        raise BadRequest("The type of custom content cannot change")
    _space_key, parent = _container(ctx, body)
    if (parent.id if parent is not None else None) != current.parent_id:
        raise BadRequest("Custom content cannot move to another container")
    value, representation = _body(body.body)
    update = ContentUpdate(
        version=VersionIn(number=body.version.number, message=body.version.message),
        title=body.title,
        type=current.type,
        status=body.status,
        body=value,
    )
    content = service.update_content(ctx.session, ctx.principal, current.id, update, body.status)
    return ok(serialize_custom_v2(ctx, [content], body_format=representation, single=True)[0])


@router.delete("/custom-content/{id}", operation_id="deleteCustomContent", status_code=204)
async def delete_custom_content(id: str, ctx: Context, purge: bool = False) -> Response:
    content = _get(ctx, id, ("trashed",) if purge else ("current", "archived", "draft"))
    service.delete_content(ctx.session, ctx.principal, content.id, "trashed" if purge else None)
    return Response(status_code=204)


def _in_container(request: Request, ctx: Ctx, id: str, container_type: str, **kw: Any) -> Response:
    container = repo.get_content(ctx.session, ctx.principal, service.parse_content_id(id), ("current", "archived"))
    if container.type != container_type:
        raise repo.not_found(id)
    return _list(request, ctx, kw.pop("custom_type"), parent_id=container.id, **kw)


@router.get("/pages/{id}/custom-content", operation_id="getCustomContentByTypeInPage")
async def get_custom_content_by_type_in_page(
    id: str,
    request: Request,
    ctx: Context,
    type: str | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    body_format: BodyFormat = None,
) -> Response:
    return _in_container(request, ctx, id, "page", custom_type=type, sort=sort, body_format=body_format, limit=limit)


@router.get("/blogposts/{id}/custom-content", operation_id="getCustomContentByTypeInBlogPost")
async def get_custom_content_by_type_in_blog_post(
    id: str,
    request: Request,
    ctx: Context,
    type: str | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    body_format: BodyFormat = None,
) -> Response:
    return _in_container(
        request, ctx, id, "blogpost", custom_type=type, sort=sort, body_format=body_format, limit=limit
    )


@router.get("/spaces/{id}/custom-content", operation_id="getCustomContentByTypeInSpace")
async def get_custom_content_by_type_in_space(
    id: str,
    request: Request,
    ctx: Context,
    type: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    body_format: BodyFormat = None,
) -> Response:
    space = space_by_id(ctx, id)
    return _list(request, ctx, type, space_ids=[space.id], sort=None, body_format=body_format, limit=limit)
