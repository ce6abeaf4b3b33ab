"""v2 pages and blog posts (tags "Page", "Blog Post"): the v1 content services underneath, so one
page is one page whichever API reads or writes it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field, model_validator
from sqlalchemy import func, select
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.content import repository as repo
from localfluence.content import service
from localfluence.content.schemas import BodyValue, ContentCreate, ContentRef, ContentUpdate, IdStr, SpaceRef, VersionIn
from localfluence.db.literals import written, written_in
from localfluence.errors import BadRequest
from localfluence.kit.ids import MAX_LIST_SPACE_IDS, parse_id_list
from localfluence.kit.requestbody import RequestBody as Body
from localfluence.models import Content, ContentVersion
from localfluence.v2.paging import cursor_page, decode_cursor, parse_limit
from localfluence.v2.serialize import check_body_format, serialize_content_v2
from localfluence.v2.space_router import space_by_id

router = APIRouter(tags=["Page", "Blog Post"])

SORTS = {
    "id": (Content.id,),
    "created-date": (Content.created_at, Content.id),
    "title": (Content.title, Content.id),
}
LIST_STATUSES = ("current", "archived", "deleted", "trashed", "draft")


class BodyWrite(Body):
    representation: str
    value: str

    @model_validator(mode="before")
    @classmethod
    def _keyed_by_format(cls, data: Any) -> Any:
        # The spec's shape is {"representation", "value"}; atlassian-python-api's v2 client sends
        # the v1-like {"storage": {"value": ...}}. Both mean the same page.
        if isinstance(data, dict) and "representation" not in data and len(data) == 1:
            ((name, inner),) = data.items()
            if isinstance(inner, dict) and "value" in inner:
                return {"representation": name, "value": inner["value"]}
        return data


class ContentCreateV2(Body):
    spaceId: IdStr
    status: str | None = None
    title: str | None = Field(default=None, max_length=1000)
    parentId: IdStr | None = None
    body: BodyWrite | None = None


class VersionWrite(Body):
    number: int
    message: str | None = Field(default=None, max_length=10_000)


class ContentUpdateV2(Body):
    id: IdStr
    status: str
    title: str = Field(max_length=1000)
    spaceId: IdStr | None = None
    parentId: IdStr | None = None
    ownerId: str | None = None
    body: BodyWrite | None = None
    version: VersionWrite


def _body(body: BodyWrite | None) -> dict[str, BodyValue] | None:
    if body is None:
        return None
    return {body.representation: BodyValue(value=body.value, representation=body.representation)}


def _get(ctx: Context, content_type: str, content_id: str, statuses: tuple[str, ...], reader: Any = None) -> Any:
    """The visible content of that type, else 404; `reader`: repo.get_content_row for a read
    that needs rows only (the ORM entity otherwise)."""
    read = reader or repo.get_content
    content = read(ctx.session, ctx.principal, service.parse_content_id(content_id), statuses)
    if content.type != content_type:
        raise repo.not_found(content_id)
    return content


def _list(
    request: Request,
    ctx: Context,
    content_type: str,
    *,
    ids: list[int] | None,
    space_ids: list[int] | None,
    sort: str | None,
    status: list[str] | None,
    title: str | None,
    body_format: str | None,
    limit: int | None,
    root_only: bool = False,
) -> Response:
    body_format = check_body_format(body_format, ("storage", "atlas_doc_format"))
    statuses = tuple(status or ["current"])
    for s in statuses:
        if s not in LIST_STATUSES:
            raise BadRequest(f"Invalid status: {s}")
    size = parse_limit(limit)
    offset = decode_cursor(request)
    # Type and statuses written in: a generic plan guessing the share of blog posts walked all of content.
    query = repo.visible(ctx.principal).where(
        Content.type == written(content_type), written_in(Content.status, statuses)
    )
    if ids is not None:
        query = query.where(Content.id.in_(ids))
    if space_ids is not None:
        query = query.where(Content.space_id.in_(space_ids))
    if title is not None:
        query = query.where(Content.title == title)
    if root_only:
        query = query.where(Content.parent_id.is_(None))
    query = query.order_by(*order_by_sort(sort))
    rows = list(ctx.session.scalars(query.offset(offset).limit(size + 1)))
    results = serialize_content_v2(ctx, rows[:size], body_format=body_format)
    return cursor_page(request, results, offset=offset, limit=size, has_more=len(rows) > size, base=ctx.links.base)


def order_by_sort(sort: str | None) -> tuple[object, ...]:
    if sort is None:
        return (Content.id,)
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name == "modified-date":
        # The current version's time is the last modification.
        modified = (
            select(func.max(ContentVersion.created_at)).where(ContentVersion.content_id == Content.id).scalar_subquery()
        )
        columns: tuple[object, ...] = (modified, Content.id)
    elif name in SORTS:
        columns = SORTS[name]
    else:
        raise BadRequest(f"Invalid sort: {sort}")
    return tuple(c.desc() if descending else c.asc() for c in columns)  # type: ignore[attr-defined]


def _create(ctx: Context, content_type: str, data: ContentCreateV2) -> Response:
    space = space_by_id(ctx, data.spaceId)
    status = data.status or "current"
    create = ContentCreate(
        type=content_type,
        title=data.title,
        space=SpaceRef(key=space.key),
        status=status,
        ancestors=[ContentRef(id=data.parentId)] if data.parentId and content_type == "page" else None,
        body=_body(data.body),
    )
    content = service.create_content(ctx.session, ctx.principal, create, status)
    return ok(serialize_content_v2(ctx, [content], body_format=_written_format(data.body), single=True)[0])


def _update(ctx: Context, content_type: str, content_id: str, data: ContentUpdateV2) -> Response:
    if data.id != content_id:
        raise BadRequest(f"The id in the body ({data.id}) does not match the path ({content_id})")
    current = _get(ctx, content_type, content_id, ("current", "draft", "trashed", "archived"))
    update = ContentUpdate(
        version=VersionIn(number=data.version.number, message=data.version.message),
        title=data.title,
        type=content_type,
        status=data.status,
        ancestors=[ContentRef(id=data.parentId)] if data.parentId and content_type == "page" else None,
        body=_body(data.body),
    )
    content = service.update_content(ctx.session, ctx.principal, current.id, update, data.status)
    return ok(serialize_content_v2(ctx, [content], body_format=_written_format(data.body), single=True)[0])


def _written_format(body: BodyWrite | None) -> str | None:
    if body is None:
        return "storage"
    return body.representation if body.representation in ("storage", "atlas_doc_format") else "storage"


def _delete(ctx: Context, content_type: str, content_id: str, purge: bool, draft: bool) -> Response:
    statuses = ("trashed",) if purge else (("draft",) if draft else ("current", "archived", "draft"))
    content = _get(ctx, content_type, content_id, statuses)
    service.delete_content(ctx.session, ctx.principal, content.id, "trashed" if purge else None)
    return Response(status_code=204)


def _single(
    ctx: Context,
    content_type: str,
    content_id: str,
    body_format: str | None,
    get_draft: bool,
    status: list[str] | None,
    version: int | None,
) -> Response:
    from localfluence.content import queries

    body_format = check_body_format(body_format)
    statuses = tuple(status or ["current", "archived"])
    if get_draft:
        statuses = ("draft",)
    wanted = statuses + ("draft",) if not get_draft else statuses
    content = _get(ctx, content_type, content_id, wanted, repo.get_content_row)
    if content.status not in statuses and not (content.status == "draft" and "current" in statuses):
        raise repo.not_found(content_id)
    if version is not None and version != content.version:
        found = repo.get_version(ctx.session, content.id, version)
        if found is None:
            raise repo.not_found(content_id)
        content = queries.content_at_version(content, found)
    return ok(serialize_content_v2(ctx, [content], body_format=body_format, single=True)[0])


BodyFormat = Annotated[str | None, Query(alias="body-format")]
Limit = Annotated[int | None, Query()]
Statuses = Annotated[list[str] | None, Query()]
IdList = Annotated[list[str] | None, Query()]


@router.get("/pages", operation_id="getPages")
async def get_pages(
    request: Request,
    ctx: Context,
    id: IdList = None,
    space_id: Annotated[list[str] | None, Query(alias="space-id")] = None,
    sort: str | None = None,
    status: Statuses = None,
    title: str | None = None,
    body_format: BodyFormat = None,
    cursor: str | None = None,
    limit: Limit = None,
) -> Response:
    return _list(
        request,
        ctx,
        "page",
        ids=parse_id_list(id, "id"),
        space_ids=parse_id_list(space_id, "space-id", limit=MAX_LIST_SPACE_IDS),
        sort=sort,
        status=status,
        title=title,
        body_format=body_format,
        limit=limit,
    )


def _in_space(
    request: Request,
    ctx: Context,
    content_type: str,
    raw_space_id: str,
    sort: str | None,
    status: list[str] | None,
    title: str | None,
    body_format: str | None,
    limit: int | None,
    root_only: bool = False,
) -> Response:
    space = space_by_id(ctx, raw_space_id)
    return _list(
        request,
        ctx,
        content_type,
        ids=None,
        space_ids=[space.id],
        sort=sort,
        status=status,
        title=title,
        body_format=body_format,
        limit=limit,
        root_only=root_only,
    )


@router.post("/pages", operation_id="createPage")
async def create_page(
    ctx: Context,
    body: ContentCreateV2,
    embedded: bool = False,
    private: bool = False,
    root_level: Annotated[bool, Query(alias="root-level")] = False,
) -> Response:
    return _create(ctx, "page", body)


@router.get("/pages/{id}", operation_id="getPageById")
async def get_page_by_id(
    id: str,
    ctx: Context,
    body_format: BodyFormat = None,
    get_draft: Annotated[bool, Query(alias="get-draft")] = False,
    status: Statuses = None,
    version: int | None = None,
) -> Response:
    return _single(ctx, "page", id, body_format, get_draft, status, version)


@router.put("/pages/{id}", operation_id="updatePage")
async def update_page(id: str, ctx: Context, body: ContentUpdateV2) -> Response:
    return _update(ctx, "page", id, body)


@router.delete("/pages/{id}", operation_id="deletePage", status_code=204)
async def delete_page(id: str, ctx: Context, purge: bool = False, draft: bool = False) -> Response:
    return _delete(ctx, "page", id, purge, draft)


@router.get("/spaces/{id}/pages", operation_id="getPagesInSpace")
async def get_pages_in_space(
    id: str,
    request: Request,
    ctx: Context,
    depth: str = "all",
    sort: str | None = None,
    status: Statuses = None,
    title: str | None = None,
    body_format: BodyFormat = None,
    cursor: str | None = None,
    limit: Limit = None,
) -> Response:
    if depth not in ("all", "root"):
        raise BadRequest(f"Invalid depth: {depth}; use all or root")
    return _in_space(request, ctx, "page", id, sort, status, title, body_format, limit, root_only=depth == "root")


@router.get("/blogposts", operation_id="getBlogPosts")
async def get_blog_posts(
    request: Request,
    ctx: Context,
    id: IdList = None,
    space_id: Annotated[list[str] | None, Query(alias="space-id")] = None,
    sort: str | None = None,
    status: Statuses = None,
    title: str | None = None,
    body_format: BodyFormat = None,
    cursor: str | None = None,
    limit: Limit = None,
) -> Response:
    return _list(
        request,
        ctx,
        "blogpost",
        ids=parse_id_list(id, "id"),
        space_ids=parse_id_list(space_id, "space-id", limit=MAX_LIST_SPACE_IDS),
        sort=sort,
        status=status,
        title=title,
        body_format=body_format,
        limit=limit,
    )


@router.post("/blogposts", operation_id="createBlogPost")
async def create_blog_post(ctx: Context, body: ContentCreateV2, private: bool = False) -> Response:
    return _create(ctx, "blogpost", body)


@router.get("/blogposts/{id}", operation_id="getBlogPostById")
async def get_blog_post_by_id(
    id: str,
    ctx: Context,
    body_format: BodyFormat = None,
    get_draft: Annotated[bool, Query(alias="get-draft")] = False,
    status: Statuses = None,
    version: int | None = None,
) -> Response:
    return _single(ctx, "blogpost", id, body_format, get_draft, status, version)


@router.put("/blogposts/{id}", operation_id="updateBlogPost")
async def update_blog_post(id: str, ctx: Context, body: ContentUpdateV2) -> Response:
    return _update(ctx, "blogpost", id, body)


@router.delete("/blogposts/{id}", operation_id="deleteBlogPost", status_code=204)
async def delete_blog_post(id: str, ctx: Context, purge: bool = False, draft: bool = False) -> Response:
    return _delete(ctx, "blogpost", id, purge, draft)


@router.get("/spaces/{id}/blogposts", operation_id="getBlogPostsInSpace")
async def get_blog_posts_in_space(
    id: str,
    request: Request,
    ctx: Context,
    sort: str | None = None,
    status: Statuses = None,
    title: str | None = None,
    body_format: BodyFormat = None,
    cursor: str | None = None,
    limit: Limit = None,
) -> Response:
    return _in_space(request, ctx, "blogpost", id, sort, status, title, body_format, limit)
